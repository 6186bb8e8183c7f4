"""The indicators API (/api/v1/indicators/…): thin — parse, call a selector or service, return a schema.

Reads of province-level figures are public (the province publishes its progress); they still accept a session
or a token, so that staff see below the province with the same routes.
"""

from ninja import File, Form, Path, Query, Router, Schema, Status
from ninja.files import UploadedFile

from tinhso.accounts.auth import session_or_token
from tinhso.api.schemas import ERROR_RESPONSES, Paging
from tinhso.core.exceptions import NotFound, ValidationError
from tinhso.core.files import attachment_response
from tinhso.core.pagination import paginate
from tinhso.core.periods import parse_period

from . import agency_rankings, frameworks, selectors, services
from .choices import PeriodStatus
from .models import ReportForm
from .schemas import (
    AgencyRankingOut,
    BreakdownRowOut,
    CompletenessOut,
    CorrectionIn,
    EvidenceOut,
    FrameworkDetailOut,
    FrameworkOut,
    IndicatorOut,
    PeriodStatusIn,
    RankingIn,
    RankingOut,
    ReportDetailOut,
    ReportIn,
    ReportPage,
    ReportPeriodIn,
    ReportPeriodOut,
    ReportValuesIn,
    ReviewIn,
    StatusOut,
    TargetOut,
    ValueOut,
    ValuePage,
    ValueRowOut,
)

router = Router()
MAX_ID = 2**62


def _anonymous(request):
    """Last in the list: lets a request without credentials through as anonymous (public reads)."""
    return True


PUBLIC_READ = [*session_or_token, _anonymous]


def _anon_or_user(request):
    """Selectors treat None as the system; an anonymous visitor is passed as the AnonymousUser."""
    return getattr(request, "user", None)


def _unit(code: str):
    return selectors.unit_by_code(code) if code else selectors.default_unit()


class IndicatorFilter(Schema):
    pillar: str = Query("", max_length=16, description="chinh_quyen_so | kinh_te_so | xa_hoi_so | nen_tang")
    source: str = Query("", max_length=10, description="computed | reported | published")


class ValueFilter(Paging):
    unit: str = Query("", max_length=20, description="Mã đơn vị (mặc định: tỉnh của hệ thống)")
    agency: str = Query("", max_length=13, description="Mã định danh cơ quan")
    indicator: str = Query("", max_length=80)
    pillar: str = Query("", max_length=16)
    level: str = Query("", max_length=10, description="province | district | commune")
    period: str = Query("", max_length=30, description="2024, 2024-H1, 2024-Q2, 2024-05")
    source: str = Query("", max_length=10)
    include_history: bool = Query(False, description="Kèm giá trị của các đơn vị cũ đã hợp nhất vào đơn vị này")
    all_versions: bool = False


class OverviewFilter(Schema):
    unit: str = Query("", max_length=20)
    year: int | None = Query(None, ge=2000, le=2100)
    pillar: str = Query("", max_length=16)


# --- definitions, values, statuses -----------------------------------------------------------------------------

@router.get("/definitions", response={200: list[IndicatorOut], **ERROR_RESPONSES}, auth=None,
            summary="Danh sách chỉ tiêu")
def list_indicators(request, filters: Query[IndicatorFilter]):
    return list(selectors.indicator_list(pillar=filters.pillar, source=filters.source))


@router.get("/definitions/{code}", response={200: IndicatorOut, **ERROR_RESPONSES}, auth=None,
            summary="Chi tiết chỉ tiêu")
def get_indicator(request, code: str):
    return selectors.indicator_get(code=code)


@router.get("/definitions/{code}/history", response={200: list[ValueRowOut], **ERROR_RESPONSES}, auth=PUBLIC_READ,
            summary="Diễn biến giá trị của chỉ tiêu (kể cả đơn vị cũ đã hợp nhất)")
def indicator_history(request, code: str, unit: str = Query("", max_length=20),
                      level: str = Query("", max_length=10), kind: str = Query("", max_length=8)):
    return selectors.value_history(indicator=selectors.indicator_get(code=code), unit=_unit(unit),
                                   user=_anon_or_user(request), level=level or None, kind=kind)


