"""Official TTHC statistics (Biểu II.06a/VPCP/KSTT) for a period, per agency, unit, procedure or field.

The period is a closed range of calendar days [date_from, date_to] in Asia/Ho_Chi_Minh; internally it is the
half-open range of instants [start, end) with start = date_from 00:00 and end = the day after date_to 00:00.

Definitions (one dossier counts in the statistics of the agency responsible for resolving it: the handling agency,
or the receiving agency while none is assigned):

- A dossier is *received* when it has `received_at` and was not refused (a refused dossier — form 03 — was never
  received). Dossiers still waiting for the one-stop clerk (status submitted) have no `received_at`: not counted.
- A dossier is *closed* at the first of `resolved_at`, `withdrawn_at`, `refused_at`, `stopped_at`.
- carried_over = received before start and not closed before start.
- new_online / new_direct_postal = received within [start, end), by channel (online / direct or postal).
- received_total = carried_over + new_online + new_direct_postal.
- resolved_total = received dossiers with `resolved_at` within [start, end)
  = resolved_early + resolved_on_time + resolved_late (Dossier.timeliness).
- pending_total = received before end and not closed before end = pending_within + pending_overdue. Overdue is
  judged at the reference instant R: the end of the period, or now for a period not yet over (a dossier due
  tomorrow is not overdue today). A dossier waiting for the applicant's supplement at R (form 02: asked at or
  before R, supplement not arrived by R) is not overdue for the paused time: it is overdue only if the pause began
  after its due time. Otherwise it is overdue when its due time at R — before the pause while the pause had not
  begun, `due_at` (pushed by the paused office time) once it ended — lies before R. No due time: within.
- withdrawn / stopped / returned = received dossiers with `withdrawn_at` / `stopped_at` (form 05) / `returned_at`
  (result handed to the applicant) within the period.
- Every report balances: received_total = resolved_total + pending_total + withdrawn + stopped (a received
  dossier is closed in at most one way: the state machine and the import allow no second closing).
- online_rate = new_online / (new_online + new_direct_postal) × 100 — the share of *newly* received dossiers;
  on_time_rate = (resolved_early + resolved_on_time) / resolved_total × 100. Both are Decimals with two decimals
  (ROUND_HALF_UP), or None when the denominator is 0.

Everything is computed by ONE aggregate query (conditional counts) grouped as requested; unit rows and the total
row are sums of the per-group counts (each dossier belongs to exactly one group), never a loop over dossiers.
"""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from tinhso.accounts import scoping
from tinhso.accounts.choices import OFFICER_ROLES, Role
from tinhso.core.exceptions import NotFound, PermissionDenied, ValidationError
from tinhso.core.periods import Period, parse_period, period_between
from tinhso.core.replica import replica_reads
from tinhso.org.models import AdministrativeUnit, Agency
from tinhso.org.selectors import home_province, unit_descendant_ids, unit_get
from tinhso.procedures.models import Procedure, ProcedureField

from . import stats_rollup
from .choices import Channel, Timeliness
from .models import Dossier

COUNT_KEYS = ["received_total", "carried_over", "new_online", "new_direct_postal", "resolved_total",
              "resolved_early", "resolved_on_time", "resolved_late", "pending_total", "pending_within",
              "pending_overdue", "withdrawn", "stopped", "returned"]
# What the aggregate query counts; the totals and pending_within follow by arithmetic (complete_figures).
RAW_KEYS = ["carried_over", "new_online", "new_direct_postal", "resolved_early", "resolved_on_time",
            "resolved_late", "pending_total", "pending_overdue", "withdrawn", "stopped", "returned"]
RATE_KEYS = ["online_rate", "on_time_rate"]
FIGURE_KEYS = COUNT_KEYS + RATE_KEYS
GROUP_BY_CHOICES = {"agency": "Cơ quan", "unit": "Đơn vị hành chính", "procedure": "Thủ tục", "field": "Lĩnh vực",
                    "none": "Không chia nhóm"}
