from django.db import models


class Direction(models.TextChoices):
    OUTGOING = "outgoing", "Văn bản đi"
    INCOMING = "incoming", "Văn bản đến"


class DocumentType(models.TextChoices):
    """Types of administrative documents (NĐ 30/2020/NĐ-CP, Phụ lục III). The value is the notation abbreviation."""

    NGHI_QUYET = "NQ", "Nghị quyết"
    QUYET_DINH = "QĐ", "Quyết định"
    CHI_THI = "CT", "Chỉ thị"
    QUY_CHE = "QC", "Quy chế"
    THONG_BAO = "TB", "Thông báo"
    HUONG_DAN = "HD", "Hướng dẫn"
    CHUONG_TRINH = "CTr", "Chương trình"
    KE_HOACH = "KH", "Kế hoạch"
    PHUONG_AN = "PA", "Phương án"
    DE_AN = "ĐA", "Đề án"
    BAO_CAO = "BC", "Báo cáo"
    BIEN_BAN = "BB", "Biên bản"
    TO_TRINH = "TTr", "Tờ trình"
    GIAY_MOI = "GM", "Giấy mời"
    CONG_VAN = "CV", "Công văn"


# Code used in edXML DocumentType/Type [to check: QCVN 102:2016 lists its own numeric codes; we carry the
# abbreviation and the type name, and read the name back when the code is unknown].
TYPE_BY_NAME = {label: value for value, label in DocumentType.choices}


class SecurityLevel(models.TextChoices):
    """Độ mật (Luật Bảo vệ bí mật nhà nước 2018). Only ordinary documents may travel electronically here."""

    ORDINARY = "ordinary", "Thường"
    CONFIDENTIAL = "confidential", "Mật"
    SECRET = "secret", "Tối mật"
    TOP_SECRET = "top_secret", "Tuyệt mật"


class Urgency(models.TextChoices):
    NORMAL = "normal", "Thường"
    URGENT = "urgent", "Khẩn"
    VERY_URGENT = "very_urgent", "Thượng khẩn"
    FLASH = "flash", "Hỏa tốc"


URGENCY_EDXML = {Urgency.NORMAL: "0", Urgency.URGENT: "1", Urgency.VERY_URGENT: "2", Urgency.FLASH: "3"}


class Status(models.TextChoices):
    # outgoing
    DRAFT = "draft", "Dự thảo"
    IN_REVIEW = "in_review", "Chờ lãnh đạo duyệt"
    SIGNED = "signed", "Lãnh đạo đã ký"
    ISSUED = "issued", "Đã ban hành"
    SENT = "sent", "Đã gửi"
    # incoming
    REGISTERED = "registered", "Đã vào sổ"
    ASSIGNED = "assigned", "Đã phân công xử lý"
    DONE = "done", "Đã hoàn thành"


class Source(models.TextChoices):
    DRAFTED = "drafted", "Soạn thảo trên hệ thống"
    EXCHANGE = "exchange", "Nhận qua trục liên thông"
    IMPORT = "import", "Nhập gói edXML"
    SCAN = "scan", "Văn bản giấy (bản quét)"


class KeyOwner(models.TextChoices):
    PERSON = "person", "Cá nhân"
    AGENCY = "agency", "Cơ quan, tổ chức"


class DeliveryStatus(models.TextChoices):
    """Status messages back to the sender (QCVN 102:2016 status codes [to check])."""

    SENT = "sent", "Đã gửi"
    RECEIVED = "received", "Đã tiếp nhận"
    ASSIGNED = "assigned", "Đã phân công"
    DONE = "done", "Đã hoàn thành"
    REJECTED = "rejected", "Bị từ chối"


STATUS_CODES = {DeliveryStatus.RECEIVED: "03", DeliveryStatus.ASSIGNED: "04", DeliveryStatus.DONE: "06",
                DeliveryStatus.REJECTED: "02"}
STATUS_BY_CODE = {v: k for k, v in STATUS_CODES.items()}
DELIVERY_ORDER = [DeliveryStatus.SENT, DeliveryStatus.RECEIVED, DeliveryStatus.ASSIGNED, DeliveryStatus.DONE]


class NotationStyle(models.TextChoices):
    """State bodies write 176/QĐ-UBND (NĐ 30/2020); Party bodies write 02-NQ/TU (HD 36-HD/VPTW)."""

    STATE = "state", "Cơ quan nhà nước (176/QĐ-UBND)"
    PARTY = "party", "Cơ quan Đảng (02-NQ/TU)"


def status_label(value: str) -> str:
    try:
        return Status(value).label
    except ValueError:
        return value
