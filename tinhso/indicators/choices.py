from django.db import models


class Pillar(models.TextChoices):
    DIGITAL_GOVERNMENT = "chinh_quyen_so", "Chính quyền số"
    DIGITAL_ECONOMY = "kinh_te_so", "Kinh tế số"
    DIGITAL_SOCIETY = "xa_hoi_so", "Xã hội số"
    FOUNDATIONS = "nen_tang", "Nền tảng"


class Direction(models.TextChoices):
    HIGHER = "higher", "Càng cao càng tốt"
    LOWER = "lower", "Càng thấp càng tốt"


class Aggregation(models.TextChoices):
    # Sum numerators and denominators up the hierarchy, then divide: percentages are never averaged.
    RATIO_SUM = "ratio_sum", "Cộng tử số và mẫu số"
    SUM = "sum", "Cộng dồn"
    NONE = "none", "Không tổng hợp"


class Periodicity(models.TextChoices):
    MONTH = "month", "Tháng"
    QUARTER = "quarter", "Quý"
    HALF = "half", "6 tháng"
    YEAR = "year", "Năm"


class SourceKind(models.TextChoices):
    COMPUTED = "computed", "Tính từ dữ liệu nghiệp vụ"
    REPORTED = "reported", "Đơn vị báo cáo"
    PUBLISHED = "published", "Số liệu đã công bố"


class GovLevel(models.TextChoices):
    PROVINCE = "province", "Cấp tỉnh"
    DISTRICT = "district", "Cấp huyện"
    COMMUNE = "commune", "Cấp xã"


class Comparator(models.TextChoices):
    GTE = ">=", "≥"
    GT = ">", ">"
    LTE = "<=", "≤"
    LT = "<", "<"
    EQ = "=", "="


class Status(models.TextChoices):
    ACHIEVED = "achieved", "Đạt"
    ON_TRACK = "on_track", "Đúng lộ trình"
    CLOSE = "close", "Gần đạt"
    BEHIND = "behind", "Chưa đạt"


class PeriodStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Chưa mở"
    OPEN = "open", "Đang mở"
    CLOSED = "closed", "Đã đóng"


class ReportStatus(models.TextChoices):
    DRAFT = "draft", "Đang soạn"
    SUBMITTED = "submitted", "Đã gửi, chờ duyệt"
    RETURNED = "returned", "Bị trả lại"
    APPROVED = "approved", "Đã duyệt (khóa)"


EDITABLE_REPORT_STATUSES = {ReportStatus.DRAFT, ReportStatus.RETURNED}


class FrameworkKind(models.TextChoices):
    TARGET_SET = "target_set", "Bộ mục tiêu"
    INDEX = "index", "Bộ chỉ số xếp hạng"


class ScoringMethod(models.TextChoices):
    # points × value / 100 (a percentage, capped to 0..100)
    PERCENT = "percent", "Theo tỷ lệ phần trăm"
    # points × min(1, value / target) (or target / value when lower is better)
    ATTAINMENT = "attainment", "Theo mức độ đạt mục tiêu"
    # points × (rating − 1) / 4 for an average 1–5 rating
    RATING = "rating", "Theo điểm đánh giá 1–5"
    # the sum of the child components
    GROUP = "group", "Nhóm thành phần"
