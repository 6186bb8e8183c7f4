"""The IOC overview's cached fragments: the same page for every viewer of one scope, never another scope's
figures, a role change seen on the next request, and a fixed number of queries per request (fails on growth)."""

import json
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tinhso.accounts.choices import Role
from tinhso.accounts.models import RoleAssignment

pytestmark = [pytest.mark.django_db]


@pytest.fixture(autouse=True)
def _home_province(settings, world):
    settings.TINHSO_PROVINCE_CODE = world.province.code


@pytest.fixture
def placed(computed):
    world = computed
    for commune, (lat, lon) in ((world.commune, (19.81, 105.79)), (world.other_commune, (19.60, 105.81))):
        commune.latitude, commune.longitude = lat, lon
        commune.save(update_fields=["latitude", "longitude"])
    return world


def _map(html: str) -> dict:
    match = re.search(r'<script id="map-data" type="application/json">(.*?)</script>', html, re.S)
    assert match
    return {p["code"]: p for p in json.loads(match.group(1))["points"]}


def _drill(html: str) -> str:
    return html[html.index('<section class="drill"') :]


def _page(client) -> str:
    response = client.get("/dashboard/")
    assert response.status_code == 200
    return response.content.decode()


def test_two_viewers_with_different_scopes_never_see_each_others_figures(placed):
    world = placed
    mine, theirs = world.client_for("unit_admin"), world.client_for("other_unit_officer")
    for _ in range(2):  # the second round is served from the cached fragments
        own = _map(_page(mine))
        assert own[world.commune.code]["href"] and own[world.commune.code]["value"] == 40
        assert not own[world.other_commune.code]["href"] and own[world.other_commune.code]["value"] is None
        other_html = _page(theirs)
        other = _map(other_html)
        assert other[world.other_commune.code]["href"]
        assert not other[world.commune.code]["href"] and other[world.commune.code]["value"] is None
        assert world.commune.name not in _drill(other_html).split("drill-agencies")[0]
        public = _map(_page(world.client_for("anonymous")))
        assert all(p["value"] is None and not p["href"] for p in public.values())


def test_a_role_change_shows_on_the_next_request(placed):
    world = placed
    user, client = world.users["other_unit_officer"], world.client_for("other_unit_officer")
    _page(client)
    before = _map(_page(client))  # warm
    assert not before[world.commune.code]["href"] and before[world.commune.code]["value"] is None
    grant = RoleAssignment.objects.create(user=user, role=Role.UNIT_ADMIN, unit=world.commune)
    after = _map(_page(client))
    assert after[world.commune.code]["href"] and after[world.commune.code]["value"] == 40
    grant.delete()
    again = _map(_page(client))
    assert not again[world.commune.code]["href"] and again[world.commune.code]["value"] is None


def test_province_admin_and_public_share_the_public_fragment_but_not_the_scoped_one(placed):
    world = placed
    admin_html = _page(world.client_for("province_admin"))
    public_html = _page(world.client_for("anonymous"))
    tables = admin_html[
        admin_html.index('<h2 class="tables-title">') : admin_html.index('<section class="drill"')
    ]
    assert tables in public_html  # the same tables, rendered once
    assert 'id="alert-overdue"' in admin_html and 'id="alert-overdue"' not in public_html
    assert "/dashboard/don-vi/" in _drill(admin_html) and "/dashboard/don-vi/" not in _drill(public_html)


# Queries of one GET /dashboard/. Warm: the province, and for an officer the session, the user, their role
# assignments and the unread notifications. Cold (every cache cleared, the overdue counts of the alerts included):
# the values, targets, periods, communes, the map (its structure under the values' version), the alerts.
# Fails on growth: a new per-row or per-commune query shows up here first.
MAX_QUERIES = {
    ("anonymous", "cold"): 10,
    ("anonymous", "warm"): 1,
    ("province_admin", "cold"): 26,
    ("province_admin", "warm"): 5,
}


@pytest.mark.smoke
@pytest.mark.parametrize("persona", ["anonymous", "province_admin"])
def test_overview_sends_a_bounded_number_of_queries(placed, persona):
    client = placed.client_for(persona)
    _page(client)  # the hot spots' own five-minute counts, the templates
    cache.clear()
    with CaptureQueriesContext(connection) as cold:
        _page(client)
    with CaptureQueriesContext(connection) as warm:
        _page(client)
    assert len(cold) <= MAX_QUERIES[(persona, "cold")], [q["sql"][:120] for q in cold.captured_queries]
    assert len(warm) <= MAX_QUERIES[(persona, "warm")], [q["sql"][:120] for q in warm.captured_queries]
