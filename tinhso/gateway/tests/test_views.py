"""Pages of the gateway: the catalogue for everyone, clients and requests for owners and the province admin."""

import pytest

from tinhso.audit.models import AuditEvent
from tinhso.gateway.models import AccessRequest, Client, Grant

from .factories import make_client

pytestmark = pytest.mark.django_db


def test_the_service_catalogue_is_generated_from_the_openapi_schema(client, world):
    page = client.get("/lien-thong/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Tra cứu trạng thái hồ sơ" in html and "<code>dossier-status</code>" in html
    assert "/lien-thong/api/dossiers/{code}" in html
    assert "curl -H &quot;Authorization: Bearer $MA_TRUY_CAP&quot;" in html
    # summaries come from the schema, not from a copy
    from tinhso.gateway import routes

    summary = next(op["summary"] for op in routes.operations().values()
                   if op["operationId"] == "tinhso_org_api_export_agencies")
    assert summary in html


def test_province_admin_registers_a_client_with_its_service_account(world):
    admin = world.client_for("province_admin")
    response = admin.post("/lien-thong/he-thong/", {
        "code": "he-thong-mot-cua", "name": "Hệ thống một cửa điện tử tỉnh", "kind": "internal",
        "owner_agency_code": world.justice.identifier_code, "contact_name": "Lê Văn Một"})
    client = Client.objects.get(code="he-thong-mot-cua")
    assert response.status_code == 302
    assert client.service_user.roles.get().role == "system_client"
    assert AuditEvent.objects.filter(action="gateway.client.create").exists()
    bad = admin.post("/lien-thong/he-thong/", {"code": "X", "name": "Hệ thống X", "kind": "internal",
                                                "owner_agency_code": "nope", "contact_name": "a"})
    assert bad.status_code == 200
    assert "Mã hệ thống gồm" in bad.content.decode()


def test_owner_asks_for_a_service_and_the_province_admin_approves_each_step_audited(world):
    client = make_client(world, owner=world.justice)
    leader = world.client_for("agency_leader")
    response = leader.post(f"/lien-thong/he-thong/{client.pk}/yeu-cau/",
                           {"service": "statistics", "reason": "Tổng hợp báo cáo II.06a hằng tháng"})
    assert response.status_code == 302
    request = AccessRequest.objects.get()
    assert request.status == "pending" and request.requested_by == world.users["agency_leader"]
    # the owner cannot decide; the province admin can
    assert leader.post(f"/lien-thong/yeu-cau/{request.pk}/quyet-dinh/", {"decision": "approve"}).status_code == 302
    request.refresh_from_db()
    assert request.status == "pending"
    admin = world.client_for("province_admin")
    listing = admin.get("/lien-thong/yeu-cau/")
    assert "Tổng hợp báo cáo II.06a" in listing.content.decode()
    admin.post(f"/lien-thong/yeu-cau/{request.pk}/quyet-dinh/", {"decision": "approve"})
    request.refresh_from_db()
    assert request.status == "approved"
    assert Grant.objects.filter(client=client, service="statistics").exists()
    actions = list(AuditEvent.objects.filter(action__startswith="gateway.").values_list("action", flat=True))
    assert actions[-3:] == ["gateway.access_request.create", "gateway.access_request.approve", "gateway.grant.add"]


def test_refusing_needs_a_reason(world):
    client = make_client(world, owner=world.justice)
    from tinhso.gateway import services

    request = services.access_request_create(actor=world.users["agency_leader"], client=client,
                                             service="registry", reason="Đồng bộ danh mục cơ quan")
    admin = world.client_for("province_admin")
    admin.post(f"/lien-thong/yeu-cau/{request.pk}/quyet-dinh/", {"decision": "refuse"})
    request.refresh_from_db()
    assert request.status == "pending"
    admin.post(f"/lien-thong/yeu-cau/{request.pk}/quyet-dinh/", {"decision": "refuse", "note": "Chưa cần thiết"})
    request.refresh_from_db()
    assert request.status == "refused"
    assert AuditEvent.objects.filter(action="gateway.access_request.refuse").exists()


def test_an_officer_of_another_agency_does_not_see_the_client(world):
    client = make_client(world, owner=world.justice)
    assert world.client_for("other_unit_officer").get(f"/lien-thong/he-thong/{client.pk}/").status_code == 404
    assert world.client_for("agency_leader").get(f"/lien-thong/he-thong/{client.pk}/").status_code == 200


def test_admin_issues_oauth2_credentials_shown_once(world):
    client = make_client(world)
    admin = world.client_for("province_admin")
    page = admin.post(f"/lien-thong/he-thong/{client.pk}/xac-thuc/", {"kind": "oauth2"})
    assert page.status_code == 200 and "client_secret" in page.content.decode()
    client.refresh_from_db()
    assert client.application is not None
    detail = admin.get(f"/lien-thong/he-thong/{client.pk}/").content.decode()
    assert page.context["client_secret"] not in detail


def test_client_page_shows_the_usage_chart_data(world):
    from django.test import Client as HttpClient

    from .factories import token_for

    client = make_client(world, services_=["registry"])
    HttpClient(headers={"Authorization": f"Bearer {token_for(world, client)}"}).get("/lien-thong/api/units")
    page = world.client_for("province_admin").get("/lien-thong/he-thong/")
    assert page.context["usage"]["series"][0]["counts"][-1] == 1
    assert 'id="usage-data"' in page.content.decode()


def test_outbox_and_webhook_log_pages(world, settings):
    from tinhso.dossiers.services import dossier_transition
    from tinhso.dossiers.tests.factories import make_dossier
    from tinhso.gateway import services

    settings.TINHSO_DVCQG_URL = "http://127.0.0.1:9/portal"
    client = make_client(world, services_=["dossier-status"])
    subscription = services.webhook_subscribe(actor=world.users["province_admin"], client=client,
                                              url="http://127.0.0.1:9/hook")
    dossier = make_dossier(world, applicant_user=None)
    dossier.applicant_user = client.service_user
    dossier.save(update_fields=["applicant_user"])
    dossier_transition(actor=world.users["processing_officer"], dossier_code=dossier.code, action="start")
    admin = world.client_for("province_admin")
    page = admin.get("/lien-thong/ket-noi/", {"status": "pending"})
    assert page.status_code == 200 and page.context["page"].total == 1
    assert "dossier-event-" in page.content.decode()
    log = admin.get(f"/lien-thong/webhook/{subscription.pk}/")
    assert log.status_code == 200 and dossier.code in log.content.decode()
    assert world.client_for("other_unit_officer").get(f"/lien-thong/webhook/{subscription.pk}/").status_code == 404
    assert world.client_for("agency_leader").get("/lien-thong/ket-noi/").status_code == 403
    refused = admin.post("/lien-thong/ket-noi/", follow=True)  # catalogue not configured
    assert "TINHSO_CATALOGUE_URL" in refused.content.decode()


def test_the_demo_clients_work_with_the_printed_credentials(world):
    from django.test import Client as HttpClient

    from tinhso.gateway.demo import create_demo_gateway
    from tinhso.gateway.models import AccessLogEntry

    portal, justice_system = create_demo_gateway(admin=world.users["province_admin"], committee=world.committee,
                                                 justice=world.justice, justice_leader=world.users["agency_leader"])
    assert (portal.kind, justice_system.kind) == ("Ngoài tỉnh", "Trong tỉnh")
    assert portal.client_id and portal.client_secret
    assert list(AccessLogEntry.objects.order_by("seq").values_list("status", flat=True)) == [200, 200, 403]
    assert AccessLogEntry.objects.order_by("seq").first().purpose == "Đồng bộ danh mục cơ quan"
    http = HttpClient(headers={"Authorization": f"Bearer {portal.token}"})
    assert http.get("/lien-thong/api/procedures").status_code == 200
    assert http.get("/lien-thong/api/agencies").status_code == 403
