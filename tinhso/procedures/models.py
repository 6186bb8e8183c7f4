from django.db import models

from tinhso.core.text import fold, search_key

from .choices import FormFieldType, OnlineLevel, TimeUnit


class ProcedureField(models.Model):
    """A field of administrative procedures (lĩnh vực), e.g. Hộ tịch."""

    code = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=150, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Procedure(models.Model):
    """An administrative procedure (thủ tục hành chính) as published in the catalogue."""

    code = models.CharField(max_length=40, unique=True, help_text="Mã thủ tục trên Cơ sở dữ liệu quốc gia")
    name = models.CharField(max_length=500)
    field = models.ForeignKey(ProcedureField, on_delete=models.PROTECT, related_name="procedures")
    levels = models.JSONField(default=list, help_text='Cấp thực hiện: ["province"], ["commune"] hoặc cả hai')
    agencies = models.ManyToManyField("org.Agency", related_name="procedures", blank=True)
    legal_basis = models.JSONField(default=list)
    steps = models.JSONField(default=list, blank=True, help_text="Trình tự thực hiện; trống thì dùng trình tự chung")
    processing_time = models.PositiveIntegerField(help_text="Thời hạn giải quyết")
    processing_time_unit = models.CharField(max_length=16, choices=TimeUnit.choices, default=TimeUnit.WORKING_DAYS)
    fee_text = models.CharField(max_length=500, blank=True)
    fee_amount = models.PositiveBigIntegerField(default=0, help_text="Phí, lệ phí chính (đồng)")
    # Structured lines a bill is made of (procedures.fees): amount by case, exemptions; empty = fee_amount alone.
    fees = models.JSONField(default=list, blank=True, help_text="Các khoản phí, lệ phí: mức thu theo trường hợp, miễn")
    fee_pay_first = models.BooleanField(default=False,
                                        help_text="Nộp phí, lệ phí khi nộp hồ sơ, trước khi giải quyết")
    result = models.CharField(max_length=500, blank=True)
    online_level = models.CharField(max_length=12, choices=OnlineLevel.choices)
    keywords = models.JSONField(default=list, blank=True,
                                help_text="Từ người dân thường dùng để tìm thủ tục, ví dụ “làm giấy khai sinh”")
    is_active = models.BooleanField(default=True)
    search_key = models.CharField(max_length=800, db_index=True, editable=False)
    name_key = models.CharField(max_length=500, editable=False)
    short_key = models.CharField(max_length=40, editable=False)
    # " province commune ": JSON containment is not portable to SQLite, a framed text key filters on both.
    levels_key = models.CharField(max_length=40, editable=False, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["code"]
        indexes = [models.Index(fields=["online_level"])]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.search_key = search_key(self.name, self.code)
        self.name_key, self.short_key = fold(self.name), fold(self.code)
        self.levels_key = f" {' '.join(self.levels)} " if self.levels else ""
        super().save(*args, **kwargs)


class ProcedurePaper(models.Model):
    """A paper of the dossier (thành phần hồ sơ) with how many originals and copies are required."""

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="papers")
    position = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=500)
    originals = models.PositiveSmallIntegerField(default=1)
    copies = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["procedure_id", "position"]
        constraints = [models.UniqueConstraint(fields=["procedure", "position"], name="unique_paper_position")]


class ProcedureFormField(models.Model):
    """A field of the online application form of the procedure."""

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="form_fields")
    position = models.PositiveSmallIntegerField()
    name = models.SlugField(max_length=60)
    label = models.CharField(max_length=300)
    field_type = models.CharField(max_length=10, choices=FormFieldType.choices)
    required = models.BooleanField(default=False)
    choices = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["procedure_id", "position"]
        constraints = [models.UniqueConstraint(fields=["procedure", "name"], name="unique_form_field_name")]


class SearchSynonym(models.Model):
    """A citizens' phrase and the catalogue's words for it ("sổ đỏ" → "giấy chứng nhận quyền sử dụng đất").

    Data, not code: the province administrator edits the table as the assistant's question log shows new words.
    """

    phrase = models.CharField(max_length=120, help_text="Cách người dân nói, ví dụ “sổ đỏ”")
    phrase_key = models.CharField(max_length=120, unique=True, editable=False)
    expansion = models.CharField(max_length=300, help_text="Từ ngữ của danh mục, ví dụ “giấy chứng nhận quyền sử dụng đất”")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["phrase_key"]

    def __str__(self) -> str:
        return f"{self.phrase} → {self.expansion}"

    def save(self, *args, **kwargs):
        self.phrase_key = fold(self.phrase)
        super().save(*args, **kwargs)
