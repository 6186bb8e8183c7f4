"""The II.06a statistics API (`GET /api/v1/statistics/dossiers`), thin over `dossiers.statistics`."""

from datetime import date
from typing import Literal

from ninja import Query, Router, Schema

from tinhso.api.schemas import ERROR_RESPONSES

from .statistics import dossier_statistics, resolve_period

router = Router()


class StatisticsQuery(Schema):
    agency: str = Query("", max_length=13, description="Mã định danh của cơ quan")
    unit: str = Query("", max_length=20, description="Mã đơn vị hành chính (gồm cả các đơn vị cấp dưới)")
    period: str = Query("", max_length=10, description="Kỳ báo cáo: 2021, 2021-H1, 2021-Q2, 2021-05 "
                                                       "(thay cho date_from, date_to)")
    date_from: date | None = Query(None, description="Từ ngày (YYYY-MM-DD)")
    date_to: date | None = Query(None, description="Đến ngày (YYYY-MM-DD)")
    group_by: Literal["agency", "unit", "procedure", "field", "none"] = Query(
        "agency", description="Chia theo cơ quan, đơn vị hành chính, thủ tục hoặc lĩnh vực")


class Figures(Schema):
    received_total: int
    carried_over: int
    new_online: int
    new_direct_postal: int
    resolved_total: int
    resolved_early: int
    resolved_on_time: int
    resolved_late: int
    pending_total: int
    pending_within: int
    pending_overdue: int
    withdrawn: int
    stopped: int
    returned: int
    online_rate: float | None
    on_time_rate: float | None


class StatisticsRowOut(Figures):
    key: str
    name: str
    field: str = ""


class PeriodOut(Schema):
    date_from: date
    date_to: date
    label: str


class ScopeOut(Schema):
    kind: str
    code: str
    name: str


class StatisticsOut(Figures):
    period: PeriodOut
    scope: ScopeOut
    reporting_unit: str
    reports_to: str
    group_by: str
    rows: list[StatisticsRowOut]


@router.get("/dossiers", response={200: StatisticsOut, **ERROR_RESPONSES},
            summary="Thống kê hồ sơ thủ tục hành chính (Biểu II.06a)")
def dossier_statistics_api(request, filters: Query[StatisticsQuery]):
    period = resolve_period(period=filters.period, date_from=filters.date_from, date_to=filters.date_to)
    return dossier_statistics(actor=request.user, period=period, agency=filters.agency, unit=filters.unit,
                              group_by=filters.group_by)
