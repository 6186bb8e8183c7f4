"""Every write of the indicators app: definitions, published figures, computed values, corrections, reports.

Values are versioned (IndicatorValue.version / is_current / superseded_by): a correction, a re-approved report
or a recomputation of a closed period is a new version with who and why; the previous one stays.
Computed values of a period that is not over yet are provisional and are updated in place when the data moves.
"""

import hashlib
import json
import math
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.utils import timezone

from tinhso.accounts import scoping
from tinhso.audit.services import audit_record
from tinhso.core.exceptions import Conflict, NotFound, PermissionDenied, ValidationError
from tinhso.core.files import DOCX, JPEG, PDF, PNG, XLSX, sniff_file_type
from tinhso.core.periods import Period, month_period, year_period
from tinhso.org.models import AdministrativeUnit

from . import computations, rollups
from .choices import (
    EDITABLE_REPORT_STATUSES,
    GovLevel,
    PeriodStatus,
    ReportStatus,
    SourceKind,
)
from .models import (
    Framework,
    FrameworkComponent,
    Indicator,
    IndicatorValue,
    ReportEvidence,
    ReportForm,
    ReportPeriod,
    StatusMargin,
    Target,
    UnitReport,
    UnitReportValue,
    series_key,
)
from .sources import citation

DATA_DIR = Path(__file__).resolve().parent / "data"
PUBLISHED_FIXTURE = DATA_DIR / "published_figures.json"
REORGANISATION_DATE = date(2025, 7, 1)
PUBLISHED_ONLY_SUFFIXES = ("_rank",)
MAX_EVIDENCE_BYTES = 10 * 1024 * 1024


