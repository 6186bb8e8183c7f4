from django.conf import settings
from django.db import models
from django.db.models import Q

from .choices import BillStatus, Method, PaymentStatus


class Bill(models.Model):
    """What a dossier owes (phí, lệ phí), made from the procedure's fees in the catalogue (procedures.fees)."""

    dossier = models.OneToOneField("dossiers.Dossier", on_delete=models.CASCADE, related_name="bill")
    procedure = models.ForeignKey("procedures.Procedure", on_delete=models.PROTECT, related_name="+")
    # The agency that collects (the receiving one-stop) and the one the statistics count it for.
    agency = models.ForeignKey("org.Agency", on_delete=models.PROTECT, related_name="+")
    stat_agency = models.ForeignKey("org.Agency", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=12, choices=BillStatus.choices, default=BillStatus.UNPAID)
    total = models.PositiveBigIntegerField(default=0, help_text="Số tiền phải nộp (đồng)")
    pay_first = models.BooleanField(default=False, help_text="Nộp trước khi giải quyết")
    issued_at = models.DateTimeField()
    paid_at = models.DateTimeField(null=True, blank=True)
    paid_method = models.CharField(max_length=8, choices=Method.choices, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True, help_text="Thời điểm hủy hoặc hoàn trả")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-issued_at", "-id"]
        indexes = [models.Index(fields=["stat_agency", "issued_at"]), models.Index(fields=["status", "issued_at"])]

    def __str__(self) -> str:
        return f"Phí, lệ phí hồ sơ {self.dossier.code}"

    @property
    def is_open(self) -> bool:
        return self.status == BillStatus.UNPAID


class BillLine(models.Model):
    bill = models.ForeignKey(Bill, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=300)
    kind = models.CharField(max_length=8)  # procedures.fees.KINDS
    unit = models.CharField(max_length=40, blank=True)
    unit_amount = models.PositiveBigIntegerField()
    quantity = models.PositiveIntegerField(default=1)
    case_label = models.CharField(max_length=300, blank=True, help_text="Trường hợp áp dụng mức thu khác")
    exemption = models.CharField(max_length=300, blank=True, help_text="Đối tượng được miễn")
    amount = models.PositiveBigIntegerField()

    class Meta:
        ordering = ["bill_id", "position"]
        constraints = [models.UniqueConstraint(fields=["bill", "position"], name="unique_bill_line_position")]


class BillAdjustment(models.Model):
    """An officer's change to a bill, with the reason (the audit log has it too)."""

    bill = models.ForeignKey(Bill, on_delete=models.CASCADE, related_name="adjustments")
    at = models.DateTimeField()
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField()
    total_before = models.PositiveBigIntegerField()
    total_after = models.PositiveBigIntegerField()
    lines_before = models.JSONField(default=list)
    lines_after = models.JSONField(default=list)

    class Meta:
        ordering = ["at", "id"]


class Payment(models.Model):
    """One attempt to pay a bill: online through a provider (a reference sent as vnp_TxnRef), or at the counter."""

    bill = models.ForeignKey(Bill, on_delete=models.PROTECT, related_name="payments")
    method = models.CharField(max_length=8, choices=Method.choices)
    status = models.CharField(max_length=12, choices=PaymentStatus.choices, default=PaymentStatus.PENDING)
    reference = models.CharField(max_length=40, unique=True, help_text="Mã giao dịch của nền tảng (vnp_TxnRef)")
    amount = models.PositiveBigIntegerField(help_text="Số tiền yêu cầu thanh toán (đồng)")
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    # What the provider reported (IPN), or the clerk recorded at the counter.
    provider_amount = models.PositiveBigIntegerField(null=True, blank=True)
    provider_transaction_no = models.CharField(max_length=40, blank=True)
    provider_response_code = models.CharField(max_length=4, blank=True)
    bank_code = models.CharField(max_length=20, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True, help_text="Thời điểm thanh toán theo cổng (vnp_PayDate)")
    provider_data = models.JSONField(default=dict, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    receipt_number = models.CharField(max_length=30, null=True, blank=True, unique=True)
    held_reason = models.CharField(max_length=300, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["method", "paid_at"]),
                   models.Index(fields=["status"], condition=Q(status="held"), name="payment_held")]
        constraints = [
            # One confirmed payment per bill: a second confirmation of the same bill is held instead.
            models.UniqueConstraint(fields=["bill"], condition=Q(status="confirmed"), name="one_confirmed_payment"),
        ]

    def __str__(self) -> str:
        return self.reference


class Refund(models.Model):
    """Money to pay back: the dossier was refused or withdrawn before processing, or a held payment was refused."""

    bill = models.ForeignKey(Bill, on_delete=models.PROTECT, related_name="refunds")
    payment = models.OneToOneField(Payment, on_delete=models.PROTECT, related_name="refund")
    amount = models.PositiveBigIntegerField()
    reason = models.CharField(max_length=500)
    at = models.DateTimeField()
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="+")

    class Meta:
        ordering = ["-at", "-id"]


class Reconciliation(models.Model):
    """One day's comparison of the provider's statement with the platform's payments, as it was run."""

    day = models.DateField()
    provider = models.CharField(max_length=16, default=Method.VNPAY)
    run_at = models.DateTimeField()
    run_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="+")
    statement_sha256 = models.CharField(max_length=64)
    statement_rows = models.PositiveIntegerField()
    platform_rows = models.PositiveIntegerField()
    matched = models.PositiveIntegerField()
    differences = models.JSONField(default=list)

    class Meta:
        ordering = ["-run_at", "-id"]
