"""View models of the IOC dashboard: every table a page shows is built here once, as rows of display cells, and
rendered from the same rows as HTML, CSV and XLSX (exports.py) — so an export holds exactly what the page shows.

The dashboard reads indicators only (tinhso.indicators.selectors and its models), never dossiers. Reads added
here on top of the indicators' selectors: the scope of a user's drill-down (`detail_unit_ids`), the latest values
of one agency (`agency_latest_values`) and the frameworks that score an indicator (`frameworks_scoring`).
"""

import hashlib
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.core.cache import cache
from django.urls import reverse
from django.utils.http import urlencode

from tinhso.accounts import scoping
from tinhso.core.exceptions import NotFound, PermissionDenied
from tinhso.core.numbers import excel_format, shown_decimals, shown_value, vn_number
from tinhso.core.periods import Period, month_period, parse_period
from tinhso.core.replica import replica_reads
from tinhso.indicators import agency_rankings
from tinhso.indicators import selectors as indicators
from tinhso.indicators.choices import Comparator, GovLevel, Pillar, SourceKind
from tinhso.indicators.models import Framework, Indicator, IndicatorValue, Ranking
from tinhso.indicators.sources import provenance_citation
from tinhso.org.choices import UnitLevel
from tinhso.org.models import AdministrativeUnit, Agency
from tinhso.org.selectors import agency_get as org_agency_get

# The public overview is the same for every visitor: kept for a short while per (unit, year). The indicator
# values behind it change only when the background refresh or a report approval runs.
OVERVIEW_CACHE_SECONDS = getattr(settings, "TINHSO_DASHBOARD_CACHE_SECONDS", 30)
SOURCE_LABELS = dict(SourceKind.choices)
LEVEL_LABELS = dict(GovLevel.choices)
COMPARATOR_LABELS = dict(Comparator.choices)
KIND_LABELS = {"year": "Năm", "half": "6 tháng", "quarter": "Quý", "month": "Tháng", "custom": "Khác"}
NONE = "—"


# --- the table model ----------------------------------------------------------------------------------------

@dataclass
class Cell:
    text: str
    number: float | int | None = None  # the number as displayed, written as a number into the spreadsheet
    number_format: str = ""
    numeric: bool = False
    status: str = ""  # achieved | on_track | close | behind: shown as a badge
    href: str = ""
    title: str = ""


@dataclass
class Row:
    cells: list[Cell]
    css: str = ""


@dataclass
class Table:
    key: str
    caption: str
    columns: list[str]
    rows: list[Row] = field(default_factory=list)
    empty_text: str = "Chưa có số liệu trong kỳ này."
    numeric_columns: frozenset = frozenset()
    note: str = ""  # an explanation shown above the table (the caption says the essentials)

    @property
    def labelled_rows(self) -> list[tuple["Row", list[tuple["Cell", str]]]]:
        """Each row with its cells paired with their column names (a phone shows the table as cards)."""
        return [(row, list(zip(row.cells, self.columns, strict=False))) for row in self.rows]


@dataclass
class Page:
    title: str
    subtitle: str
    tables: list[Table]
    filename: str  # without extension


# --- cells ------------------------------------------------------------------------------------------------------

def _suffix(unit_of_measure: str) -> str:
    """What follows a value: "%" and "tỷ đồng" are shown, a count or a rank is a bare number."""
    return "" if unit_of_measure in ("", "số lượng", "thứ hạng") else unit_of_measure


def number_cell(value: float | None, suffix: str = "") -> Cell:
    if value is None:
        return Cell(NONE, numeric=True)
    text = vn_number(value) + (f" {suffix}" if suffix else "")
    return Cell(text, number=shown_value(value), number_format=excel_format(shown_decimals(value), suffix),
                numeric=True)


def value_cell(row: dict) -> Cell:
    unit_of_measure = row.get("unit_of_measure") or ""
    if unit_of_measure.startswith("thứ hạng") and row.get("denominator"):
        return Cell(f"{vn_number(row['value'])}/{vn_number(row['denominator'])}", numeric=True)  # "15/63"
    return number_cell(row["value"], _suffix(unit_of_measure))


def ratio_cell(row: dict) -> Cell:
    numerator, denominator = row.get("numerator"), row.get("denominator")
    if numerator is None or denominator is None or (row.get("unit_of_measure") or "").startswith("thứ hạng"):
        return Cell(NONE, numeric=True)
    return Cell(f"{vn_number(numerator)}/{vn_number(denominator)}", numeric=True)


def target_text(target: dict | None, unit_of_measure: str) -> str:
    if not target:
        return NONE
    suffix = _suffix(unit_of_measure)
    comparator = COMPARATOR_LABELS.get(target["comparator"], target["comparator"])
    return f"{comparator} {vn_number(target['value'])}" + (f" {suffix}" if suffix else "")