@router.get("/definitions/{code}/breakdown", response={200: list[BreakdownRowOut], **ERROR_RESPONSES},
            summary="Chỉ tiêu theo xã hoặc theo cơ quan trong một kỳ")
def indicator_breakdown(request, code: str, period: str = Query(..., min_length=4, max_length=30),
                        unit: str = Query("", max_length=20),
                        by: str = Query("commune", max_length=8, description="commune | agency")):
    return selectors.breakdown(indicator=selectors.indicator_get(code=code), unit=_unit(unit),
                               period=parse_period(period), by=by, user=request.user)


@router.get("/values", response={200: ValuePage, **ERROR_RESPONSES}, auth=PUBLIC_READ,
            summary="Giá trị chỉ tiêu (lọc theo đơn vị, cơ quan, kỳ, trụ cột, cấp)")
def list_values(request, filters: Query[ValueFilter]):
    qs = selectors.value_list(user=_anon_or_user(request), unit=filters.unit, agency=filters.agency,
                              indicator=filters.indicator, pillar=filters.pillar, level=filters.level,
                              period=parse_period(filters.period) if filters.period else None,
                              source=filters.source, include_history=filters.include_history,
                              all_versions=filters.all_versions)
    page = paginate(qs, page=filters.page, page_size=filters.page_size)
    return page.as_dict()


@router.get("/values/{value_id}/versions", response={200: list[ValueOut], **ERROR_RESPONSES}, auth=PUBLIC_READ,
            summary="Các phiên bản của một giá trị (lịch sử đính chính)")
def value_versions(request, value_id: int = Path(..., ge=1, le=MAX_ID)):
    value = selectors.value_get(value_id=value_id, user=_anon_or_user(request))
    return list(selectors.value_versions(value=value))


@router.post("/values/{value_id}/corrections", response={201: ValueOut, **ERROR_RESPONSES},
             summary="Đính chính giá trị báo cáo hoặc công bố (tạo phiên bản mới)")
def correct_value(request, payload: CorrectionIn, value_id: int = Path(..., ge=1, le=MAX_ID)):
    value = selectors.value_get(value_id=value_id, user=request.user)
    return Status(201, services.value_correct(actor=request.user, value=value, new_value=payload.value,
                                              reason=payload.reason, numerator=payload.numerator,
                                              denominator=payload.denominator))


@router.get("/overview", response={200: list[ValueRowOut], **ERROR_RESPONSES}, auth=PUBLIC_READ,
            summary="Giá trị mới nhất của từng chỉ tiêu và trạng thái so với mục tiêu 2025, 2030")
def overview(request, filters: Query[OverviewFilter]):
    return selectors.latest_values(unit=_unit(filters.unit), year=filters.year, user=_anon_or_user(request),
                                   pillar=filters.pillar)


@router.get("/statuses", response={200: list[StatusOut], **ERROR_RESPONSES}, auth=PUBLIC_READ,
            summary="Trạng thái các chỉ tiêu của đơn vị trong năm so với mục tiêu gần nhất")
def statuses(request, year: int = Query(..., ge=2000, le=2100), unit: str = Query("", max_length=20)):
    return selectors.status_list(unit=_unit(unit), year=year, user=_anon_or_user(request))


@router.get("/targets", response={200: list[TargetOut], **ERROR_RESPONSES}, auth=None, summary="Mục tiêu")
def list_targets(request, indicator: str = Query("", max_length=80), unit: str = Query("", max_length=20),
                 year: int | None = Query(None, ge=2000, le=2100)):
    return list(selectors.target_list(indicator=indicator, unit=unit, year=year))


# --- frameworks and rankings -----------------------------------------------------------------------------------

@router.get("/frameworks", response={200: list[FrameworkOut], **ERROR_RESPONSES}, auth=None,
            summary="Các bộ chỉ số, bộ mục tiêu")
def list_frameworks(request):
    return list(selectors.framework_list())


@router.get("/frameworks/{code}", response={200: FrameworkDetailOut, **ERROR_RESPONSES}, auth=None,
            summary="Cấu trúc bộ chỉ số: nhóm, thành phần, điểm")
def get_framework(request, code: str):
    framework = selectors.framework_get(code=code)
    fields = ("code", "name", "kind", "legal_basis", "level", "max_points", "description")
    return {**{f: getattr(framework, f) for f in fields}, "components": selectors.framework_tree(framework=framework)}


