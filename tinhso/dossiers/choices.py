from django.db import models


class Channel(models.TextChoices):
    ONLINE = "online", "Trực tuyến"
    DIRECT = "direct", "Trực tiếp"
    POSTAL = "postal", "Dịch vụ bưu chính"


class Status(models.TextChoices):
    SUBMITTED = "submitted", "Chờ tiếp nhận"            # online, not yet checked by the one-stop clerk
    # Form 02 at reception: sent back once for completion before being received; the clock has not started.
    COMPLETION_REQUESTED = "completion_requested", "Chờ hoàn thiện hồ sơ"
    RECEIVED = "received", "Đã tiếp nhận"
    REFUSED = "refused", "Từ chối tiếp nhận"             # form 03
    IN_PROGRESS = "in_progress", "Đang xử lý"
    # "Trình lãnh đạo": the processing officer submitted the result for the leader's approval; still pending.
    AWAITING_APPROVAL = "awaiting_approval", "Chờ phê duyệt"
    SUPPLEMENT_REQUESTED = "supplement_requested", "Chờ bổ sung"   # form 02, the clock pauses
    APPROVED = "approved", "Đã phê duyệt"
    REJECTED = "rejected", "Không giải quyết"
    RESULT_ISSUED = "result_issued", "Đã có kết quả"
    RETURNED = "returned", "Đã trả kết quả"
    WITHDRAWN = "withdrawn", "Đã rút hồ sơ"
    STOPPED = "stopped", "Dừng xử lý"                   # form 05


# Resolved (đã giải quyết) in the II.06a sense: a decision was taken.
RESOLVED_STATUSES = {Status.APPROVED, Status.REJECTED, Status.RESULT_ISSUED, Status.RETURNED}
# Still counting against the deadline.
PENDING_STATUSES = {Status.RECEIVED, Status.IN_PROGRESS, Status.AWAITING_APPROVAL, Status.SUPPLEMENT_REQUESTED}
CLOSED_STATUSES = RESOLVED_STATUSES | {Status.REFUSED, Status.WITHDRAWN, Status.STOPPED}


class Timeliness(models.TextChoices):
    EARLY = "early", "Trước hạn"
    ON_TIME = "on_time", "Đúng hạn"
    LATE = "late", "Quá hạn"


class AttachmentKind(models.TextChoices):
    APPLICATION = "application", "Thành phần hồ sơ"
    SUPPLEMENT = "supplement", "Hồ sơ bổ sung"
    DIGITISED = "digitised", "Bản số hóa tại bộ phận một cửa"
    RESULT = "result", "Kết quả giải quyết"


class Queue(models.TextChoices):
    """Officers' work queues (one definition for the pages and the API)."""

    NEW = "new", "Chờ tiếp nhận"                      # only dossiers the one-stop has not received yet
    PROCESSING = "processing", "Đang xử lý"
    AWAITING_APPROVAL = "awaiting_approval", "Chờ phê duyệt"
    DUE_SOON = "due_soon", "Sắp đến hạn (2 ngày làm việc)"
    OVERDUE = "overdue", "Quá hạn"
    WAITING = "waiting", "Chờ công dân bổ sung"
    TO_RETURN = "to_return", "Chờ trả kết quả"


def status_label(value: str) -> str:
    try:
        return Status(value).label
    except ValueError:
        return value or "—"
