"""The bearer-token hot path: a person's token on /api/v1 costs no query for the gateway; a client's call costs a
fixed few; revoking a token, suspending a client or removing a grant takes effect on the next call."""

import pytest
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext

from tinhso.accounts.choices import Role
from tinhso.accounts.models import ApiToken
from tinhso.accounts.services import api_token_create, api_token_revoke, role_grant, user_create
from tinhso.gateway import door, services
from tinhso.gateway.models import AccessLogEntry

from .factories import make_client, token_for

pytestmark = pytest.mark.django_db

GATEWAY = "tinhso.gateway.middleware.GatewayMiddleware"


def bearer(raw):
    return HttpClient(headers={"Authorization": f"Bearer {raw}"})


def _queries(http, path) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert http.get(path).status_code == 200
    return len(ctx)


def _without_gateway(settings, http_factory, path) -> int:
    """The queries of the same call with the gateway's middleware taken out (a fresh client loads the chain)."""
    middleware = settings.MIDDLEWARE
    settings.MIDDLEWARE = [m for m in middleware if m != GATEWAY]
    try:
        return _queries(http_factory(), path)
    finally:
        settings.MIDDLEWARE = middleware


@pytest.mark.smoke
@pytest.mark.parametrize("path", ["/api/v1/gateway/clients", "/api/v1/agencies"])  # with a credential; public
def test_a_persons_token_costs_no_extra_query(world, settings, django_assert_num_queries, path):
    bearer(world.token).get(path)  # warm: the token's last-used stamp is written at most once a minute
    door.may_be_client_token(world.token)  # and this process's set of client tokens is loaded
    without_gateway = _without_gateway(settings, lambda: bearer(world.token), path)
    assert GATEWAY in settings.MIDDLEWARE
    with django_assert_num_queries(without_gateway):
        assert bearer(world.token).get(path).status_code == 200
    assert not AccessLogEntry.objects.exists()


def test_an_invalid_token_on_the_api_is_refused_with_one_lookup(world, django_assert_num_queries):
    with django_assert_num_queries(1):
        response = bearer("tso_not-a-real-token").get("/api/v1/gateway/clients")
    assert response.status_code == 401


def test_a_new_client_token_on_a_public_route_goes_through_the_door_at_once_in_this_process(world, settings):
    settings.TINHSO_GATEWAY_TOKEN_SET_SECONDS = 10**9
    door.may_be_client_token(world.token)  # the set is loaded before the client's token exists
    client = make_client(world, services_=["dossier-status"])
    refused = bearer(token_for(world, client)).get("/api/v1/agencies/export.csv")
    assert refused.status_code == 403 and refused.json()["code"] == "scope_missing"
    assert AccessLogEntry.objects.get().client_id == client.pk


def test_a_person_whose_username_looks_like_a_service_account_still_passes_untouched(world):
    admin = world.users["province_admin"]
    person = user_create(actor=admin, username="lgsp.khong-phai-he-thong", password="Mat-khau-dai-1234")
    role_grant(actor=admin, user=person, role=Role.SYSTEM_CLIENT, agency_code=world.committee.identifier_code)
    _, raw = api_token_create(actor=admin, user=person, name="thử")
    assert bearer(raw).get("/api/v1/agencies").status_code == 200
    assert not AccessLogEntry.objects.exists()


def test_every_client_service_account_is_named_as_the_door_expects(world):
    client = make_client(world, code="he-thong-a")
    assert door.is_service_account(client.service_user)


def test_the_door_decides_a_call_in_two_queries_and_logs_it_in_one(
    world, settings, django_assert_num_queries
):
    settings.TINHSO_GATEWAY_SEAL_SECONDS = 10**9
    client = make_client(world, services_=["registry"])
    raw = token_for(world, client)
    bearer(raw).get("/lien-thong/api/units")  # warm the token's last-used stamp
    call = door.Call(method="GET", path="/api/v1/units")
    with django_assert_num_queries(2):  # the token (with its user), then the client's whole state
        call.caller = door.authenticate(raw, call)
        door.admit(call)
    with django_assert_num_queries(1):
        door.record(call, purpose="", status=200, size=1, duration_ms=1.0, ip_address="")


def test_a_revoked_client_token_stops_at_once_on_both_doors(world):
    client = make_client(world, services_=["registry"])
    raw = token_for(world, client)
    http = bearer(raw)
    assert http.get("/lien-thong/api/units").status_code == 200
    assert http.get("/api/v1/units").status_code == 200
    assert AccessLogEntry.objects.count() == 2
    token = ApiToken.objects.get(user=client.service_user)
    api_token_revoke(actor=world.users["province_admin"], token_id=token.pk)
    assert http.get("/lien-thong/api/units").status_code == 401
    # on the API a revoked token is refused where a credential is needed; a public route serves it as the
    # anonymous call anyone may make, outside the gateway's log
    assert http.get("/api/v1/gateway/clients").status_code == 401
    assert http.get("/api/v1/units").status_code == 200
    assert AccessLogEntry.objects.count() == 3


def test_a_suspended_client_or_a_removed_grant_counts_at_once_on_the_api_too(world):
    admin = world.users["province_admin"]
    client = make_client(world, services_=["registry"])
    http = bearer(token_for(world, client))
    assert http.get("/api/v1/units").status_code == 200
    services.grant_remove(actor=admin, client=client, service="registry")
    refused = http.get("/api/v1/units")
    assert refused.status_code == 403 and refused.json()["code"] == "scope_missing"
    services.grant_add(actor=admin, client=client, service="registry")
    assert http.get("/api/v1/units").status_code == 200
    services.client_update(actor=admin, client=client, active=False)
    refused = http.get("/api/v1/units")
    assert refused.status_code == 403 and refused.json()["code"] == "client_inactive"
    services.client_update(actor=admin, client=client, active=True)
    client.service_user.is_active = False
    client.service_user.save(update_fields=["is_active"])
    assert http.get("/lien-thong/api/units").status_code == 401
    assert http.get("/api/v1/gateway/clients").status_code == 401


def test_a_client_past_its_rate_limit_gets_429_with_retry_after_on_the_api_too(world):
    client = make_client(world, services_=["registry"], rate_per_minute=2)
    http = bearer(token_for(world, client))
    assert [http.get("/api/v1/units").status_code for _ in range(2)] == [200, 200]
    response = http.get("/api/v1/units")
    assert response.status_code == 429 and 1 <= int(response["Retry-After"]) <= 60
    assert AccessLogEntry.objects.filter(status=429).count() == 1
