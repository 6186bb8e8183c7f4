"""GET /api/v1/dossiers/{code}: the lookup and its scope check in one statement, and a role change counts from the
very next call (issue #11 point 2)."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.files.base import ContentFile
from django.db import connection

from tinhso.accounts.choices import Role
from tinhso.accounts.models import RoleAssignment, User
from tinhso.accounts.services import role_grant, role_revoke
from tinhso.core.exceptions import NotFound
from tinhso.dossiers import selectors
from tinhso.dossiers.models import DossierAttachment

from .factories import make_dossier

# the session with its user (tinhso.accounts.sessions) and the working calendar's stamp (tinhso.core.calendar keeps
# its cached calendar while the stamp is unchanged); the dossier with the user's role assignments and its files' names
LOOKUP_STATEMENTS = 2


def _url(dossier) -> str:
    return f"/api/v1/dossiers/{dossier.code}"


@pytest.mark.smoke
@pytest.mark.parametrize("persona", ["processing_officer", "agency_leader", "province_admin"])
def test_the_lookup_sends_a_fixed_number_of_statements(world, persona, django_assert_num_queries):
    dossier = make_dossier(world)
    client = world.client_for(persona)
    assert client.get(_url(dossier)).status_code == 200  # the descendant agencies/units are now cached
    other = make_dossier(world)
    with django_assert_num_queries(LOOKUP_STATEMENTS):
        response = client.get(_url(other))
    assert response.status_code == 200 and response.json()["code"] == other.code


@pytest.mark.smoke
def test_a_dossier_outside_the_scope_costs_no_more_and_is_not_found(world, django_assert_num_queries):
    dossier = make_dossier(world)
    client = world.client_for("other_unit_officer")
    client.get(_url(dossier))
    with django_assert_num_queries(LOOKUP_STATEMENTS):
        response = client.get(_url(dossier))
    assert response.status_code == 404 and response.json()["message"] == selectors.NOT_FOUND


@pytest.mark.smoke
def test_the_files_come_with_the_dossier_in_upload_order(world):
    dossier = make_dossier(world)
    for name in ("giay-to-2.pdf", "Đơn đề nghị.pdf", "ảnh.png"):
        DossierAttachment.objects.create(dossier=dossier, kind="application", file=ContentFile(b"x", name=name),
                                         original_name=name, content_type="application/pdf", size=1, sha256="0")
    listed = [a.original_name for a in selectors.dossier_attachments(dossier=dossier)]
    folded = selectors.dossier_get(user=world.users["processing_officer"], code=dossier.code,
                                   with_attachment_names=True)
    assert folded.attachment_names == listed == ["giay-to-2.pdf", "Đơn đề nghị.pdf", "ảnh.png"]
    assert world.client_for("processing_officer").get(_url(dossier)).json()["attachments"] == listed
    assert selectors.dossier_get(user=world.users["processing_officer"], code=make_dossier(world).code,
                                 with_attachment_names=True).attachment_names == []


def test_a_revoked_role_counts_from_the_very_next_call(world):
    dossier = make_dossier(world)
    officer, admin = world.users["processing_officer"], world.users["province_admin"]
    client = world.client_for("processing_officer")
    assert client.get(_url(dossier)).status_code == 200
    role_revoke(actor=admin, assignment_id=officer.roles.get().pk)
    assert client.get(_url(dossier)).status_code == 404


def test_a_granted_role_counts_from_the_very_next_call(world):
    dossier = make_dossier(world)
    outsider, admin = world.users["other_unit_officer"], world.users["province_admin"]
    client = world.client_for("other_unit_officer")
    assert client.get(_url(dossier)).status_code == 404
    role_grant(actor=admin, user=outsider, role=Role.PROCESSING_OFFICER, agency_code=world.justice.identifier_code)
    assert client.get(_url(dossier)).status_code == 200


@pytest.mark.smoke
def test_a_change_made_without_signals_elsewhere_counts_from_the_very_next_call(world):
    """Another process's change sends no signal here: the lookup reads the assignments afresh each call."""
    dossier = make_dossier(world)
    outsider = world.users["other_unit_officer"]
    client = world.client_for("other_unit_officer")
    assert client.get(_url(dossier)).status_code == 404
    RoleAssignment.objects.bulk_create([RoleAssignment(user=outsider, role=Role.PROCESSING_OFFICER,
                                                       agency=world.justice)])
    assert client.get(_url(dossier)).status_code == 200
    RoleAssignment.objects.filter(user=outsider, agency=world.justice)._raw_delete("default")
    assert client.get(_url(dossier)).status_code == 404


