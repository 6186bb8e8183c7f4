from django.conf import settings
from django.db import models
from django.db.models import Q

from .choices import (
    DeliveryStatus,
    Direction,
    DocumentType,
    KeyOwner,
    NotationStyle,
    SecurityLevel,
    Source,
    Status,
    Urgency,
)


class RegisterSettings(models.Model):
    """How an agency writes its notation: its abbreviation (UBND, TU, STP) and the state or Party style."""

    agency = models.OneToOneField("org.Agency", on_delete=models.CASCADE, related_name="+")
    abbreviation = models.CharField(max_length=30)
    style = models.CharField(max_length=8, choices=NotationStyle.choices, default=NotationStyle.STATE)


class DocumentRegister(models.Model):
    """Sổ văn bản: one per agency, year and direction. Numbers start at 1 on 1 January (NĐ 30/2020, Điều 15)
    and are never reused; the row is locked while a number is taken, so concurrent issues get no gaps."""

    agency = models.ForeignKey("org.Agency", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    direction = models.CharField(max_length=8, choices=Direction.choices)
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["agency", "year", "direction"], name="one_register_per_year")]

    def __str__(self) -> str:
        return f"Sổ {self.get_direction_display().lower()} {self.year} — {self.agency_id}"


class Document(models.Model):
    direction = models.CharField(max_length=8, choices=Direction.choices)
    # The agency whose register holds the document: the issuer of an outgoing one, the receiver of an incoming one.
    agency = models.ForeignKey("org.Agency", on_delete=models.PROTECT, related_name="documents")
    register = models.ForeignKey(DocumentRegister, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    register_number = models.PositiveIntegerField(null=True, blank=True, help_text="Số trong sổ (số đi / số đến)")
    # The document's own number and notation as issued (for incoming ones: the sender's).
    code_number = models.CharField(max_length=20, blank=True)
    code_notation = models.CharField(max_length=60, blank=True)
    doc_type = models.CharField(max_length=4, choices=DocumentType.choices)
    issuing_agency_code = models.CharField(max_length=13, blank=True)
    issuing_agency_name = models.CharField(max_length=255, blank=True)
    issued_on = models.DateField(null=True, blank=True)
    place = models.CharField(max_length=100, blank=True)
    signer_name = models.CharField(max_length=150, blank=True)
    signer_position = models.CharField(max_length=150, blank=True)
    subject = models.CharField(max_length=500, help_text="Trích yếu nội dung")
    urgency = models.CharField(max_length=12, choices=Urgency.choices, default=Urgency.NORMAL)
    security_level = models.CharField(max_length=12, choices=SecurityLevel.choices, default=SecurityLevel.ORDINARY)
    steering_type = models.PositiveSmallIntegerField(default=0, help_text="Loại chỉ đạo (edXML SteeringType)")
    response_due_on = models.DateField(null=True, blank=True, help_text="Hạn trả lời (edXML DueDate)")
    status = models.CharField(max_length=12, choices=Status.choices)
    source = models.CharField(max_length=10, choices=Source.choices)
    recipients = models.JSONField(default=list, blank=True, help_text="Mã định danh nơi nhận")

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField()
    leader_signed_at = models.DateTimeField(null=True, blank=True)
    agency_signed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(null=True, blank=True)
    # Handling of an incoming document.
    assigned_agency = models.ForeignKey("org.Agency", on_delete=models.PROTECT, null=True, blank=True,
                                        related_name="+")
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="assigned_documents")
    handling_due_on = models.DateField(null=True, blank=True)
    assigned_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    # Links: a one-stop dossier, or a citizen feedback report (by its code; the feedback app is yet to come).
    dossier = models.ForeignKey("dossiers.Dossier", on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="+", db_index=False)
    feedback_ref = models.CharField(max_length=40, blank=True)
    delivery = models.OneToOneField("Delivery", on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="incoming_document")
    package_id = models.CharField(max_length=64, blank=True, help_text="Mã gói edXML đã nhận (chống trùng)")

    text_content = models.TextField(blank=True, help_text="Nội dung trích xuất từ tệp (phục vụ tìm kiếm)")
    search_key = models.TextField(editable=False, default="")
    name_key = models.CharField(max_length=100, editable=False, default="")
    short_key = models.CharField(max_length=100, editable=False, default="")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["agency", "direction", "created_at"]),
            models.Index(fields=["status", "handling_due_on"]),
            models.Index(fields=["issued_on"]),
        ]
        constraints = [
            models.UniqueConstraint(fields=["register", "register_number"], condition=Q(register__isnull=False),
                                    name="one_number_per_register"),
            models.UniqueConstraint(fields=["agency", "package_id"], condition=~Q(package_id=""),
                                    name="one_package_per_receiver"),
        ]

    def __str__(self) -> str:
        return self.number_notation or f"Dự thảo: {self.subject[:60]}"

    @property
    def number_notation(self) -> str:
        if not self.code_number:
            return ""
        if self.code_notation.startswith("-"):  # Party style: 02-NQ/TU
            return f"{self.code_number}{self.code_notation}"
        return f"{self.code_number}/{self.code_notation}"

    @property
    def travels_electronically(self) -> bool:
        return self.security_level == SecurityLevel.ORDINARY


