"""The platform's own open datasets, each read live through the owning domain's selectors.

None carries personal data: indicator values (the public, province-level figures the IOC shows anyone), the
II.06a dossier statistics (counts per agency and month), the procedure catalogue, the unit registry and the
agency registry with identifier codes (official contact details of agencies, never of persons).
"""

from datetime import date
from decimal import Decimal

from django.contrib.auth.models import AnonymousUser

from tinhso.core.exceptions import NotFound
from tinhso.core.periods import month_period
from tinhso.dossiers import statistics as dossier_statistics
from tinhso.indicators import rollups as indicator_rollups
from tinhso.indicators import selectors as indicator_selectors
from tinhso.org import selectors as org_selectors
from tinhso.org.choices import AgencyKind, UnitLevel, UnitType
from tinhso.procedures import selectors as procedure_selectors
from tinhso.procedures.choices import OnlineLevel, TimeUnit

from ..choices import ColumnType, Frequency, Theme
from ..registry import Column, Source, queryset_source, register, slice_rows

TEXT, INT, NUM, DATE = ColumnType.TEXT, ColumnType.INTEGER, ColumnType.NUMBER, ColumnType.DATE


def _label(choices, value):
    try:
        return choices(value).label
    except ValueError:
        return value or ""


# --- indicator values ------------------------------------------------------------------------------------------

def _public_values():
    """What an anonymous visitor of the IOC sees (indicators.selectors' rule): the province and its predecessor
    provinces. Below the province the indicators app asks for a role, so those values are not published."""
    try:
        return indicator_selectors.value_list(user=AnonymousUser(), include_history=True)
    except NotFound:  # no province configured yet
        return indicator_selectors.IndicatorValue.objects.none()


_VALUE_FIELDS = ("indicator__code", "indicator__name", "indicator__pillar", "indicator__unit_of_measure",
                 "unit__code", "unit__name", "level", "period_start", "period_end", "value", "numerator",
                 "denominator", "source", "version", "computed_at")


def _iso(value):
    """Dates and times as ISO text (raw rows: PostgreSQL gives date objects, SQLite ISO text already)."""
    return value if value is None or isinstance(value, str) else value.isoformat()


def _value_row(r: tuple) -> tuple:
    return (*r[:6], r[6] or "", _iso(r[7]), _iso(r[8]), r[9], r[10], r[11], r[12], r[13], _iso(r[14]))


# The biggest dataset (values × units × periods): rows read raw, they hold only text, numbers and dates.
_values = queryset_source(queryset=_public_values, fields=_VALUE_FIELDS, convert=_value_row, raw_rows=True,
                          order_by=("pk",))


def _values_temporal():
    qs = _public_values().order_by()
    first = qs.order_by("period_start").values_list("period_start", flat=True).first()
    last = qs.order_by("-period_end").values_list("period_end", flat=True).first()
    return first, last


register(Source(
    key="indicator-values", slug="gia-tri-chi-tieu-chuyen-doi-so",
    title="Giá trị các chỉ tiêu chuyển đổi số của tỉnh theo kỳ",
    description=("Giá trị hiện hành của các chỉ tiêu chuyển đổi số (chính quyền số, kinh tế số, xã hội số) của "
                 "tỉnh và các tỉnh cũ trước sắp xếp, theo từng kỳ (tháng, năm). Chỉ tiêu tính từ dữ liệu nghiệp vụ "
                 "được tính lại tự động khi hồ sơ thay đổi."),
    columns=(Column("indicator_code", "Mã chỉ tiêu"), Column("indicator_name", "Tên chỉ tiêu"),
             Column("pillar", "Trụ cột"), Column("unit_of_measure", "Đơn vị tính"),
             Column("unit_code", "Mã đơn vị hành chính"), Column("unit_name", "Đơn vị hành chính"),
             Column("level", "Cấp chính quyền"), Column("period_start", "Từ ngày", DATE),
             Column("period_end", "Đến ngày", DATE), Column("value", "Giá trị", NUM),
             Column("numerator", "Tử số", NUM), Column("denominator", "Mẫu số", NUM),
             Column("source", "Nguồn số liệu"), Column("version", "Phiên bản", INT),
             Column("computed_at", "Thời điểm tính")),
    fetch=_values.fetch, count=_values.count, temporal=_values_temporal, select_sql=_values.select_sql,
    themes=(Theme.GOVE, Theme.TECH), tags=("chuyển đổi số", "chỉ tiêu", "DTI"),
    frequency=Frequency.UPDATE_CONT,
    provenance=("Tính tự động từ dữ liệu hồ sơ thủ tục hành chính, văn bản, phản ánh trên nền tảng Tỉnh Số; "
                "số liệu đơn vị báo cáo (đã duyệt, kèm minh chứng) và số liệu đã công bố (có trích nguồn)."),
))


# --- II.06a statistics per agency and month ---------------------------------------------------------------------

