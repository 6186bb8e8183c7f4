"""What citizens and officers are told about reports, through the notifications app (kinds registered in
FeedbackConfig.ready). Messages are created in the service's transaction and sent after it commits."""

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from tinhso.notifications import kinds
from tinhso.notifications.choices import Channel
from tinhso.notifications.kinds import Kind, Wording
from tinhso.notifications.services import Recipient, notify

from .models import Report

REPORT = {
    "ma_phan_anh": "Mã phản ánh",
    "loai": "Loại phản ánh",
    "xa": "Xã, phường nơi phản ánh",
    "co_quan": "Cơ quan xử lý",
    "han_xu_ly": "Hạn xử lý (dd/mm/yyyy hh:mm)",
    "duong_dan": "Đường dẫn tới phản ánh",
}
CITIZEN_UPDATE = Kind(
    key="feedback.update", label="Phản ánh có cập nhật (gửi người phản ánh)",
    placeholders={**REPORT, "trang_thai": "Trạng thái mới", "noi_dung": "Nội dung cập nhật"},
    wording={
        Channel.IN_APP: Wording(subject="Phản ánh {ma_phan_anh}: {trang_thai}", body="{noi_dung}"),
        Channel.EMAIL: Wording(subject="Phản ánh {ma_phan_anh}: {trang_thai}",
                               body="Phản ánh {ma_phan_anh} ({loai}, {xa}) có cập nhật.\n\n{noi_dung}\n\n"
                                    "Xem chi tiết: {duong_dan}"),
        Channel.SMS: Wording(body="Phan anh {ma_phan_anh}: {trang_thai}. Chi tiet: {duong_dan}"),
    })
OFFICER_WORDING = {
    Channel.IN_APP: Wording(subject="{tieu_de}: {ma_phan_anh}",
                            body="{tieu_de}: phản ánh {ma_phan_anh} ({loai}, {xa}) của {co_quan}, hạn {han_xu_ly}."),
    Channel.EMAIL: Wording(subject="Tỉnh Số — {tieu_de}: {ma_phan_anh}",
                           body="{tieu_de}: phản ánh {ma_phan_anh} ({loai}, {xa}) của {co_quan}, hạn {han_xu_ly}.\n"
                                "\nMở phản ánh: {duong_dan}"),
}
OFFICER_PLACEHOLDERS = {**REPORT, "tieu_de": "Tiêu đề cảnh báo"}
DUE_SOON = Kind(key="feedback.due_soon", label="Phản ánh sắp đến hạn (gửi lãnh đạo cơ quan)",
                placeholders=OFFICER_PLACEHOLDERS, wording=OFFICER_WORDING)
OVERDUE = Kind(key="feedback.overdue", label="Phản ánh quá hạn (gửi cơ quan cấp trên)",
               placeholders=OFFICER_PLACEHOLDERS, wording=OFFICER_WORDING)
EMERGENCY = Kind(key="feedback.emergency", label="Phản ánh khẩn cấp (gửi cán bộ trực)",
                 placeholders=OFFICER_PLACEHOLDERS,
                 wording={**OFFICER_WORDING,
                          Channel.SMS: Wording(body="KHAN CAP: phan anh {ma_phan_anh} tai {xa}. {duong_dan}")})
ASSIGNED = Kind(key="feedback.assigned", label="Phản ánh mới được giao (gửi cán bộ)",
                placeholders=OFFICER_PLACEHOLDERS, wording=OFFICER_WORDING)


def register_kinds() -> None:
    for kind in (CITIZEN_UPDATE, DUE_SOON, OVERDUE, EMERGENCY, ASSIGNED):
        kinds.register(kind)


def _when(value) -> str:
    return timezone.localtime(value).strftime("%d/%m/%Y %H:%M") if value else "chưa xác định"


def public_url(path: str) -> str:
    return settings.TINHSO_PUBLIC_URL.rstrip("/") + path


def _context(report: Report) -> dict:
    return {"ma_phan_anh": report.code, "loai": report.service.name, "xa": report.commune.name,
            "co_quan": report.agency.name, "han_xu_ly": _when(report.due_at),
            "duong_dan": public_url(reverse("feedback:detail", args=[report.code]))}


def tell_citizen(report: Report, *, note: str) -> list:
    recipient = Recipient(user=report.citizen, email=report.contact_email, phone=report.contact_phone)
    context = _context(report) | {"trang_thai": report.get_status_display(), "noi_dung": note}
    return notify(kind=CITIZEN_UPDATE.key, context=context, recipient=recipient, obj=report,
                  link=reverse("feedback:detail", args=[report.code]))


def tell_officers(report: Report, *, kind: str, users, title: str) -> int:
    link = reverse("feedback:officer_detail", args=[report.code])
    context = _context(report) | {"tieu_de": title,
                                  "duong_dan": public_url(link)}
    sent = 0
    for user in users:
        notify(kind=kind, context=context, recipient=Recipient(user=user), obj=report, link=link)
        sent += 1
    return sent
