"""One parser of the access-log filter, for the page, its export and the API."""

from datetime import date

from tinhso.core.exceptions import ValidationError

from . import catalogue
from .selectors import LogFilter

STATUS_CHOICES = [("", "Mọi kết quả"), ("ok", "Thành công (2xx)"), ("denied", "Bị từ chối (401, 403)"),
                  ("limited", "Vượt giới hạn (429)"), ("error", "Lỗi khác")]


def _date(params, name: str) -> date | None:
    raw = (params.get(name) or "").strip()[:10]
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise ValidationError.for_field(name, "Ngày không hợp lệ (YYYY-MM-DD).") from None


def log_filter_from(params) -> LogFilter:
    client = (params.get("client") or "").strip()
    if client and not client.isdigit():
        raise ValidationError.for_field("client", "Hệ thống không hợp lệ.")
    service = (params.get("service") or "").strip()
    if service and service not in catalogue.BY_KEY:
        raise ValidationError.for_field("service", "Không có dịch vụ này.")
    status = (params.get("status") or "").strip()
    if status and status not in dict(STATUS_CHOICES) and not (status.isdigit() and len(status) == 3):
        raise ValidationError.for_field("status", "Kết quả không hợp lệ.")
    f = LogFilter(client=int(client) if client else None, service=service, status=status,
                  date_from=_date(params, "from"), date_to=_date(params, "to"),
                  purpose=(params.get("purpose") or "")[:100])
    if f.date_from and f.date_to and f.date_from > f.date_to:
        raise ValidationError.for_field("to", "Ngày kết thúc phải sau ngày bắt đầu.")
    return f
