"""edXML exchange by identifier code: delivery inside the platform, export/import as files, status messages back
to the sender, resend with duplicate detection, and refusals that register nothing."""

import pytest

from tinhso.accounts.choices import Role
from tinhso.accounts.tests.factories import RoleFactory, UserFactory
from tinhso.core.exceptions import Conflict, ValidationError
from tinhso.documents import edxml, services
from tinhso.documents.choices import DeliveryStatus, Direction, SecurityLevel, Status
from tinhso.documents.models import Document

from .helpers import current_pdf, draft, signed_and_issued


def health_clerk(world):
    clerk = UserFactory(username="van.thu.yte", full_name="Phạm Văn Thư Y Tế")
    RoleFactory(user=clerk, role=Role.PROCESSING_OFFICER, agency=world.health)
    services.records_officer_grant(actor=world.users["province_admin"], agency_code=world.health.identifier_code,
                                   username=clerk.username)
    return clerk


def incoming_at(agency) -> Document:
    return Document.objects.get(agency=agency, direction=Direction.INCOMING)


@pytest.mark.smoke
def test_sending_delivers_to_the_recipient_register_and_the_sender_sees_received(desk):
    w = desk.world
    doc = services.document_send(actor=desk.clerk, document_id=signed_and_issued(desk).pk)
    assert doc.status == Status.SENT
    incoming = incoming_at(w.health)
    assert incoming.register_number == 1 and incoming.status == Status.REGISTERED
    assert incoming.number_notation == doc.number_notation and incoming.subject == doc.subject
    assert incoming.signer_name == "Nguyễn Văn Giám Đốc"
    assert services.verify(current_pdf(incoming)).ok
    assert incoming.files.get().checks.count() == 2  # both signatures verified and recorded on arrival
    assert doc.deliveries.get().status == DeliveryStatus.RECEIVED


@pytest.mark.smoke
def test_assigned_and_done_reach_the_sender(desk):
    w = desk.world
    doc = services.document_send(actor=desk.clerk, document_id=signed_and_issued(desk).pk)
    incoming = incoming_at(w.health)
    clerk = health_clerk(w)
    from django.utils import timezone

    officer = UserFactory(username="cb.yte", full_name="Cán bộ Y tế")
    RoleFactory(user=officer, role=Role.PROCESSING_OFFICER, agency=w.health)
    services.document_assign(actor=clerk, document_id=incoming.pk, username="cb.yte",
                             due_on=timezone.localdate())
    assert doc.deliveries.get().status == DeliveryStatus.ASSIGNED
    services.document_complete(actor=officer, document_id=incoming.pk, note="Đã triển khai")
    assert doc.deliveries.get().status == DeliveryStatus.DONE
    assert incoming_at(w.health).status == Status.DONE


@pytest.mark.smoke
def test_resend_is_detected_as_a_duplicate_and_not_registered_twice(desk):
    w = desk.world
    doc = services.document_send(actor=desk.clerk, document_id=signed_and_issued(desk).pk)
    delivery = services.delivery_resend(actor=desk.clerk, document_id=doc.pk, to_code=w.health.identifier_code)
    assert delivery.attempts == 2
    assert Document.objects.filter(agency=w.health, direction=Direction.INCOMING).count() == 1
    assert doc.events.filter(action="resend", data__duplicate=True).exists()


def test_an_exported_package_imported_by_another_agency_keeps_every_field_and_attachment(desk):
    w = desk.world
    from datetime import date

    from tinhso.documents.services import CleanFile

    doc = draft(desk, response_due_on=date(2026, 12, 31), steering_type=1, urgency="urgent",
                annexes=[CleanFile("phu-luc.pdf", "application/pdf", desk.draft_pdf("PHỤ LỤC I"))])
    services.document_submit_review(actor=w.users["processing_officer"], document_id=doc.pk)
    from .pki import PASSPHRASE

    services.document_leader_sign(actor=w.users["agency_leader"], document_id=doc.pk, key_id=desk.leader_key.pk,
                                  passphrase=PASSPHRASE)
    doc = services.document_issue(actor=desk.clerk, document_id=doc.pk, key_id=desk.agency_key.pk,
                                  passphrase=PASSPHRASE)
    data = services.package_for(doc, to_codes=[w.health.identifier_code], package_id="PKG-1")
    package = edxml.read_package(data)
    assert package.sender.code == w.justice.identifier_code
    assert [r.code for r in package.recipients] == [w.health.identifier_code]
    assert (package.code_number, package.code_notation) == ("01", "KH-STP")
    assert package.type_code == "KH" and package.type_name == "Kế hoạch"
    assert package.subject == doc.subject and package.signer_name == "Nguyễn Văn Giám Đốc"
    assert package.signer_position == "Giám đốc" and package.due_date == date(2026, 12, 31)
    assert package.steering_type == 1 and package.priority == 1
    assert package.promulgation_date == doc.issued_on
    clerk = health_clerk(w)
    incoming = services.package_import(actor=clerk, agency_code=w.health.identifier_code, data=data)
    assert incoming.number_notation == "01/KH-STP" and incoming.doc_type == "KH"
    assert incoming.response_due_on == date(2026, 12, 31) and incoming.urgency == "urgent"
    assert incoming.issuing_agency_code == w.justice.identifier_code
    originals = {f.original_name: current_pdf_bytes(f) for f in doc.files.filter(is_current=True)}
    received = {f.original_name: current_pdf_bytes(f) for f in incoming.files.all()}
    assert originals == received
    # the status round trip for an external sender: our edXML status message, read back by the sender's side
    status = edxml.read_status(services.status_message_for(incoming, DeliveryStatus.RECEIVED))
    assert status.document_id == "PKG-1" and status.status_code == "03"
    assert status.sender.code == w.health.identifier_code


