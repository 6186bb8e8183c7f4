"""Indicators, their values (versioned), targets, report forms and reports, frameworks and rankings, rollups."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from .choices import (
    Aggregation,
    Comparator,
    Direction,
    FrameworkKind,
    GovLevel,
    Periodicity,
    PeriodStatus,
    Pillar,
    ReportStatus,
    ScoringMethod,
    SourceKind,
)


class Indicator(models.Model):
    """A digital-transformation indicator (chỉ tiêu), e.g. the share of new dossiers received online."""

    code = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=400)
    pillar = models.CharField(max_length=16, choices=Pillar.choices)
    unit_of_measure = models.CharField(max_length=30, help_text="%, số lượng, tỷ đồng, thứ hạng…")
    direction = models.CharField(max_length=8, choices=Direction.choices, default=Direction.HIGHER)
    numerator_meaning = models.TextField(blank=True)
    denominator_meaning = models.TextField(blank=True)
    aggregation = models.CharField(max_length=10, choices=Aggregation.choices, default=Aggregation.RATIO_SUM)
    periodicity = models.CharField(max_length=8, choices=Periodicity.choices, default=Periodicity.YEAR)
    source_kind = models.CharField(max_length=10, choices=SourceKind.choices,
                                   help_text="Cách giá trị hiện hành được tạo ra cho các đơn vị hiện hành.")
    max_value = models.FloatField(null=True, blank=True, help_text="Giá trị lớn nhất cho phép (100 với tỷ lệ %).")
    level_scoped = models.BooleanField(default=False, help_text="Giá trị tách theo cấp chính quyền.")
    position = models.PositiveIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["pillar", "position", "code"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_percentage(self) -> bool:
        return self.unit_of_measure.startswith("%")


class IndicatorValue(models.Model):
    """One value of an indicator for a unit (or an agency), a period and optionally a government level.

    Versioned: a correction or a recomputation of a closed period is a new row (version + 1) and the old row
    gets `is_current=False` and `superseded_by`; nothing is overwritten silently. `series_key` names the series
    (indicator × unit/agency × level × period × source) so that one current row per series can be enforced
    with a partial unique index on both PostgreSQL and SQLite.
    """

    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="values")
    unit = models.ForeignKey("org.AdministrativeUnit", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")
    agency = models.ForeignKey("org.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    level = models.CharField(max_length=10, choices=GovLevel.choices, blank=True,
                             help_text="Cấp chính quyền (chỉ với chỉ tiêu tách theo cấp).")
    period_start = models.DateField()
    period_end = models.DateField()
    numerator = models.FloatField(null=True, blank=True)
    denominator = models.FloatField(null=True, blank=True)
    value = models.FloatField()
    source = models.CharField(max_length=10, choices=SourceKind.choices)
    provenance = models.JSONField(default=dict, blank=True,
                                  help_text="Nguồn: tệp, ngày bài viết, trích dẫn (công bố); báo cáo (đơn vị).")
    report = models.ForeignKey("UnitReport", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    series_key = models.CharField(max_length=120, editable=False)
    version = models.PositiveIntegerField(default=1)
    is_current = models.BooleanField(default=True)
    superseded_by = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    computed_at = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["indicator_id", "period_end", "version"]
        indexes = [
            models.Index(fields=["unit", "is_current", "period_end"]),
            models.Index(fields=["indicator", "unit", "period_end"]),
            models.Index(fields=["agency", "is_current", "period_end"]),
        ]
        constraints = [
            models.UniqueConstraint(fields=["series_key"], condition=Q(is_current=True),
                                    name="one_current_value_per_series"),
            models.UniqueConstraint(fields=["series_key", "version"], name="unique_value_version"),
            models.CheckConstraint(condition=Q(unit__isnull=False) | Q(agency__isnull=False),
                                   name="value_has_unit_or_agency"),
            models.CheckConstraint(condition=Q(period_end__gte=models.F("period_start")),
                                   name="value_period_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.period_start}…{self.period_end} = {self.value}"


def series_key(*, indicator_id: int, unit_id: int | None, agency_id: int | None, level: str, period_start,
               period_end, source: str) -> str:
    return (f"{indicator_id}:u{unit_id or ''}:a{agency_id or ''}:{level or '-'}:"
            f"{period_start:%Y%m%d}-{period_end:%Y%m%d}:{source}")


class Target(models.Model):
    """A target for an indicator in a year: for one unit, or for every unit of a level (unit empty).

    `level` is, for a unit's target of a level-scoped indicator, the government level inside the unit
    (Thái Bình: "> 60 % ở cấp xã"); for a target without unit, the level of the units it applies to.
    The baseline (value, year) draws the straight line that decides "on track".
    """

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="targets")
    unit = models.ForeignKey("org.AdministrativeUnit", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")
    level = models.CharField(max_length=10, choices=GovLevel.choices, blank=True)
    year = models.PositiveSmallIntegerField()
    comparator = models.CharField(max_length=2, choices=Comparator.choices)
    value = models.FloatField()
    baseline_value = models.FloatField(null=True, blank=True)
    baseline_year = models.PositiveSmallIntegerField(null=True, blank=True)
    framework = models.ForeignKey("Framework", null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="targets")
    source = models.CharField(max_length=300, blank=True, help_text="Văn bản đặt mục tiêu, tệp nguồn.")
    quote = models.TextField(blank=True)

    class Meta:
        ordering = ["indicator_id", "year", "level"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "unit", "level", "year"], name="one_target_per_scope_year"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.year}: {self.get_comparator_display()} {self.value:g}"


class StatusMargin(models.Model):
    """How close is "gần đạt": within `relative_percent` % of the target value (default 5 %: 57 for 60).

    One row without indicator is the default; a row with an indicator overrides it for that indicator.
    """

    indicator = models.OneToOneField(Indicator, null=True, blank=True, on_delete=models.CASCADE,
                                     related_name="status_margin")
    relative_percent = models.FloatField(default=5.0)

    def __str__(self) -> str:
        return f"{self.relative_percent:g} %"


# --- reporting --------------------------------------------------------------------------------------------------

class ReportForm(models.Model):
    """A periodic report form (biểu báo cáo): the reported indicators a unit of a level fills in."""

    code = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=300)
    unit_level = models.CharField(max_length=10, choices=GovLevel.choices, default=GovLevel.PROVINCE,
                                  help_text="Cấp của các đơn vị phải báo cáo.")
    periodicity = models.CharField(max_length=8, choices=Periodicity.choices, default=Periodicity.YEAR)
    indicators = models.ManyToManyField(Indicator, related_name="report_forms")
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class ReportPeriod(models.Model):
    """A reporting round of a form for one period, with its deadline."""

    form = models.ForeignKey(ReportForm, on_delete=models.PROTECT, related_name="periods")
    period_start = models.DateField()
    period_end = models.DateField()
    label = models.CharField(max_length=100)
    opens_on = models.DateField()
    deadline = models.DateField()
    status = models.CharField(max_length=10, choices=PeriodStatus.choices, default=PeriodStatus.SCHEDULED)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-period_end", "form_id"]
        constraints = [models.UniqueConstraint(fields=["form", "period_start", "period_end"],
                                               name="one_round_per_form_period")]

    def __str__(self) -> str:
        return f"{self.form.name} — {self.label}"


class UnitReport(models.Model):
    """A unit's report for a period: draft → submitted → approved (locked) or returned (with a comment)."""

    period = models.ForeignKey(ReportPeriod, on_delete=models.PROTECT, related_name="reports")
    unit = models.ForeignKey("org.AdministrativeUnit", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=ReportStatus.choices, default=ReportStatus.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    reviewer_comment = models.TextField(blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-period__period_end", "unit__code"]
        constraints = [models.UniqueConstraint(fields=["period", "unit"], name="one_report_per_unit_period")]

    def __str__(self) -> str:
        return f"Báo cáo {self.period.label} — {self.unit.name}"

    @property
    def is_locked(self) -> bool:
        return self.status == ReportStatus.APPROVED


class UnitReportValue(models.Model):
    report = models.ForeignKey(UnitReport, on_delete=models.CASCADE, related_name="values")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="+")
    level = models.CharField(max_length=10, choices=GovLevel.choices, blank=True)
    numerator = models.FloatField(null=True, blank=True)
    denominator = models.FloatField(null=True, blank=True)
    value = models.FloatField()
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["report_id", "indicator__code", "level"]
        constraints = [models.UniqueConstraint(fields=["report", "indicator", "level"],
                                               name="one_value_per_report_indicator_level")]


class ReportEvidence(models.Model):
    """An evidence file attached to a report (PDF, JPEG, PNG, XLSX, DOCX, checked by content)."""

    report = models.ForeignKey(UnitReport, on_delete=models.PROTECT, related_name="evidence")
    file = models.FileField(upload_to="indicators/evidence/%Y/%m/")
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                    related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "id"]


