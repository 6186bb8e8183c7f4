"""Reads of the procedure catalogue. The catalogue is public (it is published on the public-service portal),
so reads are not scoped to the acting user."""

from django.db.models import Count, Prefetch, Q, QuerySet

from tinhso.core.exceptions import NotFound
from tinhso.org.models import Agency

from .choices import OnlineLevel
from .filters import ProcedureFilter
from .models import Procedure, ProcedureField

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