class DocumentFile(models.Model):
    """The main PDF (each signature adds a revision; the current one is the last) and annexes."""

    MAIN, ANNEX = "main", "annex"
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="files")
    role = models.CharField(max_length=8, choices=[(MAIN, "Văn bản chính"), (ANNEX, "Phụ lục")])
    file = models.FileField(upload_to="documents/%Y/%m/")
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    is_current = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["role", "id"]


class SignatureCheck(models.Model):
    """The verification of one signature of one file, recorded when the file arrived or was signed."""

    file = models.ForeignKey(DocumentFile, on_delete=models.CASCADE, related_name="checks")
    checked_at = models.DateTimeField()
    field_name = models.CharField(max_length=100)
    signer_name = models.CharField(max_length=255)
    signer_subject = models.TextField()
    issuer_subject = models.TextField(blank=True)
    signing_time = models.DateTimeField(null=True, blank=True)
    digest_algorithm = models.CharField(max_length=20)
    intact = models.BooleanField()
    trusted = models.BooleanField()
    covers_whole_file = models.BooleanField()
    weak_digest = models.BooleanField(default=False)
    ok = models.BooleanField()
    message = models.TextField(blank=True)

    class Meta:
        ordering = ["id"]


class TrustRoot(models.Model):
    """A root certificate the province trusts (e.g. the Government CA root), managed by the province admin."""

    unit = models.ForeignKey("org.AdministrativeUnit", on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=200)
    certificate_pem = models.TextField()
    fingerprint = models.CharField(max_length=64)
    subject = models.TextField()
    not_after = models.DateTimeField()
    is_active = models.BooleanField(default=True)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["unit", "fingerprint"], name="one_trust_root_per_unit")]

    def __str__(self) -> str:
        return self.name


class SigningKey(models.Model):
    """A signing certificate of a person (the leader's personal signature) or of an agency (its seal).

    A PKCS#12 key is stored as uploaded, encrypted under its passphrase; the passphrase is never stored and is
    given at each signature. A remote key lives with a CA's signing service, named by `backend` + `remote_key_id`.
    """

    owner = models.CharField(max_length=8, choices=KeyOwner.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True,
                             related_name="signing_keys")
    agency = models.ForeignKey("org.Agency", on_delete=models.CASCADE, related_name="signing_keys")
    label = models.CharField(max_length=200)
    backend = models.CharField(max_length=40, default="pkcs12")
    pkcs12 = models.BinaryField(null=True, blank=True, editable=False)
    remote_key_id = models.CharField(max_length=200, blank=True)
    certificate_pem = models.TextField()
    subject = models.TextField()
    fingerprint = models.CharField(max_length=64)
    not_after = models.DateTimeField()
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(owner="agency") | Q(user__isnull=False), name="person_key_has_user"),
        ]

    def __str__(self) -> str:
        return self.label


class RecordsOfficer(models.Model):
    """Văn thư: who issues numbers and applies the agency's signature for an agency."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    agency = models.ForeignKey("org.Agency", on_delete=models.CASCADE, related_name="+")
    granted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "agency"], name="one_records_grant")]


class Delivery(models.Model):
    """One outgoing document sent to one recipient (by identifier code), with the status messages it got back."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="deliveries")
    to_code = models.CharField(max_length=13)
    to_name = models.CharField(max_length=255, blank=True)
    package_id = models.CharField(max_length=64)
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.SENT)
    attempts = models.PositiveSmallIntegerField(default=1)
    sent_at = models.DateTimeField()
    status_at = models.DateTimeField()
    electronic = models.BooleanField(default=True)

    class Meta:
        ordering = ["to_code"]
        constraints = [models.UniqueConstraint(fields=["document", "to_code"], name="one_delivery_per_recipient")]


class DocumentEvent(models.Model):
    """One step of the document's way (drafted, reviewed, signed, issued, sent, received, assigned, done)."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(db_index=True)
    action = models.CharField(max_length=24)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="+")
    actor_label = models.CharField(max_length=200, blank=True)
    note = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]
