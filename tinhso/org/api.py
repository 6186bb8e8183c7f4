from typing import Literal

from django.http import HttpResponse
from ninja import File, Query, Router, Status
from ninja.files import UploadedFile

from tinhso.api.schemas import ERROR_RESPONSES, ImportErrorOut, Paging
from tinhso.core.exceptions import ValidationError
from tinhso.core.pagination import paginate

from . import selectors, services
from .schemas import (
    AgencyIn,
    AgencyOut,
    AgencyPage,
    AgencyPatch,
    ImportResultOut,
    TeamCoverageOut,
    UnitConvertOut,
    UnitDetailOut,
    UnitPage,
)

router = Router()

MAX_IMPORT_BYTES = 5 * 1024 * 1024


class UnitFilter(Paging):
    search: str = Query("", max_length=200)
    parent: str = Query("", max_length=20)
    level: Literal["", "province", "district", "commune"] = Query("", description="Cấp: province, district, commune")
    include_historical: bool = False


class AgencyFilter(Paging):
    search: str = Query("", max_length=200)
    unit: str = Query("", max_length=20, description="Mã đơn vị hành chính (gồm cả đơn vị cấp dưới)")
    kind: str = Query("", max_length=24)


@router.get("/units", response={200: UnitPage, **ERROR_RESPONSES}, auth=None,
            summary="Danh sách đơn vị hành chính")
def list_units(request, filters: Query[UnitFilter]):
    qs = selectors.unit_list(search=filters.search, parent=filters.parent, level=filters.level,
                             include_historical=filters.include_historical)
    return paginate(qs, page=filters.page, page_size=filters.page_size).as_dict()


@router.get("/units/convert", response={200: UnitConvertOut, **ERROR_RESPONSES}, auth=None,
            summary="Đơn vị trước 01/07/2025 (theo mã hoặc địa chỉ) nay thuộc đơn vị nào")
def convert_unit(request, code: str = Query("", max_length=20, description="Mã đơn vị cũ, ví dụ 15946 hoặc cu-15946"),
                 address: str = Query("", max_length=300, description="Địa chỉ cũ hoặc mới, ví dụ "
                                      "“Xã Hoằng Đạo, Huyện Hoằng Hóa, Tỉnh Thanh Hóa”")):
    return selectors.unit_convert(code=code, address=address)


@router.get("/units/{code}", response={200: UnitDetailOut, **ERROR_RESPONSES}, auth=None,
            summary="Chi tiết đơn vị hành chính")
def get_unit(request, code: str):
    unit = selectors.unit_get(code=code)
    unit.predecessor_list = list(selectors.unit_predecessors(unit=unit))
    return unit


@router.get("/units/{code}/digital-teams", response={200: TeamCoverageOut, **ERROR_RESPONSES}, auth=None,
            summary="Tổ công nghệ số cộng đồng: độ phủ thôn, tổ dân phố")
def unit_digital_teams(request, code: str):
    unit = selectors.unit_get(code=code)
    return {"unit": unit, **selectors.digital_team_coverage(unit=unit)}


@router.get("/agencies", response={200: AgencyPage, **ERROR_RESPONSES}, auth=None, summary="Danh sách cơ quan")
def list_agencies(request, filters: Query[AgencyFilter]):
    qs = selectors.agency_list(search=filters.search, unit=filters.unit, kind=filters.kind)
    return paginate(qs, page=filters.page, page_size=filters.page_size).as_dict()


@router.get("/agencies/export.csv", auth=None, summary="Xuất danh sách cơ quan (CSV)",
            response={200: str, **ERROR_RESPONSES}, openapi_extra={
                "responses": {200: {"content": {"text/csv": {"schema": {"type": "string"}}}}}})
def export_agencies(request, unit: str = Query("", max_length=20)):
    content = services.agencies_export_csv(agencies=selectors.agency_list(unit=unit))
    response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="co-quan.csv"'
    return response


@router.post("/agencies/import", response={200: ImportResultOut, 422: ImportErrorOut,
                                           **{k: v for k, v in ERROR_RESPONSES.items() if k != 422}},
             summary="Nhập danh sách cơ quan từ CSV (nhập tất cả hoặc không nhập gì)")
def import_agencies(request, file: File[UploadedFile]):
    if file.size > MAX_IMPORT_BYTES:
        raise ValidationError.for_field("file", "Tệp CSV vượt quá 5 MB.")
    return services.agencies_import_csv(actor=request.user, content=file.read())


@router.get("/agencies/{identifier_code}", response={200: AgencyOut, **ERROR_RESPONSES}, auth=None,
            summary="Chi tiết cơ quan theo mã định danh")
def get_agency(request, identifier_code: str):
    return selectors.agency_get(identifier_code=identifier_code)


@router.post("/agencies", response={201: AgencyOut, **ERROR_RESPONSES}, summary="Thêm cơ quan")
def create_agency(request, payload: AgencyIn):
    return Status(201, services.agency_create(actor=request.user, data=payload.dict()))


@router.patch("/agencies/{identifier_code}", response={200: AgencyOut, **ERROR_RESPONSES}, summary="Sửa cơ quan")
def update_agency(request, identifier_code: str, payload: AgencyPatch):
    agency = selectors.agency_get(identifier_code=identifier_code)
    data = {k: v for k, v in payload.dict().items() if v is not None}
    return services.agency_update(actor=request.user, agency=agency, data=data)


@router.delete("/agencies/{identifier_code}", response={204: None, **ERROR_RESPONSES}, summary="Xóa cơ quan")
def delete_agency(request, identifier_code: str):
    services.agency_delete(actor=request.user, agency=selectors.agency_get(identifier_code=identifier_code))
    return Status(204, None)
