"""What the applicant (and the officers) are told when a dossier moves, through the notifications app.

The kinds below are registered with `tinhso.notifications.kinds` at start-up (DossiersConfig.ready). Each
recorded `DossierEvent` of a kind that concerns the applicant produces a message on every channel the applicant
can be reached on: the in-app inbox for a logged-in applicant, and e-mail / SMS to the contact given in the
dossier. The messages are created in the same transaction as the event and sent after it commits.
"""

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from tinhso.accounts.choices import Role
from tinhso.accounts.models import User
from tinhso.notifications import kinds
from tinhso.notifications.choices import Channel
from tinhso.notifications.kinds import Kind, Wording
from tinhso.notifications.services import Recipient, notify

from .models import Dossier, DossierEvent

COMMON = {
    "ma_ho_so": "Mã hồ sơ",
    "ten_thu_tuc": "Tên thủ tục hành chính",
    "nguoi_nop": "Họ tên người nộp",
    "co_quan": "Cơ quan tiếp nhận",
    "han_giai_quyet": "Ngày hẹn trả kết quả (dd/mm/yyyy hh:mm)",
    "ghi_chu": "Nội dung cán bộ ghi (lý do, nội dung cần bổ sung…)",
    "duong_dan": "Đường dẫn tra cứu hồ sơ",
}


def _kind(key: str, label: str, subject: str, body: str, sms: str, extra: dict | None = None) -> Kind:
    return Kind(key=key, label=label, placeholders={**COMMON, **(extra or {})}, wording={
        Channel.IN_APP: Wording(subject=subject, body=body),
        Channel.EMAIL: Wording(subject=subject, body="Kính gửi {nguoi_nop},\n\n" + body
                               + "\n\nTra cứu hồ sơ: {duong_dan}\n\n{co_quan}"),
        Channel.SMS: Wording(body=sms),
    })


