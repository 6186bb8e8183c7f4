from tinhso.gateway import services
from tinhso.gateway.choices import ClientKind


def make_client(world, *, code="cong-dvc", name="Cổng Dịch vụ công quốc gia", kind=ClientKind.EXTERNAL,
                owner=None, services_=(), **limits):
    admin = world.users["province_admin"]
    client = services.client_create(actor=admin, code=code, name=name, kind=kind,
                                    owner_agency_code=(owner or world.committee).identifier_code,
                                    contact_name="Trần Văn Liên", contact_email="lien@example.vn", **limits)
    for key in services_:
        services.grant_add(actor=admin, client=client, service=key)
    return client


def token_for(world, client) -> str:
    return services.client_token_issue(actor=world.users["province_admin"], client=client)