def _json(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


# --- definitions ------------------------------------------------------------------------------------------------

def _source_kind(code: str) -> str:
    if code in computations.REGISTRY:
        return SourceKind.COMPUTED
    if code.endswith(PUBLISHED_ONLY_SUFFIXES):
        return SourceKind.PUBLISHED
    return SourceKind.REPORTED


@transaction.atomic
def definitions_load(*, actor=None) -> dict[str, int]:
    """Indicators, the default status margin, generic targets, report forms and frameworks (idempotent)."""
    extra = _json(DATA_DIR / "indicators.json")
    specs = _json(PUBLISHED_FIXTURE)["indicators"] + extra["indicators"]
    created = 0
    for position, spec in enumerate(specs):
        spec = {**spec, **extra.get("overrides", {}).get(spec["code"], {})}
        unit = spec["unit"]
        _, was_new = Indicator.objects.update_or_create(code=spec["code"], defaults={
            "name": spec["name"], "pillar": spec["pillar"], "unit_of_measure": unit,
            "direction": spec["direction"], "numerator_meaning": spec.get("numerator") or "",
            "denominator_meaning": spec.get("denominator") or "", "aggregation": spec["aggregation"],
            "periodicity": spec["periodicity"], "level_scoped": spec.get("level_scoped", False),
            "source_kind": _source_kind(spec["code"]), "position": position,
            "max_value": 100.0 if unit == "%" else None,
        })
        created += was_new
    if not StatusMargin.objects.filter(indicator__isnull=True).exists():
        StatusMargin.objects.create(indicator=None, relative_percent=5.0)
    indicators = {i.code: i for i in Indicator.objects.all()}
    for spec in _json(DATA_DIR / "targets.json")["targets"]:
        Target.objects.update_or_create(
            indicator=indicators[spec["indicator"]], unit=None, level=spec.get("level", ""), year=spec["year"],
            defaults={"comparator": spec["comparator"], "value": spec["value"],
                      "baseline_value": spec.get("baseline_value"), "baseline_year": spec.get("baseline_year"),
                      "source": spec.get("source", "")})
    for spec in _json(DATA_DIR / "report_forms.json")["forms"]:
        form, _ = ReportForm.objects.update_or_create(code=spec["code"], defaults={
            "name": spec["name"], "unit_level": spec["unit_level"], "periodicity": spec["periodicity"]})
        form.indicators.set([indicators[c] for c in spec["indicators"]])
    frameworks = sorted((DATA_DIR / "frameworks").glob("*.json"))
    for path in frameworks:
        _framework_load(_json(path), indicators)
    audit_record(actor=actor, action="indicators.definitions.load", object_type="indicators.indicator",
                 summary=f"Nạp định nghĩa chỉ tiêu: {len(specs)} chỉ tiêu, {len(frameworks)} bộ chỉ số",
                 changes={"created": [0, created]})
    return {"indicators": len(specs), "created": created, "frameworks": len(frameworks)}


def _framework_load(spec: dict, indicators: dict[str, Indicator]) -> Framework:
    framework, _ = Framework.objects.update_or_create(code=spec["code"], defaults={
        "name": spec["name"], "kind": spec["kind"], "legal_basis": spec.get("legal_basis", ""),
        "level": spec["level"], "max_points": spec.get("max_points", 0),
        "description": spec.get("description", "")})
    framework.components.all().delete()
    if spec["components"] == "from_targets":
        return framework  # components are attached when the targets are loaded (indicators_load_published)
    position = 0

    def add(items, parent=None):
        nonlocal position
        for item in items:
            position += 1
            component = FrameworkComponent.objects.create(
                framework=framework, parent=parent, code=item["code"], name=item["name"],
                points=item.get("points", 0), method=item.get("method", "percent"),
                indicator=indicators.get(item["indicator"]) if item.get("indicator") else None,
                target_value=item.get("target_value"), formula=item.get("formula", ""), position=position)
            add(item.get("children", []), component)
    add(spec["components"])
    return framework


# --- values: storing with versions ------------------------------------------------------------------------------

@dataclass
class NewValue:
    indicator: Indicator
    period: Period
    value: float
    source: str
    unit_id: int | None = None
    agency_id: int | None = None
    level: str = ""
    numerator: float | None = None
    denominator: float | None = None
    provenance: dict | None = None
    report: UnitReport | None = None

    @property
    def key(self) -> str:
        return series_key(indicator_id=self.indicator.pk, unit_id=self.unit_id, agency_id=self.agency_id,
                          level=self.level, period_start=self.period.start, period_end=self.period.end,
                          source=self.source)


def store_values(*, actor, values: list[NewValue], reason: str, update_open_periods_in_place: bool = False,
                 today: date | None = None) -> dict[str, int]:
    """Write values: unchanged ones are skipped, changed ones become a new version (or, for computed values of a
    period not over yet, are updated in place — they are provisional). Returns counts."""
    today = today or timezone.localdate()
    now = timezone.now()
    keyed = [(v.key, v) for v in values]
    current: dict[str, tuple] = {}
    indicator_ids = sorted({v.indicator.pk for v in values})
    sources = sorted({v.source for v in values})
    if len(values) > 900:  # one scan of the indicators' current values beats thousands of IN parameters
        qs = IndicatorValue.objects.filter(is_current=True, indicator_id__in=indicator_ids, source__in=sources)
        wanted = {k for k, _ in keyed}
    else:
        qs = IndicatorValue.objects.filter(is_current=True, series_key__in=[k for k, _ in keyed])
        wanted = None
    for row in qs.values_list("series_key", "id", "version", "value", "numerator", "denominator", "provenance"):
        if wanted is None or row[0] in wanted:
            current[row[0]] = row[1:]
    created, versioned, updated, unchanged = [], [], [], 0
    superseded: list[tuple[int, str]] = []
    for key, new in keyed:
        old = current.get(key)
        fields = {"numerator": new.numerator, "denominator": new.denominator, "value": new.value,
                  "provenance": new.provenance or {}}
        if old is not None:
            old_id, old_version, old_value, old_num, old_den, old_prov = old
            if (abs(old_value - new.value) < 1e-9 and old_num == new.numerator and old_den == new.denominator
                    and (old_prov or {}) == (new.provenance or {})):
                unchanged += 1
                continue
            if update_open_periods_in_place and new.period.end >= today:
                updated.append(IndicatorValue(pk=old_id, computed_at=now, **fields))
                continue
        row = IndicatorValue(indicator=new.indicator, unit_id=new.unit_id, agency_id=new.agency_id, level=new.level,
                             period_start=new.period.start, period_end=new.period.end, source=new.source,
                             report=new.report, series_key=key, version=(old[1] + 1) if old else 1,
                             created_by=actor if getattr(actor, "is_authenticated", False) else None,
                             computed_at=now if new.source == SourceKind.COMPUTED else None,
                             reason=reason if old else "", **fields)
        if old is None:
            created.append(row)
        else:
            superseded.append((old[0], key))
            versioned.append(row)
    if superseded:
        IndicatorValue.objects.filter(pk__in=[pk for pk, _ in superseded]).update(is_current=False)
    _insert_values(created + versioned, now=now)
    if superseded:
        new_ids = dict(IndicatorValue.objects.filter(series_key__in=[k for _, k in superseded], is_current=True)
                       .values_list("series_key", "id"))
        IndicatorValue.objects.bulk_update(
            [IndicatorValue(pk=pk, superseded_by_id=new_ids.get(key)) for pk, key in superseded],
            ["superseded_by"], batch_size=2000)
    if updated:
        IndicatorValue.objects.bulk_update(updated, ["numerator", "denominator", "value", "provenance",
                                                     "computed_at"], batch_size=2000)
    return {"created": len(created), "new_versions": len(versioned), "updated": len(updated),
            "unchanged": unchanged}


_INSERT_COLUMNS = ["indicator_id", "unit_id", "agency_id", "level", "period_start", "period_end", "numerator",
                   "denominator", "value", "source", "provenance", "report_id", "series_key", "version",
                   "is_current", "superseded_by_id", "created_by_id", "created_at", "computed_at", "reason"]


def _insert_values(rows: list[IndicatorValue], *, now: datetime) -> None:
    """executemany instead of bulk_create: the ORM's per-field preparation dominated the demo's run on SQLite."""
    if not rows:
        return
    ops = connection.ops
    created_at = ops.adapt_datetimefield_value(now)

    def params(v: IndicatorValue) -> list:
        return [v.indicator_id, v.unit_id, v.agency_id, v.level, ops.adapt_datefield_value(v.period_start),
                ops.adapt_datefield_value(v.period_end), v.numerator, v.denominator, v.value, v.source,
                ops.adapt_json_value(v.provenance or {}, None), v.report_id, v.series_key, v.version, True, None,
                v.created_by_id, created_at, ops.adapt_datetimefield_value(v.computed_at) if v.computed_at else None,
                v.reason]

    table = IndicatorValue._meta.db_table
    if connection.vendor == "postgresql":  # COPY: psycopg's executemany dumps row by row, ten times slower
        with connection.cursor() as cursor, cursor.cursor.copy(
                f"COPY {table} ({', '.join(_INSERT_COLUMNS)}) FROM STDIN") as copy:
            for v in rows:
                copy.write_row([v.indicator_id, v.unit_id, v.agency_id, v.level, v.period_start, v.period_end,
                                v.numerator, v.denominator, v.value, v.source, json.dumps(v.provenance or {}),
                                v.report_id, v.series_key, v.version, True, None, v.created_by_id, now,
                                v.computed_at, v.reason])
        return
    sql = (f"INSERT INTO {table} ({', '.join(_INSERT_COLUMNS)}) "
           f"VALUES ({', '.join(['%s'] * len(_INSERT_COLUMNS))})")
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 5000):
            cursor.executemany(sql, [params(v) for v in rows[start:start + 5000]])


