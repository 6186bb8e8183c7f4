"""The IOC overview's view models beside the tables: headline tiles and one chart per pillar, the commune map and
the alerts. All read tinhso.indicators (values, targets, alerts) and tinhso.org (where communes lie), never
dossiers."""

from urllib.parse import quote

from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from tinhso.core.numbers import shown_value, vn_number
from tinhso.indicators import alerts as indicator_alerts
from tinhso.indicators import selectors as indicators
from tinhso.indicators.choices import Direction, Pillar, Status
from tinhso.indicators.models import Indicator
from tinhso.org.models import AdministrativeUnit, Agency
from tinhso.org.selectors import unit_children

from . import selectors

TILES_PER_PILLAR = 6
CHART_ROWS_PER_PILLAR = 8
STATUS_ORDER = {Status.BEHIND: 0, Status.CLOSE: 1, Status.ON_TRACK: 2, Status.ACHIEVED: 3}
DEFAULT_MAP_INDICATOR = "cq_ho_so_tthc_truc_tuyen_rate"
LEVEL_WORDS = {"province": "cấp tỉnh", "district": "cấp huyện", "commune": "cấp xã"}


def _suffix(unit_of_measure: str) -> str:
    return "" if unit_of_measure in ("", "số lượng", "thứ hạng") else unit_of_measure


def _value_text(row: dict) -> str:
    unit_of_measure = row.get("unit_of_measure") or ""
    if unit_of_measure.startswith("thứ hạng") and row.get("denominator"):
        return f"{vn_number(row['value'])}/{vn_number(row['denominator'])}"
    suffix = _suffix(unit_of_measure)
    return vn_number(row["value"]) + (f" {suffix}" if suffix else "")


def _target_text(target: dict, unit_of_measure: str) -> str:
    suffix = _suffix(unit_of_measure)
    comparator = {">=": "≥", ">": ">", "<=": "≤", "<": "<", "=": "="}.get(target["comparator"], target["comparator"])
    return f"{comparator} {vn_number(target['value'])}" + (f" {suffix}" if suffix else "")


def change_view(row: dict) -> dict:
    """“▲ +3,2 điểm % so với Năm 2024” and whether the move is for the better."""
    change = row.get("change")
    if change is None:
        return {"text": "Chưa có kỳ trước để so sánh", "css": "flat"}
    shown = shown_value(change)
    if not shown:
        return {"text": f"Không đổi so với {row['previous_period_label']}", "css": "flat"}
    unit_of_measure = row.get("unit_of_measure") or ""
    suffix = "điểm %" if unit_of_measure == "%" else _suffix(unit_of_measure)
    if unit_of_measure.startswith("thứ hạng"):
        better = change < 0  # a smaller rank number is better
    else:
        better = (change > 0) == (row.get("direction") != Direction.LOWER)
    arrow = "▲" if change > 0 else "▼"
    sign = "+" if change > 0 else "−"
    text = f"{arrow} {sign}{vn_number(abs(shown))}" + (f" {suffix}" if suffix else "")
    return {"text": f"{text} so với {row['previous_period_label']}", "css": "better" if better else "worse"}


def _tile(row: dict, link_unit: AdministrativeUnit) -> dict:
    targets = []
    for year in (2025, 2030):
        target = row.get(f"target_{year}")
        if target:
            targets.append({"year": year, "text": _target_text(target, row.get("unit_of_measure") or ""),
                            "status": target["status"], "status_label": target["status_label"]})
    level = LEVEL_WORDS.get(row.get("level") or "", "")
    return {"indicator": row["indicator"], "name": row["name"], "level": level, "value": _value_text(row),
            "period": row["period_label"], "owner": row["unit_name"] if row["is_history"] else "",
            "status": row.get("status") or "", "status_label": row.get("status_label") or "Chưa có mục tiêu",
            "targets": targets, "change": change_view(row),
            "href": selectors.indicator_url(row["indicator"], unit=link_unit, level=row.get("level") or "")}


def _tile_rank(row: dict) -> tuple:
    has_target = bool(row.get("target_2025") or row.get("target_2030"))
    return (row["is_history"], not has_target, STATUS_ORDER.get(row.get("status"), 9))


def pillars(*, rows: list[dict], unit: AdministrativeUnit, year: int | None = None) -> list[dict]:
    """Per pillar: headline tiles (targeted, current figures first; the furthest behind first) and the data of
    its chart (each percentage indicator's value beside its 2025 and 2030 targets). Cached as the overview."""
    key = f"dashboard:pillars:v1:{unit.pk}:{year or 0}"
    data = cache.get(key)
    if data is None:
        data = _pillars(rows=rows, unit=unit)
        cache.set(key, data, selectors.OVERVIEW_CACHE_SECONDS)
    return data