@router.get("/frameworks/{code}/rankings", response={200: RankingOut, **ERROR_RESPONSES}, auth=PUBLIC_READ,
            summary="Bảng xếp hạng của một kỳ")
def get_ranking(request, code: str, period: str = Query(..., min_length=4, max_length=30)):
    return selectors.ranking(framework=selectors.framework_get(code=code), period=parse_period(period),
                             user=_anon_or_user(request))


@router.get("/frameworks/{code}/agency-rankings", response={200: AgencyRankingOut, **ERROR_RESPONSES},
            summary="Xếp hạng cơ quan (sở, ban, ngành; UBND cấp xã) theo bộ chỉ số, điểm ước tính")
def get_agency_ranking(request, code: str, period: str = Query("", max_length=30),
                       group: str = Query(agency_rankings.DEFAULT_GROUP, max_length=20)):
    framework = selectors.framework_get(code=code)
    if period:
        chosen = parse_period(period)
    else:
        periods = agency_rankings.agency_ranking_periods(framework=framework)
        if not periods:
            raise NotFound(f"Chưa có số liệu theo cơ quan của bộ chỉ số “{framework.code}”.")
        chosen = periods[0]
    return agency_rankings.agency_ranking(framework=framework, period=chosen, user=request.user, group=group)


@router.post("/frameworks/{code}/rankings", response={200: RankingOut, **ERROR_RESPONSES},
             summary="Chấm điểm và xếp hạng lại cho một kỳ")
def compute_ranking(request, code: str, payload: RankingIn):
    framework = selectors.framework_get(code=code)
    services.require_province_admin(request.user)
    period = parse_period(payload.period)
    frameworks.framework_rank(actor=request.user, framework=framework, period=period)
    return selectors.ranking(framework=framework, period=period, user=request.user)


# --- report periods --------------------------------------------------------------------------------------------

@router.get("/report-periods", response={200: list[ReportPeriodOut], **ERROR_RESPONSES}, summary="Kỳ báo cáo")
def list_report_periods(request, status: str = Query("", max_length=10)):
    return list(selectors.report_period_list(user=request.user, status=status))


@router.post("/report-periods", response={201: ReportPeriodOut, **ERROR_RESPONSES}, summary="Tạo kỳ báo cáo")
def create_report_period(request, payload: ReportPeriodIn):
    form = ReportForm.objects.filter(code=payload.form).first()
    if form is None:
        raise ValidationError.for_field("form", f"Không có biểu báo cáo “{payload.form}”.")
    return Status(201, services.report_period_create(
        actor=request.user, form=form, period=parse_period(payload.period), opens_on=payload.opens_on,
        deadline=payload.deadline, open_now=payload.open_now))


@router.post("/report-periods/{period_id}/status", response={200: ReportPeriodOut, **ERROR_RESPONSES},
             summary="Mở hoặc đóng kỳ báo cáo")
def set_report_period_status(request, payload: PeriodStatusIn, period_id: int = Path(..., ge=1, le=MAX_ID)):
    period = selectors.report_period_get(user=request.user, period_id=period_id)
    if payload.status not in (PeriodStatus.OPEN, PeriodStatus.CLOSED):
        raise ValidationError.for_field("status", "Dùng open hoặc closed.")
    return services.report_period_set_status(actor=request.user, period=period, status=payload.status)


@router.get("/report-periods/{period_id}/completeness", response={200: CompletenessOut, **ERROR_RESPONSES},
            summary="Tình hình nộp báo cáo của các đơn vị")
def report_completeness(request, period_id: int = Path(..., ge=1, le=MAX_ID)):
    return selectors.completeness(period=selectors.report_period_get(user=request.user, period_id=period_id))


# --- unit reports ----------------------------------------------------------------------------------------------

def _report_detail(report):
    report.items = selectors.report_detail(report=report)["items"]
    return report


class ReportFilter(Paging):
    period_id: int | None = Query(None, ge=1, le=2**62)
    status: str = Query("", max_length=10)
    unit: str = Query("", max_length=20)


