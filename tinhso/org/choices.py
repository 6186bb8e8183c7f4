from django.db import models


class UnitLevel(models.TextChoices):
    PROVINCE = "province", "Cấp tỉnh"
    DISTRICT = "district", "Cấp huyện"
    COMMUNE = "commune", "Cấp xã"


class UnitType(models.TextChoices):
    PROVINCE = "tinh", "Tỉnh"
    CENTRAL_CITY = "thanh_pho_tw", "Thành phố trực thuộc trung ương"
    DISTRICT = "huyen", "Huyện"
    URBAN_DISTRICT = "quan", "Quận"
    TOWN = "thi_xa", "Thị xã"
    PROVINCIAL_CITY = "thanh_pho_thuoc_tinh", "Thành phố thuộc tỉnh"
    COMMUNE = "xa", "Xã"
    WARD = "phuong", "Phường"
    SPECIAL_ZONE = "dac_khu", "Đặc khu"
    TOWNSHIP = "thi_tran", "Thị trấn"


class AgencyKind(models.TextChoices):
    PROVINCIAL_COMMITTEE = "ubnd_tinh", "UBND tỉnh"
    PROVINCIAL_COUNCIL = "hdnd_tinh", "HĐND tỉnh"
    DEPARTMENT = "so_ban_nganh", "Sở, ban, ngành"
    SERVICE_CENTRE = "trung_tam_phvcc", "Trung tâm phục vụ hành chính công"
    COMMUNE_COMMITTEE = "ubnd_xa", "UBND cấp xã"
    DISTRICT_COMMITTEE = "ubnd_huyen", "UBND cấp huyện"
    PUBLIC_SERVICE_UNIT = "don_vi_su_nghiep", "Đơn vị sự nghiệp"
    CENTRAL_BRANCH = "co_quan_trung_uong", "Cơ quan trung ương đóng trên địa bàn"
    OTHER = "khac", "Khác"
