"""The assistant's writes: the question log (without personal data) and the citizen's 👍/👎 on an answer.

The log is not copied into the audit chain: it is itself an append-only record of anonymous questions, holds no
person, and auditing every question would flood the chain the province reads for officials' actions.
"""

import re

from django.db import transaction

from tinhso.core.exceptions import NotFound, ValidationError

from .answers import Answer, answer
from .models import QuestionLog

MAX_QUESTION = 300
# Personal data a question may carry: identity card and phone numbers, e-mail addresses, dossier codes.
_EMAIL = re.compile(r"\S+@\S+")
_LONG_NUMBER = re.compile(r"\d[\d .\-]{4,}\d")


def mask_personal_data(text: str) -> str:
    return _LONG_NUMBER.sub("***", _EMAIL.sub("***", text))


def _clean_question(question: str) -> str:
    question = " ".join((question or "").replace("\x00", " ").split())
    if not question:
        raise ValidationError.for_field("q", "Hãy nhập câu hỏi về thủ tục hành chính.")
    if len(question) > MAX_QUESTION:
        raise ValidationError.for_field("q", f"Câu hỏi dài quá {MAX_QUESTION} ký tự.")
    return question


@transaction.atomic
def question_ask(*, question: str, context_code: str = "") -> tuple[Answer, QuestionLog]:
    question = _clean_question(question)
    context_code = (context_code or "").replace("\x00", "").strip()[:40]
    masked = mask_personal_data(question)  # an ID or phone number says nothing about the procedure asked for
    reply = answer(masked, context_code=context_code)
    log = QuestionLog.objects.create(
        question=masked, intents=reply.intents, context_code=context_code,
        top_codes=[m.code for m in reply.matches], confident=reply.confident)
    return reply, log


@transaction.atomic
def question_rate(*, log_id, helpful: bool) -> QuestionLog:
    log = QuestionLog.objects.select_for_update().filter(public_id=log_id).first()
    if log is None:
        raise NotFound("Không có câu hỏi này.")
    log.helpful = helpful
    log.save(update_fields=["helpful"])
    return log
