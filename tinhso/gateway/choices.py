from django.db import models


class ClientKind(models.TextChoices):
    INTERNAL = "internal", "Trong tỉnh"
    EXTERNAL = "external", "Ngoài tỉnh"


class Credential(models.TextChoices):
    OAUTH2 = "oauth2", "OAuth2 (client credentials)"
    TOKEN = "token", "Mã truy cập (Bearer tso_…)"
    NONE = "", "Không có"


class RequestStatus(models.TextChoices):
    PENDING = "pending", "Chờ duyệt"
    APPROVED = "approved", "Đã duyệt"
    REFUSED = "refused", "Từ chối"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Chờ gửi"
    DELIVERED = "delivered", "Đã gửi"
    FAILED = "failed", "Gửi lỗi (đã hết số lần thử)"


class SubscriptionState(models.TextChoices):
    ACTIVE = "active", "Đang hoạt động"
    SUSPENDED = "suspended", "Tạm dừng (điểm nhận lỗi kéo dài)"
    DISABLED = "disabled", "Đã tắt"


class EventType(models.TextChoices):
    """Webhook event names: dotted, stable (a receiver dispatches on them; never rename one)."""

    DOSSIER_STATUS = "dossier.status", "Hồ sơ đổi trạng thái"
    FEEDBACK_STATUS = "feedback.status", "Phản ánh, kiến nghị đổi trạng thái"
    FEEDBACK_ANSWERED = "feedback.answered", "Phản ánh, kiến nghị có trả lời chính thức"
    DOCUMENT_ISSUED = "document.issued", "Văn bản đi được cấp số, ban hành"
    DOCUMENT_SENT = "document.sent", "Văn bản đi được gửi tới nơi nhận"
    DOCUMENT_DELIVERY_STATUS = "document.delivery_status", "Nơi nhận báo trạng thái văn bản đã gửi"
    DOCUMENT_RETURNED = "document.returned", "Nơi nhận trả lại (từ chối) văn bản đã gửi"
    DOCUMENT_RECEIVED = "document.received", "Văn bản đến được vào sổ"
    DOCUMENT_ASSIGNED = "document.assigned", "Văn bản đến được phân công xử lý"
    DOCUMENT_COMPLETED = "document.completed", "Văn bản đến được xử lý xong"