KINDS = [
    _kind("dossier.submitted", "Đã nhận hồ sơ nộp trực tuyến",
          "Hồ sơ {ma_ho_so} đã được gửi",
          "Hồ sơ {ma_ho_so} ({ten_thu_tuc}) đã được gửi tới {co_quan} và đang chờ cán bộ một cửa kiểm tra, "
          "tiếp nhận. Thời hạn giải quyết chỉ bắt đầu tính từ khi hồ sơ được tiếp nhận.",
          "Ho so {ma_ho_so} da duoc gui, dang cho tiep nhan. Tra cuu: {duong_dan}"),
    _kind("dossier.received", "Hồ sơ được tiếp nhận (kèm ngày hẹn)",
          "Hồ sơ {ma_ho_so} đã được tiếp nhận",
          "{co_quan} đã tiếp nhận hồ sơ {ma_ho_so} ({ten_thu_tuc}). Ngày hẹn trả kết quả: {han_giai_quyet}.",
          "Ho so {ma_ho_so} da duoc tiep nhan. Hen tra ket qua: {han_giai_quyet}. Tra cuu: {duong_dan}"),
    _kind("dossier.supplement_requested", "Yêu cầu bổ sung, hoàn thiện hồ sơ",
          "Hồ sơ {ma_ho_so} cần bổ sung",
          "Hồ sơ {ma_ho_so} ({ten_thu_tuc}) cần bổ sung, hoàn thiện. Nội dung cần bổ sung: {ghi_chu}\n"
          "Thời hạn giải quyết tạm dừng cho đến khi bạn nộp bổ sung{han_bo_sung_cau}.",
          "Ho so {ma_ho_so} can bo sung: {ghi_chu}. Chi tiet: {duong_dan}",
          {"han_bo_sung": "Hạn nộp bổ sung (nếu có)",
           "han_bo_sung_cau": "Câu “; hạn nộp bổ sung …” khi có hạn, để trống khi không có"}),
    _kind("dossier.refused", "Từ chối tiếp nhận hồ sơ",
          "Hồ sơ {ma_ho_so} không được tiếp nhận",
          "{co_quan} từ chối tiếp nhận hồ sơ {ma_ho_so} ({ten_thu_tuc}). Lý do: {ghi_chu}",
          "Ho so {ma_ho_so} bi tu choi tiep nhan. Ly do: {ghi_chu}"),
    _kind("dossier.rejected", "Hồ sơ không được giải quyết",
          "Hồ sơ {ma_ho_so} không được giải quyết",
          "Hồ sơ {ma_ho_so} ({ten_thu_tuc}) không được giải quyết. Lý do: {ghi_chu}\n"
          "Văn bản trả lời sẽ được trả tại {co_quan}.",
          "Ho so {ma_ho_so} khong duoc giai quyet. Ly do: {ghi_chu}"),
    _kind("dossier.result_ready", "Đã có kết quả",
          "Hồ sơ {ma_ho_so} đã có kết quả",
          "Hồ sơ {ma_ho_so} ({ten_thu_tuc}) đã có kết quả. Mời bạn nhận kết quả tại {co_quan} "
          "hoặc theo hình thức đã đăng ký.",
          "Ho so {ma_ho_so} da co ket qua. Moi nhan tai bo phan mot cua. Tra cuu: {duong_dan}"),
    _kind("dossier.returned", "Đã trả kết quả",
          "Đã trả kết quả hồ sơ {ma_ho_so}",
          "Kết quả hồ sơ {ma_ho_so} ({ten_thu_tuc}) đã được trả. Cảm ơn bạn; hãy đánh giá mức độ hài lòng "
          "tại trang tra cứu hồ sơ.",
          "Da tra ket qua ho so {ma_ho_so}. Danh gia muc do hai long: {duong_dan}"),
    _kind("dossier.stopped", "Dừng giải quyết hồ sơ",
          "Hồ sơ {ma_ho_so} bị dừng giải quyết",
          "Việc giải quyết hồ sơ {ma_ho_so} ({ten_thu_tuc}) đã dừng. Lý do: {ghi_chu}",
          "Ho so {ma_ho_so} bi dung giai quyet. Ly do: {ghi_chu}"),
    _kind("dossier.apology", "Xin lỗi vì quá hạn, hẹn lại ngày trả",
          "Xin lỗi: hồ sơ {ma_ho_so} chậm so với hẹn",
          "{co_quan} xin lỗi vì hồ sơ {ma_ho_so} ({ten_thu_tuc}) chưa giải quyết đúng hẹn. Lý do: {ghi_chu}\n"
          "Ngày hẹn trả kết quả mới: {ngay_hen_moi}.",
          "Xin loi: ho so {ma_ho_so} cham hen. Ngay hen moi: {ngay_hen_moi}",
          {"ngay_hen_moi": "Ngày hẹn mới trong phiếu xin lỗi (mẫu 04)"}),
    _kind("dossier.withdrawn", "Đã rút hồ sơ",
          "Hồ sơ {ma_ho_so} đã được rút",
          "Hồ sơ {ma_ho_so} ({ten_thu_tuc}) đã được rút theo đề nghị của bạn.",
          "Ho so {ma_ho_so} da duoc rut theo de nghi cua ban."),
]

DIGEST = Kind(
    key="dossier.officer_digest", label="Tin tổng hợp hằng ngày cho cán bộ",
    placeholders={"ho_ten": "Họ tên cán bộ", "so_sap_den_han": "Số hồ sơ sắp đến hạn",
                  "so_qua_han": "Số hồ sơ quá hạn", "danh_sach": "Danh sách hồ sơ (mỗi dòng một hồ sơ)",
                  "duong_dan": "Đường dẫn tới hàng đợi xử lý"},
    wording={
        Channel.IN_APP: Wording(subject="Hôm nay: {so_qua_han} hồ sơ quá hạn, {so_sap_den_han} sắp đến hạn",
                                body="{danh_sach}"),
        Channel.EMAIL: Wording(subject="Tỉnh Số: {so_qua_han} hồ sơ quá hạn, {so_sap_den_han} sắp đến hạn",
                               body="Kính gửi {ho_ten},\n\nHồ sơ cần chú ý hôm nay:\n{danh_sach}\n\n"
                                    "Mở hàng đợi xử lý: {duong_dan}"),
    })

