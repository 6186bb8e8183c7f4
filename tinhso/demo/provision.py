"""Provision a demo province: official units, agencies with identifier codes, digital-technology teams, users.

Everything goes through the domain services, so the demo is audited like real work.
"""

import random
from dataclasses import dataclass, field
from datetime import date

from django.db import transaction

from tinhso.accounts.choices import Role
from tinhso.accounts.models import User
from tinhso.accounts.services import api_token_create, citizen_id_verify, role_grant, user_create
from tinhso.core.exceptions import ValidationError
from tinhso.core.text import fold
from tinhso.documents.demo import create_demo_documents
from tinhso.feedback.demo import create_demo_feedback
from tinhso.gateway.demo import create_demo_gateway
from tinhso.indicators.demo import provision_indicators
from tinhso.opendata.demo import provision_opendata
from tinhso.org import services as org_services
from tinhso.org.choices import AgencyKind, UnitLevel
from tinhso.org.models import AdministrativeUnit, Agency
from tinhso.payments.demo import create_demo_payments
from tinhso.procedures.demo import load_demo_procedures

from .agencies import COMMUNE_LEVEL2_START, PROVINCIAL_DEPARTMENTS
from .dossiers import generate_demo_dossiers
from .live import create_live_dossiers

DEFAULT_PROVINCE = "38"  # Thanh Hóa
DEMO_PASSWORD = "TinhSo@2026"
VILLAGE_NAMES = ["Thôn {n}", "Làng {n}", "Tổ dân phố {n}", "Bản {n}", "Khu phố {n}"]


@dataclass
class DemoResult:
    province: AdministrativeUnit
    agencies: int
    communes: int
    logins: list[tuple[str, str, str]] = field(default_factory=list)  # username, role label, scope
    token: str = ""
    already: bool = False
    gateway: list = field(default_factory=list)  # the gateway's demo client systems, with their credentials


def identifier(prefix: str, level2: str = "00", level3: str = "00", level4: str = "000") -> str:
    return f"{level4}.{level3}.{level2}.{prefix}"


def commune_identifier(prefix: str, index: int) -> str:
    return identifier(prefix, f"{COMMUNE_LEVEL2_START + index // 99:02d}", f"{1 + index % 99:02d}")


def provision(*, province_code: str = DEFAULT_PROVINCE, identifier_prefix: str = "") -> DemoResult:
    org_services.units_load_official(actor=None)
    org_services.units_load_historical(actor=None)
    province = AdministrativeUnit.objects.filter(code=province_code, level=UnitLevel.PROVINCE,
                                                 valid_to__isnull=True).first()
    if province is None:
        codes = ", ".join(AdministrativeUnit.objects.filter(level=UnitLevel.PROVINCE, valid_to__isnull=True)
                          .values_list("code", flat=True))
        raise ValidationError.for_field("province", f"Không có tỉnh mã “{province_code}”. Các mã hợp lệ: {codes}.")
    prefix = identifier_prefix or province.identifier_prefix
    if not prefix:
        raise ValidationError.for_field("identifier_prefix", "Tỉnh này chưa có mã định danh cấp 1; hãy chỉ định.")
    committee_code = identifier(prefix)
    if Agency.objects.filter(identifier_code=committee_code).exists():
        return DemoResult(province, Agency.objects.filter(unit__parent=province).count()
                          + Agency.objects.filter(unit=province).count(),
                          province.children.filter(valid_to__isnull=True).count(), _logins(), already=True)
    with transaction.atomic():
        agencies = _provision_agencies(province, prefix)
        communes = _provision_teams(province)
        token = _provision_users(province, agencies)
        load_demo_procedures(agencies_by_key=agencies,
                             commune_agencies=[a for k, a in agencies.items() if k.startswith("ubnd_xa:")])
        generate_demo_dossiers(province=province)  # a year of history, through the bulk importer
        first_commune = province.children.filter(valid_to__isnull=True).order_by("code").first()
        create_live_dossiers(justice=agencies["so_tu_phap"], commune_code=first_commune.code,
                             commune_committee=agencies[f"ubnd_xa:{first_commune.code}"])
        create_demo_payments(commune_code=first_commune.code,
                             commune_committee=agencies[f"ubnd_xa:{first_commune.code}"])
        create_demo_documents(province=province, justice=agencies["so_tu_phap"], committee=agencies["ubnd_tinh"],
                              commune_committee=agencies[f"ubnd_xa:{first_commune.code}"], passphrase=DEMO_PASSWORD)
        create_demo_feedback(province=province, agencies=agencies, commune=first_commune,
                             commune_committee=agencies[f"ubnd_xa:{first_commune.code}"])
        gateway = create_demo_gateway(admin=User.objects.get(username="quantri"), committee=agencies["ubnd_tinh"],
                                      justice=agencies["so_tu_phap"],
                                      justice_leader=User.objects.get(username="lanhdao.stp"))
    # Indicators last: the bulk import fires no signals, so the rollups are rebuilt before computing values.
    provision_indicators(province=province)
    provision_opendata()  # the built-in open datasets, published
    return DemoResult(province, len(agencies), communes, _logins(), token, gateway=gateway)