def status_cell(target: dict | None) -> Cell:
    if not target or not target.get("status"):
        return Cell(NONE)
    return Cell(target["status_label"], status=target["status"])


def provenance_text(row: dict) -> str:
    """Where the figure comes from: the article's sentence, file and date; the approved report; or nothing."""
    provenance = row.get("provenance") or {}
    text = ""
    if row.get("source") == SourceKind.PUBLISHED and provenance.get("quote"):
        text = f"“{provenance['quote']}” — theo {provenance_citation(provenance)}"
    elif row.get("source") == SourceKind.REPORTED and provenance.get("report_period"):
        text = f"Báo cáo kỳ {provenance['report_period']}"
        if provenance.get("evidence"):
            text += f"; minh chứng: {', '.join(provenance['evidence'])}"
    if (row.get("version") or 1) > 1:
        text = (text + " · " if text else "") + f"phiên bản {row['version']}"
    return text or NONE


def owner_text(row: dict) -> str:
    name = row.get("unit_name") or NONE
    return f"{name} (số liệu lịch sử)" if row.get("is_history") else name


def indicator_url(code: str, *, unit: AdministrativeUnit | None = None, **params) -> str:
    query = {k: v for k, v in {"unit": unit.code if unit is not None else "", **params}.items() if v}
    return reverse("dashboard:indicator", args=[code]) + (f"?{urlencode(query)}" if query else "")


VALUE_COLUMNS = {
    "indicator": "Chỉ tiêu", "period": "Kỳ", "owner": "Đơn vị", "agency": "Cơ quan", "level": "Cấp",
    "value": "Giá trị", "ratio": "Tử số/mẫu số", "unit": "Số liệu của", "target_2025": "Mục tiêu 2025",
    "status_2025": "Đánh giá 2025", "target_2030": "Mục tiêu 2030", "status_2030": "Đánh giá 2030",
    "target": "Mục tiêu gần nhất", "status": "Đánh giá", "source": "Nguồn", "provenance": "Căn cứ số liệu",
}
NUMERIC_KEYS = {"value", "ratio"}
OVERVIEW_KEYS = ["indicator", "level", "value", "ratio", "period", "unit", "target_2025", "status_2025",
                 "target_2030", "status_2030", "source", "provenance"]


def value_table(*, key: str, caption: str, rows: list[dict], keys: list[str], link_unit=None,
                owner_links: dict[str, str] | None = None, empty_text: str = "") -> Table:
    """One table of indicator values (rows from indicators.selectors), with the columns named by `keys`."""
    owner_links = owner_links or {}
    table = Table(key=key, caption=caption, columns=[VALUE_COLUMNS[k] for k in keys],
                  numeric_columns=frozenset(i for i, k in enumerate(keys) if k in NUMERIC_KEYS))
    if empty_text:
        table.empty_text = empty_text
    for row in rows:
        unit_of_measure = row.get("unit_of_measure") or ""
        cells = []
        for k in keys:
            if k == "indicator":
                cells.append(Cell(row["name"], href=indicator_url(row["indicator"], unit=link_unit,
                                                                  level=row.get("level") or "")))
            elif k == "period":
                cells.append(Cell(row["period_label"]))
            elif k in ("owner", "agency"):
                owner_key = row.get("key") or ""
                cells.append(Cell(row.get("name") or NONE, href=owner_links.get(owner_key, "")))
            elif k == "level":
                cells.append(Cell(LEVEL_LABELS.get(row.get("level") or "", NONE)))
            elif k == "value":
                cells.append(value_cell(row))
            elif k == "ratio":
                cells.append(ratio_cell(row))
            elif k == "unit":
                cells.append(Cell(owner_text(row)))
            elif k in ("target_2025", "target_2030"):
                cells.append(Cell(target_text(row.get(k), unit_of_measure)))
            elif k in ("status_2025", "status_2030"):
                cells.append(status_cell(row.get("target_" + k.split("_")[1])))
            elif k == "target":
                nearest = None if row.get("target") is None else {
                    "comparator": row["target_comparator"], "value": row["target"]}
                text = target_text(nearest, unit_of_measure)
                cells.append(Cell(text if nearest is None else f"{text} ({row['target_year']})"))
            elif k == "status":
                cells.append(Cell(row["status_label"], status=row["status"]) if row.get("status") else Cell(NONE))
            elif k == "source":
                cells.append(Cell(SOURCE_LABELS.get(row.get("source"), row.get("source") or NONE)))
            elif k == "provenance":
                cells.append(Cell(provenance_text(row)))
        table.rows.append(Row(cells, css="hist" if row.get("is_history") else ""))
    return table


# --- scope of the drill-down ------------------------------------------------------------------------------------