def _pillars(*, rows: list[dict], unit: AdministrativeUnit) -> list[dict]:
    rows = indicators.with_changes([dict(r) for r in rows])
    out = []
    for pillar, label in Pillar.choices:
        mine = [r for r in rows if r["pillar"] == pillar]
        chosen = sorted(mine, key=_tile_rank)[:TILES_PER_PILLAR]
        counts = {s: sum(1 for r in mine if r.get("status") == s) for s in STATUS_ORDER}
        percent = [r for r in sorted(mine, key=lambda r: (r["is_history"],)) if r.get("unit_of_measure") == "%"]
        percent = percent[:CHART_ROWS_PER_PILLAR]
        chart = {"categories": [_short(r) for r in percent], "names": [r["name"] for r in percent],
                 "values": [shown_value(r["value"]) for r in percent],
                 "status": [r.get("status") or "" for r in percent],
                 "target_2025": [(r.get("target_2025") or {}).get("value") for r in percent],
                 "target_2030": [(r.get("target_2030") or {}).get("value") for r in percent],
                 "periods": [r["period_label"] + (f" · {r['unit_name']}" if r["is_history"] else "")
                             for r in percent]}
        out.append({"code": pillar, "label": label, "json_id": f"pillar-data-{pillar}", "tiles": [_tile(r, unit) for r in chosen],
                    "count": len(mine), "status_counts": counts, "chart": chart,
                    "chart_summary": _chart_summary(label, percent)})
    return out


def _short(row: dict, width: int = 34) -> str:
    name = row["name"].removeprefix("Tỷ lệ ").removeprefix("Số ")
    name = name[:1].upper() + name[1:]
    level = LEVEL_WORDS.get(row.get("level") or "", "")
    text = name if len(name) <= width else name[: width - 1].rstrip() + "…"
    return f"{text} ({level})" if level else text


def _chart_summary(label: str, rows: list[dict]) -> str:
    if not rows:
        return f"{label}: chưa có chỉ tiêu tỷ lệ phần trăm để vẽ biểu đồ."
    parts = [f"{r['name']}: {_value_text(r)}" for r in rows]
    return f"Biểu đồ {label.lower()}: " + "; ".join(parts) + "."


# --- the commune map ----------------------------------------------------------------------------------------------

def map_data(*, unit: AdministrativeUnit, user, indicator_code: str = "", by: str = "value",
             year: int | None = None, scope: selectors.ViewerScope | None = None) -> dict:
    """The communes of the province at their coordinates. Officers with a role see each commune coloured by the
    chosen indicator's value or status and can open it; the public sees the province's communes and the
    province's own figure only (commune figures need a role).

    Cached as the overview (OVERVIEW_CACHE_SECONDS), per choice and per viewer scope (the set of units the viewer
    may open): two officers with the same scope share it, and nobody sees a commune's link or figures outside
    their scope."""
    scope = selectors.viewer_scope(user) if scope is None else scope
    key = f"dashboard:map:v2:{unit.pk}:{indicator_code[:80]}:{by[:8]}:{year or 0}:{scope.key}"
    data = cache.get(key)
    if data is None:
        data = _map_data(unit=unit, indicator_code=indicator_code, by=by, year=year, detail=scope.detail,
                         visible=scope.visible)
        cache.set(key, data, selectors.OVERVIEW_CACHE_SECONDS)
    return data


MAP_STRUCTURE_SECONDS = 60


def _map_structure(*, unit, indicator_code: str, year: int | None) -> tuple[list, Indicator | None, object]:
    """Which indicators communes have values of, and the latest period of the chosen one. Depends on which values
    exist, not on their figures: kept under `indicators.values_version()` (a new value or period changes it; a
    figure recomputed in place does not), at most a minute (an indicator switched off)."""
    key = f"dashboard:map-structure:v1:{unit.pk}:{indicator_code[:80]}:{year or 0}:{indicators.values_version()}"
    found = cache.get(key)
    if found is None:
        choices = indicators.commune_indicator_choices(unit=unit)
        codes = [i.code for i in choices]
        if indicator_code not in codes:
            indicator_code = DEFAULT_MAP_INDICATOR if DEFAULT_MAP_INDICATOR in codes else (codes[0] if codes else "")
        indicator = next((i for i in choices if i.code == indicator_code), None)
        period = None if indicator is None else indicators.latest_commune_period(indicator=indicator, unit=unit,
                                                                                 year=year)
        found = (choices, indicator, period)
        cache.set(key, found, MAP_STRUCTURE_SECONDS)
    return found


