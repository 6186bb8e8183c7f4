"""Reads of the procedure catalogue. The catalogue is public (it is published on the public-service portal),
so reads are not scoped to the acting user."""

from dataclasses import dataclass
from dataclasses import field as dc_field

from django.db.models import Count, Prefetch, Q, QuerySet

from tinhso.core.exceptions import NotFound
from tinhso.core.pagination import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, Page
from tinhso.core.text import query_words
from tinhso.org.models import Agency

from . import search as search_engine
from .choices import OnlineLevel
from .filters import ProcedureFilter
from .models import Procedure, ProcedureField, SearchSynonym

_AGENCY_REFS = Prefetch("agencies", queryset=Agency.objects.only("id", "identifier_code", "name")
                        .order_by("identifier_code"))


# What a list row shows; the detail loads the rest (papers, agencies, legal basis, steps, the form).
LIST_COLUMNS = ("code", "name", "levels", "online_level", "processing_time", "processing_time_unit", "fee_amount",
                "field__code", "field__name")


def procedure_list(*, search: str = "", field: str = "", level: str = "", online_level: str = "",
                   agency: str = "") -> QuerySet:
    qs = Procedure.objects.filter(is_active=True).select_related("field").only(*LIST_COLUMNS)
    return ProcedureFilter(search=search.strip(), field=field.strip(), level=level.strip(),
                           online_level=online_level.strip(), agency=agency.strip()).apply(qs)


@dataclass
class CataloguePage(Page):
    """A page of the catalogue; a search without result carries suggestions instead of an empty page."""

    suggested_fields: list[dict] = dc_field(default_factory=list)
    close_matches: list[dict] = dc_field(default_factory=list)
    intents: list[str] = dc_field(default_factory=list)

    def as_dict(self, items: list | None = None) -> dict:
        return {**super().as_dict(items), "suggestions": {"fields": self.suggested_fields,
                                                          "procedures": self.close_matches},
                "intents": self.intents}


def procedure_page(*, search: str = "", field: str = "", level: str = "", online_level: str = "", agency: str = "",
                   page: int = 1, page_size: int = DEFAULT_PAGE_SIZE) -> CataloguePage:
    """One page of the active catalogue as list items: ranked by relevance when searching, else by field and name.

    Served from the search index (one signature query when nothing changed); only an agency filter asks the
    database which procedures that agency implements.
    """
    filters = ProcedureFilter(search=search.strip(), field=field.strip(), level=level.strip(),
                              online_level=online_level.strip(), agency=agency.strip().upper())
    page_size = max(1, min(int(page_size or DEFAULT_PAGE_SIZE), MAX_PAGE_SIZE))
    page = max(1, int(page or 1))
    if filters.impossible:
        return CataloguePage(items=[], total=0, page=page, page_size=page_size)
    filters.validate()
    index = search_engine.catalogue_index()
    allowed = None
    if filters.agency:
        allowed = set(Procedure.objects.filter(agencies__identifier_code=filters.agency).values_list("id", flat=True))
    keep = lambda row: filters.matches(row) and (allowed is None or row.id in allowed)  # noqa: E731
    suggested, close, intents = [], [], []
    if query_words(filters.search):
        result = search_engine.search(filters.search, index=index)
        rows = [hit.row for hit in result.hits if keep(hit.row)]
        intents = result.query.intents
        if not rows:
            close = [hit.row.item for hit in result.close if keep(hit.row)]
            suggested = [{"code": code, "name": name} for code, name in result.fields]
    else:
        rows = [index.rows[i] for i in index.order if keep(index.rows[i])]
    start = (page - 1) * page_size
    return CataloguePage(items=[row.item for row in rows[start:start + page_size]], total=len(rows), page=page,
                         page_size=page_size, suggested_fields=suggested, close_matches=close, intents=intents)


def procedure_get(*, code: str) -> Procedure:
    procedure = (Procedure.objects.select_related("field")
                 .prefetch_related(_AGENCY_REFS, "papers", "form_fields")
                 .filter(code=(code or "").strip().replace("\x00", "")).first())
    if procedure is None:
        raise NotFound(f"Không có thủ tục hành chính mã “{code}”.")
    return procedure


def field_list() -> QuerySet:
    """Fields with how many active procedures each has."""
    return ProcedureField.objects.annotate(
        procedures_count=Count("procedures", filter=Q(procedures__is_active=True))).order_by("name")


def procedure_mode_of_submission(procedure: Procedure) -> list[str]:
    """Cách thức thực hiện, as the portal states it, following the online level (NĐ 42/2022/NĐ-CP)."""
    modes = ["Trực tiếp tại Bộ phận tiếp nhận và trả kết quả (Bộ phận Một cửa)", "Qua dịch vụ bưu chính công ích"]
    if procedure.online_level == OnlineLevel.FULL:
        modes.insert(0, "Trực tuyến toàn trình trên Cổng Dịch vụ công: nộp hồ sơ, theo dõi và nhận kết quả trực tuyến")
    elif procedure.online_level == OnlineLevel.PARTIAL:
        modes.insert(0, "Trực tuyến một phần: nộp hồ sơ trực tuyến, nhận kết quả trực tiếp hoặc qua bưu chính")
    return modes


def procedure_steps(procedure: Procedure) -> tuple[list[str], bool]:
    """(steps, is_generic): the procedure's own steps, or the general one-stop sequence (TT 01/2018/TT-VPCP)."""
    if procedure.steps:
        return list(procedure.steps), False
    online = procedure.online_level != OnlineLevel.NONE
    submit = ("Tổ chức, cá nhân chuẩn bị hồ sơ theo quy định và nộp "
              + ("trực tuyến trên Cổng Dịch vụ công, " if online else "")
              + "trực tiếp hoặc qua dịch vụ bưu chính công ích tại Bộ phận Một cửa.")
    returned = ("Trả kết quả tại Bộ phận Một cửa, qua dịch vụ bưu chính công ích"
                + (" hoặc trực tuyến." if procedure.online_level == OnlineLevel.FULL else "."))
    return [
        submit,
        "Bộ phận Một cửa kiểm tra hồ sơ: hồ sơ chưa đầy đủ, hợp lệ thì hướng dẫn bổ sung một lần; hồ sơ đầy đủ "
        "thì tiếp nhận, cấp Giấy tiếp nhận hồ sơ và hẹn trả kết quả.",
        "Cơ quan có thẩm quyền thẩm định, giải quyết hồ sơ trong thời hạn quy định; quá hạn thì gửi phiếu xin "
        "lỗi và hẹn lại ngày trả kết quả.",
        returned,
    ], True


def synonym_list() -> QuerySet:
    return SearchSynonym.objects.order_by("phrase_key")