def detail_unit_ids(user) -> set[int]:
    """Units below the province whose figures the user may open; one rule with the indicators API."""
    return indicators.detail_unit_ids(user)


@dataclass(frozen=True)
class ViewerScope:
    """What one viewer may see on the IOC pages, and a key naming exactly that: two viewers with the same key see
    the same page. `detail`: figures below the province at all; `visible`: the units they may open; `everything`:
    a province administrator (or superuser), whose alerts cover every agency; `admin_units`: the units whose
    reports they follow."""
    detail: bool
    visible: frozenset
    everything: bool
    admin_units: frozenset
    key: str


def viewer_scope(user) -> ViewerScope:
    """The viewer's scope, read afresh on every request from their role assignments (tinhso.accounts.scoping): a
    role granted or revoked changes the key at once, so no cached fragment outlives it or crosses viewers."""
    detail = indicators.can_see_detail(user)
    visible = frozenset(detail_unit_ids(user)) if detail else frozenset()
    everything = detail and (user.is_superuser or scoping.is_province_admin(user))
    admin_units = frozenset(scoping.admin_unit_ids(user)) if detail else frozenset()
    digest = hashlib.sha256(repr((detail, everything, sorted(visible), sorted(admin_units))).encode()).hexdigest()
    return ViewerScope(detail=detail, visible=visible, everything=everything, admin_units=admin_units,
                       key=digest[:24])


def check_detail(user, unit: AdministrativeUnit, visible: set[int] | None = None) -> None:
    """Province figures are public; below, a role (403 without) whose scope covers the unit (404 outside)."""
    if unit.level == UnitLevel.PROVINCE:
        return
    indicators.check_unit_visible(user, unit)
    visible = detail_unit_ids(user) if visible is None else visible
    if unit.pk not in visible:
        raise NotFound(f"Không có số liệu của đơn vị “{unit.code}” trong phạm vi được xem.")


def agency_get(*, identifier_code: str, user) -> Agency:
    agency = org_agency_get(identifier_code=identifier_code)
    if not indicators.can_see_detail(user):
        raise PermissionDenied("Cần đăng nhập với vai trò cán bộ để xem số liệu theo cơ quan.")
    if agency.unit_id not in detail_unit_ids(user):
        raise NotFound(f"Không có cơ quan mã định danh “{identifier_code}” trong phạm vi được xem.")
    return agency


def drill_down(*, unit: AdministrativeUnit, user, visible: set[int] | None = None) -> dict:
    """The communes and agencies under the unit that the user may open (empty for the public)."""
    if not indicators.can_see_detail(user):
        return {"communes": [], "agencies": [], "allowed": False}
    visible = detail_unit_ids(user) if visible is None else visible
    communes = [u for u in AdministrativeUnit.objects.filter(parent=unit, valid_to__isnull=True).order_by("name")
                if u.pk in visible]
    agencies = list(Agency.objects.filter(unit=unit).order_by("identifier_code")) if unit.pk in visible else []
    return {"communes": communes, "agencies": agencies, "allowed": True}


# --- periods ----------------------------------------------------------------------------------------------------

def year_choices(*, unit: AdministrativeUnit) -> list[int]:
    years = {parse_period(p["spec"]).end.year for p in indicators.period_choices(unit=unit)}
    return sorted(years, reverse=True)


def _agency_year_choices(agency: Agency) -> list[int]:
    ends = IndicatorValue.objects.filter(agency=agency, is_current=True).values_list("period_end", flat=True)
    return sorted({d.year for d in ends.distinct()}, reverse=True)


def _subtitle(unit_name: str, year: int | None) -> str:
    return f"{unit_name} · " + (f"năm {year}" if year else "số liệu mới nhất")


# --- the overview and a unit's page -----------------------------------------------------------------------------

LEVEL_ORDER = {"": 0, GovLevel.PROVINCE: 1, GovLevel.DISTRICT: 2, GovLevel.COMMUNE: 3}


def pillar_tables(*, rows: list[dict], link_unit: AdministrativeUnit, key_prefix: str) -> list[Table]:
    """One table per pillar; an indicator's levels read from the top down (province, district, commune)."""
    first_seen: dict[str, int] = {}
    for position, row in enumerate(rows):
        first_seen.setdefault(row["indicator"], position)
    rows = sorted(rows, key=lambda r: (first_seen[r["indicator"]], LEVEL_ORDER.get(r["level"] or "", 9),
                                       r["is_history"]))
    tables = []
    for pillar, label in Pillar.choices:
        mine = [r for r in rows if r["pillar"] == pillar]
        tables.append(value_table(key=f"{key_prefix}-{pillar}", caption=label, rows=mine, keys=OVERVIEW_KEYS,
                                  link_unit=link_unit))
    return tables