def current_pdf_bytes(row) -> bytes:
    with row.file.open("rb") as fh:
        return fh.read()


def test_a_status_message_file_updates_the_senders_delivery(desk):
    w = desk.world
    doc = services.document_send(actor=desk.clerk, document_id=signed_and_issued(desk).pk)
    incoming = incoming_at(w.health)
    message = services.status_message_for(incoming, DeliveryStatus.DONE)
    delivery = services.status_import(actor=desk.clerk, data=message)
    assert delivery.status == DeliveryStatus.DONE
    assert doc.events.filter(action="status_done").exists()


@pytest.mark.smoke
def test_the_legacy_go_vn_namespace_is_read_too(desk):
    w = desk.world
    data = services.package_for(signed_and_issued(desk), to_codes=[w.health.identifier_code], package_id="P-2")
    legacy = data.replace(edxml.NS.encode(), edxml.LEGACY_NS.encode())
    assert edxml.read_package(legacy).code_notation == "KH-STP"


@pytest.mark.smoke
def test_an_edxml_without_a_to_organ_is_refused_and_nothing_registered(desk):
    w = desk.world
    from lxml import etree

    data = services.package_for(signed_and_issued(desk), to_codes=[w.health.identifier_code], package_id="P-3")
    root = etree.fromstring(data)
    for el in root.iter(f"{{{edxml.NS}}}To"):
        el.getparent().remove(el)
    with pytest.raises(ValidationError) as exc:
        services.package_import(actor=health_clerk(w), agency_code=w.health.identifier_code,
                                data=etree.tostring(root))
    assert "thiếu nơi nhận" in exc.value.field_errors["To"][0]
    assert not Document.objects.filter(agency=w.health).exists()


@pytest.mark.smoke
def test_an_unknown_identifier_code_is_refused_when_drafting_and_when_sending(desk):
    w = desk.world
    with pytest.raises(ValidationError) as exc:
        draft(desk, recipients=["999.99.99.H99"])
    assert "999.99.99.H99" in exc.value.field_errors["recipients"][0]
    doc = signed_and_issued(desk)
    with pytest.raises(ValidationError):
        services.document_send(actor=desk.clerk, document_id=doc.pk, recipients=["000.00.77.H56"])
    assert not Document.objects.filter(direction=Direction.INCOMING).exists()
    assert not doc.deliveries.exists()
    assert Document.objects.filter(direction=Direction.OUTGOING).count() == 1
    assert w.health  # the known recipient got nothing either


@pytest.mark.smoke
def test_a_package_with_a_broken_signature_is_refused_and_nothing_registered(desk):
    w = desk.world
    doc = signed_and_issued(desk)
    data = services.package_for(doc, to_codes=[w.health.identifier_code], package_id="P-4")
    package = edxml.read_package(data)
    pdf = package.attachments[0].data
    at = pdf.index(b"/MediaBox") + 12
    package.attachments[0].data = pdf[:at] + bytes([pdf[at] ^ 1]) + pdf[at + 1:]
    with pytest.raises(ValidationError) as exc:
        services.package_import(actor=health_clerk(w), agency_code=w.health.identifier_code,
                                data=edxml.build_package(package))
    assert "chữ ký số không hợp lệ" in exc.value.field_errors["Attachment"][0]
    assert not Document.objects.filter(agency=w.health).exists()


@pytest.mark.smoke
def test_importing_the_same_package_twice_is_a_duplicate(desk):
    w = desk.world
    data = services.package_for(signed_and_issued(desk), to_codes=[w.health.identifier_code], package_id="P-5")
    clerk = health_clerk(w)
    services.package_import(actor=clerk, agency_code=w.health.identifier_code, data=data)
    with pytest.raises(Conflict) as exc:
        services.package_import(actor=clerk, agency_code=w.health.identifier_code, data=data)
    assert "đã được tiếp nhận" in exc.value.message
    assert Document.objects.filter(agency=w.health).count() == 1


@pytest.mark.smoke
def test_confidential_documents_do_not_travel_electronically(desk):
    doc = signed_and_issued(desk, security_level=SecurityLevel.CONFIDENTIAL)
    with pytest.raises(ValidationError) as exc:
        services.document_send(actor=desk.clerk, document_id=doc.pk)
    assert "mật" in exc.value.field_errors["security_level"][0]
