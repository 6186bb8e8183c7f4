from django.db import models


class Status(models.TextChoices):
    RECEIVED = "received", "Đã tiếp nhận"
    VERIFIED = "verified", "Đã xác minh"
    REJECTED = "rejected", "Không xử lý"
    ASSIGNED = "assigned", "Đã giao xử lý"
    IN_PROGRESS = "in_progress", "Đang xử lý"
    ANSWERED = "answered", "Đã trả lời"
    CLOSED = "closed", "Đã đóng"


# Open311 knows two states; the detailed Vietnamese state goes in status_notes.
OPEN_STATUSES = frozenset({Status.RECEIVED, Status.VERIFIED, Status.ASSIGNED, Status.IN_PROGRESS})
# Reports whose SLA clock runs (answered and closed ones stopped it; rejected ones never count).
CLOCK_RUNNING = OPEN_STATUSES


class RejectReason(models.TextChoices):
    SPAM = "spam", "Tin rác, nội dung không phù hợp"
    DUPLICATE = "duplicate", "Trùng với phản ánh đã có"
    OUT_OF_SCOPE = "out_of_scope", "Không thuộc phạm vi xử lý"


class Channel(models.TextChoices):
    WEB = "web", "Cổng thông tin"
    OPEN311 = "open311", "Ứng dụng kết nối (Open311)"
    HOTLINE = "hotline", "Đường dây nóng"


class SlaUnit(models.TextChoices):
    HOURS = "hours", "giờ làm việc"
    WORKING_DAYS = "working_days", "ngày làm việc"


class AttributeType(models.TextChoices):
    """Open311 GeoReport v2 attribute datatypes."""

    STRING = "string", "Chuỗi ngắn"
    NUMBER = "number", "Số"
    DATETIME = "datetime", "Ngày giờ"
    TEXT = "text", "Văn bản"
    SINGLEVALUELIST = "singlevaluelist", "Chọn một"
    MULTIVALUELIST = "multivaluelist", "Chọn nhiều"