def _map_data(*, unit, indicator_code, by, year, detail, visible) -> dict:
    communes = [c for c in unit_children(unit=unit) if c.latitude is not None and c.longitude is not None]
    choices, indicator, period = _map_structure(unit=unit, indicator_code=indicator_code, year=year) if detail \
        else ([], None, None)
    indicator_code = indicator.code if indicator is not None else ""
    by = by if by in ("value", "status") else "value"
    values = {}
    if indicator is not None:
        if period is not None:
            # Every commune's value (user None: the system); only those in the viewer's scope are shown below.
            rows = indicators.breakdown(indicator=indicator, unit=unit, period=period, by="commune", user=None)
            values = {r["key"]: r for r in rows}
    points = []
    query = f"?{urlencode({'year': year})}" if year else ""
    href = reverse("dashboard:unit", args=["00000"]).replace("00000", "{code}") + query  # reversed once
    for commune in communes:
        point = {"code": commune.code, "name": commune.name, "lon": round(commune.longitude, 5),
                 "lat": round(commune.latitude, 5), "value": None, "text": "", "status": "", "status_label": "",
                 "href": ""}
        row = values.get(commune.code)
        if detail and commune.pk in visible:
            point["href"] = href.format(code=quote(commune.code, safe=""))
            if row is not None:
                point.update(value=shown_value(row["value"]), text=_value_text(row), status=row.get("status") or "",
                             status_label=row.get("status_label") or "Chưa có mục tiêu")
        points.append(point)
    with_value = [p for p in points if p["value"] is not None]
    return {
        "detail": detail, "points": points, "by": by, "count": len(points), "with_value": len(with_value),
        "choices": [(i.code, i.name) for i in choices], "indicator": indicator_code,
        "indicator_name": indicator.name if indicator else "", "period_label": period.label if period else "",
        "unit": _suffix(indicator.unit_of_measure) if indicator else "",
        "indicator_href": selectors.indicator_url(indicator.code, unit=unit) if indicator else "",
        "status_labels": {s.value: s.label for s in Status},
        "summary": _map_summary(unit, points, indicator, period, detail),
    }


def _map_summary(unit, points, indicator, period, detail) -> str:
    if not detail:
        return (f"Bản đồ {len(points)} xã, phường, đặc khu của {unit.name} theo tọa độ; số liệu theo xã dành cho "
                "cán bộ đăng nhập.")
    if indicator is None or period is None:
        return f"Bản đồ {len(points)} xã, phường, đặc khu của {unit.name}; chưa có số liệu theo xã."
    shown = [p for p in points if p["value"] is not None]
    return (f"Bản đồ {len(points)} xã, phường, đặc khu của {unit.name}: {indicator.name}, {period.label}; "
            f"{len(shown)} xã có số liệu. Số liệu chi tiết trong bảng “Theo xã, phường” của trang chỉ tiêu.")


# --- alerts -------------------------------------------------------------------------------------------------------

def _queue_url(agency: Agency) -> str:
    return reverse("dossiers:queue") + "?" + urlencode({"queue": "overdue", "agency": agency.identifier_code})


def _hotspots(*, scope: selectors.ViewerScope) -> dict:
    """The overdue hot spots of the viewer's scope. The counts behind them are those of the indicators' alerts,
    kept per five minutes (indicator_alerts.overdue_counts): kept here for the same five minutes per scope, an
    indicator refresh does not rebuild them."""
    now = timezone.now()
    key = f"dashboard:hotspots:v1:{scope.key}:{now:%Y%m%d%H}{now.minute // 5}"
    hotspots = cache.get(key)
    if hotspots is None:
        agency_ids = None if scope.everything else set(
            Agency.objects.filter(unit_id__in=scope.visible).values_list("pk", flat=True))
        hotspots = indicator_alerts.overdue_hotspots(agency_ids=agency_ids, now=now)
        for group in hotspots.values():
            for entry in group:
                entry["href"] = _queue_url(entry["agency"])
                entry["growth_text"] = (f"+{entry['growth']}" if entry["growth"] > 0 else str(entry["growth"]))
        cache.set(key, hotspots, indicator_alerts.HOTSPOT_CACHE_SECONDS)
    return hotspots


def alerts(*, rows: list[dict], unit: AdministrativeUnit, user, scope: selectors.ViewerScope | None = None) -> dict:
    """Indicators behind their target (public); overdue hot spots and late reports (for a role)."""
    scope = selectors.viewer_scope(user) if scope is None else scope
    behind = []
    for row in rows:
        if row["is_history"] or row.get("status") != Status.BEHIND:
            continue
        behind.append({"name": row["name"], "level": LEVEL_WORDS.get(row.get("level") or "", ""),
                       "value": _value_text(row), "period": row["period_label"],
                       "target": _target_text({"comparator": row["target_comparator"], "value": row["target"]},
                                              row.get("unit_of_measure") or "") + f" năm {row['target_year']}",
                       "href": selectors.indicator_url(row["indicator"], unit=unit, level=row.get("level") or "")})
    result = {"behind": behind, "detail": False, "hotspots": None, "late_reports": []}
    if not scope.detail:
        return result
    everything = scope.everything
    hotspots = _hotspots(scope=scope)
    admin_units = scope.admin_units
    late = indicator_alerts.late_reports(unit_ids=None if everything else set(admin_units)) if admin_units else []
    for item in late:
        item["href"] = reverse("indicators:report_list") + "?" + urlencode({"period": item["period"].pk})
    result.update(detail=True, hotspots=hotspots, late_reports=late)
    return result
