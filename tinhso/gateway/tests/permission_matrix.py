from tests.matrix import AUTHENTICATED, Request, case
from tinhso.gateway import services
from tinhso.gateway.choices import ClientKind


def _client(w):
    return services.client_create(actor=w.users["province_admin"], code="he-thong-tu-phap", name="Hệ thống Tư pháp",
                                  kind=ClientKind.INTERNAL, owner_agency_code=w.justice.identifier_code,
                                  contact_name="Người liên hệ")


def _ask(w) -> Request:
    return Request(f"/api/v1/gateway/clients/{_client(w).pk}/access-requests",
                   json={"service": "statistics", "reason": "Tổng hợp báo cáo hằng tháng"})


def _decide(w) -> Request:
    request = services.access_request_create(actor=w.users["agency_leader"], client=_client(w),
                                             service="registry", reason="Đồng bộ danh mục cơ quan")
    return Request(f"/api/v1/gateway/access-requests/{request.pk}/decision", json={"approve": True})


MATRIX = {
    ("GET", "/api/v1/gateway/services"): case(lambda w: Request("/api/v1/gateway/services"), AUTHENTICATED),
    # Everyone gets the clients in their scope (an empty list for most).
    ("GET", "/api/v1/gateway/clients"): case(lambda w: Request("/api/v1/gateway/clients"), AUTHENTICATED),
    ("GET", "/api/v1/gateway/access-requests"): case(lambda w: Request("/api/v1/gateway/access-requests"),
                                                     AUTHENTICATED),
    # The owner agency's leader asks for its client; the province admin may too; others do not see the client.
    ("POST", "/api/v1/gateway/clients/{client_id}/access-requests"): case(_ask, {"agency_leader", "province_admin"}),
    ("POST", "/api/v1/gateway/access-requests/{request_id}/decision"): case(_decide, {"province_admin"}),
    ("GET", "/api/v1/gateway/access-log"): case(lambda w: Request("/api/v1/gateway/access-log"), {"province_admin"}),
}