# --- frameworks and rankings -----------------------------------------------------------------------------------

class Framework(models.Model):
    """A scoring framework defined as data (tinhso/indicators/data/frameworks/*.json)."""

    code = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=300)
    kind = models.CharField(max_length=12, choices=FrameworkKind.choices)
    legal_basis = models.CharField(max_length=300, blank=True)
    level = models.CharField(max_length=10, choices=GovLevel.choices, help_text="Cấp của các đơn vị được chấm.")
    max_points = models.FloatField(default=0)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class FrameworkComponent(models.Model):
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="components")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="children")
    code = models.SlugField(max_length=80)
    name = models.CharField(max_length=300)
    points = models.FloatField(default=0)
    weight = models.FloatField(default=1)
    method = models.CharField(max_length=12, choices=ScoringMethod.choices, default=ScoringMethod.PERCENT)
    indicator = models.ForeignKey(Indicator, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    level = models.CharField(max_length=10, choices=GovLevel.choices, blank=True)
    target_value = models.FloatField(null=True, blank=True)
    formula = models.TextField(blank=True, help_text="Công thức tính (mô tả).")
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["framework_id", "position"]
        constraints = [models.UniqueConstraint(fields=["framework", "code"], name="unique_component_code")]

    def __str__(self) -> str:
        return self.name


class Ranking(models.Model):
    """The score and rank of a unit in a framework for a period ("xếp thứ 15/63")."""

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="rankings")
    period_start = models.DateField()
    period_end = models.DateField()
    unit = models.ForeignKey("org.AdministrativeUnit", on_delete=models.PROTECT, related_name="+")
    score = models.FloatField()
    rank = models.PositiveIntegerField()
    out_of = models.PositiveIntegerField()
    details = models.JSONField(default=dict, blank=True)
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["framework_id", "-period_end", "rank"]
        constraints = [models.UniqueConstraint(fields=["framework", "period_start", "period_end", "unit"],
                                               name="one_rank_per_framework_period_unit")]


# --- rollups ---------------------------------------------------------------------------------------------------

class RollupDirtyBucket(models.Model):
    """An (agency, day) whose computed indicator values must be recomputed: written on commit of a dossier change
    (the counts are in dossiers.DossierStatDay, already current)."""

    agency_id = models.BigIntegerField()
    day = models.DateField()
    marked_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["agency_id", "day"], name="one_dirty_mark_per_bucket")]
