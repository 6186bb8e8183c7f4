from django.conf import settings
from django.db import models
from django.db.models import Q

from .choices import AttachmentKind, Channel, Status, Timeliness

OPEN = Q(status__in=["submitted", "received", "in_progress", "awaiting_approval", "supplement_requested"])


class DossierQuerySet(models.QuerySet):
    """Bulk writes keep the one dossier rollup current too (dossiers.stats_rollup), in their transaction."""

    def bulk_create(self, objs, *args, **kwargs):
        from .stats_rollup import rollup_after_bulk_create

        objs = super().bulk_create(objs, *args, **kwargs)
        rollup_after_bulk_create(objs, blind=bool(kwargs.get("ignore_conflicts") or kwargs.get("update_conflicts")))
        return objs

    def bulk_update(self, objs, fields, *args, **kwargs):
        from .stats_rollup import rollup_around_write

        objs = list(objs)
        return rollup_around_write(self.model.objects.filter(pk__in=[o.pk for o in objs]), fields,
                                   lambda: super(DossierQuerySet, self).bulk_update(objs, fields, *args, **kwargs))

    def update(self, **kwargs):
        from .stats_rollup import rollup_around_write

        return rollup_around_write(self, kwargs, lambda: super(DossierQuerySet, self).update(**kwargs))


class Dossier(models.Model):
    objects = DossierQuerySet.as_manager()

    """A dossier (hồ sơ) filed for one procedure at one receiving agency.

    Timestamps record what happened and when; the II.06a statistics are computed from them.
    """

    code = models.CharField(max_length=40)
    # Indexes are few on purpose: every one slows the bulk import of history (target ≥ 50,000 rows/s). The
    # composite index on (receiving agency, received at) serves per-agency statistics; the queue indexes cover open
    # dossiers only and the person indexes only rows that have a person, so closed imported history skips them.
    procedure = models.ForeignKey("procedures.Procedure", on_delete=models.PROTECT, related_name="dossiers",
                                  db_index=False)
    receiving_agency = models.ForeignKey("org.Agency", on_delete=models.PROTECT, related_name="received_dossiers",
                                         db_index=False)
    handling_agency = models.ForeignKey("org.Agency", on_delete=models.PROTECT, related_name="handled_dossiers",
                                        null=True, blank=True, db_index=False)
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                 db_index=False,
                                 related_name="assigned_dossiers")
    channel = models.CharField(max_length=8, choices=Channel.choices)
    status = models.CharField(max_length=24, choices=Status.choices)

    # Database defaults let the bulk import of history (which has no applicant data) leave these columns out.
    applicant_name = models.CharField(max_length=150, default="", db_default="")
    applicant_citizen_id = models.CharField(max_length=12, blank=True, default="", db_default="")
    applicant_phone = models.CharField(max_length=20, blank=True, default="", db_default="")
    applicant_email = models.EmailField(blank=True, default="", db_default="")
    applicant_address = models.CharField(max_length=255, blank=True, default="", db_default="")
    applicant_birth_date = models.DateField(null=True, blank=True)
    applicant_unit = models.ForeignKey("org.AdministrativeUnit", on_delete=models.PROTECT, null=True, blank=True,
                                       related_name="+", db_index=False)
    applicant_user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                       db_index=False,
                                       related_name="dossiers")
    form_data = models.JSONField(default=dict, blank=True)

    submitted_at = models.DateTimeField(help_text="Thời điểm nộp (trực tuyến) hoặc tiếp nhận (trực tiếp, bưu chính)")
    received_at = models.DateTimeField(null=True, blank=True)
    clock_start_at = models.DateTimeField(null=True, blank=True, help_text="Thời điểm bắt đầu tính hạn")
    due_at = models.DateTimeField(null=True, blank=True)
    paused_at = models.DateTimeField(null=True, blank=True)
    supplement_requested_at = models.DateTimeField(null=True, blank=True)
    # The one pause of form 02: when the supplement arrived, and the due time the dossier had when the pause began
    # (`due_at` is pushed by the paused office time once the supplement arrives). With both, the statistics know
    # for any past instant whether the dossier was paused then and whether it was already overdue when paused.
    supplemented_at = models.DateTimeField(null=True, blank=True)
    due_before_pause_at = models.DateTimeField(null=True, blank=True,
                                               help_text="Hạn giải quyết tại thời điểm yêu cầu bổ sung")
    # Before reception: an online dossier waits for the one-stop's acceptance (its own limit, the clock of the
    # procedure not started); form 02 at reception sends a submission back once for completion.
    acceptance_due_at = models.DateTimeField(null=True, blank=True, help_text="Hạn tiếp nhận hồ sơ trực tuyến")
    completion_requested_at = models.DateTimeField(null=True, blank=True,
                                                   help_text="Thời điểm hướng dẫn hoàn thiện trước khi tiếp nhận")
    apology_due_at = models.DateTimeField(null=True, blank=True, help_text="Ngày hẹn mới trong phiếu xin lỗi (mẫu 04)")
    resolved_at = models.DateTimeField(null=True, blank=True)
    timeliness = models.CharField(max_length=8, choices=Timeliness.choices, blank=True)
    result_issued_at = models.DateTimeField(null=True, blank=True)
    returned_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    refused_at = models.DateTimeField(null=True, blank=True)
    stopped_at = models.DateTimeField(null=True, blank=True)
    has_digitised_attachments = models.BooleanField(default=False, db_default=False)
    imported = models.BooleanField(default=False, help_text="Nhập từ hệ thống cũ")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-submitted_at"]
        indexes = [
            models.Index(fields=["receiving_agency", "received_at"]),
            models.Index(fields=["handling_agency", "status"], condition=OPEN, name="dossier_open_by_agency"),
            models.Index(fields=["status", "due_at"], condition=OPEN, name="dossier_open_by_due"),
            models.Index(fields=["applicant_user"], condition=Q(applicant_user__isnull=False),
                         name="dossier_by_applicant_user"),
            models.Index(fields=["assignee"], condition=Q(assignee__isnull=False), name="dossier_by_assignee"),
            # The counter's look-up of a returning applicant and the linking of counter dossiers to an account;
            # imported history has no citizen ID, so the import skips it.
            models.Index(fields=["applicant_citizen_id"], condition=~Q(applicant_citizen_id=""),
                         name="dossier_by_citizen_id"),
        ]
        # A constraint rather than unique=True: same guarantee without PostgreSQL's extra LIKE index.
        constraints = [models.UniqueConstraint(fields=["code"], name="unique_dossier_code")]

    def __str__(self) -> str:
        return self.code


