"""The door for client systems: one place decides who the client is, which service a route belongs to, whether
the client holds it, and whether it is inside its rate and quota."""

import base64

import pytest
from django.test import Client as HttpClient

from tinhso.dossiers.tests.factories import make_dossier
from tinhso.gateway import catalogue, routes, services
from tinhso.gateway.models import AccessLogEntry

from .factories import make_client, token_for

pytestmark = pytest.mark.django_db


def filed_by(world, client, **kwargs):
    """A dossier the client filed for an applicant: what a system client sees (the dossiers app's rule)."""
    dossier = make_dossier(world, applicant_user=None, **kwargs)
    dossier.applicant_user = client.service_user
    dossier.save(update_fields=["applicant_user"])
    return dossier


def bearer(raw):
    return HttpClient(headers={"Authorization": f"Bearer {raw}"})


def oauth_token(client_id, secret) -> str:
    basic = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    response = HttpClient().post("/lien-thong/o/token/", {"grant_type": "client_credentials"},
                                 headers={"Authorization": f"Basic {basic}"})
    assert response.status_code == 200, response.content
    return response.json()["access_token"]


def test_every_catalogue_operation_exists_in_the_schema():
    ids = {op["operationId"] for op in routes.operations().values()}
    for service in catalogue.SERVICES:
        assert set(service.operations) <= ids, service.key


def test_route_resolution_names_the_operation():
    assert routes.operation_for("GET", "/api/v1/agencies/export.csv") == "tinhso_org_api_export_agencies"
    assert routes.operation_for("GET", "/api/v1/agencies/000.00.00.H56") == "tinhso_org_api_get_agency"
    assert routes.operation_for("GET", "/api/v1/dossiers/ABC-1") == "tinhso_dossiers_api_get_dossier"
    assert routes.operation_for("DELETE", "/api/v1/dossiers/ABC-1") is None


@pytest.mark.smoke
def test_dossier_status_client_reads_status_but_not_the_registry_export(world):
    client = make_client(world, services_=["dossier-status"])
    dossier = filed_by(world, client)
    http = bearer(token_for(world, client))
    response = http.get(f"/lien-thong/api/dossiers/{dossier.code}", headers={"X-Purpose": "Dong-bo-trang-thai"})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == dossier.status
    refused = http.get("/lien-thong/api/agencies/export.csv")
    assert refused.status_code == 403
    assert refused.json()["code"] == "scope_missing"
    assert "chưa được cấp quyền" in refused.json()["message"]
    log = list(AccessLogEntry.objects.order_by("seq"))
    assert [(e.status, e.service, e.client_id) for e in log] == [(200, "dossier-status", client.pk),
                                                                  (403, "registry", client.pk)]
    assert log[0].purpose == "Dong-bo-trang-thai" and log[0].bytes > 0 and log[0].credential == "token"


def test_the_same_grants_apply_when_the_client_calls_the_api_directly(world):
    client = make_client(world, services_=["dossier-status"])
    dossier = filed_by(world, client)
    http = bearer(token_for(world, client))
    assert http.get(f"/api/v1/dossiers/{dossier.code}").status_code == 200
    assert http.get("/api/v1/agencies/export.csv").status_code == 403
    assert http.get("/api/v1/tokens").status_code == 403  # no service holds token administration
    assert AccessLogEntry.objects.count() == 3


def test_oauth2_client_credentials_open_the_door(world):
    client = make_client(world, services_=["registry"])
    client_id, secret = services.client_oauth_issue(actor=world.users["province_admin"], client=client)
    http = bearer(oauth_token(client_id, secret))
    response = http.get("/lien-thong/api/agencies/export.csv")
    assert response.status_code == 200
    assert "000.00.00.H56" in response.content.decode()
    assert AccessLogEntry.objects.get().credential == "oauth2"
    # the secret is stored hashed: a wrong one gets no token
    basic = base64.b64encode(f"{client_id}:wrong".encode()).decode()
    assert HttpClient().post("/lien-thong/o/token/", {"grant_type": "client_credentials"},
                             headers={"Authorization": f"Basic {basic}"}).status_code == 401


def test_without_or_with_a_bad_credential_the_gateway_answers_401_and_logs_it(world):
    assert HttpClient().get("/lien-thong/api/agencies").status_code == 401
    response = bearer("not-a-token").get("/lien-thong/api/agencies")
    assert response.status_code == 401 and response.json()["code"] == "invalid_token"
    # a person's own token is not a client system's: the gateway refuses it
    assert bearer(world.token).get("/lien-thong/api/agencies").status_code == 401
    assert list(AccessLogEntry.objects.values_list("status", flat=True)) == [401, 401, 401]


def test_people_and_their_tokens_keep_using_the_api_untouched(world):
    assert bearer(world.token).get("/api/v1/agencies").status_code == 200
    assert not AccessLogEntry.objects.exists()


def test_past_the_daily_quota_the_client_gets_429_with_retry_after(world):
    client = make_client(world, services_=["registry"], daily_quota=2)
    http = bearer(token_for(world, client))
    assert [http.get("/lien-thong/api/units").status_code for _ in range(2)] == [200, 200]
    response = http.get("/lien-thong/api/units")
    assert response.status_code == 429
    assert response.json()["code"] == "quota_exceeded"
    assert 0 < int(response["Retry-After"]) <= 86400
    assert AccessLogEntry.objects.filter(status=429).count() == 1


def test_past_the_rate_limit_the_client_gets_429(world):
    client = make_client(world, services_=["registry"], rate_per_minute=1)
    http = bearer(token_for(world, client))
    assert http.get("/lien-thong/api/units").status_code == 200
    response = http.get("/lien-thong/api/units")
    assert response.status_code == 429 and response.json()["code"] == "rate_limited"
    assert 1 <= int(response["Retry-After"]) <= 60


def test_a_suspended_client_is_refused(world):
    client = make_client(world, services_=["registry"])
    http = bearer(token_for(world, client))
    services.client_update(actor=world.users["province_admin"], client=client, active=False)
    response = http.get("/lien-thong/api/units")
    assert response.status_code == 403 and response.json()["code"] == "client_inactive"


def test_writes_through_the_gateway_need_no_csrf_and_act_as_the_service_account(world):
    from tinhso.dossiers.tests.factories import justice_procedure, submission

    procedure = justice_procedure(world)
    client = make_client(world, services_=["dossier-submit"])
    http = HttpClient(enforce_csrf_checks=True, headers={"Authorization": f"Bearer {token_for(world, client)}"})
    response = http.post("/lien-thong/api/dossiers", submission(world, procedure), content_type="application/json")
    assert response.status_code in (200, 201), response.content
