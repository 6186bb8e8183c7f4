"""Each user's scope is resolved once and cached; a role or org-tree change takes effect at once."""

import pytest

from tinhso.accounts import scoping
from tinhso.accounts.choices import Role
from tinhso.accounts.tests.factories import RoleFactory
from tinhso.org.choices import AgencyKind
from tinhso.org.tests.factories import AgencyFactory

pytestmark = pytest.mark.smoke


@pytest.fixture(autouse=True)
def _empty_cache():
    scoping.scope_cache_clear()
    yield
    scoping.scope_cache_clear()


@pytest.mark.parametrize("persona", ["processing_officer", "agency_leader", "province_admin"])
def test_a_resolved_scope_costs_one_query_per_fresh_user_and_none_after(world, persona,
                                                                         django_assert_num_queries):
    from tinhso.accounts.models import User

    first = scoping.agency_ids_for(world.users[persona])
    user = User.objects.get(pk=world.users[persona].pk)  # as a new request loads it
    with django_assert_num_queries(1):
        assert scoping.agency_ids_for(user) == first
    with django_assert_num_queries(0):
        scoping.is_province_admin(user)
        assert scoping.agency_ids_for(user) == first


def test_a_role_granted_by_another_process_applies_to_the_next_request(world):
    from tinhso.accounts.models import RoleAssignment, User

    officer = world.users["processing_officer"]
    scoping.agency_ids_for(officer)
    RoleAssignment.objects.bulk_create([RoleAssignment(user=officer, role=Role.PROCESSING_OFFICER,
                                                       agency=world.health)])  # no signal here, as elsewhere
    assert world.health.pk in scoping.agency_ids_for(User.objects.get(pk=officer.pk))


def test_province_admin_sees_every_agency_of_the_province(world):
    ids = scoping.agency_ids_for(world.users["province_admin"])
    assert {world.justice.pk, world.commune_committee.pk, world.other_commune_committee.pk} <= ids


def test_a_granted_role_takes_effect_at_once(world):
    officer = world.users["processing_officer"]
    assert world.health.pk not in scoping.agency_ids_for(officer)
    RoleFactory(user=officer, role=Role.PROCESSING_OFFICER, agency=world.health)
    assert world.health.pk in scoping.agency_ids_for(officer)


def test_a_revoked_role_takes_effect_at_once(world):
    leader = world.users["agency_leader"]
    assert world.justice_branch.pk in scoping.agency_ids_for(leader)
    leader.roles.all().delete()
    assert scoping.agency_ids_for(leader) == set()
    assert not scoping.can_act_for_agency(leader, world.justice)


def test_a_revoked_province_admin_role_takes_effect_at_once(world):
    admin = world.users["province_admin"]
    assert scoping.is_province_admin(admin) and scoping.can_manage_unit(admin, world.commune)
    admin.roles.filter(role=Role.PROVINCE_ADMIN).delete()
    assert not scoping.is_province_admin(admin)
    assert not scoping.can_manage_unit(admin, world.commune)
    assert world.justice.pk not in scoping.agency_ids_for(admin)


def test_a_new_sub_agency_is_in_scope_at_once(world):
    leader, admin = world.users["agency_leader"], world.users["province_admin"]
    scoping.agency_ids_for(leader), scoping.agency_ids_for(admin)
    office = AgencyFactory(identifier_code="000.02.03.H56", name="Phòng Công chứng số 2", unit=world.province,
                           parent=world.justice, kind=AgencyKind.PUBLIC_SERVICE_UNIT)
    assert office.pk in scoping.agency_ids_for(leader)
    assert office.pk in scoping.agency_ids_for(admin)


def test_callers_cannot_corrupt_the_cache(world):
    officer = world.users["processing_officer"]
    scoping.agency_ids_for(officer).add(world.health.pk)
    assert world.health.pk not in scoping.agency_ids_for(officer)
