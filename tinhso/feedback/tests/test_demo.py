import pytest

from tinhso.accounts.choices import Role
from tinhso.accounts.tests.factories import RoleFactory, UserFactory
from tinhso.feedback.demo import create_demo_feedback
from tinhso.feedback.models import Report, Service

from .conftest import HOANG_HOA, QUANG_XUONG

pytestmark = pytest.mark.django_db


def test_the_demo_makes_categories_and_reports_at_every_step(world, settings):
    settings.TINHSO_PROVINCE_CODE = world.province.code
    for commune, (lat, lon) in ((world.commune, HOANG_HOA), (world.other_commune, QUANG_XUONG)):
        commune.latitude, commune.longitude = lat, lon
        commune.save()
    w = world
    for username, role, scope in (("quantri", Role.PROVINCE_ADMIN, {"unit": w.province}),
                                  ("chuyenvien.xa", Role.PROCESSING_OFFICER, {"agency": w.commune_committee}),
                                  ("lanhdao.xa", Role.AGENCY_LEADER, {"agency": w.commune_committee}),
                                  ("chuyenvien.stp", Role.PROCESSING_OFFICER, {"agency": w.justice}),
                                  ("congdan", Role.CITIZEN, {})):
        RoleFactory(user=UserFactory(username=username), role=role, **scope)
    agencies = {"so_xay_dung": w.health, "so_nong_nghiep_moi_truong": w.health, "so_tu_phap": w.justice,
                "cong_an_tinh": w.committee}
    made = create_demo_feedback(province=w.province, agencies=agencies, commune=w.commune,
                                commune_committee=w.commune_committee)
    assert Service.objects.count() == 5 and Service.objects.filter(is_emergency=True).count() == 1
    assert Report.objects.count() == made == 6
    statuses = set(Report.objects.values_list("status", flat=True))
    assert {"closed", "rejected", "in_progress", "assigned", "answered"} <= statuses
    assert Report.objects.get(status="rejected").duplicate_of.status == "closed"