def _ratio_value(indicator: Indicator, numerator: float, denominator: float | None) -> float | None:
    if denominator is None:
        return float(numerator)
    if not denominator:
        return None
    factor = 100.0 if indicator.is_percentage else 1.0
    return round(numerator * factor / denominator, 4)


# --- computed values --------------------------------------------------------------------------------------------

def default_periods(*, today: date | None = None) -> list[Period]:
    """Every year and month the rollups cover, plus the current year (for the snapshots)."""
    today = today or timezone.localdate()
    periods = {year_period(today.year)}
    span = rollups.day_range()
    if span:
        first, last = span
        for year in range(first.year, last.year + 1):
            periods.add(year_period(year))
        y, m = first.year, first.month
        while (y, m) <= (last.year, last.month):
            periods.add(month_period(y, m))
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return sorted(periods, key=lambda p: (p.start, p.end))


@transaction.atomic
def computed_values_refresh(*, actor=None, root: AdministrativeUnit, periods: list[Period] | None = None,
                            today: date | None = None) -> dict[str, int]:
    """Compute every registered computation for the root unit, the units below it and their agencies."""
    today = today or timezone.localdate()
    periods = periods or default_periods(today=today)
    scope = computations.Scope.of(root)
    indicators = {i.code: i for i in Indicator.objects.filter(code__in=list(computations.REGISTRY))}
    new: list[NewValue] = []

    def emit(indicator, period, unit_ratios, agency_ratios):
        for owner, ratios in (("unit_id", unit_ratios), ("agency_id", agency_ratios)):
            for owner_id, (numerator, denominator) in ratios.items():
                value = _ratio_value(indicator, numerator, denominator)
                if value is None:
                    continue
                new.append(NewValue(indicator=indicator, period=period, value=value, source=SourceKind.COMPUTED,
                                    numerator=float(numerator),
                                    denominator=None if denominator is None else float(denominator),
                                    provenance={"computation": indicator.code}, **{owner: owner_id}))

    rollup_items = [(c, indicators[c.indicator]) for c in computations.REGISTRY.values()
                    if c.kind == "rollup" and c.indicator in indicators]
    month_periods = [p for p in periods if p.kind == "month"]
    other_periods = [p for p in periods if p.kind != "month"]
    counters_by_period: dict[Period, dict[int, dict]] = {}
    if month_periods:
        start, end = min(p.start for p in month_periods), max(p.end for p in month_periods)
        for (agency_id, y, m), counts in rollups.sums_by_agency_month(start=start, end=end).items():
            period = month_period(y, m)
            if period in month_periods:
                counters_by_period.setdefault(period, {})[agency_id] = counts
    for period in other_periods:
        counters_by_period[period] = rollups.sums_by_agency(start=period.start, end=period.end,
                                                            agency_ids=set(scope.agency_unit))
    for period, by_agency in counters_by_period.items():
        by_agency = {a: c for a, c in by_agency.items() if a in scope.agency_unit}
        by_unit = scope.fold_counts(by_agency)
        for computation, indicator in rollup_items:
            emit(indicator, period,
                 {u: computation.fn(c) for u, c in by_unit.items()},
                 {a: computation.fn(c) for a, c in by_agency.items()})
    for computation in computations.REGISTRY.values():
        indicator = indicators.get(computation.indicator)
        if indicator is None:
            continue
        if computation.kind == "agency":
            for period in periods:
                by_agency = computation.fn(scope, period)
                counts = scope.fold_counts({a: {"n": n, "d": d} for a, (n, d) in by_agency.items()})
                # A count (no denominator, e.g. an amount) is summed up to the units and stays a count.
                counted = all(d is None for _, d in by_agency.values())
                emit(indicator, period, {u: (c["n"], None if counted else c["d"]) for u, c in counts.items()},
                     by_agency)
        elif computation.kind == "snapshot":
            unit_ratios, agency_ratios = computation.fn(scope)
            emit(indicator, year_period(today.year), unit_ratios, agency_ratios)
    counts = store_values(actor=actor, values=new, reason="Tính lại từ dữ liệu nghiệp vụ",
                          update_open_periods_in_place=True, today=today)
    audit_record(actor=actor, action="indicators.values.compute", obj=root,
                 summary=f"Tính chỉ tiêu từ dữ liệu nghiệp vụ cho {root.name}: {counts['created']} giá trị mới, "
                         f"{counts['new_versions']} phiên bản mới, {counts['updated']} cập nhật kỳ chưa kết thúc",
                 changes={k: [0, v] for k, v in counts.items()})
    return counts


