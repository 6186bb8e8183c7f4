from django.db import models


class Channel(models.TextChoices):
    EMAIL = "email", "Thư điện tử"
    SMS = "sms", "Tin nhắn SMS"
    IN_APP = "in_app", "Trên ứng dụng"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Đang chờ gửi"
    SENT = "sent", "Đã gửi"
    FAILED = "failed", "Gửi không thành công"
    SKIPPED = "skipped", "Không gửi (người nhận đã tắt kênh)"
