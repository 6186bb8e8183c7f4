"""The demo's documents are made through the services and leave work at each step."""

from tinhso.accounts.choices import Role
from tinhso.accounts.tests.factories import RoleFactory, UserFactory
from tinhso.documents.choices import Direction, Status
from tinhso.documents.demo import create_demo_documents
from tinhso.documents.models import Document


def test_demo_documents_cover_each_step_and_verify(world):
    for username, role, scope in (("quantri", Role.PROVINCE_ADMIN, {"unit": world.province}),
                                  ("lanhdao.stp", Role.AGENCY_LEADER, {"agency": world.justice}),
                                  ("chuyenvien.stp", Role.PROCESSING_OFFICER, {"agency": world.justice})):
        RoleFactory(user=UserFactory(username=username, full_name=username), role=role, **scope)
    made = create_demo_documents(province=world.province, justice=world.justice, committee=world.committee,
                                 commune_committee=world.commune_committee, passphrase="Demo@2026")
    assert made == 5
    outgoing = Document.objects.filter(agency=world.justice, direction=Direction.OUTGOING)
    assert sorted(outgoing.values_list("status", flat=True)) == ["in_review", "issued", "sent", "sent"]
    assert Document.objects.filter(agency=world.committee, direction=Direction.INCOMING).count() == 2
    assert Document.objects.filter(agency=world.justice, status=Status.ASSIGNED).count() == 1
    from tinhso.documents import services

    received = Document.objects.filter(agency=world.commune_committee).first()
    with services.main_file(received).file.open("rb") as fh:
        assert services.verify(fh.read()).ok