def refresh_after_changes(*, today: date | None = None) -> dict[str, int]:
    """What the background task does: recount the dirty rollup buckets, then recompute the months and years
    they fall in (and the current year, for the snapshots)."""
    from tinhso.org.selectors import home_province

    today = today or timezone.localdate()
    days = rollups.refresh_dirty()
    root = home_province()
    if root is None:
        return {"days": len(days)}
    periods = {year_period(today.year)} | {year_period(d.year) for d in days} | \
        {month_period(d.year, d.month) for d in days}
    counts = computed_values_refresh(actor=None, root=root, today=today,
                                     periods=sorted(periods, key=lambda p: (p.start, p.end)))
    return {"days": len(days), **counts}


# --- published figures ------------------------------------------------------------------------------------------

def _published_unit(code: str, period_end: date) -> AdministrativeUnit:
    """Figures from before the 1 July 2025 reorganisation belong to the historical unit (cu-XX)."""
    candidates = [f"cu-{code}", code] if period_end < REORGANISATION_DATE else [code]
    for candidate in candidates:
        unit = AdministrativeUnit.objects.filter(code=candidate).first()
        if unit is not None:
            return unit
    raise NotFound(f"Chưa có đơn vị hành chính mã “{candidates[0]}”: hãy nạp danh mục đơn vị (kể cả đơn vị cũ).")


