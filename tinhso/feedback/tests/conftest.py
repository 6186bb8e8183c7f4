"""The feedback world: the conftest province with both communes at their coordinates, three categories and their
routing rules (a commune rule, the province-level fallback, an emergency one)."""

from dataclasses import dataclass

import pytest

from tinhso.feedback import services
from tinhso.feedback.models import Service

HOANG_HOA = (19.8500, 105.8500)
QUANG_XUONG = (19.7000, 105.8000)
HANOI = (21.0285, 105.8542)


@dataclass
class Place:
    world: object
    road: Service
    light: Service
    fire: Service
    api_key: str


def build_place(world, settings) -> Place:
    settings.TINHSO_PROVINCE_CODE = world.province.code
    for commune, (lat, lon) in ((world.commune, HOANG_HOA), (world.other_commune, QUANG_XUONG)):
        commune.latitude, commune.longitude = lat, lon
        commune.save()
    admin = world.users["province_admin"]
    road = services.service_upsert(
        actor=admin, code="duong-hong", name="Đường hư hỏng, ổ gà", group="Giao thông", keywords="ổ gà, sụt lún",
        sla_amount=5, fallback_agency_code=world.justice.identifier_code,
        attributes=[{"code": "muc_do", "datatype": "singlevaluelist", "description": "Mức độ hư hỏng",
                     "required": False, "values": [{"key": "nhe", "name": "Nhẹ"}, {"key": "nang", "name": "Nặng"}]}])
    services.routing_rule_set(actor=admin, service_code=road.code, agency_code=world.commune_committee.identifier_code,
                              commune_code=world.commune.code)
    light = services.service_upsert(actor=admin, code="den-duong", name="Đèn chiếu sáng công cộng hỏng",
                                    group="Hạ tầng đô thị", sla_amount=16, sla_unit="hours",
                                    fallback_agency_code=world.justice.identifier_code)
    fire = services.service_upsert(actor=admin, code="chay-no", name="Cháy, nổ, sự cố khẩn cấp", group="Khẩn cấp",
                                   is_emergency=True, emergency_minutes=30,
                                   fallback_agency_code=world.justice.identifier_code)
    _, key = services.api_key_create(actor=admin, name="Ứng dụng FixMyStreet thử nghiệm")
    return Place(world=world, road=road, light=light, fire=fire, api_key=key)


@pytest.fixture
def place(world, settings) -> Place:
    return build_place(world, settings)
