"""Attack: a commune's administrator lists every account of the province (names, e-mails of provincial officers),
re-parents their agency under a provincial department (handing its leader approve/stop rights on the commune's
dossiers), and reads any commune's indicator values through the API while the page says 404.

Administrators see and change users, roles and agencies within their unit only; an agency's parent lies in the
agency's own unit unless the province administrator decides otherwise; the indicators API applies the dashboard's
scope.
"""

import pytest

from tinhso.accounts import scoping
from tinhso.accounts.models import User
from tinhso.org.models import Agency

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]


def _post(client, path, payload):
    return client.post(path, payload, content_type="application/json")


def _usernames(client) -> set[str]:
    response = client.get("/api/v1/users", {"page_size": 100})
    assert response.status_code == 200
    return {item["username"] for item in response.json()["items"]}


def test_commune_admin_lists_only_the_accounts_of_their_commune(world):
    seen = _usernames(world.client_for("unit_admin"))
    assert seen == {"unit.admin"}
    assert {"province.admin", "processing.officer", "agency.leader", "other.unit.officer"} <= \
        _usernames(world.client_for("province_admin"))
    assert world.client_for("unit_admin").get("/api/v1/users", {"search": "province"}).json()["total"] == 0


def test_commune_admin_cannot_grant_a_role_to_a_provincial_officer(world):
    response = _post(world.client_for("unit_admin"), "/api/v1/roles",
                     {"username": "processing.officer", "role": "receiving_officer",
                      "agency": world.commune_committee.identifier_code})
    assert response.status_code == 404
    assert not world.users["processing_officer"].roles.filter(agency=world.commune_committee).exists()


def test_an_account_made_by_a_commune_admin_belongs_to_the_commune(world):
    admin = world.client_for("unit_admin")
    created = _post(admin, "/api/v1/users", {"username": "can.bo.xa", "password": "Chuyen-Doi-So#2026"})
    assert created.status_code == 201
    assert User.objects.get(username="can.bo.xa").unit == world.commune
    assert "can.bo.xa" in _usernames(admin)
    granted = _post(admin, "/api/v1/roles", {"username": "can.bo.xa", "role": "receiving_officer",
                                             "agency": world.commune_committee.identifier_code})
    assert granted.status_code == 201
    elsewhere = _post(admin, "/api/v1/users", {"username": "can.bo.xa.khac", "password": "Chuyen-Doi-So#2026",
                                               "unit": world.other_commune.code})
    assert elsewhere.status_code == 403
    assert not User.objects.filter(username="can.bo.xa.khac").exists()


def test_commune_admin_sees_only_the_roles_of_their_commune(world):
    items = world.client_for("unit_admin").get("/api/v1/roles", {"page_size": 100}).json()["items"]
    assert {i["username"] for i in items} == {"unit.admin"}


def test_commune_admin_cannot_put_their_agency_under_a_provincial_department(world):
    admin = world.client_for("unit_admin")
    response = admin.patch(f"/api/v1/agencies/{world.commune_committee.identifier_code}",
                           {"parent_identifier_code": world.justice.identifier_code},
                           content_type="application/json")
    assert response.status_code == 403
    assert "parent_identifier_code" in response.json()["errors"]
    world.commune_committee.refresh_from_db()
    assert world.commune_committee.parent == world.committee
    assert world.commune_committee.pk not in scoping.agency_ids_for(world.users["agency_leader"])
    # Nor create one there.
    created = _post(admin, "/api/v1/agencies", {
        "identifier_code": "000.11.50.H56", "name": "Trạm Y tế xã Hoằng Hóa", "kind": "don_vi_su_nghiep",
        "unit_code": world.commune.code, "parent_identifier_code": world.health.identifier_code})
    assert created.status_code == 403
    assert not Agency.objects.filter(identifier_code="000.11.50.H56").exists()


def test_commune_admin_may_still_arrange_agencies_within_the_commune(world):
    admin = world.client_for("unit_admin")
    created = _post(admin, "/api/v1/agencies", {
        "identifier_code": "000.11.50.H56", "name": "Trạm Y tế xã Hoằng Hóa", "kind": "don_vi_su_nghiep",
        "unit_code": world.commune.code, "parent_identifier_code": world.commune_committee.identifier_code})
    assert created.status_code == 201, created.content
    renamed = admin.patch(f"/api/v1/agencies/{world.commune_committee.identifier_code}",
                          {"short_name": "UBND xã Hoằng Hóa"}, content_type="application/json")
    assert renamed.status_code == 200  # its parent (the provincial committee) is unchanged, so no parent check


def test_province_admin_may_place_an_agency_under_another_units_agency(world):
    response = world.client_for("province_admin").patch(
        f"/api/v1/agencies/{world.commune_committee.identifier_code}",
        {"parent_identifier_code": world.justice.identifier_code}, content_type="application/json")
    assert response.status_code == 200


def test_indicator_values_of_another_commune_are_404_like_the_page(world, settings):
    settings.TINHSO_PROVINCE_CODE = world.province.code
    officer = world.client_for("other_unit_officer")  # works for the other commune's committee
    assert officer.get("/api/v1/indicators/values", {"unit": world.other_commune.code}).status_code == 200
    assert officer.get("/api/v1/indicators/values", {"unit": world.commune.code}).status_code == 404
    assert officer.get("/api/v1/indicators/values",
                       {"agency": world.commune_committee.identifier_code}).status_code == 404
    assert world.client_for("unit_admin").get("/api/v1/indicators/values",
                                              {"unit": world.other_commune.code}).status_code == 404
    # A provincial department follows every commune, as on the dashboard.
    assert world.client_for("processing_officer").get("/api/v1/indicators/values",
                                                      {"unit": world.commune.code}).status_code == 200