@transaction.atomic
def published_load(*, actor=None, path: Path = PUBLISHED_FIXTURE) -> dict[str, int]:
    """Load the published seed figures and the targets they quote (idempotent: reloading changes nothing)."""
    data = _json(path)
    if not Indicator.objects.exists():
        definitions_load(actor=actor)
    indicators = {i.code: i for i in Indicator.objects.all()}
    values = []
    for figure in data["figures"]:
        indicator = indicators.get(figure["indicator"])
        if indicator is None:
            raise ValidationError.for_field("indicator", f"Không có chỉ tiêu “{figure['indicator']}”.")
        period = Period(date.fromisoformat(figure["period_start"]), date.fromisoformat(figure["period_end"]))
        unit = _published_unit(figure["unit_code"], period.end)
        values.append(NewValue(
            indicator=indicator, period=period, value=float(figure["value"]), source=SourceKind.PUBLISHED,
            unit_id=unit.pk, level=figure.get("level") or "", numerator=figure.get("numerator"),
            denominator=figure.get("denominator"),
            provenance={"source_file": figure["source_file"], "article_date": figure["article_date"],
                        "meaning": figure["meaning"], "quote": figure["quote"]}))
    counts = store_values(actor=actor, values=values, reason="Cập nhật từ tệp số liệu đã công bố")
    targets = 0
    nq02 = Framework.objects.filter(code="nq02-thai-binh").first()
    for spec in data["targets"]:
        unit = _published_unit(spec["unit_code"], date(2021, 11, 19))  # the resolutions predate the merger
        scope = spec["scope"]
        level = scope.split(":", 1)[1] if scope.startswith("level:") else ""
        target, _ = Target.objects.update_or_create(
            indicator=indicators[spec["indicator"]], unit=unit, level=level, year=spec["year"],
            defaults={"comparator": spec["comparator"], "value": spec["value"],
                      "source": citation(source_file=spec.get("source_file", ""))[:300] if spec.get("source_file")
                      else spec.get("source", ""), "quote": spec.get("quote", ""),
                      "framework": nq02 if unit.official_code == "34" else None})
        targets += 1
    if nq02 is not None:
        _target_set_components(nq02)
    audit_record(actor=actor, action="indicators.published.load", object_type="indicators.indicatorvalue",
                 summary=f"Nạp số liệu đã công bố: {len(values)} số liệu, {targets} mục tiêu",
                 changes={k: [0, v] for k, v in counts.items()})
    return {**counts, "targets": targets}


def _target_set_components(framework: Framework) -> None:
    framework.components.all().delete()
    seen = set()
    for position, target in enumerate(framework.targets.filter(year=2025).select_related("indicator")
                                      .order_by("indicator__position", "level"), start=1):
        code = f"{target.indicator.code}-{target.level or 'chung'}"[:80]
        if code in seen:
            continue
        seen.add(code)
        level_label = f" ({GovLevel(target.level).label.lower()})" if target.level else ""
        FrameworkComponent.objects.create(
            framework=framework, code=code, name=f"{target.indicator.name}{level_label}", points=1,
            method="attainment", indicator=target.indicator, level=target.level, target_value=target.value,
            formula=f"{target.get_comparator_display()} {target.value:g} năm {target.year}", position=position)
    framework.max_points = len(seen)
    framework.save(update_fields=["max_points"])


# --- corrections ------------------------------------------------------------------------------------------------

def check_value(indicator: Indicator, value: float, field: str) -> None:
    if not math.isfinite(value):  # NaN, inf (1e999) would be stored as "nan"/"inf" and poison every sum
        raise ValidationError.for_field(field, f"“{indicator.name}” phải là một số hữu hạn.")
    if indicator.max_value is not None and value > indicator.max_value:
        raise ValidationError.for_field(
            field, f"“{indicator.name}” không được vượt quá {indicator.max_value:g}{indicator.unit_of_measure}.")
    if indicator.is_percentage and value < 0:
        raise ValidationError.for_field(field, f"“{indicator.name}” không được âm.")


@transaction.atomic
def value_correct(*, actor, value: IndicatorValue, new_value: float, reason: str,
                  numerator: float | None = None, denominator: float | None = None) -> IndicatorValue:
    """A correction of a reported or published value: a new version; the old one stays in the history."""
    if not scoping.is_province_admin(actor):
        raise PermissionDenied("Chỉ quản trị cấp tỉnh được đính chính số liệu chỉ tiêu.")
    if value.source == SourceKind.COMPUTED:
        raise ValidationError.for_field("value", "Giá trị tính tự động từ dữ liệu nghiệp vụ không được nhập tay.")
    if not value.is_current:
        raise Conflict("Chỉ đính chính được phiên bản hiện hành.")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError.for_field("reason", "Hãy nêu lý do đính chính.")
    check_value(value.indicator, new_value, "value")
    new = NewValue(indicator=value.indicator, period=Period(value.period_start, value.period_end), value=new_value,
                   source=value.source, unit_id=value.unit_id, agency_id=value.agency_id, level=value.level,
                   numerator=numerator, denominator=denominator,
                   provenance={**value.provenance, "corrected_from_version": value.version}, report=value.report)
    store_values(actor=actor, values=[new], reason=reason)
    row = IndicatorValue.objects.get(series_key=value.series_key, is_current=True)
    audit_record(actor=actor, action="indicators.value.correct", obj=row,
                 summary=f"Đính chính {value.indicator.code}: {value.value:g} → {new_value:g}. Lý do: {reason}",
                 changes={"value": [value.value, new_value], "version": [value.version, row.version]})
    return row


# --- report periods ---------------------------------------------------------------------------------------------

