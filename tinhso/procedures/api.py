import json

from django.http import HttpResponse
from ninja import File, Query, Router, Status
from ninja.files import UploadedFile

from tinhso.api.schemas import ERROR_RESPONSES, ImportErrorOut, Paging

from . import selectors, services
from .schemas import (
    FieldOut,
    ImportResultOut,
    ProcedureDetailOut,
    ProcedurePage,
    SynonymIn,
    SynonymOut,
    SynonymPatch,
)

router = Router()


class ProcedureFilterIn(Paging):
    search: str = Query("", max_length=200, description="Tên, mã thủ tục hoặc câu hỏi, có dấu hoặc không dấu; "
                                                         "kết quả xếp theo mức độ phù hợp")
    field: str = Query("", max_length=80, description="Mã lĩnh vực (xem /procedure-fields)")
    level: str = Query("", max_length=10, description="province | commune")
    online_level: str = Query("", max_length=12, description="toan_trinh | mot_phan | khong")
    agency: str = Query("", max_length=13, description="Mã định danh cơ quan thực hiện")


@router.get("/procedures", response={200: ProcedurePage, **ERROR_RESPONSES}, auth=None,
            summary="Danh sách thủ tục hành chính")
def list_procedures(request, filters: Query[ProcedureFilterIn]):
    page = selectors.procedure_page(search=filters.search, field=filters.field, level=filters.level,
                                    online_level=filters.online_level, agency=filters.agency, page=filters.page,
                                    page_size=filters.page_size)
    # The items are built by the search index in the shape of ProcedurePage (tests compare them with the
    # schema); re-validating 50 dicts field by field would cost more than the whole search.
    return HttpResponse(json.dumps(page.as_dict(), ensure_ascii=False, separators=(",", ":")),
                        content_type="application/json; charset=utf-8")


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


@router.get("/procedure-synonyms", response={200: list[SynonymOut], **ERROR_RESPONSES}, auth=None,
            summary="Từ đồng nghĩa của tìm kiếm thủ tục (cách người dân nói → từ ngữ của danh mục)")
def list_synonyms(request):
    return list(selectors.synonym_list())


@router.post("/procedure-synonyms", response={201: SynonymOut, **ERROR_RESPONSES},
             summary="Thêm từ đồng nghĩa (quản trị cấp tỉnh)")
def create_synonym(request, payload: SynonymIn):
    return Status(201, services.synonym_create(actor=request.user, phrase=payload.phrase,
                                               expansion=payload.expansion))


@router.patch("/procedure-synonyms/{synonym_id}", response={200: SynonymOut, **ERROR_RESPONSES},
              summary="Sửa từ đồng nghĩa (quản trị cấp tỉnh)")
def update_synonym(request, synonym_id: int, payload: SynonymPatch):
    data = {k: v for k, v in payload.dict().items() if v is not None}
    return services.synonym_update(actor=request.user, synonym_id=synonym_id, data=data)


@router.delete("/procedure-synonyms/{synonym_id}", response={204: None, **ERROR_RESPONSES},
               summary="Xóa từ đồng nghĩa (quản trị cấp tỉnh)")
def delete_synonym(request, synonym_id: int):
    services.synonym_delete(actor=request.user, synonym_id=synonym_id)
    return Status(204, None)