def test_a_province_administrator_who_loses_the_role_loses_the_province_at_once(world):
    dossier = make_dossier(world)
    admin = world.users["province_admin"]
    client = world.client_for("province_admin")
    assert client.get(_url(dossier)).status_code == 200
    RoleAssignment.objects.filter(user=admin).update(role=Role.CITIZEN, unit=None)  # no signal either
    assert client.get(_url(dossier)).status_code == 404


def test_a_deactivated_user_is_refused_at_once(world):
    dossier = make_dossier(world)
    client = world.client_for("processing_officer")
    assert client.get(_url(dossier)).status_code == 200
    User.objects.filter(pk=world.users["processing_officer"].pk).update(is_active=False)
    assert client.get(_url(dossier)).status_code in (401, 403)


def test_a_bearer_token_lookup_is_scoped_the_same(world):
    dossier = make_dossier(world)  # the system client holds its role on the provincial committee only
    response = world.token_client().get(_url(dossier))
    assert response.status_code == 404
    RoleAssignment.objects.create(user=world.users["system_client"], role=Role.PROCESSING_OFFICER,
                                  agency=world.justice)
    assert world.token_client().get(_url(dossier)).status_code == 200



@pytest.mark.smoke
def test_the_prepared_lookup_returns_what_the_orm_returns(world):
    """tinhso.core.prepared: same fields, related objects, converted values (JSON, times) as the ORM's own."""
    dossier = make_dossier(world, form_data={"ghi_chu": "Bản sao có chứng thực", "so_ban": 2})
    officer = world.users["processing_officer"]
    got = selectors.dossier_get(user=officer, code=f"  {dossier.code} ")
    orm = selectors._base().get(pk=dossier.pk)
    names = [f.attname for f in orm._meta.concrete_fields]
    assert [getattr(got, n) for n in names] == [getattr(orm, n) for n in names]
    assert got.form_data == {"ghi_chu": "Bản sao có chứng thực", "so_ban": 2}
    assert (got.procedure.name, got.receiving_agency.name, got.handling_agency.name, got.applicant_unit.code) == (
        orm.procedure.name, orm.receiving_agency.name, orm.handling_agency.name, orm.applicant_unit.code)
    assert got._state.db == "default" and not got._state.adding
    with pytest.raises(NotFound):
        selectors.dossier_get(user=officer, code="000.00.00.H56-000000-0000")
    with pytest.raises(NotFound):
        selectors.dossier_get(user=AnonymousUser(), code=dossier.code)
    assert selectors.dossier_get(user=AnonymousUser(), code=dossier.code, verified_codes={dossier.code}) is not None


def test_a_prepared_query_refuses_a_sentinel_it_cannot_place(world):
    from tinhso.core.prepared import Prepared
    from tinhso.dossiers.models import Dossier

    prepared = Prepared(Dossier, lambda code: Dossier.objects.filter(status="received"), code="\x00unused\x00")
    with pytest.raises(ValueError, match="sentinel"):
        prepared.first(code="x")
    with pytest.raises(TypeError):
        prepared.first(other="x")


def _prepared_on_server() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements WHERE from_sql = false")
        return [row[0] for row in cursor.fetchall()]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's")
def test_the_lookup_is_a_prepared_statement_prepared_again_after_a_rollback(world):
    from django.db import transaction

    dossier, other = make_dossier(world), make_dossier(world)
    officer = world.users["processing_officer"]
    before = [s for s in _prepared_on_server() if "dossiers_dossier" in s]
    assert selectors.dossier_get(user=officer, code=dossier.code).code == dossier.code
    prepared = [s for s in _prepared_on_server() if "dossiers_dossier" in s and s not in before]
    assert len(prepared) == 1 and '"dossiers_dossier"."code" = $2' in prepared[0]
    assert "ORDER BY" not in prepared[0]  # a unique code: nothing to sort
    # psycopg forgets its prepared statements on a rollback and prepares them again
    with pytest.raises(RuntimeError), transaction.atomic():
        selectors.dossier_get(user=officer, code=other.code)
        raise RuntimeError
    assert selectors.dossier_get(user=officer, code=other.code).code == other.code
    assert any('"dossiers_dossier"."code" = $2' in s for s in _prepared_on_server())
    with pytest.raises(NotFound):
        selectors.dossier_get(user=officer, code="000.00.00.H56-000000-0000")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's")
def test_behind_a_transaction_pooler_nothing_is_prepared(world, settings):
    settings.TINHSO_DB_PREPARED_STATEMENTS = False
    dossier = make_dossier(world)
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")  # psycopg empties its own book of what it prepared with it
    assert selectors.dossier_get(user=world.users["processing_officer"], code=dossier.code).code == dossier.code
    assert not [s for s in _prepared_on_server() if "dossiers_dossier" in s]