OFFICER_FIELDS = {"ho_ten": "Họ tên cán bộ nhận", "ma_ho_so": "Mã hồ sơ", "ten_thu_tuc": "Tên thủ tục hành chính",
                  "nguoi_nop": "Họ tên người nộp", "co_quan": "Cơ quan giải quyết",
                  "han_giai_quyet": "Hạn giải quyết (dd/mm/yyyy hh:mm)", "ghi_chu": "Nội dung chuyển, ý kiến",
                  "nguoi_chuyen": "Người chuyển", "duong_dan": "Đường dẫn tới hồ sơ"}


def _officer_kind(key: str, label: str, subject: str, body: str) -> Kind:
    return Kind(key=key, label=label, placeholders=OFFICER_FIELDS, wording={
        Channel.IN_APP: Wording(subject=subject, body=body),
        Channel.EMAIL: Wording(subject=subject, body="Kính gửi {ho_ten},\n\n" + body + "\n\nMở hồ sơ: {duong_dan}"),
    })


OFFICER_KINDS = [
    _officer_kind("dossier.assigned", "Hồ sơ được chuyển đến cán bộ xử lý",
                  "Hồ sơ {ma_ho_so} được chuyển đến bạn xử lý",
                  "{nguoi_chuyen} (bộ phận một cửa) đã chuyển hồ sơ {ma_ho_so} ({ten_thu_tuc}) của {nguoi_nop} "
                  "đến {co_quan}. Hạn giải quyết: {han_giai_quyet}. Ghi chú: {ghi_chu}"),
    _officer_kind("dossier.awaiting_approval", "Hồ sơ trình lãnh đạo phê duyệt",
                  "Hồ sơ {ma_ho_so} chờ bạn phê duyệt",
                  "{nguoi_chuyen} đã trình hồ sơ {ma_ho_so} ({ten_thu_tuc}) của {nguoi_nop} để phê duyệt. "
                  "Hạn giải quyết: {han_giai_quyet}. Ý kiến đề xuất: {ghi_chu}"),
]
# Event action -> kind of the message to the officers who must act next (and the roles who get it).
OFFICER_ACTION_KINDS = {"assign": "dossier.assigned", "submit_for_approval": "dossier.awaiting_approval"}

# Event action -> kind of the applicant's message.
ACTION_KINDS = {
    "submit": "dossier.submitted",
    "receive": "dossier.received",
    "counter_receive": "dossier.received",
    "postal_receive": "dossier.received",
    "request_supplement": "dossier.supplement_requested",
    "refuse": "dossier.refused",
    "reject": "dossier.rejected",
    "issue_result": "dossier.result_ready",
    "return_result": "dossier.returned",
    "stop": "dossier.stopped",
    "apologise": "dossier.apology",
    "withdraw": "dossier.withdrawn",
}


def register_kinds() -> None:
    for kind in [*KINDS, *OFFICER_KINDS, DIGEST]:
        kinds.register(kind)


def _when(value) -> str:
    return timezone.localtime(value).strftime("%d/%m/%Y %H:%M") if value else "chưa xác định"


def public_url(path: str) -> str:
    return settings.TINHSO_PUBLIC_URL.rstrip("/") + path


def context_for(dossier: Dossier, event: DossierEvent) -> dict:
    supplement_by = (event.data or {}).get("supplement_due_at") or ""
    return {
        "ma_ho_so": dossier.code,
        "ten_thu_tuc": dossier.procedure.name,
        "nguoi_nop": dossier.applicant_name or "ông/bà",
        "co_quan": dossier.receiving_agency.name,
        "han_giai_quyet": _when(dossier.due_at),
        "ghi_chu": event.note or "(không ghi)",
        "duong_dan": public_url(reverse("dossiers:track") + f"?code={dossier.code}"),
        "han_bo_sung": supplement_by,
        "han_bo_sung_cau": f"; hạn nộp bổ sung: {supplement_by}" if supplement_by else "",
        "ngay_hen_moi": _when(dossier.apology_due_at),
    }


def officers_to_tell(event: DossierEvent, dossier: Dossier) -> list:
    """Who acts next: the officer the clerk named, else the agency's processing officers; for an approval, the
    leaders of the handling agency."""
    if event.action == "assign" and dossier.assignee_id:
        return [dossier.assignee]
    role = Role.AGENCY_LEADER if event.action == "submit_for_approval" else Role.PROCESSING_OFFICER
    return list(User.objects.filter(is_active=True, roles__role=role, roles__agency_id=dossier.handling_agency_id)
                .distinct().order_by("pk"))