# Roles that read statistics: officers of an agency, and connected systems (the national portal collects them).
STATISTICS_ROLES = OFFICER_ROLES | {Role.SYSTEM_CLIENT}
TWO_PLACES = Decimal("0.01")


def local_tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


# --- periods (tinhso.core.periods) -------------------------------------------------------------------------

def resolve_period(*, period: str = "", date_from: date | None = None, date_to: date | None = None) -> Period:
    """One way for the page, the API and the command to read a period: a spec, or both dates."""
    if period:
        return parse_period(period)
    if date_from is None or date_to is None:
        missing = "date_from" if date_from is None else "date_to"
        raise ValidationError.for_field(missing, "Hãy chọn kỳ báo cáo (năm, 6 tháng, quý, tháng) hoặc từ ngày đến ngày.")
    return period_between(date_from, date_to)


# --- scope ---------------------------------------------------------------------------------------------------

@dataclass
class Scope:
    kind: str  # "agency" | "unit" | "all"
    code: str
    name: str
    agency_ids: set[int] | None  # None = every agency (the system, or an administrator of everything)

    def as_dict(self) -> dict:
        return {"kind": self.kind, "code": self.code, "name": self.name}


def visible_agency_ids(actor) -> set[int] | None:
    """Agencies whose statistics the actor reads; None = all (the system itself, e.g. the command line)."""
    if actor is None:
        return None
    return scoping.agency_ids_for(actor, roles=STATISTICS_ROLES)


def statistics_scope(*, actor, agency: str = "", unit: str = "") -> Scope:
    if agency and unit:
        raise ValidationError.for_field("unit", "Chọn một cơ quan hoặc một đơn vị hành chính, không chọn cả hai.")
    visible = visible_agency_ids(actor)
    if actor is not None and not visible:
        raise PermissionDenied("Bạn không có quyền xem thống kê hồ sơ thủ tục hành chính.")
    if agency:
        agency_obj = _agency_by_key(agency)
        if visible is not None and agency_obj.pk not in visible:
            raise PermissionDenied(f"Bạn không có quyền xem thống kê của {agency_obj.name}.")
        return Scope("agency", agency_obj.identifier_code, agency_obj.name, {agency_obj.pk})
    if unit:
        unit_obj = unit_get(code=unit)
        ids = set(Agency.objects.filter(unit_id__in=unit_descendant_ids(unit=unit_obj)).values_list("id", flat=True))
        if visible is not None:
            ids &= visible
            if not ids:
                raise PermissionDenied(f"Bạn không có quyền xem thống kê của {unit_obj.name}.")
        return Scope("unit", unit_obj.code, unit_obj.name, ids)
    return Scope("all", "", "Tất cả cơ quan được xem", visible)


def _agency_by_key(key: str) -> Agency:
    key = key.strip()
    qs = Agency.objects.select_related("unit")
    agency = qs.filter(identifier_code=key.upper()).first()
    if agency is None and key.isdigit() and len(key) <= 18:
        agency = qs.filter(pk=int(key)).first()
    if agency is None:
        raise NotFound(f"Không có cơ quan mã định danh “{key}”.")
    return agency


# --- the aggregate -------------------------------------------------------------------------------------------

def _count(condition: Q) -> Count:
    return Count("id", filter=condition)


def overdue_at(reference: datetime) -> Q:
    """Overdue at `reference` for a dossier still pending then (module docstring: the pause rule)."""
    r = reference
    not_yet_paused = Q(supplement_requested_at__isnull=True) | Q(supplement_requested_at__gt=r)
    paused = Q(supplement_requested_at__lte=r) & (Q(supplemented_at__isnull=True) | Q(supplemented_at__gt=r))
    due_before_pause_passed = Q(due_before_pause_at__lt=r) | Q(due_before_pause_at__isnull=True, due_at__lt=r)
    paused_after_due = Q(due_before_pause_at__isnull=False, supplement_requested_at__gt=F("due_before_pause_at")) \
        | Q(due_before_pause_at__isnull=True, supplement_requested_at__gt=F("due_at"))
    return (not_yet_paused & due_before_pause_passed) | (paused & paused_after_due) \
        | (Q(supplemented_at__lte=r) & Q(due_at__lt=r))


