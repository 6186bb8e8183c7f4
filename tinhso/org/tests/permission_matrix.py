from tests.matrix import EVERYONE, Request, case

ADMINS_OF_PROVINCE = {"province_admin"}
NEW_AGENCY = {"identifier_code": "000.00.40.H56", "name": "Sở Thử nghiệm", "kind": "so_ban_nganh",
              "unit_code": "38"}
CSV = ("identifier_code,name,kind,unit_code\n000.00.41.H56,Ban Thử nghiệm,so_ban_nganh,38\n").encode()

MATRIX = {
    ("GET", "/api/v1/units"): case(lambda w: Request("/api/v1/units", query={"search": "thanh hoa"}), EVERYONE),
    ("GET", "/api/v1/units/convert"): case(lambda w: Request("/api/v1/units/convert", query={"code": "16000"}),
                                           EVERYONE),
    ("GET", "/api/v1/units/{code}"): case(lambda w: Request("/api/v1/units/38"), EVERYONE),
    ("GET", "/api/v1/units/{code}/digital-teams"): case(lambda w: Request("/api/v1/units/38/digital-teams"),
                                                        EVERYONE),
    ("GET", "/api/v1/agencies"): case(lambda w: Request("/api/v1/agencies"), EVERYONE),
    ("GET", "/api/v1/agencies/export.csv"): case(lambda w: Request("/api/v1/agencies/export.csv"), EVERYONE),
    ("GET", "/api/v1/agencies/{identifier_code}"): case(lambda w: Request("/api/v1/agencies/000.00.03.H56"),
                                                        EVERYONE),
    ("POST", "/api/v1/agencies"): case(lambda w: Request("/api/v1/agencies", json=NEW_AGENCY), ADMINS_OF_PROVINCE),
    # A commune's administrator manages the agencies of that commune only.
    ("PATCH", "/api/v1/agencies/{identifier_code}"): case(
        lambda w: Request("/api/v1/agencies/000.01.50.H56", json={"phone": "0237 3852 000"}),
        {"province_admin", "unit_admin"}),
    ("DELETE", "/api/v1/agencies/{identifier_code}"): case(
        lambda w: Request("/api/v1/agencies/000.01.03.H56"), ADMINS_OF_PROVINCE),
    ("POST", "/api/v1/agencies/import"): case(
        lambda w: Request("/api/v1/agencies/import", files={"file": ("co-quan.csv", CSV, "text/csv")}),
        ADMINS_OF_PROVINCE),
}
