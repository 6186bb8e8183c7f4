import json

import pytest

from tinhso.accounts import scoping, services
from tinhso.accounts.choices import Role
from tinhso.accounts.models import ApiToken, RoleAssignment
from tinhso.audit.models import AuditEvent
from tinhso.core.exceptions import PermissionDenied, ValidationError

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]


@pytest.mark.argon2
def test_passwords_are_hashed_with_argon2(db):
    user = services.user_create(actor=None, username="canbo.moi", password="Chuyen-Doi-So#2026")
    assert user.password.startswith("argon2")
    assert user.check_password("Chuyen-Doi-So#2026")


def test_login_page_logs_in_and_audits(world, client, password):
    response = client.post("/tai-khoan/dang-nhap/", {"username": "citizen", "password": password})
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action="auth.login", object_id=str(world.users["citizen"].pk)).exists()


def test_wrong_password_five_times_locks_the_account(world, client, password):
    for _ in range(4):
        response = client.post("/tai-khoan/dang-nhap/", {"username": "citizen", "password": "sai-mat-khau"})
        assert response.status_code == 200
        assert "Tên đăng nhập hoặc mật khẩu không đúng" in response.content.decode()
    response = client.post("/tai-khoan/dang-nhap/", {"username": "citizen", "password": "sai-mat-khau"})
    assert response.status_code == 403
    assert "tạm khóa" in response.content.decode()
    # Even the right password is refused while locked, and no session is created.
    response = client.post("/tai-khoan/dang-nhap/", {"username": "citizen", "password": password})
    assert response.status_code == 403
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action="auth.login_failed", object_id="citizen").count() >= 5
    assert not AuditEvent.objects.filter(action="auth.login", object_id=str(world.users["citizen"].pk)).exists()


def test_change_password_checks_the_old_one(world, password):
    client = world.client_for("citizen")
    response = client.post("/tai-khoan/doi-mat-khau/", {"old_password": "sai", "new_password1": "Moi#Moi#2026",
                                                       "new_password2": "Moi#Moi#2026"})
    assert "Mật khẩu hiện tại không đúng" in response.content.decode()
    response = client.post("/tai-khoan/doi-mat-khau/", {"old_password": password, "new_password1": "Moi#Moi#2026",
                                                       "new_password2": "Moi#Moi#2026"})
    assert response.status_code == 302
    world.users["citizen"].refresh_from_db()
    assert world.users["citizen"].check_password("Moi#Moi#2026")
    assert AuditEvent.objects.filter(action="accounts.password.change").exists()


def test_user_create_rejects_bad_citizen_id_and_weak_password(db):
    with pytest.raises(ValidationError) as exc:
        services.user_create(actor=None, username="ab", password="123", citizen_id="12345")
    assert set(exc.value.field_errors) == {"username", "password", "citizen_id"}


def test_bearer_token_authenticates_a_system_and_is_stored_hashed(world):
    token = ApiToken.objects.get(user=world.users["system_client"])
    assert world.token not in (token.token_hash, token.prefix) and token.token_hash != world.token
    response = world.token_client().get("/api/v1/me")
    assert response.status_code == 200 and response.json()["username"] == "system.client"


def test_revoked_token_is_refused(world):
    token = ApiToken.objects.get(user=world.users["system_client"])
    services.api_token_revoke(actor=world.users["province_admin"], token_id=token.pk)
    response = world.token_client().get("/api/v1/me")
    assert response.status_code == 401
    assert response.json()["message"] == "Mã truy cập API không hợp lệ, đã bị thu hồi hoặc đã hết hạn."


def test_token_is_shown_once_on_creation_through_the_api(world):
    client = world.client_for("province_admin")
    response = client.post("/api/v1/tokens", data=json.dumps({"username": "system.client", "name": "LGSP"}),
                           content_type="application/json")
    assert response.status_code == 201
    raw = response.json()["token"]
    assert raw.startswith("tso_")
    listed = client.get("/api/v1/tokens").json()["items"]
    assert all("token" not in item for item in listed)


def test_only_province_admin_creates_tokens(world):
    with pytest.raises(PermissionDenied):
        services.api_token_create(actor=world.users["unit_admin"], user=world.users["system_client"], name="x")


def test_role_grant_and_revoke_are_audited(world):
    admin = world.users["province_admin"]
    assignment = services.role_grant(actor=admin, user=world.users["citizen"], role=Role.PROCESSING_OFFICER,
                                     agency_code=world.health.identifier_code)
    services.role_revoke(actor=admin, assignment_id=assignment.pk)
    actions = list(AuditEvent.objects.filter(action__startswith="accounts.role").values_list("action", flat=True))
    assert actions == ["accounts.role.grant", "accounts.role.revoke"]
    assert not RoleAssignment.objects.filter(pk=assignment.pk).exists()


def test_commune_admin_cannot_grant_roles_on_provincial_agencies(world):
    staff = services.user_create(actor=world.users["unit_admin"], username="can.bo.xa", password="Chuyen-Doi-So#2026")
    with pytest.raises(PermissionDenied):
        services.role_grant(actor=world.users["unit_admin"], user=staff,
                            role=Role.PROCESSING_OFFICER, agency_code=world.justice.identifier_code)
    services.role_grant(actor=world.users["unit_admin"], user=staff, role=Role.RECEIVING_OFFICER,
                        agency_code=world.commune_committee.identifier_code)


def test_officer_sees_own_agency_and_leader_sees_sub_agencies(world):
    officer = scoping.agency_ids_for(world.users["processing_officer"])
    leader = scoping.agency_ids_for(world.users["agency_leader"])
    assert officer == {world.justice.pk}
    assert leader == {world.justice.pk, world.justice_branch.pk}
    assert scoping.agency_ids_for(world.users["citizen"]) == set()


def test_unit_admin_sees_agencies_of_their_commune_only(world):
    ids = scoping.agency_ids_for(world.users["unit_admin"])
    assert world.commune_committee.pk in ids and world.other_commune_committee.pk not in ids
    assert world.justice.pk not in ids


def test_audit_log_is_for_province_admins(world):
    assert world.client_for("province_admin").get("/api/v1/audit/events").status_code == 200
    assert world.client_for("unit_admin").get("/api/v1/audit/events").status_code == 403
    assert world.client_for("province_admin").get("/nhat-ky/").status_code == 200
    assert world.client_for("citizen").get("/nhat-ky/").status_code == 403