def require_province_admin(actor) -> None:
    if actor is None:  # system jobs (the demo, commands run by the operator)
        return
    if not scoping.is_province_admin(actor):
        raise PermissionDenied("Chỉ quản trị cấp tỉnh được thực hiện thao tác này.")


@transaction.atomic
def report_period_create(*, actor, form: ReportForm, period: Period, opens_on: date, deadline: date,
                         open_now: bool = False) -> ReportPeriod:
    require_province_admin(actor)
    if deadline < opens_on:
        raise ValidationError.for_field("deadline", "Hạn nộp phải sau ngày mở kỳ báo cáo.")
    if ReportPeriod.objects.filter(form=form, period_start=period.start, period_end=period.end).exists():
        raise Conflict(f"Đã có kỳ báo cáo {period.label} cho biểu “{form.name}”.")
    round_ = ReportPeriod.objects.create(form=form, period_start=period.start, period_end=period.end,
                                         label=period.label, opens_on=opens_on, deadline=deadline,
                                         status=PeriodStatus.OPEN if open_now else PeriodStatus.SCHEDULED)
    audit_record(actor=actor, action="indicators.report_period.create", obj=round_,
                 summary=f"Tạo kỳ báo cáo {round_.label} ({form.name}), hạn nộp {deadline:%d/%m/%Y}",
                 changes={"status": [None, round_.status]})
    return round_


@transaction.atomic
def report_period_set_status(*, actor, period: ReportPeriod, status: str) -> ReportPeriod:
    require_province_admin(actor)
    if status not in (PeriodStatus.OPEN, PeriodStatus.CLOSED):
        raise ValidationError.for_field("status", "Trạng thái kỳ báo cáo không hợp lệ.")
    period = ReportPeriod.objects.select_for_update().get(pk=period.pk)
    before = period.status
    period.status = status
    period.save(update_fields=["status"])
    audit_record(actor=actor, action=f"indicators.report_period.{'open' if status == 'open' else 'close'}",
                 obj=period, summary=f"{'Mở' if status == 'open' else 'Đóng'} kỳ báo cáo {period.label}",
                 changes={"status": [before, status]})
    return period


# --- unit reports -----------------------------------------------------------------------------------------------

def can_fill_report(user, unit: AdministrativeUnit) -> bool:
    return scoping.can_manage_unit(user, unit)


def can_review_report(user, unit: AdministrativeUnit) -> bool:
    return scoping.is_province_admin(user) and scoping.can_manage_unit(user, unit)


def _lock(report: UnitReport) -> UnitReport:
    return UnitReport.objects.select_for_update().select_related("period__form", "unit").get(pk=report.pk)


@transaction.atomic
def report_create(*, actor, period: ReportPeriod, unit: AdministrativeUnit) -> UnitReport:
    if not can_fill_report(actor, unit):
        raise PermissionDenied(f"Bạn không có quyền lập báo cáo của {unit.name}.")
    if period.status != PeriodStatus.OPEN:
        label = "chưa mở" if period.status == PeriodStatus.SCHEDULED else "đã đóng"
        raise ValidationError.for_field("period", f"Kỳ báo cáo {period.label} {label}: không thể lập báo cáo.")
    if not unit.is_current or unit.level != period.form.unit_level:
        raise ValidationError.for_field(
            "unit", f"Biểu “{period.form.name}” dành cho đơn vị {GovLevel(period.form.unit_level).label.lower()} "
                    "hiện hành.")
    if UnitReport.objects.filter(period=period, unit=unit).exists():
        raise Conflict(f"{unit.name} đã có báo cáo kỳ {period.label}.")
    report = UnitReport.objects.create(period=period, unit=unit, created_by=actor)
    audit_record(actor=actor, action="indicators.report.create", obj=report,
                 summary=f"Lập báo cáo kỳ {period.label} của {unit.name}", changes={"status": [None, report.status]})
    return report


def _require_editable(report: UnitReport) -> None:
    if report.status == ReportStatus.APPROVED:
        raise Conflict("Báo cáo đã được duyệt và đã khóa; mọi đính chính phải tạo phiên bản số liệu mới.")
    if report.status not in EDITABLE_REPORT_STATUSES:
        raise Conflict("Báo cáo đã gửi, đang chờ duyệt: không thể sửa.")
    if report.period.status == PeriodStatus.CLOSED:
        raise ValidationError.for_field("period", f"Kỳ báo cáo {report.period.label} đã đóng.")


