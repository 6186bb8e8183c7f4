"""The demo province's gateway: one internal and one external client system with credentials to try, a pending
access request, and a few logged calls so the access log and the usage chart are not empty."""

from dataclasses import dataclass
from urllib.parse import quote

from . import services
from .choices import ClientKind


@dataclass
class DemoClient:
    name: str
    kind: str
    services: list[str]
    token: str
    client_id: str = ""
    client_secret: str = ""
    try_path: str = "/lien-thong/api/procedures"


def create_demo_gateway(*, admin, committee, justice, justice_leader) -> list[DemoClient]:
    portal = services.client_create(
        actor=admin, code="cong-dvc-quoc-gia", name="Cổng Dịch vụ công quốc gia", kind=ClientKind.EXTERNAL,
        owner_agency_code=committee.identifier_code, contact_name="Bộ phận kỹ thuật Cổng DVC quốc gia",
        contact_email="kythuat@dichvucong.gov.vn")
    for key in ("dossier-status", "dossier-submit", "procedures"):
        services.grant_add(actor=admin, client=portal, service=key)
    client_id, secret = services.client_oauth_issue(actor=admin, client=portal)
    justice_system = services.client_create(
        actor=admin, code="he-thong-ho-tich-stp", name="Phần mềm quản lý hộ tịch — Sở Tư pháp",
        kind=ClientKind.INTERNAL, owner_agency_code=justice.identifier_code, contact_name="Phòng Hộ tịch",
        contact_email="hotich@stp.gov.vn")
    services.grant_add(actor=admin, client=justice_system, service="registry")
    services.access_request_create(actor=justice_leader, client=justice_system, service="statistics",
                                   reason="Lấy số liệu hồ sơ hộ tịch để lập báo cáo tháng của Sở.")
    portal_token = services.client_token_issue(actor=admin, client=portal, name="Mã truy cập mẫu (Cổng DVC)")
    justice_token = services.client_token_issue(actor=admin, client=justice_system, name="Mã truy cập mẫu")
    _demo_calls(justice_token)
    return [DemoClient(portal.name, portal.get_kind_display(), [g.service for g in portal.grants.all()],
                       portal_token, client_id, secret),
            DemoClient(justice_system.name, justice_system.get_kind_display(), ["registry"], justice_token,
                       try_path="/lien-thong/api/agencies")]


def _demo_calls(token: str) -> None:
    """A few calls through the gateway, in process, so the log shows allowed and refused calls."""
    from django.test import Client

    from .accesslog import access_log_seal

    http = Client(headers={"Authorization": f"Bearer {token}"})
    for path, purpose in (("/lien-thong/api/agencies", "Đồng bộ danh mục cơ quan"),
                          ("/lien-thong/api/units", "Đồng bộ danh mục đơn vị hành chính"),
                          ("/lien-thong/api/statistics/dossiers", "Thử lấy thống kê")):
        http.get(path, headers={"X-Purpose": quote(purpose)})
    access_log_seal()  # the demo's log starts chained (a server seals within a second of each call)
