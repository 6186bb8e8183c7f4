from django.conf import settings
from django.db import models
from django.db.models import Q

from tinhso.core.text import search_key

from .choices import Channel, RejectReason, SlaUnit, Status

OPEN = Q(status__in=["received", "verified", "assigned", "in_progress"])


class Service(models.Model):
    """A category of feedback (an Open311 "service"): what a citizen may report, and how fast it is answered.

    `attributes` holds Open311 attribute definitions: [{"code", "datatype", "description", "required",
    "datatype_description", "order", "values": [{"key", "name"}]}].
    """

    code = models.CharField(max_length=40, unique=True)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    group = models.CharField(max_length=100, blank=True)
    keywords = models.CharField(max_length=300, blank=True, help_text="Từ khóa, cách nhau bởi dấu phẩy.")
    attributes = models.JSONField(default=list, blank=True)
    sla_amount = models.PositiveIntegerField(default=5)
    sla_unit = models.CharField(max_length=16, choices=SlaUnit.choices, default=SlaUnit.WORKING_DAYS)
    is_emergency = models.BooleanField(default=False)
    # Emergencies are answered round the clock: minutes of calendar time, not office time.
    emergency_minutes = models.PositiveIntegerField(null=True, blank=True)
    is_active = models.BooleanField(default=True)
    search_key = models.CharField(max_length=600, editable=False, default="")

    class Meta:
        ordering = ["group", "code"]
        constraints = [
            models.CheckConstraint(condition=Q(is_emergency=False) | Q(emergency_minutes__gt=0),
                                   name="feedback_emergency_has_minutes"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.search_key = search_key(self.name, self.group, self.keywords, self.code)
        super().save(*args, **kwargs)

    @property
    def sla_label(self) -> str:
        if self.is_emergency:
            return f"{self.emergency_minutes} phút (khẩn cấp)"
        return f"{self.sla_amount} {self.get_sla_unit_display()}"


class RoutingRule(models.Model):
    """Which agency answers a category in a commune; the rule without a commune is the province-level fallback."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="rules")
    commune = models.ForeignKey("org.AdministrativeUnit", on_delete=models.CASCADE, null=True, blank=True,
                                related_name="+")
    agency = models.ForeignKey("org.Agency", on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["service", "commune"], condition=Q(commune__isnull=False),
                                    name="feedback_one_rule_per_commune"),
            models.UniqueConstraint(fields=["service"], condition=Q(commune__isnull=True),
                                    name="feedback_one_fallback_rule"),
        ]


class ApiKey(models.Model):
    """An Open311 application key. Only its SHA-256 hash is stored; the key is shown once."""

    name = models.CharField(max_length=150)
    prefix = models.CharField(max_length=12)
    key_hash = models.CharField(max_length=64, unique=True)
    is_active = models.BooleanField(default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class Report(models.Model):
    """One feedback report (phản ánh, kiến nghị). Contact fields are private: never published, never in Open311."""

    code = models.CharField(max_length=24, unique=True)
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="reports")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.RECEIVED)
    channel = models.CharField(max_length=8, choices=Channel.choices)
    description = models.TextField()
    attributes = models.JSONField(default=dict, blank=True)
    commune = models.ForeignKey("org.AdministrativeUnit", on_delete=models.PROTECT, related_name="+")
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    # Private (domain rule: personal data is never published).
    address = models.CharField(max_length=255, blank=True)
    contact_name = models.CharField(max_length=150, blank=True)
    contact_phone = models.CharField(max_length=20, blank=True)
    contact_email = models.EmailField(blank=True)
    citizen = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="feedback_reports")
    api_key = models.ForeignKey(ApiKey, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True)
    agency = models.ForeignKey("org.Agency", on_delete=models.PROTECT, related_name="feedback_reports")
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="+")
    received_at = models.DateTimeField()
    # One SLA clock from reception: reassignment and escalation never restart it.
    due_at = models.DateTimeField()
    verified_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    first_answered_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    answer = models.TextField(blank=True)
    reject_reason = models.CharField(max_length=16, choices=RejectReason.choices, blank=True)
    duplicate_of = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="duplicates")
    reopen_count = models.PositiveSmallIntegerField(default=0)
    rating = models.PositiveSmallIntegerField(null=True, blank=True)
    # 0: none; 1: the agency leader was told the deadline nears; 2: the parent agency was told it passed.
    escalation_level = models.PositiveSmallIntegerField(default=0)
    search_key = models.TextField(editable=False, default="")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["-received_at", "-id"], name="feedback_report_recent"),
            models.Index(fields=["status", "-received_at"], name="feedback_report_status"),
            models.Index(fields=["commune", "-received_at"], name="feedback_report_commune"),
            models.Index(fields=["agency", "status"], condition=OPEN, name="feedback_open_by_agency"),
            models.Index(fields=["due_at"], condition=OPEN, name="feedback_open_by_due"),
            # Open311's default read (open requests, newest first, a bounded window) walks this, not the table.
            models.Index(fields=["-received_at", "-id"], condition=OPEN, name="feedback_open_recent"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                                   name="feedback_rating_1_to_5"),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def is_open(self) -> bool:
        return self.status in {"received", "verified", "assigned", "in_progress"}


class ReportEvent(models.Model):
    """One step of a report's way: a transition, a comment either way, an escalation. `public` ones are the
    report's public timeline (and Open311 updates)."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField()
    action = models.CharField(max_length=24)
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="+")
    by_citizen = models.BooleanField(default=False)
    agency = models.ForeignKey("org.Agency", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    to_agency = models.ForeignKey("org.Agency", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    note = models.TextField(blank=True)
    public = models.BooleanField(default=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["report", "at"], name="feedback_event_report_at")]

    def get_action_label(self) -> str:
        from .workflow import EVENT_LABELS

        return EVENT_LABELS.get(self.action, self.action)


class ReportPhoto(models.Model):
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(upload_to="feedback/%Y/%m/")
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]


class DutyShift(models.Model):
    """An officer on duty for an agency's emergencies between two moments (told at once of an emergency report)."""

    agency = models.ForeignKey("org.Agency", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()

    class Meta:
        ordering = ["starts_at"]
        constraints = [models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")),
                                              name="feedback_shift_ends_after_start")]