def _tell_officers(event: DossierEvent, kind: str) -> list:
    dossier = Dossier.objects.select_related("procedure", "handling_agency", "assignee").get(pk=event.dossier_id)
    link = reverse("dossiers:detail", args=[dossier.code])
    sent = []
    for officer in officers_to_tell(event, dossier):
        sent += notify(kind=kind, recipient=Recipient(user=officer, email=officer.email), link=link, obj=dossier,
                       context={"ho_ten": officer.display_name, "ma_ho_so": dossier.code,
                                "ten_thu_tuc": dossier.procedure.name, "nguoi_nop": dossier.applicant_name,
                                "co_quan": dossier.handling_agency.name if dossier.handling_agency else "",
                                "han_giai_quyet": _when(dossier.due_at), "ghi_chu": event.note or "(không ghi)",
                                "nguoi_chuyen": event.actor_label, "duong_dan": public_url(link)})
    return sent


def dossier_event_recorded(event: DossierEvent) -> list:
    """Tell the applicant what this event means for them (no message for internal steps), and the officers who
    must act next when the one-stop hands them a dossier or an officer submits one for approval."""
    if event.action in OFFICER_ACTION_KINDS:
        return _tell_officers(event, OFFICER_ACTION_KINDS[event.action])
    kind = ACTION_KINDS.get(event.action)
    if kind is None:
        return []
    dossier = Dossier.objects.select_related("procedure", "receiving_agency", "applicant_user").get(
        pk=event.dossier_id)
    recipient = Recipient(user=dossier.applicant_user, email=dossier.applicant_email, phone=dossier.applicant_phone)
    link = reverse("dossiers:detail", args=[dossier.code]) if dossier.applicant_user_id else ""
    return notify(kind=kind, context=context_for(dossier, event), recipient=recipient, link=link, obj=dossier)


def on_event_saved(sender, instance: DossierEvent, created: bool, raw: bool = False, **kwargs) -> None:
    if created and not raw:
        dossier_event_recorded(instance)


def officer_digest_send(*, now=None) -> int:
    """Send each processing officer and leader the day's due-soon and overdue dossiers of their agencies.

    Returns the number of officers written to; officers with nothing due get nothing.
    """
    from tinhso.accounts import scoping
    from tinhso.accounts.choices import Role
    from tinhso.accounts.models import RoleAssignment

    from .choices import Queue
    from .filters import queue_q

    now = now or timezone.now()
    roles = {Role.PROCESSING_OFFICER, Role.AGENCY_LEADER}
    user_ids = RoleAssignment.objects.filter(role__in=roles, user__is_active=True).values_list("user_id", flat=True)
    sent = 0
    from django.contrib.auth import get_user_model

    for user in get_user_model().objects.filter(pk__in=set(user_ids)).order_by("pk"):
        agencies = scoping.agency_ids_with_role(user, roles)
        if not agencies:
            continue
        mine = Dossier.objects.filter(handling_agency_id__in=agencies).select_related("procedure")
        overdue = list(mine.filter(queue_q(Queue.OVERDUE, now=now)).order_by("due_at")[:50])
        due_soon = list(mine.filter(queue_q(Queue.DUE_SOON, now=now)).order_by("due_at")[:50])
        if not overdue and not due_soon:
            continue
        lines = [f"- Quá hạn: {d.code} · {d.procedure.name} · hạn {_when(d.due_at)}" for d in overdue]
        lines += [f"- Sắp đến hạn: {d.code} · {d.procedure.name} · hạn {_when(d.due_at)}" for d in due_soon]
        notify(kind=DIGEST.key, recipient=Recipient(user=user), link=reverse("dossiers:queue"), context={
            "ho_ten": user.display_name, "so_qua_han": len(overdue), "so_sap_den_han": len(due_soon),
            "danh_sach": "\n".join(lines), "duong_dan": public_url(reverse("dossiers:queue"))})
        sent += 1
    return sent
