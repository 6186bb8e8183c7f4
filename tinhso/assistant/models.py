import uuid

from django.db import models


class QuestionLog(models.Model):
    """One question asked and what it got; no person, session or address is kept (digits and e-mails masked),
    so the province can read the log to improve synonyms and keywords."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    question = models.CharField(max_length=500)
    intents = models.JSONField(default=list)
    context_code = models.CharField(max_length=40, blank=True, help_text="Thủ tục của câu hỏi trước (hỏi tiếp)")
    top_codes = models.JSONField(default=list, help_text="Mã các thủ tục được đề xuất, tốt nhất trước")
    confident = models.BooleanField(default=False)
    helpful = models.BooleanField(null=True, help_text="Người hỏi đánh giá câu trả lời: 👍 có ích / 👎 chưa")
    asked_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-asked_at"]
        indexes = [models.Index(fields=["helpful", "asked_at"])]

    def __str__(self) -> str:
        return self.question
