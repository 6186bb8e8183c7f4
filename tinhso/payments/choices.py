from django.db import models


class BillStatus(models.TextChoices):
    UNPAID = "unpaid", "Chờ nộp phí, lệ phí"
    PAID = "paid", "Đã nộp"
    EXEMPT = "exempt", "Được miễn"                 # every line exempted: nothing to pay
    CANCELLED = "cancelled", "Đã hủy"              # unpaid, the dossier refused or withdrawn
    REFUNDED = "refunded", "Hoàn trả"               # paid, the dossier refused or withdrawn before processing


class Method(models.TextChoices):
    VNPAY = "vnpay", "Trực tuyến qua VNPAY"
    CASH = "cash", "Tiền mặt tại quầy"
    CARD = "card", "Thẻ ngân hàng tại quầy (POS)"


ONLINE_METHODS = frozenset({Method.VNPAY})
COUNTER_METHODS = frozenset({Method.CASH, Method.CARD})


class PaymentStatus(models.TextChoices):
    PENDING = "pending", "Chờ cổng thanh toán xác nhận"
    CONFIRMED = "confirmed", "Đã xác nhận"
    FAILED = "failed", "Không thành công"
    # The provider confirmed money that does not match the bill (amount, or a bill already paid): nothing is
    # counted until an officer reviews it.
    HELD = "held", "Chờ xem xét (không khớp hóa đơn)"
    REFUND_DUE = "refund_due", "Cần hoàn trả"


class Difference(models.TextChoices):
    MISSING = "missing", "Có trong sao kê, thiếu trên nền tảng"
    EXTRA = "extra", "Có trên nền tảng, không có trong sao kê"
    MISMATCHED = "mismatched", "Lệch thông tin"
