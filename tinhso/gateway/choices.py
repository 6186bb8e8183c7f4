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
    DOSSIER_STATUS = "dossier.status", "Hồ sơ đổi trạng thái"