_STAT_KEYS = dossier_statistics.COUNT_KEYS
_STAT_TITLES = {
    "received_total": "Tổng số hồ sơ tiếp nhận", "carried_over": "Từ kỳ trước chuyển sang",
    "new_online": "Mới tiếp nhận trực tuyến", "new_direct_postal": "Mới tiếp nhận trực tiếp, bưu chính",
    "resolved_total": "Tổng số đã giải quyết", "resolved_early": "Giải quyết trước hạn",
    "resolved_on_time": "Giải quyết đúng hạn", "resolved_late": "Giải quyết quá hạn",
    "pending_total": "Tổng số đang giải quyết", "pending_within": "Đang giải quyết trong hạn",
    "pending_overdue": "Đang giải quyết quá hạn", "withdrawn": "Rút hồ sơ", "stopped": "Dừng xử lý",
    "returned": "Đã trả kết quả",
}


def _months() -> list[tuple[int, int]]:
    span = indicator_rollups.day_range()
    if span is None:
        return []
    (first, last), today = span, date.today()
    last = max(last, today) if first <= today else last
    months, y, m = [], first.year, first.month
    while (y, m) <= (last.year, last.month):
        months.append((y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return months


def _rate(value: Decimal | None) -> float | None:
    return float(value) if value is not None else None


def _statistics_rows():
    for year, month in _months():
        report = dossier_statistics.dossier_statistics(actor=None, period=month_period(year, month),
                                                       group_by="agency")
        for row in report["rows"]:
            yield (f"{year}-{month:02d}", row["key"], row["name"], *(row[k] for k in _STAT_KEYS),
                   _rate(row["online_rate"]), _rate(row["on_time_rate"]))


def _statistics_temporal():
    span = indicator_rollups.day_range()
    if span is None:
        return None, None
    return span[0].replace(day=1), max(span[1], date.today())


register(Source(
    key="dossier-statistics-ii06a", slug="thong-ke-ho-so-tthc-bieu-ii06a",
    title="Thống kê hồ sơ thủ tục hành chính theo cơ quan và tháng (Biểu II.06a)",
    description=("Số hồ sơ thủ tục hành chính tiếp nhận, đã giải quyết (trước hạn, đúng hạn, quá hạn), đang giải "
                 "quyết, rút, dừng xử lý của từng cơ quan theo từng tháng, theo Biểu II.06a/VPCP/KSTT; tỷ lệ tiếp "
                 "nhận trực tuyến tính trên số hồ sơ mới tiếp nhận. Tháng hiện tại được tính đến thời điểm tải."),
    columns=(Column("month", "Tháng"), Column("agency_code", "Mã định danh cơ quan"),
             Column("agency_name", "Cơ quan"),
             *(Column(k, _STAT_TITLES[k], INT) for k in _STAT_KEYS),
             Column("online_rate", "Tỷ lệ tiếp nhận trực tuyến (%)", NUM),
             Column("on_time_rate", "Tỷ lệ giải quyết đúng hạn (%)", NUM)),
    fetch=lambda offset, limit: slice_rows(_statistics_rows(), offset, limit),
    count=lambda: sum(1 for _ in _statistics_rows()), temporal=_statistics_temporal,
    themes=(Theme.GOVE,), tags=("thủ tục hành chính", "một cửa", "II.06a", "thống kê"),
    frequency=Frequency.UPDATE_CONT,
    provenance=("Tổng hợp từ hồ sơ thủ tục hành chính trên hệ thống một cửa điện tử của tỉnh (tiếp nhận trực "
                "tuyến, trực tiếp, bưu chính), theo định nghĩa của Biểu II.06a/VPCP/KSTT."),
))


# --- procedure catalogue ----------------------------------------------------------------------------------------

_PROCEDURE_FIELDS = ("code", "name", "field__code", "field__name", "levels", "online_level", "processing_time",
                     "processing_time_unit", "fee_amount")


def _procedure_row(r: tuple) -> tuple:
    return (r[0], r[1], r[2], r[3], ", ".join(r[4] or []), _label(OnlineLevel, r[5]), r[6], _label(TimeUnit, r[7]),
            r[8])


_procedures = queryset_source(queryset=lambda: procedure_selectors.procedure_list(), fields=_PROCEDURE_FIELDS,
                              convert=_procedure_row)

register(Source(
    key="procedure-catalogue", slug="danh-muc-thu-tuc-hanh-chinh",
    title="Danh mục thủ tục hành chính của tỉnh",
    description=("Các thủ tục hành chính đang áp dụng: mã trên Cơ sở dữ liệu quốc gia, tên, lĩnh vực, cấp thực "
                 "hiện, mức độ dịch vụ công trực tuyến (toàn trình, một phần), thời hạn giải quyết và lệ phí."),
    columns=(Column("code", "Mã thủ tục"), Column("name", "Tên thủ tục"), Column("field_code", "Mã lĩnh vực"),
             Column("field_name", "Lĩnh vực"), Column("levels", "Cấp thực hiện"),
             Column("online_level", "Dịch vụ công trực tuyến"), Column("processing_time", "Thời hạn giải quyết", INT),
             Column("processing_time_unit", "Đơn vị thời hạn"), Column("fee_amount", "Phí, lệ phí (đồng)", INT)),
    fetch=_procedures.fetch, count=_procedures.count,
    themes=(Theme.GOVE, Theme.JUST), tags=("thủ tục hành chính", "dịch vụ công"), frequency=Frequency.IRREG,
    provenance="Danh mục thủ tục hành chính do tỉnh công bố, đồng bộ với Cơ sở dữ liệu quốc gia về thủ tục hành chính.",
))


# --- unit registry ----------------------------------------------------------------------------------------------

_UNIT_FIELDS = ("code", "official_code", "name", "short_name", "level", "unit_type", "parent__code", "valid_from",
                "valid_to", "merged_into__code", "latitude", "longitude", "area_km2", "village_count")


def _unit_row(r: tuple) -> tuple:
    return (r[0], r[1], r[2], r[3], _label(UnitLevel, r[4]), _label(UnitType, r[5]), r[6] or "", r[7], r[8],
            r[9] or "", r[10], r[11], r[12], r[13])


_units = queryset_source(queryset=lambda: org_selectors.unit_list(include_historical=True), fields=_UNIT_FIELDS,
                         convert=_unit_row)

register(Source(
    key="unit-registry", slug="danh-muc-don-vi-hanh-chinh",
    title="Danh mục đơn vị hành chính (hiện hành và trước sắp xếp)",
    description=("Đơn vị hành chính cấp tỉnh, cấp xã hiện hành (từ 01/7/2025) và các đơn vị trước sắp xếp (tỉnh, "
                 "huyện, xã cũ) với mã, cấp, đơn vị cấp trên, đơn vị kế thừa, tọa độ trung tâm và diện tích."),
    columns=(Column("code", "Mã"), Column("official_code", "Mã thống kê (GSO)"), Column("name", "Tên"),
             Column("short_name", "Tên ngắn"), Column("level", "Cấp"), Column("unit_type", "Loại đơn vị"),
             Column("parent_code", "Mã đơn vị cấp trên"), Column("valid_from", "Hiệu lực từ", DATE),
             Column("valid_to", "Hiệu lực đến", DATE), Column("merged_into_code", "Mã đơn vị kế thừa"),
             Column("latitude", "Vĩ độ", NUM), Column("longitude", "Kinh độ", NUM),
             Column("area_km2", "Diện tích (km²)", NUM), Column("village_count", "Số thôn, tổ dân phố", INT)),
    fetch=_units.fetch, count=_units.count,
    themes=(Theme.REGI, Theme.GOVE), tags=("đơn vị hành chính", "sắp xếp đơn vị hành chính"),
    frequency=Frequency.IRREG,
    provenance=("Danh mục của Tổng cục Thống kê (Công văn 1027/CTK-CSCL ngày 25/6/2025) và dữ liệu đơn vị trước "
                "sắp xếp của gói vietnamadminunits (MIT)."),
))


# --- agency registry --------------------------------------------------------------------------------------------

_AGENCY_FIELDS = ("identifier_code", "name", "short_name", "kind", "unit__code", "unit__name",
                  "parent__identifier_code", "address", "phone", "email", "is_active")


def _agency_row(r: tuple) -> tuple:
    return (r[0], r[1], r[2], _label(AgencyKind, r[3]), r[4], r[5], r[6] or "", r[7], r[8], r[9], r[10])


_agencies = queryset_source(queryset=lambda: org_selectors.agency_list(), fields=_AGENCY_FIELDS,
                            convert=_agency_row)

register(Source(
    key="agency-registry", slug="danh-muc-co-quan-ma-dinh-danh",
    title="Danh mục cơ quan, đơn vị và mã định danh điện tử",
    description=("Các cơ quan, đơn vị của tỉnh với mã định danh điện tử (QĐ 20/2020/QĐ-TTg), loại cơ quan, đơn "
                 "vị hành chính, cơ quan chủ quản và thông tin liên hệ công khai của cơ quan."),
    columns=(Column("identifier_code", "Mã định danh điện tử"), Column("name", "Tên cơ quan"),
             Column("short_name", "Tên viết tắt"), Column("kind", "Loại cơ quan"),
             Column("unit_code", "Mã đơn vị hành chính"), Column("unit_name", "Đơn vị hành chính"),
             Column("parent_code", "Mã định danh cơ quan chủ quản"), Column("address", "Địa chỉ"),
             Column("phone", "Điện thoại"), Column("email", "Thư điện tử"), Column("is_active", "Đang hoạt động")),
    fetch=_agencies.fetch, count=_agencies.count,
    themes=(Theme.GOVE,), tags=("mã định danh", "cơ quan nhà nước"), frequency=Frequency.IRREG,
    provenance="Danh mục mã định danh điện tử của các cơ quan, đơn vị (QĐ 20/2020/QĐ-TTg) do tỉnh quản lý.",
))