@transaction.atomic
def report_save_values(*, actor, report: UnitReport, values: list[dict], note: str | None = None) -> UnitReport:
    """values: [{indicator, level?, value, numerator?, denominator?, note?}] — replaces the given entries."""
    report = _lock(report)
    if not can_fill_report(actor, report.unit):
        raise PermissionDenied(f"Bạn không có quyền sửa báo cáo của {report.unit.name}.")
    _require_editable(report)
    allowed = {i.code: i for i in report.period.form.indicators.all()}
    changes = {}
    cleaned = []
    for index, item in enumerate(values):
        code = (item.get("indicator") or "").strip()
        field = f"values.{index}.value"
        indicator = allowed.get(code)
        if indicator is None:
            raise ValidationError.for_field(f"values.{index}.indicator",
                                            f"Chỉ tiêu “{code}” không thuộc biểu báo cáo này.")
        if indicator.source_kind == SourceKind.COMPUTED:
            raise ValidationError.for_field(f"values.{index}.indicator",
                                            "Chỉ tiêu tính tự động từ dữ liệu nghiệp vụ không được nhập tay.")
        level = item.get("level") or ""
        if level and (level not in GovLevel.values or not indicator.level_scoped):
            raise ValidationError.for_field(f"values.{index}.level", "Cấp chính quyền không hợp lệ cho chỉ tiêu này.")
        numerator, denominator = item.get("numerator"), item.get("denominator")
        value = item.get("value")
        if value is None and numerator is not None and denominator:
            value = _ratio_value(indicator, numerator, denominator)
        if value is None:
            raise ValidationError.for_field(field, "Hãy nhập giá trị (hoặc tử số và mẫu số).")
        check_value(indicator, float(value), field)
        if denominator is not None and denominator < 0 or numerator is not None and numerator < 0:
            raise ValidationError.for_field(field, "Tử số, mẫu số không được âm.")
        cleaned.append((indicator, level, float(value), numerator, denominator, (item.get("note") or "")[:500]))
    for indicator, level, value, numerator, denominator, item_note in cleaned:
        old = UnitReportValue.objects.filter(report=report, indicator=indicator, level=level).first()
        UnitReportValue.objects.update_or_create(report=report, indicator=indicator, level=level, defaults={
            "value": value, "numerator": numerator, "denominator": denominator, "note": item_note})
        changes[f"{indicator.code}{':' + level if level else ''}"] = [old.value if old else None, value]
    if note is not None:
        report.note = note[:2000]
        report.save(update_fields=["note"])
    audit_record(actor=actor, action="indicators.report.values", obj=report,
                 summary=f"Nhập số liệu báo cáo {report.period.label} của {report.unit.name}", changes=changes)
    return report


EVIDENCE_TYPES = frozenset({PDF, JPEG, PNG, XLSX, DOCX})


@transaction.atomic
def report_add_evidence(*, actor, report: UnitReport, name: str, content: bytes) -> ReportEvidence:
    report = _lock(report)
    if not can_fill_report(actor, report.unit):
        raise PermissionDenied(f"Bạn không có quyền sửa báo cáo của {report.unit.name}.")
    _require_editable(report)
    if not content:
        raise ValidationError.for_field("file", "Tệp minh chứng rỗng.")
    if len(content) > MAX_EVIDENCE_BYTES:
        raise ValidationError.for_field("file", "Tệp minh chứng vượt quá 10 MB.")
    kind = sniff_file_type(content, allowed=EVIDENCE_TYPES)
    if kind is None:
        raise ValidationError.for_field(
            "file", "Tệp minh chứng phải là PDF, JPEG, PNG, XLSX hoặc DOCX (kiểm tra theo nội dung tệp).")
    ext, content_type = kind.extension, kind.content_type
    digest = hashlib.sha256(content).hexdigest()
    stem = Path(name or "minh-chung").stem[:100] or "minh-chung"
    evidence = ReportEvidence(report=report, original_name=f"{stem}.{ext}"[:255], content_type=content_type,
                              size=len(content), sha256=digest, uploaded_by=actor)
    evidence.file.save(f"{digest[:16]}.{ext}", ContentFile(content), save=False)
    evidence.save()
    audit_record(actor=actor, action="indicators.report.evidence", obj=report,
                 summary=f"Đính kèm minh chứng “{evidence.original_name}” ({len(content)} byte)",
                 changes={"evidence": [None, {"name": evidence.original_name, "sha256": digest}]})
    return evidence


