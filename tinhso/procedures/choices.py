from django.db import models


class OnlineLevel(models.TextChoices):
    # NĐ 42/2022/NĐ-CP: "toàn trình" = everything online, result online or by public post; "một phần" = other.
    FULL = "toan_trinh", "Toàn trình"
    PARTIAL = "mot_phan", "Một phần"
    NONE = "khong", "Không trực tuyến"


class ImplementingLevel(models.TextChoices):
    PROVINCE = "province", "Cấp tỉnh"
    COMMUNE = "commune", "Cấp xã"


class TimeUnit(models.TextChoices):
    WORKING_DAYS = "working_days", "ngày làm việc"
    CALENDAR_DAYS = "calendar_days", "ngày"
    SAME_DAY = "same_day", "trong ngày"   # NĐ 23/2015/NĐ-CP Điều 7: after 15:00, the next working day
    HOURS = "hours", "giờ làm việc"


class FormFieldType(models.TextChoices):
    TEXT = "text", "Văn bản"
    TEXTAREA = "textarea", "Đoạn văn"
    DATE = "date", "Ngày"
    NUMBER = "number", "Số"
    SELECT = "select", "Lựa chọn"
