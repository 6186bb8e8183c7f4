"""Attack (and breakage): bearer tokens on write routes.

Before: every POST/PUT/PATCH/DELETE with a valid `Authorization: Bearer` token got 403 "CSRF check Failed", because
the cookie authenticator ran first and raised; a bogus token got the same 403, and a bogus token sent beside a
session cookie was never looked at. Now a request with a bearer token is authenticated by the token alone.
"""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from tinhso.accounts.choices import Role
from tinhso.accounts.models import ApiToken
from tinhso.accounts.tests.factories import RoleFactory
from tinhso.api.api import api

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]

WRITE_METHODS = {"post", "put", "patch", "delete"}
# What a route itself answers: success, or its own validation, permission, lookup or conflict answer.
ROUTE_ANSWERS = {200, 201, 204, 400, 403, 404, 409, 413, 422}


def _write_routes() -> list[tuple[str, str, dict]]:
    schema = api.get_openapi_schema(path_prefix="/api/v1/")
    return sorted((method.upper(), path, operation) for path, item in schema["paths"].items()
                  for method, operation in item.items() if method in WRITE_METHODS)


def _concrete(path: str, operation: dict) -> str:
    for param in operation.get("parameters", []):
        if param.get("in") == "path":
            kind = param.get("schema", {}).get("type")
            path = path.replace("{" + param["name"] + "}", "999999" if kind == "integer" else "khong-co")
    return path


def _csrf_client(**headers) -> Client:
    return Client(enforce_csrf_checks=True, headers=headers)


def test_the_schema_has_write_routes():
    assert len(_write_routes()) >= 10


@pytest.mark.parametrize("method,path,operation", _write_routes(), ids=lambda v: v if isinstance(v, str) else "")
def test_valid_token_reaches_every_write_routes_own_answer(world, method, path, operation):
    # A client that is also the province administrator passes most permission checks, so the empty body is
    # answered by the route's own validation; either way neither authentication nor CSRF may stop it.
    RoleFactory(user=world.users["system_client"], role=Role.PROVINCE_ADMIN, unit=world.province)
    client = _csrf_client(Authorization=f"Bearer {world.token}")
    response = client.generic(method, _concrete(path, operation), "{}", content_type="application/json")
    body = response.json() if response.get("Content-Type", "").startswith("application/json") else {}
    assert response.status_code in ROUTE_ANSWERS, (method, path, response.status_code, body)
    assert "CSRF" not in str(body), (method, path, body)
    if response.status_code == 403:
        assert body.get("code") == "permission_denied", (method, path, body)


def test_valid_token_writes_without_csrf(world):
    client = _csrf_client(Authorization=f"Bearer {world.token}")
    RoleFactory(user=world.users["system_client"], role=Role.PROVINCE_ADMIN, unit=world.province)
    response = client.post("/api/v1/roles", {"username": "citizen", "role": "receiving_officer",
                                             "agency": world.commune_committee.identifier_code},
                           content_type="application/json")
    assert response.status_code == 201, response.content


@pytest.mark.parametrize("token", ["tso_khong-phai-ma-that", "abc", ""])
def test_bogus_token_gets_401_in_vietnamese(world, token):
    response = _csrf_client(Authorization=f"Bearer {token}").post("/api/v1/roles", {},
                                                                  content_type="application/json")
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_token"
    assert "Mã truy cập API không hợp lệ" in response.json()["message"]


def test_bogus_token_on_a_read_gets_401_too(world):
    response = _csrf_client(Authorization="Bearer tso_sai").get("/api/v1/me")
    assert response.status_code == 401


def test_revoked_token_gets_401(world):
    ApiToken.objects.filter(user=world.users["system_client"]).update(revoked_at=timezone.now())
    response = _csrf_client(Authorization=f"Bearer {world.token}").get("/api/v1/me")
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_token"


def test_expired_token_gets_401(world):
    ApiToken.objects.filter(user=world.users["system_client"]).update(
        expires_at=timezone.now() - timedelta(minutes=1))
    response = _csrf_client(Authorization=f"Bearer {world.token}").delete("/api/v1/roles/1")
    assert response.status_code == 401


def test_bogus_token_never_falls_back_to_the_session(world):
    client = _csrf_client(Authorization="Bearer tso_sai")
    client.force_login(world.users["province_admin"])
    assert client.get("/api/v1/me").status_code == 401
    assert client.get("/api/v1/users").status_code == 401


def test_token_wins_over_a_session_cookie(world):
    client = _csrf_client(Authorization=f"Bearer {world.token}")
    client.force_login(world.users["province_admin"])
    assert client.get("/api/v1/me").json()["username"] == "system.client"


def test_cookie_session_writes_still_need_csrf(world):
    client = _csrf_client()
    client.force_login(world.users["province_admin"])
    response = client.post("/api/v1/roles", {"username": "citizen", "role": "receiving_officer",
                                             "agency": world.commune_committee.identifier_code},
                           content_type="application/json")
    assert response.status_code == 403