@router.get("/reports", response={200: ReportPage, **ERROR_RESPONSES}, summary="Báo cáo của các đơn vị")
def list_reports(request, filters: Query[ReportFilter]):
    qs = selectors.report_list(user=request.user, period_id=filters.period_id, status=filters.status,
                               unit=filters.unit)
    page = paginate(qs, page=filters.page, page_size=filters.page_size)
    return page.as_dict()


@router.post("/reports", response={201: ReportDetailOut, **ERROR_RESPONSES}, summary="Lập báo cáo của đơn vị")
def create_report(request, payload: ReportIn):
    period = selectors.report_period_get(user=request.user, period_id=payload.period_id)
    report = services.report_create(actor=request.user, period=period, unit=selectors.unit_by_code(payload.unit))
    return Status(201, _report_detail(report))


@router.get("/reports/{report_id}", response={200: ReportDetailOut, **ERROR_RESPONSES}, summary="Chi tiết báo cáo")
def get_report(request, report_id: int = Path(..., ge=1, le=MAX_ID)):
    return _report_detail(selectors.report_get(user=request.user, report_id=report_id))


@router.put("/reports/{report_id}/values", response={200: ReportDetailOut, **ERROR_RESPONSES},
            summary="Nhập số liệu báo cáo (bản nháp hoặc bị trả lại)")
def save_report_values(request, payload: ReportValuesIn, report_id: int = Path(..., ge=1, le=MAX_ID)):
    report = selectors.report_get(user=request.user, report_id=report_id)
    report = services.report_save_values(actor=request.user, report=report,
                                         values=[v.dict() for v in payload.values], note=payload.note)
    return _report_detail(selectors.report_get(user=request.user, report_id=report.pk))


@router.post("/reports/{report_id}/submit", response={200: ReportDetailOut, **ERROR_RESPONSES},
             summary="Gửi báo cáo để duyệt")
def submit_report(request, report_id: int = Path(..., ge=1, le=MAX_ID)):
    report = services.report_submit(actor=request.user,
                                    report=selectors.report_get(user=request.user, report_id=report_id))
    return _report_detail(report)


@router.post("/reports/{report_id}/return", response={200: ReportDetailOut, **ERROR_RESPONSES},
             summary="Trả lại báo cáo kèm ý kiến")
def return_report(request, payload: ReviewIn, report_id: int = Path(..., ge=1, le=MAX_ID)):
    report = services.report_return(actor=request.user, comment=payload.comment,
                                    report=selectors.report_get(user=request.user, report_id=report_id))
    return _report_detail(report)


@router.post("/reports/{report_id}/approve", response={200: ReportDetailOut, **ERROR_RESPONSES},
             summary="Duyệt báo cáo (khóa báo cáo, ghi nhận số liệu)")
def approve_report(request, payload: ReviewIn, report_id: int = Path(..., ge=1, le=MAX_ID)):
    report = services.report_approve(actor=request.user, comment=payload.comment,
                                     report=selectors.report_get(user=request.user, report_id=report_id))
    return _report_detail(report)


@router.post("/reports/{report_id}/evidence", response={201: EvidenceOut, **ERROR_RESPONSES},
             summary="Đính kèm minh chứng (PDF, JPEG, PNG, XLSX, DOCX)")
def upload_evidence(request, file: File[UploadedFile], report_id: int = Path(..., ge=1, le=MAX_ID),
                    name: Form[str] = ""):
    report = selectors.report_get(user=request.user, report_id=report_id)
    content = file.read(services.MAX_EVIDENCE_BYTES + 1)
    return Status(201, services.report_add_evidence(actor=request.user, report=report,
                                                    name=(name or file.name or "")[:200], content=content))


@router.get("/reports/{report_id}/evidence/{evidence_id}", response={200: str, **ERROR_RESPONSES},
            summary="Tải tệp minh chứng", openapi_extra={"responses": {200: {"content": {
                "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}}}})
def download_evidence(request, report_id: int = Path(..., ge=1, le=MAX_ID), evidence_id: int = Path(..., ge=1, le=MAX_ID)):
    report = selectors.report_get(user=request.user, report_id=report_id)
    evidence = selectors.evidence_get(user=request.user, report=report, evidence_id=evidence_id)
    return attachment_response(evidence.file.open("rb"), original_name=evidence.original_name,
                               content_type=evidence.content_type)