def _provision_agencies(province, prefix) -> dict[str, Agency]:
    p = province.short_name
    def make(key, code, name, short, kind, unit, parent=None):
        return key, org_services.agency_create(actor=None, data={
            "identifier_code": code, "name": name, "short_name": short, "kind": kind, "unit_code": unit.code,
            "parent_identifier_code": parent.identifier_code if parent else "",
            "address": f"{unit.short_name}, {province.name}" if unit != province else f"{province.name}",
        })
    out: dict[str, Agency] = {}
    _, out["ubnd_tinh"] = make("ubnd_tinh", identifier(prefix), f"Ủy ban nhân dân tỉnh {p}", "UBND tỉnh",
                               AgencyKind.PROVINCIAL_COMMITTEE, province)
    _, out["van_phong_ubnd"] = make("van_phong_ubnd", identifier(prefix, "01"), f"Văn phòng UBND tỉnh {p}",
                                    "VP UBND", AgencyKind.DEPARTMENT, province, out["ubnd_tinh"])
    _, out["trung_tam_phvcc"] = make("trung_tam_phvcc", identifier(prefix, "01", "01"),
                                     f"Trung tâm Phục vụ hành chính công tỉnh {p}", "TTPVHCC",
                                     AgencyKind.SERVICE_CENTRE, province, out["van_phong_ubnd"])
    for key, name, short, level2 in PROVINCIAL_DEPARTMENTS:
        _, out[key] = make(key, identifier(prefix, level2), name.format(p=p), short, AgencyKind.DEPARTMENT,
                           province, out["ubnd_tinh"])
    communes = province.children.filter(valid_to__isnull=True).order_by("code")
    for index, commune in enumerate(communes):
        _, out[f"ubnd_xa:{commune.code}"] = make(
            "ubnd_xa", commune_identifier(prefix, index),
            f"Ủy ban nhân dân {commune.get_unit_type_display().lower()} {commune.short_name}",
            f"UBND {commune.short_name}", AgencyKind.COMMUNE_COMMITTEE, commune, out["ubnd_tinh"])
    return out


def _provision_teams(province) -> int:
    """Villages per commune and community digital-technology teams, about four villages in five covered."""
    rng = random.Random(f"teams-{province.code}")
    communes = list(province.children.filter(valid_to__isnull=True).order_by("code"))
    for commune in communes:
        villages = rng.randint(6, 24)
        org_services.unit_set_village_count(actor=None, unit=commune, village_count=villages)
        org_services.digital_team_upsert(actor=None, unit=commune, village="", member_count=rng.randint(7, 15),
                                         established_on=date(2022, rng.randint(1, 12), rng.randint(1, 28)))
        for n in range(1, villages + 1):
            if rng.random() < 0.8:
                org_services.digital_team_upsert(actor=None, unit=commune,
                                                 village=rng.choice(VILLAGE_NAMES).format(n=n),
                                                 member_count=rng.randint(3, 8),
                                                 established_on=date(2022, rng.randint(1, 12), rng.randint(1, 28)))
    return len(communes)


DEMO_USERS = [
    # username, full name, role, scope key ("province", an agency key, or "commune")
    ("quantri", "Nguyễn Văn Quản", Role.PROVINCE_ADMIN, "province"),
    ("quantri.xa", "Lê Thị Xuân", Role.UNIT_ADMIN, "commune"),
    ("lanhdao.stp", "Trần Minh Đức", Role.AGENCY_LEADER, "so_tu_phap"),
    ("chuyenvien.stp", "Phạm Thu Hà", Role.PROCESSING_OFFICER, "so_tu_phap"),
    ("motcua", "Hoàng Văn Tiếp", Role.RECEIVING_OFFICER, "trung_tam_phvcc"),
    ("motcua.xa", "Đỗ Thị Nhận", Role.RECEIVING_OFFICER, "commune"),
    ("chuyenvien.xa", "Vũ Văn Xử", Role.PROCESSING_OFFICER, "commune"),
    ("lanhdao.xa", "Bùi Văn Lãnh", Role.AGENCY_LEADER, "commune"),
    ("congdan", "Nguyễn Thị Dân", Role.CITIZEN, None),
    ("hethong", "Cổng Dịch vụ công quốc gia (kết nối)", Role.SYSTEM_CLIENT, "ubnd_tinh"),
]


def _provision_users(province, agencies) -> str:
    first_commune = province.children.filter(valid_to__isnull=True).order_by("code").first()
    admin = None
    for username, full_name, role, scope in DEMO_USERS:
        user = user_create(actor=admin, username=username, password=DEMO_PASSWORD, full_name=full_name,
                           email=f"{username}@{fold(province.short_name).replace(' ', '')}.gov.vn",
                           citizen_id="038190000001" if role == Role.CITIZEN else "")
        if role == Role.CITIZEN:
            role_grant(actor=admin, user=user, role=role)
            # As if the demo citizen had logged in with the e-ID once: counter dossiers under the ID reach them.
            citizen_id_verify(actor=None, user=user, citizen_id=user.citizen_id, method="eid")
        elif scope == "province":
            role_grant(actor=None, user=user, role=role, unit_code=province.code)
            admin = user
        elif scope == "commune" and role == Role.UNIT_ADMIN:
            role_grant(actor=admin, user=user, role=role, unit_code=first_commune.code)
        elif scope == "commune":
            role_grant(actor=admin, user=user, role=role,
                       agency_code=agencies[f"ubnd_xa:{first_commune.code}"].identifier_code)
        else:
            role_grant(actor=admin, user=user, role=role, agency_code=agencies[scope].identifier_code,
                       include_subordinates=role == Role.AGENCY_LEADER)
    _, raw = api_token_create(actor=admin, user=User.objects.get(username="hethong"), name="Mã truy cập mẫu")
    return raw


def _logins() -> list[tuple[str, str, str]]:
    rows = []
    for username, _, role, _ in DEMO_USERS:
        user = User.objects.filter(username=username).prefetch_related("roles__agency", "roles__unit").first()
        if user is None:
            continue
        scopes = ", ".join(str(r.agency or r.unit) for r in user.roles.all() if (r.agency or r.unit))
        rows.append((username, Role(role).label, scopes))
    return rows
