import pytest
from django.test import Client as HttpClient

from tinhso.gateway.models import AccessRequest

from .factories import make_client, token_for

pytestmark = pytest.mark.django_db


def test_owner_asks_and_admin_decides_through_the_api(world):
    client = make_client(world, owner=world.justice)
    leader = world.client_for("agency_leader")
    asked = leader.post(f"/api/v1/gateway/clients/{client.pk}/access-requests",
                        {"service": "nope", "reason": "x"}, content_type="application/json")
    assert asked.status_code == 422 and "service" in asked.json()["errors"]
    asked = leader.post(f"/api/v1/gateway/clients/{client.pk}/access-requests",
                        {"service": "indicators", "reason": "Hiển thị chỉ số trên cổng của Sở"},
                        content_type="application/json")
    assert asked.status_code == 201
    request_id = asked.json()["id"]
    admin = world.client_for("province_admin")
    decided = admin.post(f"/api/v1/gateway/access-requests/{request_id}/decision", {"approve": True},
                         content_type="application/json")
    assert decided.status_code == 200 and decided.json()["status"] == "approved"
    again = admin.post(f"/api/v1/gateway/access-requests/{request_id}/decision", {"approve": True},
                       content_type="application/json")
    assert again.status_code == 409
    assert AccessRequest.objects.get().status == "approved"
    clients = admin.get("/api/v1/gateway/clients").json()
    assert clients[0]["services"] == ["indicators"]


def test_the_access_log_api_filters_like_the_page(world):
    client = make_client(world, services_=["registry"])
    http = HttpClient(headers={"Authorization": f"Bearer {token_for(world, client)}"})
    http.get("/lien-thong/api/units")
    http.get("/lien-thong/api/procedures")
    admin = world.client_for("province_admin")
    assert admin.get("/api/v1/gateway/access-log").json()["total"] == 2
    denied = admin.get("/api/v1/gateway/access-log", {"status": "denied"}).json()
    assert [e["status"] for e in denied["items"]] == [403]
    assert admin.get("/api/v1/gateway/access-log", {"from": "bad"}).status_code == 422


def test_a_client_system_cannot_reach_the_gateway_administration(world):
    client = make_client(world, services_=["registry"])
    http = HttpClient(headers={"Authorization": f"Bearer {token_for(world, client)}"})
    assert http.get("/lien-thong/api/gateway/access-log").status_code == 403
    assert http.get("/api/v1/gateway/clients").status_code == 403