def _build_unit_page(*, unit: AdministrativeUnit, year: int | None, rows: list[dict] | None = None) -> Page:
    if rows is None:
        rows = indicators.latest_values(unit=unit, year=year, user=None)  # access is checked by the caller
    title = ("Bảng điều hành chuyển đổi số" if unit.level == UnitLevel.PROVINCE
             else "Chỉ tiêu chuyển đổi số của đơn vị")
    return Page(title=f"{title} — {unit.name}", subtitle=_subtitle(unit.name, year),
                tables=pillar_tables(rows=rows, link_unit=unit, key_prefix="tru-cot"),
                filename=f"bang-dieu-hanh-{unit.code}-{year or 'moi-nhat'}")


@replica_reads
def overview(*, unit: AdministrativeUnit, year: int | None = None) -> dict:
    """The public overview of a province: per pillar each indicator's latest value and its status against the
    2025 and 2030 targets. Read from IndicatorValue only, and cached per (unit, year) for a short while."""
    if unit.level != UnitLevel.PROVINCE:
        raise PermissionDenied("Trang tổng quan công khai chỉ dành cho cấp tỉnh.")
    key = f"dashboard:overview:v2:{unit.pk}:{year or 0}"
    data = cache.get(key)
    if data is None:
        rows = indicators.latest_values(unit=unit, year=year, user=None)
        data = {"page": _build_unit_page(unit=unit, year=year, rows=rows), "years": year_choices(unit=unit),
                "predecessors": [u.name for u in indicators.predecessor_units(unit)], "rows": rows}
        cache.set(key, data, OVERVIEW_CACHE_SECONDS)
    return data


@replica_reads
def unit_page(*, unit: AdministrativeUnit, user, year: int | None = None) -> dict:
    """A commune's (or any unit's) page for an officer whose scope covers it."""
    check_detail(user, unit)
    return {"page": _build_unit_page(unit=unit, year=year), "years": year_choices(unit=unit)}


# --- an agency's page -------------------------------------------------------------------------------------------

def _preference(value: IndicatorValue) -> tuple:
    """As indicators.selectors.latest_values: latest, then the longer period, then computed before reported."""
    return (value.period_end, value.period_end - value.period_start,
            -indicators.SOURCE_PRIORITY.get(value.source, 9))


def agency_latest_values(*, agency: Agency, year: int | None = None) -> list[dict]:
    """Per indicator (and level) the agency's latest current value, judged by the targets of its unit."""
    qs = IndicatorValue.objects.filter(agency=agency, is_current=True, indicator__is_active=True) \
        .select_related("indicator")
    if year:
        qs = qs.filter(period_end__gte=date(year, 1, 1), period_end__lte=date(year, 12, 31))
    best: dict[tuple, IndicatorValue] = {}
    for value in qs:
        key = (value.indicator_id, value.level)
        if key not in best or _preference(value) > _preference(best[key]):
            best[key] = value
    book = indicators.TargetBook({k[0] for k in best})
    rows = []
    for value in best.values():
        row = indicators.value_row(value, book=book, owner=agency.unit)
        row.update(unit_name=agency.name, agency_code=agency.identifier_code)
        rows.append(row)
    order = {c: i for i, c in enumerate(Pillar.values)}
    positions = dict(Indicator.objects.values_list("code", "position"))
    rows.sort(key=lambda r: (order.get(r["pillar"], 9), positions.get(r["indicator"], 0), r["level"] or ""))
    return rows


@replica_reads
def agency_page(*, agency: Agency, year: int | None = None) -> dict:
    rows = agency_latest_values(agency=agency, year=year)
    page = Page(title=f"Chỉ tiêu chuyển đổi số — {agency.name}", subtitle=_subtitle(agency.name, year),
                tables=pillar_tables(rows=rows, link_unit=agency.unit, key_prefix="co-quan"),
                filename=f"chi-tieu-{agency.identifier_code}-{year or 'moi-nhat'}")
    return {"page": page, "years": _agency_year_choices(agency)}


# --- an indicator's page ----------------------------------------------------------------------------------------

def frameworks_scoring(indicator: Indicator) -> list[tuple[Framework, object]]:
    """(framework, component) pairs of the frameworks one of whose components is this indicator."""
    pairs, seen = [], set()
    for framework in Framework.objects.filter(components__indicator=indicator).distinct().order_by("code"):
        component = framework.components.filter(indicator=indicator).order_by("position").first()
        if framework.pk not in seen:
            seen.add(framework.pk)
            pairs.append((framework, component))
    return pairs


