"""Attack: the same role granted again and again (201, 201, …), so revoking one row leaves the others and access
stays; grants of the citizen role unchecked; administrators granting roles to themselves; the province left without
an administrator.

The database holds one assignment per (user, role, scope) — a partial unique constraint per kind of scope, since a
unique constraint over nullable columns lets NULLs repeat — on SQLite and PostgreSQL alike.
"""

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.test import Client

from tinhso.accounts.choices import Role
from tinhso.accounts.models import RoleAssignment
from tinhso.accounts.tests.factories import RoleFactory, UserFactory

pytestmark = pytest.mark.smoke


def _grant(client, **payload):
    return client.post("/api/v1/roles", payload, content_type="application/json")


@pytest.mark.django_db
def test_granting_the_same_role_twice_answers_409_and_keeps_one_row(world):
    admin = world.client_for("province_admin")
    payload = {"username": "citizen", "role": "processing_officer", "agency": world.health.identifier_code}
    assert _grant(admin, **payload).status_code == 201
    again = _grant(admin, **payload)
    assert again.status_code == 409
    assert again.json()["code"] == "conflict"
    assert RoleAssignment.objects.filter(user=world.users["citizen"], role=Role.PROCESSING_OFFICER).count() == 1


@pytest.mark.django_db
def test_same_unit_role_granted_twice_answers_409(world):
    admin = world.client_for("province_admin")
    payload = {"username": "processing.officer", "role": "unit_admin", "unit": world.other_commune.code}
    assert _grant(admin, **payload).status_code == 201
    assert _grant(admin, **payload).status_code == 409


@pytest.mark.django_db
@pytest.mark.parametrize("scope", ["none", "agency", "unit"])
def test_database_refuses_a_duplicate_assignment_for_every_kind_of_scope(world, scope):
    user = UserFactory(username="trung.lap")
    fields = {"none": {"role": Role.CITIZEN}, "agency": {"role": Role.RECEIVING_OFFICER, "agency": world.health},
              "unit": {"role": Role.UNIT_ADMIN, "unit": world.commune}}[scope]
    RoleAssignment.objects.create(user=user, **fields)
    with pytest.raises(IntegrityError), transaction.atomic():
        RoleAssignment.objects.create(user=user, **fields)
    # A different include_subordinates is still the same role on the same scope.
    if scope == "agency":
        with pytest.raises(IntegrityError), transaction.atomic():
            RoleAssignment.objects.create(user=user, include_subordinates=True, **fields)


@pytest.mark.django_db(transaction=True)
def test_migration_removes_existing_duplicates_and_keeps_the_widest_access():
    executor = MigrationExecutor(connection)
    before = [("accounts", "0001_initial")]
    latest = executor.loader.graph.leaf_nodes("accounts")
    executor.migrate(before)
    old_apps = executor.loader.project_state(before).apps
    User = old_apps.get_model("accounts", "User")
    Assignment = old_apps.get_model("accounts", "RoleAssignment")
    Unit = old_apps.get_model("org", "AdministrativeUnit")
    user = User.objects.create(username="nhan.doi")
    unit = Unit.objects.create(code="99999", official_code="99", name="Tỉnh Thử", level="province",
                               unit_type="province")
    for _ in range(3):
        Assignment.objects.create(user=user, role="citizen")
    Assignment.objects.create(user=user, role="unit_admin", unit=unit)
    Assignment.objects.create(user=user, role="unit_admin", unit=unit, include_subordinates=True)

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(latest)
    rows = sorted(RoleAssignment.objects.filter(user_id=user.pk).values_list("role", "include_subordinates"))
    assert rows == [("citizen", False), ("unit_admin", True)]


@pytest.mark.django_db
def test_a_revoked_role_stops_a_session_at_once(world):
    officer = UserFactory(username="quan.tri.tam")
    assignment = RoleFactory(user=officer, role=Role.UNIT_ADMIN, unit=world.commune)
    client = Client()
    client.force_login(officer)
    assert client.get("/api/v1/users").status_code == 200
    response = world.client_for("province_admin").delete(f"/api/v1/roles/{assignment.pk}")
    assert response.status_code == 204
    assert client.get("/api/v1/users").status_code == 403


@pytest.mark.django_db
def test_a_revoked_role_stops_a_token_at_once(world):
    admin = world.client_for("province_admin")
    granted = _grant(admin, username="system.client", role="unit_admin", unit=world.commune.code)
    assert granted.status_code == 201
    token_client = world.token_client()
    assert token_client.get("/api/v1/users").status_code == 200
    assert admin.delete(f"/api/v1/roles/{granted.json()['id']}").status_code == 204
    assert token_client.get("/api/v1/users").status_code == 403


@pytest.mark.django_db
def test_a_commune_admin_cannot_grant_the_citizen_role(world):
    stranger = UserFactory(username="nguoi.la")
    response = _grant(world.client_for("unit_admin"), username=stranger.username, role="citizen")
    assert response.status_code in (403, 404)
    assert not RoleAssignment.objects.filter(user=stranger).exists()
    # The province administrator may.
    assert _grant(world.client_for("province_admin"), username=stranger.username, role="citizen").status_code == 201


@pytest.mark.django_db
def test_nobody_grants_a_role_to_themselves(world):
    response = _grant(world.client_for("unit_admin"), username="unit.admin", role="agency_leader",
                      agency=world.commune_committee.identifier_code)
    assert response.status_code == 403
    response = _grant(world.client_for("province_admin"), username="province.admin", role="agency_leader",
                      agency=world.health.identifier_code)
    assert response.status_code == 403
    assert not RoleAssignment.objects.filter(user=world.users["province_admin"], role=Role.AGENCY_LEADER).exists()


@pytest.mark.django_db
def test_the_last_province_admin_cannot_remove_their_own_role(world):
    admin = world.client_for("province_admin")
    own = RoleAssignment.objects.get(user=world.users["province_admin"], role=Role.PROVINCE_ADMIN)
    response = admin.delete(f"/api/v1/roles/{own.pk}")
    assert response.status_code == 409
    assert "quản trị cấp tỉnh cuối cùng" in response.json()["message"]
    assert RoleAssignment.objects.filter(pk=own.pk).exists()
    # Once someone else holds the role, the first may step down.
    assert _grant(admin, username="agency.leader", role="province_admin", unit=world.province.code).status_code == 201
    assert admin.delete(f"/api/v1/roles/{own.pk}").status_code == 204