@transaction.atomic
def report_submit(*, actor, report: UnitReport) -> UnitReport:
    report = _lock(report)
    if not can_fill_report(actor, report.unit):
        raise PermissionDenied(f"Bạn không có quyền gửi báo cáo của {report.unit.name}.")
    _require_editable(report)
    if report.period.status != PeriodStatus.OPEN:
        raise ValidationError.for_field("period", f"Kỳ báo cáo {report.period.label} không mở.")
    entered = set(report.values.values_list("indicator_id", flat=True))
    missing = [i.name for i in report.period.form.indicators.exclude(pk__in=entered)]
    if missing:
        raise ValidationError.for_field("values", "Còn thiếu số liệu: " + "; ".join(missing[:5]))
    before = report.status
    report.status, report.submitted_at, report.submitted_by = ReportStatus.SUBMITTED, timezone.now(), actor
    report.save(update_fields=["status", "submitted_at", "submitted_by"])
    audit_record(actor=actor, action="indicators.report.submit", obj=report,
                 summary=f"Gửi báo cáo {report.period.label} của {report.unit.name}",
                 changes={"status": [before, report.status]})
    return report


def _require_reviewable(actor, report: UnitReport) -> None:
    if not can_review_report(actor, report.unit):
        raise PermissionDenied("Chỉ quản trị cấp tỉnh được duyệt hoặc trả lại báo cáo.")
    if report.status == ReportStatus.APPROVED:
        raise Conflict("Báo cáo đã được duyệt và đã khóa.")
    if report.status != ReportStatus.SUBMITTED:
        raise Conflict("Chỉ duyệt hoặc trả lại được báo cáo đã gửi.")


@transaction.atomic
def report_return(*, actor, report: UnitReport, comment: str) -> UnitReport:
    report = _lock(report)
    _require_reviewable(actor, report)
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError.for_field("comment", "Hãy ghi rõ lý do trả lại báo cáo.")
    report.status, report.reviewer_comment = ReportStatus.RETURNED, comment[:2000]
    report.reviewed_at, report.reviewed_by = timezone.now(), actor
    report.save(update_fields=["status", "reviewer_comment", "reviewed_at", "reviewed_by"])
    audit_record(actor=actor, action="indicators.report.return", obj=report,
                 summary=f"Trả lại báo cáo {report.period.label} của {report.unit.name}: {comment[:200]}",
                 changes={"status": [ReportStatus.SUBMITTED, ReportStatus.RETURNED]})
    return report


@transaction.atomic
def report_approve(*, actor, report: UnitReport, comment: str = "") -> UnitReport:
    """Approve and lock the report; its values become the unit's reported indicator values (new versions)."""
    report = _lock(report)
    _require_reviewable(actor, report)
    period = Period(report.period.period_start, report.period.period_end)
    values = [NewValue(indicator=v.indicator, period=period, value=v.value, source=SourceKind.REPORTED,
                       unit_id=report.unit_id, level=v.level, numerator=v.numerator, denominator=v.denominator,
                       provenance={"report_id": report.pk, "report_period": report.period.label,
                                   "evidence": list(report.evidence.values_list("original_name", flat=True))},
                       report=report)
              for v in report.values.select_related("indicator")]
    counts = store_values(actor=actor, values=values, reason=f"Báo cáo kỳ {report.period.label} được duyệt lại")
    report.status, report.reviewer_comment = ReportStatus.APPROVED, (comment or "").strip()[:2000]
    report.reviewed_at, report.reviewed_by = timezone.now(), actor
    report.save(update_fields=["status", "reviewer_comment", "reviewed_at", "reviewed_by"])
    audit_record(actor=actor, action="indicators.report.approve", obj=report,
                 summary=f"Duyệt và khóa báo cáo {report.period.label} của {report.unit.name}",
                 changes={"status": [ReportStatus.SUBMITTED, ReportStatus.APPROVED],
                          "values": [0, counts["created"] + counts["new_versions"]]})
    return report


def is_on_time(report: UnitReport) -> bool:
    if report.submitted_at is None:
        return False
    return timezone.localtime(report.submitted_at).date() <= report.period.deadline



# --- rankings ---------------------------------------------------------------------------------------------------

def rank_all(*, actor, root: AdministrativeUnit, years: list[int] | None = None) -> list[str]:
    """Rank every framework for the given years (default: this year and last year); target sets for the years
    their units have values."""
    from .frameworks import framework_rank, framework_units

    today = timezone.localdate()
    lines = []
    for framework in Framework.objects.order_by("code"):
        framework_years = years or [today.year - 1, today.year]
        if framework.kind == "target_set":
            units = framework_units(framework)
            framework_years = sorted({d.year for d in IndicatorValue.objects.filter(
                unit__in=units, is_current=True).values_list("period_end", flat=True)})
        for year in framework_years:
            rows = framework_rank(actor=actor, framework=framework, period=year_period(year),
                                  parent=root if framework.level != "province" else None)
            if rows:
                lines.append(f"{framework.name} năm {year}: {len(rows)} đơn vị được xếp hạng.")
    return lines
