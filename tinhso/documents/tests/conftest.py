"""Fixtures of the documents app: a trusted province root, a leader's personal key, the records office's agency
key, and a records officer (văn thư) of the Department of Justice."""

from dataclasses import dataclass

import pytest

from tinhso.accounts.choices import Role
from tinhso.accounts.tests.factories import RoleFactory, UserFactory
from tinhso.documents import services
from tinhso.documents.choices import KeyOwner
from tinhso.documents.pdf import text_pdf

from .pki import PASSPHRASE, make_ca

_CA = None


def province_ca():
    """One root per test session: generating keys is the slow part."""
    global _CA
    if _CA is None:
        _CA = make_ca()
    return _CA


@dataclass
class Desk:
    world: object
    ca: object
    leader_key: object
    agency_key: object
    clerk: object  # the records officer of Justice

    def draft_pdf(self, *lines: str) -> bytes:
        return text_pdf(list(lines) or ["QUYẾT ĐỊNH", "Về việc ban hành kế hoạch chuyển đổi số năm 2026"])


def build_desk(world) -> Desk:
    ca = province_ca()
    admin = world.users["province_admin"]
    services.trust_root_add(actor=admin, name="CA thử nghiệm của tỉnh", certificate=ca.pem)
    clerk = UserFactory(username="van.thu", full_name="Lê Thị Văn Thư")
    RoleFactory(user=clerk, role=Role.PROCESSING_OFFICER, agency=world.justice)
    services.records_officer_grant(actor=admin, agency_code=world.justice.identifier_code, username="van.thu")
    leader = world.users["agency_leader"]
    leader_key = services.signing_key_add(
        actor=leader, owner=KeyOwner.PERSON, agency_code=world.justice.identifier_code, label="Chữ ký cá nhân",
        pkcs12=ca.pkcs12("Nguyễn Văn Giám Đốc"), passphrase=PASSPHRASE)
    agency_key = services.signing_key_add(
        actor=clerk, owner=KeyOwner.AGENCY, agency_code=world.justice.identifier_code, label="Chữ ký cơ quan",
        pkcs12=ca.pkcs12("Sở Tư pháp tỉnh Thanh Hóa", org="Sở Tư pháp tỉnh Thanh Hóa"), passphrase=PASSPHRASE)
    return Desk(world, ca, leader_key, agency_key, clerk)


@pytest.fixture
def desk(world) -> Desk:
    return build_desk(world)