class DossierStatDay(models.Model):
    """The one dossier rollup (II.06a and the indicators): per agency (the one responsible, as statistics count
    it) and local day, the counts each dossier contributes on that day (dossiers.stats_rollup). Kept current by
    every dossier save in the same transaction (increments), rebuilt after bulk imports."""

    agency = models.ForeignKey("org.Agency", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    day = models.DateField()
    # A month's row (day = its first day) holds the sums of its days: long periods and history read months.
    month = models.BooleanField(default=False)
    received_online = models.IntegerField(default=0)
    received_other = models.IntegerField(default=0)
    received_digitised = models.IntegerField(default=0)  # received that day with digitised papers (indicators)
    closed = models.IntegerField(default=0)
    resolved_early = models.IntegerField(default=0)
    resolved_on_time = models.IntegerField(default=0)
    resolved_late = models.IntegerField(default=0)
    withdrawn = models.IntegerField(default=0)
    stopped = models.IntegerField(default=0)
    returned = models.IntegerField(default=0)
    overdue_delta = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["agency", "day", "month"], name="one_stat_row_per_agency_day")]


class DossierStatState(models.Model):
    """One row: whether the rollup lags behind the dossiers (statistics then scan the dossiers)."""

    stale = models.BooleanField(default=True)


class DossierEvent(models.Model):
    """One step of the dossier's way (the process-control trail of form 06)."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(db_index=True)
    action = models.CharField(max_length=32)
    from_status = models.CharField(max_length=24, blank=True)
    to_status = models.CharField(max_length=24)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="+")
    actor_label = models.CharField(max_length=200, blank=True)
    agency = models.ForeignKey("org.Agency", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    to_agency = models.ForeignKey("org.Agency", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    note = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]


class DossierPaper(models.Model):
    """One paper of the procedure (thành phần hồ sơ) as this dossier has it: whether the one-stop received it and
    how many originals (bản chính) and copies (bản sao) came, as printed on form 01. The name is kept as it was
    when the dossier was filed, since the catalogue may change later."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="papers")
    paper = models.ForeignKey("procedures.ProcedurePaper", on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="+")
    position = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=500)
    required = models.BooleanField(default=True)
    received = models.BooleanField(default=False)
    originals = models.PositiveSmallIntegerField(default=0)
    copies = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["dossier_id", "position"]
        constraints = [models.UniqueConstraint(fields=["dossier", "position"], name="one_paper_row_per_position")]


class DossierAttachment(models.Model):
    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="attachments")
    # The paper of the procedure this file is (one upload slot per paper); empty for other files.
    paper = models.ForeignKey(DossierPaper, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="attachments")
    kind = models.CharField(max_length=12, choices=AttachmentKind.choices)
    file = models.FileField(upload_to="dossiers/%Y/%m/")
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "id"]


class DossierDaySequence(models.Model):
    """The last dossier number given by an agency on a day; locked to hand out codes without gaps."""

    agency = models.ForeignKey("org.Agency", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["agency", "day"], name="one_sequence_per_agency_day")]


class SatisfactionRating(models.Model):
    dossier = models.OneToOneField(Dossier, on_delete=models.CASCADE, related_name="rating")
    score = models.PositiveSmallIntegerField()
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(score__gte=1, score__lte=5),
                                              name="rating_between_1_and_5")]