def open_at(moment: datetime) -> Q:
    """Not closed (resolved, withdrawn, stopped) before `moment`."""
    return (Q(resolved_at__isnull=True) | Q(resolved_at__gte=moment)) & \
        (Q(withdrawn_at__isnull=True) | Q(withdrawn_at__gte=moment)) & \
        (Q(stopped_at__isnull=True) | Q(stopped_at__gte=moment))


def figure_aggregates(*, start: datetime, end: datetime, reference: datetime) -> dict[str, Count]:
    """The conditional counts of one II.06a row (received-ness is in the WHERE clause of the query)."""
    open_at_end = open_at(end)
    new = Q(received_at__gte=start)
    resolved = Q(resolved_at__gte=start, resolved_at__lt=end)
    return {
        "carried_over": _count(Q(received_at__lt=start) & open_at(start)),
        "new_online": _count(new & Q(channel=Channel.ONLINE)),
        "new_direct_postal": _count(new & ~Q(channel=Channel.ONLINE)),
        "resolved_early": _count(resolved & Q(timeliness=Timeliness.EARLY)),
        "resolved_on_time": _count(resolved & Q(timeliness=Timeliness.ON_TIME)),
        "resolved_late": _count(resolved & ~Q(timeliness__in=[Timeliness.EARLY, Timeliness.ON_TIME])),
        "pending_total": _count(open_at_end),
        "pending_overdue": _count(open_at_end & overdue_at(reference)),
        "withdrawn": _count(Q(withdrawn_at__gte=start, withdrawn_at__lt=end)),
        "stopped": _count(Q(stopped_at__gte=start, stopped_at__lt=end)),
        "returned": _count(Q(returned_at__gte=start, returned_at__lt=end)),
    }


_GROUP_EXPRESSIONS = {
    "agency": "stat_agency",
    "unit": "stat_agency",  # folded into units afterwards
    "procedure": "procedure_id",
    "field": "procedure__field_id",
}


def statistics_queryset(*, period: Period, agency_ids: set[int] | None, group_by: str = "none",
                        now: datetime | None = None):
    """The one aggregate query: a values() queryset (one row per group) or a dict when group_by is 'none'."""
    start, end = period.start_at(local_tz()), period.end_at(local_tz())
    reference = min(end, now or timezone.now())
    qs = Dossier.objects.filter(received_at__isnull=False, received_at__lt=end, refused_at__isnull=True)
    if agency_ids is not None or group_by in ("agency", "unit"):
        qs = qs.annotate(stat_agency=Coalesce("handling_agency_id", "receiving_agency_id"))
    if agency_ids is not None:
        qs = qs.filter(stat_agency__in=sorted(agency_ids))
    aggregates = figure_aggregates(start=start, end=end, reference=reference)
    if group_by == "none":
        return qs.aggregate(**aggregates)
    column = _GROUP_EXPRESSIONS[group_by]
    return qs.values(group_key=F(column)).annotate(**aggregates).order_by()


def complete_figures(counts: dict) -> dict:
    """Add the totals and the two rates to the raw conditional counts."""
    f = {key: int(counts.get(key) or 0) for key in COUNT_KEYS}
    f["received_total"] = f["carried_over"] + f["new_online"] + f["new_direct_postal"]
    f["resolved_total"] = f["resolved_early"] + f["resolved_on_time"] + f["resolved_late"]
    if "pending_within" not in counts:  # raw counts from the query
        f["pending_within"] = f["pending_total"] - f["pending_overdue"]
    f["pending_total"] = f["pending_within"] + f["pending_overdue"]
    f["online_rate"] = percentage(f["new_online"], f["new_online"] + f["new_direct_postal"])
    f["on_time_rate"] = percentage(f["resolved_early"] + f["resolved_on_time"], f["resolved_total"])
    return f


