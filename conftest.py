"""Shared fixtures: a small province with named personas, used by every app's tests.

`world` gives a province (Thanh Hóa, 38 / H56) with two communes and a handful of agencies, and one person per
role: a citizen, a receiving clerk at the service centre, a processing officer and a leader of the Department of
Justice, an officer of another commune, a commune administrator, a province administrator and a system client
with an API token.
"""

from dataclasses import dataclass, field

import pytest
from django.test import Client

from tinhso.accounts.choices import Role
from tinhso.accounts.services import api_token_create
from tinhso.accounts.tests.factories import PASSWORD, RoleFactory, UserFactory
from tinhso.org.choices import AgencyKind
from tinhso.org.tests.factories import AgencyFactory, CommuneFactory, ProvinceFactory

# Node ids for schemathesis' per-operation items; collected vs executed at the end of every run.
pytest_plugins = ["tests.run_accounting"]


@dataclass
class World:
    province: object
    commune: object
    other_commune: object
    committee: object
    service_centre: object
    justice: object
    justice_branch: object
    health: object
    commune_committee: object
    other_commune_committee: object
    users: dict = field(default_factory=dict)
    token: str = ""

    def client_for(self, persona: str) -> Client:
        client = Client()
        if persona != "anonymous":
            client.force_login(self.users[persona])
        return client

    def token_client(self) -> Client:
        return Client(headers={"Authorization": f"Bearer {self.token}"})


def build_world() -> World:
    province = ProvinceFactory()
    commune = CommuneFactory(code="16000", short_name="Hoằng Hóa", parent=province)
    other = CommuneFactory(code="16001", short_name="Quảng Xương", parent=province)
    committee = AgencyFactory(identifier_code="000.00.00.H56", name="Ủy ban nhân dân tỉnh Thanh Hóa",
                              kind=AgencyKind.PROVINCIAL_COMMITTEE, unit=province)
    service_centre = AgencyFactory(identifier_code="000.01.01.H56", name="Trung tâm Phục vụ hành chính công tỉnh",
                                   kind=AgencyKind.SERVICE_CENTRE, unit=province, parent=committee)
    justice = AgencyFactory(identifier_code="000.00.03.H56", name="Sở Tư pháp tỉnh Thanh Hóa", unit=province,
                            parent=committee)
    justice_branch = AgencyFactory(identifier_code="000.01.03.H56", name="Phòng Công chứng số 1", unit=province,
                                   parent=justice, kind=AgencyKind.PUBLIC_SERVICE_UNIT)
    health = AgencyFactory(identifier_code="000.00.10.H56", name="Sở Y tế tỉnh Thanh Hóa", unit=province,
                           parent=committee)
    commune_committee = AgencyFactory(identifier_code="000.01.50.H56", name="Ủy ban nhân dân xã Hoằng Hóa",
                                      kind=AgencyKind.COMMUNE_COMMITTEE, unit=commune, parent=committee)
    other_committee = AgencyFactory(identifier_code="000.02.50.H56", name="Ủy ban nhân dân xã Quảng Xương",
                                    kind=AgencyKind.COMMUNE_COMMITTEE, unit=other, parent=committee)
    w = World(province, commune, other, committee, service_centre, justice, justice_branch, health,
              commune_committee, other_committee)
    specs = {
        "citizen": (Role.CITIZEN, {}),
        "receiving_officer": (Role.RECEIVING_OFFICER, {"agency": service_centre}),
        "processing_officer": (Role.PROCESSING_OFFICER, {"agency": justice}),
        "agency_leader": (Role.AGENCY_LEADER, {"agency": justice, "include_subordinates": True}),
        "other_unit_officer": (Role.PROCESSING_OFFICER, {"agency": other_committee}),
        "unit_admin": (Role.UNIT_ADMIN, {"unit": commune}),
        "province_admin": (Role.PROVINCE_ADMIN, {"unit": province}),
        "system_client": (Role.SYSTEM_CLIENT, {"agency": committee}),
    }
    for persona, (role, scope) in specs.items():
        user = UserFactory(username=persona.replace("_", "."), full_name=persona)
        RoleFactory(user=user, role=role, **scope)
        w.users[persona] = user
    _, w.token = api_token_create(actor=w.users["province_admin"], user=w.users["system_client"],
                                  name="Cổng DVC quốc gia")
    return w


@pytest.fixture
def world(db) -> World:
    return build_world()


@pytest.fixture
def password() -> str:
    return PASSWORD


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings, request):
    """Argon2 is deliberately slow; tests that check hashing itself are marked `argon2`."""
    if "argon2" not in request.keywords:
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _fresh_scope_cache():
    """The per-process scope cache must not carry one test's (rolled back) roles and agencies into the next."""
    from tinhso.accounts.scoping import scope_cache_clear

    scope_cache_clear()
    yield
    scope_cache_clear()
