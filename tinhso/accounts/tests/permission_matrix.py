from tests.matrix import AUTHENTICATED, Request, case
from tinhso.accounts.choices import Role
from tinhso.accounts.models import ApiToken, RoleAssignment
from tinhso.accounts.tests.factories import UserFactory

ADMINS = {"unit_admin", "province_admin"}
PROVINCE_ADMIN = {"province_admin"}


def _role_to_revoke(w) -> Request:
    assignment = RoleAssignment.objects.create(user=w.users["citizen"], role=Role.RECEIVING_OFFICER,
                                               agency=w.commune_committee)
    return Request(f"/api/v1/roles/{assignment.pk}")


def _commune_staff_to_grant(w) -> Request:
    UserFactory(username="nhan.vien.xa", unit=w.commune)  # an account of the commune, made by its administrator
    return Request("/api/v1/roles", json={"username": "nhan.vien.xa", "role": "receiving_officer",
                                          "agency": w.commune_committee.identifier_code})


def _token_to_revoke(w) -> Request:
    return Request(f"/api/v1/tokens/{ApiToken.objects.get(user=w.users['system_client']).pk}")


def _citizen_to_verify(w) -> Request:
    w.users["citizen"].citizen_id = "038190000001"
    w.users["citizen"].save(update_fields=["citizen_id"])
    return Request("/api/v1/users/citizen/citizen-id/verification", json={"citizen_id": "038190000001"})


MATRIX = {
    ("GET", "/api/v1/me"): case(lambda w: Request("/api/v1/me"), AUTHENTICATED),
    ("GET", "/api/v1/users"): case(lambda w: Request("/api/v1/users"), ADMINS),
    ("POST", "/api/v1/users"): case(
        lambda w: Request("/api/v1/users", json={"username": "can.bo.moi", "password": "Chuyen-Doi-So#2026",
                                                 "full_name": "Cán bộ mới"}), ADMINS),
    # Only a one-stop clerk, who checks the CCCD card in person, verifies a citizen ID.
    ("POST", "/api/v1/users/{username}/citizen-id/verification"): case(_citizen_to_verify, {"receiving_officer"}),
    ("GET", "/api/v1/roles"): case(lambda w: Request("/api/v1/roles"), AUTHENTICATED),
    # A commune administrator may staff the commune's own committee; nobody else below the province.
    ("POST", "/api/v1/roles"): case(_commune_staff_to_grant, ADMINS),
    ("DELETE", "/api/v1/roles/{role_id}"): case(_role_to_revoke, ADMINS),
    ("GET", "/api/v1/tokens"): case(lambda w: Request("/api/v1/tokens"), PROVINCE_ADMIN),
    ("POST", "/api/v1/tokens"): case(
        lambda w: Request("/api/v1/tokens", json={"username": "system.client", "name": "Trục LGSP"}), PROVINCE_ADMIN),
    ("DELETE", "/api/v1/tokens/{token_id}"): case(_token_to_revoke, PROVINCE_ADMIN),
}
