from django.http import HttpResponse
from ninja import File, Query, Router
from ninja.files import UploadedFile

from tinhso.api.schemas import ERROR_RESPONSES, ImportErrorOut, Paging
from tinhso.core.pagination import paginate

from . import selectors, services
from .schemas import FieldOut, ImportResultOut, ProcedureDetailOut, ProcedurePage

router = Router()


class ProcedureFilterIn(Paging):
    search: str = Query("", max_length=200, description="Tên hoặc mã thủ tục, có dấu hoặc không dấu")
    field: str = Query("", max_length=80, description="Mã lĩnh vực (xem /procedure-fields)")
    level: str = Query("", max_length=10, description="province | commune")
    online_level: str = Query("", max_length=12, description="toan_trinh | mot_phan | khong")
    agency: str = Query("", max_length=13, description="Mã định danh cơ quan thực hiện")


@router.get("/procedures", response={200: ProcedurePage, **ERROR_RESPONSES}, auth=None,
            summary="Danh sách thủ tục hành chính")
def list_procedures(request, filters: Query[ProcedureFilterIn]):
    qs = selectors.procedure_list(search=filters.search, field=filters.field, level=filters.level,
                                  online_level=filters.online_level, agency=filters.agency)
    return paginate(qs, page=filters.page, page_size=filters.page_size).as_dict()


# Declared before /procedures/{code} so "import" and "export" are not taken for procedure codes.
@router.post("/procedures/import", response={200: ImportResultOut, 422: ImportErrorOut,
                                             **{k: v for k, v in ERROR_RESPONSES.items() if k != 422}},
             summary="Nhập danh mục thủ tục từ tệp .json hoặc .csv (nhập tất cả hoặc không nhập gì)")
def import_procedures(request, file: File[UploadedFile]):
    return services.procedures_import_file(actor=request.user, content=file.read(services.MAX_IMPORT_BYTES + 1),
                                           filename=file.name or "")


@router.get("/procedures/export", auth=None, summary="Xuất danh mục thủ tục hành chính (JSON hoặc CSV)",
            response={200: str, **ERROR_RESPONSES}, openapi_extra={"responses": {200: {"content": {
                "application/json": {"schema": {"type": "array", "items": {"type": "object"}}},
                "text/csv": {"schema": {"type": "string"}}}}}})
def export_procedures(request, format: str = Query("json", pattern="^(json|csv)$", description="json | csv")):
    if format == "csv":
        response = HttpResponse(services.procedures_export_csv(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="thu-tuc-hanh-chinh.csv"'
    else:
        response = HttpResponse(services.procedures_export_json(), content_type="application/json; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="thu-tuc-hanh-chinh.json"'
    return response


@router.get("/procedures/{code}", response={200: ProcedureDetailOut, **ERROR_RESPONSES}, auth=None,
            summary="Chi tiết thủ tục hành chính")
def get_procedure(request, code: str):
    return selectors.procedure_get(code=code)


@router.get("/procedure-fields", response={200: list[FieldOut], **ERROR_RESPONSES}, auth=None,
            summary="Lĩnh vực thủ tục hành chính")
def list_fields(request):
    return list(selectors.field_list())
