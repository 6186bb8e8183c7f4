"""Controlled vocabularies of the catalogue: licences, themes and update frequencies.

The codes are those of the EU Publications Office authority tables that DCAT-AP 3.0 names (licence, data-theme,
frequency), so the DCAT output can point at the official concept IRIs; the labels are Vietnamese.
"""

from django.db import models

EU_AUTHORITY = "http://publications.europa.eu/resource/authority/"


class Licence(models.TextChoices):
    CC_BY_4_0 = "cc-by-4.0", "Creative Commons Ghi công 4.0 Quốc tế (CC BY 4.0)"
    CC0_1_0 = "cc-zero", "Creative Commons CC0 1.0 (dành cho công chúng)"
    ODC_BY = "odc-by", "Open Data Commons Ghi công (ODC-By 1.0)"


# Licence code -> (human-readable deed, EU licence authority IRI)
LICENCE_URLS = {
    Licence.CC_BY_4_0: ("https://creativecommons.org/licenses/by/4.0/", EU_AUTHORITY + "licence/CC_BY_4_0"),
    Licence.CC0_1_0: ("https://creativecommons.org/publicdomain/zero/1.0/", EU_AUTHORITY + "licence/CC0"),
    Licence.ODC_BY: ("https://opendatacommons.org/licenses/by/1-0/", EU_AUTHORITY + "licence/ODC_BY"),
}


class Theme(models.TextChoices):
    """EU data themes (DCAT-AP's recommended dcat:theme vocabulary)."""

    GOVE = "GOVE", "Chính phủ và khu vực công"
    REGI = "REGI", "Vùng và đô thị"
    ECON = "ECON", "Kinh tế và tài chính"
    SOCI = "SOCI", "Dân số và xã hội"
    JUST = "JUST", "Tư pháp, hệ thống pháp luật và an toàn công cộng"
    TECH = "TECH", "Khoa học và công nghệ"
    EDUC = "EDUC", "Giáo dục, văn hóa và thể thao"
    HEAL = "HEAL", "Y tế"
    AGRI = "AGRI", "Nông nghiệp, thủy sản, lâm nghiệp và thực phẩm"
    ENVI = "ENVI", "Môi trường"
    TRAN = "TRAN", "Giao thông"
    ENER = "ENER", "Năng lượng"
    INTR = "INTR", "Vấn đề quốc tế"


class Frequency(models.TextChoices):
    """EU frequency authority codes."""

    UPDATE_CONT = "UPDATE_CONT", "Cập nhật liên tục"
    DAILY = "DAILY", "Hằng ngày"
    WEEKLY = "WEEKLY", "Hằng tuần"
    MONTHLY = "MONTHLY", "Hằng tháng"
    QUARTERLY = "QUARTERLY", "Hằng quý"
    ANNUAL = "ANNUAL", "Hằng năm"
    IRREG = "IRREG", "Không định kỳ"


class Format(models.TextChoices):
    CSV = "csv", "CSV"
    JSON = "json", "JSON"
    XLSX = "xlsx", "XLSX"


# Format -> (media type, EU file-type authority code)
FORMAT_MEDIA = {
    Format.CSV: ("text/csv", "CSV"),
    Format.JSON: ("application/json", "JSON"),
    Format.XLSX: ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "XLSX"),
}


class ColumnType(models.TextChoices):
    TEXT = "text", "Chữ"
    INTEGER = "int", "Số nguyên"
    NUMBER = "numeric", "Số"
    DATE = "date", "Ngày"