def ranking_table(*, framework: Framework, component, period: Period, user) -> Table | None:
    """The framework's ranking for the period (else its latest), with this indicator's component score."""
    have = Ranking.objects.filter(framework=framework, period_start=period.start, period_end=period.end).exists()
    if not have:
        periods = indicators.ranking_periods(framework=framework)
        if not periods:
            return None
        period = parse_period(periods[0]["spec"])
    data = indicators.ranking(framework=framework, period=period, user=user)
    score_word = "Điểm ước tính" if data["is_estimate"] else "Điểm"
    columns = ["Hạng", "Đơn vị", f"{score_word} “{component.name}” (tối đa {vn_number(component.points)})",
               f"Tổng {score_word.lower()} (tối đa {vn_number(framework.max_points)})", "Thành phần có số liệu",
               "Xếp hạng"]
    caption = f"{framework.name} — {data['period_label']}" + (" · điểm ước tính từ số liệu trên nền tảng" if data["is_estimate"] else "")
    table = Table(key=f"xep-hang-{framework.code}", caption=caption, columns=columns,
                  numeric_columns=frozenset({0, 2, 3, 4}), empty_text="Chưa có kết quả xếp hạng.",
                  note=data["note"])
    for r in data["rows"]:
        component_score = (r["details"].get("components") or {}).get(component.code)
        coverage = Cell(f"{r['components_scored']}/{r['components_total']}", numeric=True,
                        title=r["coverage_label"])
        table.rows.append(Row([number_cell(r["rank"]), Cell(r["unit_name"]), number_cell(component_score),
                               number_cell(r["score"]), coverage, Cell(r["label"])]))
    return table