def percentage(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def sum_figures(rows: list[dict]) -> dict:
    return complete_figures({key: sum(r[key] for r in rows) for key in COUNT_KEYS})


@replica_reads
def dossier_statistics(*, actor, period: Period, agency: str = "", unit: str = "", group_by: str = "agency",
                       now: datetime | None = None, use_rollups: bool = True) -> dict:
    """Form II.06a for the actor's visible scope: {figures of the total…, period, scope, group_by, rows}.

    Answered from the rollup (dossiers.stats_rollup) when it is fresh and the grouping is by agency or unit (or
    none); otherwise, and with `use_rollups=False`, by the scan, which stays the reference.

    `actor` is the acting user, or None for the system (the command line) which sees everything.
    """
    if group_by not in GROUP_BY_CHOICES:
        raise ValidationError.for_field(
            "group_by", f"Cách chia nhóm “{group_by}” không hợp lệ; dùng: {', '.join(GROUP_BY_CHOICES)}.")
    scope = statistics_scope(actor=actor, agency=agency, unit=unit)
    use_rollup = use_rollups and group_by in ("none", "agency", "unit") and stats_rollup.is_fresh()
    if group_by == "none":
        counts = _rollup(period, scope.agency_ids, False, now) if use_rollup else \
            statistics_queryset(period=period, agency_ids=scope.agency_ids, group_by="none", now=now)
        total = complete_figures(counts)
        rows = []
    else:
        if use_rollup:
            raw = {k: complete_figures(v) for k, v in _rollup(period, scope.agency_ids, True, now).items()}
        else:
            raw = {r["group_key"]: complete_figures(r) for r in
                   statistics_queryset(period=period, agency_ids=scope.agency_ids, group_by=group_by, now=now)}
        rows = _label_rows(group_by, raw, scope)
        total = sum_figures(list(raw.values()))
    return {**total, "period": period.as_dict(), "scope": scope.as_dict(), "group_by": group_by, "rows": rows,
            "source": "rollup" if use_rollup else "scan", **report_parties(scope)}


def _rollup(period: Period, agency_ids: set[int] | None, by_agency: bool, now: datetime | None):
    """The raw counts from the rollup (dossiers.stats_rollup), the same shape as the scan's."""
    end = period.end_at(local_tz())
    reference = min(end, now or timezone.now())
    return stats_rollup.rollup_counts(date_from=period.start, date_to=period.end, agency_ids=agency_ids,
                                      by_agency=by_agency, running=reference < end, reference=reference, end=end)


def _province_of(unit: AdministrativeUnit | None) -> AdministrativeUnit | None:
    while unit is not None and unit.level != "province" and unit.parent_id:
        unit = AdministrativeUnit.objects.filter(pk=unit.parent_id).first()
    return unit


def _lower_first(name: str) -> str:
    return name[:1].lower() + name[1:]


def report_parties(scope: Scope) -> dict:
    """Who reports and to whom, for the form's header (TT 01/2020/TT-VPCP reporting rules [to check]).

    An agency or a commune reports to the provincial People's Committee through its office (Văn phòng UBND tỉnh,
    which compiles the province's report; since July 2025 there is no district level in between); the province
    as a whole reports to the Government Office (Văn phòng Chính phủ, Cục Kiểm soát thủ tục hành chính).
    `settings.TINHSO_REPORT_RECIPIENT` overrides the recipient of agency and commune reports."""
    if scope.kind == "agency":
        agency = Agency.objects.select_related("unit").filter(identifier_code=scope.code).first()
        unit = agency.unit if agency else None
        reporting = scope.name
    elif scope.kind == "unit":
        unit = AdministrativeUnit.objects.filter(code=scope.code).first()
        reporting = f"Ủy ban nhân dân {_lower_first(unit.name)}" if unit else scope.name
    else:
        unit = home_province()
        reporting = f"Ủy ban nhân dân {_lower_first(unit.name)}" if unit else scope.name
    province = _province_of(unit)
    whole_province = scope.kind == "all" or (scope.kind == "unit" and unit is not None and unit.level == "province")
    if whole_province:
        recipient = "Văn phòng Chính phủ (Cục Kiểm soát thủ tục hành chính)"
    else:
        recipient = getattr(settings, "TINHSO_REPORT_RECIPIENT", "") or (
            f"Văn phòng Ủy ban nhân dân {_lower_first(province.name)}" if province else "")
    place = (province.short_name or province.name.removeprefix("Tỉnh ").removeprefix("Thành phố ")) if province \
        else ""
    return {"reporting_unit": reporting, "reports_to": recipient, "place": place}


def _label_rows(group_by: str, raw: dict, scope: Scope) -> list[dict]:
    if group_by == "agency":
        agencies = Agency.objects.filter(pk__in=[k for k in raw if k is not None]) \
            .values_list("pk", "identifier_code", "name")  # no model instances: a province has hundreds
        rows = [{"key": code, "name": name, **raw[pk]} for pk, code, name in agencies]
        return sorted(rows, key=lambda r: r["key"])
    if group_by == "procedure":
        procedures = Procedure.objects.select_related("field").in_bulk(list(raw))
        rows = [{"key": p.code, "name": p.name, "field": p.field.name, **raw[pk]} for pk, p in procedures.items()]
        return sorted(rows, key=lambda r: (r["field"], r["key"]))
    if group_by == "field":
        fields = ProcedureField.objects.in_bulk(list(raw))
        return sorted(({"key": f.code, "name": f.name, **raw[pk]} for pk, f in fields.items()),
                      key=lambda r: r["name"])
    return _rollup_units(raw, scope)


def _rollup_units(per_agency: dict, scope: Scope) -> list[dict]:
    """Per agency → per unit directly below the scope's unit (or per province), each including units below it."""
    agency_units = dict(Agency.objects.filter(pk__in=list(per_agency)).values_list("id", "unit_id"))
    parents = dict(AdministrativeUnit.objects.values_list("id", "parent_id"))
    root_code = scope.code if scope.kind == "unit" else getattr(home_province(), "code", "")
    root = AdministrativeUnit.objects.filter(code=root_code).values_list("id", flat=True).first()

    def bucket(unit_id: int) -> int:
        """The ancestor of unit_id that is a child of the root (or the unit itself when it is the root)."""
        chain = [unit_id]
        while parents.get(chain[-1]) is not None:
            chain.append(parents[chain[-1]])
        if root is None:
            return chain[-1]
        if root not in chain:
            return root
        index = chain.index(root)
        return chain[index - 1] if index > 0 else root

    grouped: dict[int, list[dict]] = {}
    for agency_id, figures in per_agency.items():
        if agency_id in agency_units:
            grouped.setdefault(bucket(agency_units[agency_id]), []).append(figures)
    units = AdministrativeUnit.objects.in_bulk(list(grouped))
    # The root's own row holds only the agencies placed at the root itself; the total row is the full rollup.
    rows = [{"key": u.code, "name": f"{u.name} (cơ quan cùng cấp)" if pk == root else u.name,
             **sum_figures(grouped[pk])} for pk, u in units.items()]
    return sorted(rows, key=lambda r: (r["key"] != root_code, r["key"]))


def statistics_scope_choices(*, actor) -> dict:
    """Agencies and units offered on the statistics page for the actor."""
    visible = visible_agency_ids(actor)
    agencies = Agency.objects.select_related("unit").order_by("identifier_code")
    if visible is not None:
        agencies = agencies.filter(pk__in=visible)
    unit_ids = scoping.admin_unit_ids(actor) if actor is not None else None
    units = AdministrativeUnit.objects.filter(valid_to__isnull=True).order_by("level", "code")
    if unit_ids is not None:
        units = units.filter(pk__in=unit_ids)
    return {"agencies": agencies, "units": units.exclude(level="district")}
