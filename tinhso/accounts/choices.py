from django.db import models


class Role(models.TextChoices):
    CITIZEN = "citizen", "Công dân, doanh nghiệp"
    RECEIVING_OFFICER = "receiving_officer", "Cán bộ tiếp nhận (một cửa)"
    PROCESSING_OFFICER = "processing_officer", "Cán bộ xử lý"
    AGENCY_LEADER = "agency_leader", "Lãnh đạo cơ quan"
    UNIT_ADMIN = "unit_admin", "Quản trị đơn vị"
    PROVINCE_ADMIN = "province_admin", "Quản trị cấp tỉnh"
    SYSTEM_CLIENT = "system_client", "Hệ thống kết nối"


# Roles held on an agency (their scope is that agency, and its sub-agencies when include_subordinates).
AGENCY_ROLES = {Role.RECEIVING_OFFICER, Role.PROCESSING_OFFICER, Role.AGENCY_LEADER, Role.SYSTEM_CLIENT}
# Roles held on an administrative unit (their scope is the unit and every unit below it).
UNIT_ROLES = {Role.UNIT_ADMIN, Role.PROVINCE_ADMIN}
OFFICER_ROLES = {Role.RECEIVING_OFFICER, Role.PROCESSING_OFFICER, Role.AGENCY_LEADER}


class CitizenIdVerification(models.TextChoices):
    EID = "eid", "Đăng nhập bằng định danh điện tử (VNeID)"
    OFFICER = "officer", "Cán bộ một cửa đối chiếu thẻ CCCD"