def _month_axis(rows: list[dict], today: date | None = None) -> list[Period] | None:
    """Every month from the first value to the last (or to the current month): None if the rows are not monthly."""
    months = [Period(r["period_start"], r["period_end"]) for r in rows]
    if not months or any(p.kind != "month" for p in months):
        return None
    first = min(p.start for p in months)
    last = max(p.start for p in months)
    today = today or date.today()
    current = date(today.year, today.month, 1)
    own_last = max((p.start for p, r in zip(months, rows, strict=True) if not r["is_history"]), default=None)
    if own_last is not None and own_last >= date(current.year - 1, current.month, 1):
        last = max(last, current)  # a unit still reporting: the months up to now, the silent ones included
    axis, cursor = [], first
    while cursor <= last:
        axis.append(month_period(cursor.year, cursor.month))
        cursor = date(cursor.year + cursor.month // 12, cursor.month % 12 + 1, 1)
    return axis


def _series_name(row: dict, indicator: Indicator, reorganised: dict[str, date]) -> str:
    name = LEVEL_LABELS.get(row["level"] or "", indicator.name) if row["level"] else indicator.name
    if row["is_history"]:
        ended = reorganised.get(row["unit_code"])
        until = f" (trước {ended:%d/%m/%Y})" if ended else " (số liệu lịch sử)"
        owner = f"{row['unit_name']}{until}"
        return f"{owner} — {name.lower()}" if row["level"] else owner
    return name


def _chart(rows: list[dict], indicator: Indicator, reorganised: dict[str, date] | None = None) -> dict:
    """The trend chart's data: one series per government level, and one per historical unit ("Tỉnh Thái Bình
    (trước 01/07/2025)"), from the same rounded numbers as the table. Monthly charts show every month: a month
    without a value is 0 for a count (nothing happened) and empty for a ratio (nothing to divide)."""
    reorganised = reorganised or {}
    axis = _month_axis(rows)
    if axis is not None:
        periods = [(p.end, p.start, p.label) for p in axis]
    else:
        periods = sorted({(r["period_end"], r["period_start"], r["period_label"]) for r in rows})
    labels = [p[2] for p in periods]
    index = {(p[1], p[0]): i for i, p in enumerate(periods)}
    counts_fill = 0 if indicator.aggregation == "sum" else None
    series: dict[tuple, dict] = {}
    for r in rows:
        key = (r["level"] or "", r["unit_code"] if r["is_history"] else "")
        name = _series_name(r, indicator, reorganised)
        fill = counts_fill if axis is not None and not r["is_history"] else None
        entry = series.setdefault(key, {"name": name, "data": [fill] * len(labels), "targets": {},
                                        "history": r["is_history"]})
        entry["data"][index[(r["period_start"], r["period_end"])]] = shown_value(r["value"])
        level_name = LEVEL_LABELS.get(r["level"] or "", "")
        owner = (f"{r['unit_name']} — {level_name.lower()}" if level_name else r["unit_name"]) if r["is_history"] \
            else level_name
        for year in (2025, 2030):  # a historical unit's are the targets of its own resolution (TargetBook)
            target = r.get(f"target_{year}")
            if target:
                entry["targets"][year] = {"value": target["value"],
                                          "label": f"Mục tiêu {year}: {target_text(target, indicator.unit_of_measure)}"
                                          + (f" ({owner})" if owner else "")}
    if axis is not None:
        for entry in series.values():
            if not entry["history"]:  # zeros only from the first month the unit itself has figures
                own = [i for i, v in enumerate(entry["data"]) if v not in (None, 0)]
                first = own[0] if own else len(labels)
                entry["data"] = [None if i < first and v == counts_fill else v for i, v in enumerate(entry["data"])]
    # A target shared by every level (≥ 100 % in 2030) is drawn once, without a level in its label.
    counts: dict[tuple, int] = {}
    for s in series.values():
        for year, target in s["targets"].items():
            counts[(year, target["value"])] = counts.get((year, target["value"]), 0) + 1
    drawn: set[tuple] = set()
    for s in series.values():
        for year, target in list(s["targets"].items()):
            key = (year, target["value"])
            if key in drawn:
                del s["targets"][year]
            elif counts[key] > 1:
                drawn.add(key)
                target["label"] = target["label"].rsplit(" (", 1)[0]
    return {"categories": labels, "unit": _suffix(indicator.unit_of_measure), "monthly": axis is not None,
            "series": [{"name": s["name"], "data": s["data"], "targets": list(s["targets"].values()),
                        "history": s["history"]} for s in series.values()]}


@replica_reads
def indicator_page(*, indicator: Indicator, unit: AdministrativeUnit, user, kind: str = "",
                   period: Period | None = None) -> dict:
    """An indicator for a unit: the trend (predecessors' history included), the breakdown by commune and by
    agency in one period, and the rankings of the frameworks that score it."""
    check_detail(user, unit)
    history = indicators.value_history(indicator=indicator, unit=unit, user=None)
    kinds = sorted({Period(r["period_start"], r["period_end"]).kind for r in history},
                   key=list(KIND_LABELS).index)
    if kind not in kinds:
        kind = "year" if "year" in kinds else ""
    trend = [r for r in history if not kind or Period(r["period_start"], r["period_end"]).kind == kind]
    periods = sorted({Period(r["period_start"], r["period_end"]) for r in trend if not r["is_history"]},
                     key=lambda p: (p.end, p.end - p.start), reverse=True)
    if period is None and periods:
        period = periods[0]
    tables = [value_table(key="dien-bien", caption="Diễn biến qua các kỳ", rows=trend,
                          keys=["period", "level", "value", "ratio", "unit", "target_2025", "status_2025",
                                "target_2030", "status_2030", "source", "provenance"])]
    notes = []
    detail = indicators.can_see_detail(user)
    if period is not None and detail:
        visible = detail_unit_ids(user)
        if unit.level == UnitLevel.PROVINCE or unit.pk in visible:
            tables += _breakdown_tables(indicator=indicator, unit=unit, period=period, user=user, visible=visible)
    elif period is not None:
        notes.append("Số liệu theo xã, phường và theo cơ quan chỉ hiển thị cho cán bộ đã đăng nhập.")
    for framework, component in frameworks_scoring(indicator):
        if framework.level != UnitLevel.PROVINCE and not detail:
            continue
        table = ranking_table(framework=framework, component=component,
                              period=period or parse_period(str(date.today().year)), user=user)
        if table is not None:
            tables.append(table)
    page = Page(title=indicator.name, subtitle=_subtitle(unit.name, None) if period is None else
                f"{unit.name} · {period.label}", tables=tables,
                filename=f"chi-tieu-{indicator.code}-{unit.code}-{period.spec if period else 'moi-nhat'}")
    reorganised = {u.code: u.valid_to + timedelta(days=1) for u in indicators.predecessor_units(unit) if u.valid_to}
    return {"page": page, "chart": _chart(trend, indicator, reorganised), "kinds": [(k, KIND_LABELS[k]) for k in kinds],
            "kind": kind, "period": period, "periods": periods, "notes": notes}


def _breakdown_tables(*, indicator, unit, period, user, visible: set[int]) -> list[Table]:
    tables = []
    keys_tail = ["level", "value", "ratio", "period", "target", "status", "source"]
    if AdministrativeUnit.objects.filter(parent=unit, valid_to__isnull=True).exists():
        rows = indicators.breakdown(indicator=indicator, unit=unit, period=period, by="commune", user=user)
        codes = dict(AdministrativeUnit.objects.filter(code__in=[r["key"] for r in rows])
                     .values_list("code", "id"))
        rows = [r for r in rows if codes.get(r["key"]) in visible]
        links = {r["key"]: reverse("dashboard:unit", args=[r["key"]]) for r in rows}
        tables.append(value_table(key="theo-xa", caption=f"Theo xã, phường — {period.label}", rows=rows,
                                  keys=["owner", *keys_tail], owner_links=links,
                                  empty_text="Chưa có số liệu của xã, phường trong kỳ này."))
    rows = indicators.breakdown(indicator=indicator, unit=unit, period=period, by="agency", user=user)
    if unit.pk in visible or rows:
        agency_units = dict(Agency.objects.filter(identifier_code__in=[r["key"] for r in rows])
                            .values_list("identifier_code", "unit_id"))
        rows = [r for r in rows if agency_units.get(r["key"]) in visible]
        links = {r["key"]: reverse("dashboard:agency", args=[r["key"]]) for r in rows}
        tables.append(value_table(key="theo-co-quan", caption=f"Theo cơ quan — {period.label}", rows=rows,
                                  keys=["agency", *keys_tail], owner_links=links,
                                  empty_text="Chưa có số liệu của cơ quan trong kỳ này."))
    return tables


# --- rankings of communes (QĐ 766 groups) -----------------------------------------------------------------------

RANKING_FRAMEWORK = "qd766"
RANKING_SORTS = {"rank": "Hạng", "change": "Thay đổi hạng", "name": "Tên đơn vị"}


@replica_reads
def ranking_page(*, user, period_spec: str = "", sort: str = "rank") -> dict:
    """The communes ranked on the dossier-based QĐ 766 groups for a period, with the change in rank since the
    previous period of the same kind; sortable by rank, by change, by name or by one group's score."""
    framework = indicators.framework_get(code=RANKING_FRAMEWORK)
    if not indicators.can_see_detail(user):
        raise PermissionDenied("Cần đăng nhập với vai trò cán bộ để xem xếp hạng xã, phường.")
    groups = indicators.framework_tree(framework=framework)
    periods = [parse_period(p["spec"]) for p in indicators.ranking_periods(framework=framework)]
    period = parse_period(period_spec) if period_spec else (periods[0] if periods else None)
    sorts = {**RANKING_SORTS, **{g["code"]: f"Điểm “{g['name']}”" for g in groups}}
    sort = sort if sort in sorts else "rank"
    columns = ["Hạng", "Đơn vị", *[f"{g['name']} (tối đa {vn_number(g['points'])})" for g in groups],
               f"Tổng điểm ước tính (tối đa {vn_number(framework.max_points)})", "Thay đổi hạng",
               "Thành phần có số liệu"]
    table = Table(key="xep-hang-xa", caption="Xếp hạng xã, phường theo Bộ chỉ số QĐ 766 (điểm ước tính từ số liệu "
                  "trên nền tảng)", columns=columns, numeric_columns=frozenset(range(2, len(columns))) | {0},
                  empty_text="Chưa có kết quả xếp hạng.", note=indicators.ESTIMATE_NOTE)
    previous_label = ""
    if period is not None:
        data = indicators.ranking(framework=framework, period=period, user=user)
        earlier = [p for p in periods if p.kind == period.kind and p.end < period.start]
        previous = {}
        if earlier:
            before = indicators.ranking(framework=framework, period=earlier[0], user=user)
            previous_label = before["period_label"]
            previous = {r["unit_code"]: r["rank"] for r in before["rows"]}
        visible = detail_unit_ids(user)
        codes = dict(AdministrativeUnit.objects.filter(code__in=[r["unit_code"] for r in data["rows"]])
                     .values_list("code", "pk"))
        rows = [r for r in data["rows"] if codes.get(r["unit_code"]) in visible]
        for r in rows:
            before_rank = previous.get(r["unit_code"])
            r["change"] = (before_rank - r["rank"]) if before_rank and r["rank"] else None
        if sort == "name":
            rows.sort(key=lambda r: r["unit_name"])
        elif sort == "change":
            rows.sort(key=lambda r: (r["change"] is None, -(r["change"] or 0), r["rank"] or 0))
        elif sort != "rank":
            rows.sort(key=lambda r: (-(r["details"].get("components") or {}).get(sort, 0), r["unit_name"]))
        for r in rows:
            change = r["change"]
            change_text = NONE if change is None else ("không đổi" if change == 0 else
                                                      (f"▲ {change}" if change > 0 else f"▼ {-change}"))
            components = r["details"].get("components") or {}
            table.rows.append(Row([number_cell(r["rank"]), Cell(r["unit_name"], href=reverse(
                "dashboard:unit", args=[r["unit_code"]])), *[number_cell(components.get(g["code"])) for g in groups],
                number_cell(r["score"]), Cell(change_text, numeric=True),
                Cell(f"{r['components_scored']}/{r['components_total']}", numeric=True)]))
    label = period.label if period else "chưa có kỳ xếp hạng"
    page = Page(title="Xếp hạng xã, phường", subtitle=f"{label}" + (f" · thay đổi so với {previous_label}"
                                                                     if previous_label else ""),
                tables=[table], filename=f"xep-hang-xa-{period.spec if period else 'chua-co'}")
    return {"page": page, "periods": periods, "period": period, "sorts": list(sorts.items()), "sort": sort}


# --- rankings of agencies (sở, ban, ngành; UBND cấp xã) --------------------------------------------------------

AGENCY_RANKING_SORTS = {"rank": "Hạng", "change": "Thay đổi hạng", "name": "Tên cơ quan"}


def _change_text(change: int | None) -> str:
    if change is None:
        return NONE
    return "không đổi" if change == 0 else (f"▲ {change}" if change > 0 else f"▼ {-change}")


@replica_reads
def agency_ranking_page(*, user, period_spec: str = "", group: str = "", sort: str = "rank") -> dict:
    """The agencies of one group ranked on the dossier-based QĐ 766 groups (estimated from their own values), with
    the change in rank, the coverage of components and the agencies' e-document shares; sortable, exportable."""
    framework = indicators.framework_get(code=RANKING_FRAMEWORK)
    if not indicators.can_see_detail(user):
        raise PermissionDenied("Cần đăng nhập với vai trò cán bộ để xem xếp hạng cơ quan.")
    group = group if group in agency_rankings.GROUPS else agency_rankings.DEFAULT_GROUP
    groups = indicators.framework_tree(framework=framework)
    periods = agency_rankings.agency_ranking_periods(framework=framework)
    period = parse_period(period_spec) if period_spec else (periods[0] if periods else None)
    data = agency_rankings.agency_ranking(framework=framework, period=period, user=user, group=group) \
        if period is not None else None
    extra = data["indicators"] if data else []
    sorts = {**AGENCY_RANKING_SORTS, **{g["code"]: f"Điểm “{g['name']}”" for g in groups},
             **{i["code"]: i["name"] for i in extra}}
    sort = sort if sort in sorts else "rank"
    group_label = agency_rankings.GROUPS[group][0]
    columns = ["Hạng", "Cơ quan", *[f"{g['name']} (tối đa {vn_number(g['points'])})" for g in groups],
               f"Tổng điểm ước tính (tối đa {vn_number(framework.max_points)})", "Thay đổi hạng",
               "Thành phần có số liệu", *[i["name"] for i in extra]]
    table = Table(key="xep-hang-co-quan", caption=f"Xếp hạng {group_label.lower()} theo Bộ chỉ số QĐ 766 (điểm "
                  "ước tính từ số liệu của từng cơ quan trên nền tảng)", columns=columns,
                  numeric_columns=frozenset(range(2, len(columns))) | {0},
                  empty_text="Chưa có cơ quan nào của nhóm có số liệu trong kỳ này.", note=indicators.ESTIMATE_NOTE)
    if data is not None:
        if not data["ranked"]:
            table.note += f" Chưa xếp hạng: chỉ {data['scored']} cơ quan của nhóm có điểm (cần ít nhất 2)."
        rows = list(data["rows"])
        if sort == "name":
            rows.sort(key=lambda r: r["agency_name"])
        elif sort == "change":
            rows.sort(key=lambda r: (r["change"] is None, -(r["change"] or 0), r["rank"] or 0))
        elif sort in {i["code"] for i in extra}:
            rows.sort(key=lambda r: (r["values"].get(sort) is None, -(r["values"].get(sort) or 0), r["agency_name"]))
        elif sort != "rank":
            rows.sort(key=lambda r: (-r["components"].get(sort, 0), r["agency_name"]))
        for r in rows:
            table.rows.append(Row([
                number_cell(r["rank"]),
                Cell(r["agency_name"], href=reverse("dashboard:agency", args=[r["agency_code"]]),
                     title=f"{r['agency_code']} · {r['label']}"),
                *[number_cell(r["components"].get(g["code"]) if r["score"] is not None else None) for g in groups],
                number_cell(r["score"]), Cell(_change_text(r["change"]), numeric=True),
                Cell(f"{r['components_scored']}/{r['components_total']}", numeric=True, title=r["coverage_label"]),
                *[number_cell(r["values"].get(i["code"]), _suffix(i["unit_of_measure"])) for i in extra]]))
    label = period.label if period else "chưa có số liệu theo cơ quan"
    previous = data["previous_period_label"] if data else ""
    page = Page(title=f"Xếp hạng cơ quan — {group_label}",
                subtitle=label + (f" · thay đổi so với {previous}" if previous else ""), tables=[table],
                filename=f"xep-hang-co-quan-{group}-{period.spec if period else 'chua-co'}")
    return {"page": page, "periods": periods, "period": period, "sorts": list(sorts.items()), "sort": sort,
            "groups": [(code, label) for code, (label, _) in agency_rankings.GROUPS.items()], "group": group}
