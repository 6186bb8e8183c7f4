"""Incoming documents from paper scans (text extracted), handling with due dates, links, and search."""

import pytest
from django.utils import timezone

from tinhso.core.exceptions import PermissionDenied, ValidationError
from tinhso.documents import selectors, services
from tinhso.documents.choices import DocumentType, Status
from tinhso.documents.filters import DocumentFilter
from tinhso.documents.models import Document
from tinhso.documents.pdf import text_pdf

from .helpers import pdf_upload, signed_and_issued


def paper(world, subject="Về việc tăng cường phòng chống dịch sốt xuất huyết", text="Nội dung về tiêm chủng mở rộng"):
    return services.document_register_paper(
        actor=world.users["processing_officer"], agency_code=world.justice.identifier_code,
        doc_type=DocumentType.CONG_VAN, subject=subject, scan=pdf_upload(text_pdf(["CÔNG VĂN", text])),
        issuing_agency_name="Bộ Y tế", code_number="176", code_notation="BYT-DP")


@pytest.mark.smoke
def test_a_scanned_paper_is_registered_with_its_text_extracted_for_search(world):
    doc = paper(world)
    assert doc.register_number == 1 and doc.status == Status.REGISTERED
    assert "tiêm chủng mở rộng" in doc.text_content
    user = world.users["processing_officer"]
    for q in ("tiem chung", "tiêm chủng", "176/BYT", "sot xuat huyet"):
        assert list(selectors.document_list(user=user, filters=DocumentFilter(q=q))) == [doc], q
    assert not selectors.document_list(user=user, filters=DocumentFilter(q="quy hoạch đô thị")).exists()


@pytest.mark.smoke
def test_search_filters_by_agency_type_date_and_status_and_stays_in_scope(desk):
    w = desk.world
    incoming = paper(w)
    outgoing = signed_and_issued(desk)
    user = w.users["processing_officer"]
    today = timezone.localdate()

    def found(**kwargs):
        return set(selectors.document_list(user=user, filters=DocumentFilter(**kwargs)))

    assert found(doc_type="KH") == {outgoing}
    assert found(status=Status.REGISTERED) == {incoming}
    assert found(direction="outgoing", date_from=today, date_to=today) == {outgoing}
    assert found(agency=w.justice.identifier_code) == {incoming, outgoing}
    assert not selectors.document_list(user=w.users["other_unit_officer"], filters=DocumentFilter()).exists()


@pytest.mark.smoke
def test_a_scan_that_is_not_a_pdf_is_refused_and_nothing_registered(world):
    with pytest.raises(ValidationError) as exc:
        services.document_register_paper(
            actor=world.users["processing_officer"], agency_code=world.justice.identifier_code,
            doc_type=DocumentType.CONG_VAN, subject="X", issuing_agency_name="Bộ Y tế",
            scan=pdf_upload(b"GIF89a not a pdf"))
    assert "PDF" in exc.value.field_errors["scan"][0]
    assert not Document.objects.exists()


@pytest.mark.smoke
def test_assignment_needs_a_due_date_and_a_person_of_the_department(world):
    doc = paper(world)
    leader = world.users["agency_leader"]
    with pytest.raises(ValidationError):
        services.document_assign(actor=leader, document_id=doc.pk, due_on=None, username="processing.officer")
    with pytest.raises(ValidationError):
        services.document_assign(actor=leader, document_id=doc.pk, due_on=timezone.localdate(),
                                 username="other.unit.officer")
    with pytest.raises(PermissionDenied):
        services.document_assign(actor=world.users["processing_officer"], document_id=doc.pk,
                                 due_on=timezone.localdate(), username="processing.officer")
    services.document_assign(actor=leader, document_id=doc.pk, due_on=timezone.localdate(),
                             username="processing.officer", note="Đề nghị tham mưu")
    doc = services.document_complete(actor=world.users["processing_officer"], document_id=doc.pk)
    assert doc.status == Status.DONE and doc.completed_at
    assert [e.action for e in doc.events.all()] == ["register_paper", "assign", "complete"]


@pytest.mark.smoke
def test_a_document_links_to_a_dossier_in_scope_or_a_feedback_report(world):
    from tinhso.dossiers.tests.factories import make_dossier

    doc = paper(world)
    dossier = make_dossier(world)
    user = world.users["processing_officer"]
    with pytest.raises(ValidationError):
        services.document_link(actor=user, document_id=doc.pk, dossier_code="KHONG-CO")
    doc = services.document_link(actor=user, document_id=doc.pk, dossier_code=dossier.code, feedback_ref="PA-2026-1")
    assert doc.dossier == dossier and doc.feedback_ref == "PA-2026-1"


@pytest.mark.smoke
def test_every_change_is_audited(world):
    from tinhso.audit.models import AuditEvent

    doc = paper(world)
    assert AuditEvent.objects.filter(action="documents.document.register_paper", object_id=str(doc.pk)).exists()


@pytest.mark.smoke
def test_follow_up_lists_assigned_documents_past_their_due_date(world):
    from datetime import timedelta

    doc = paper(world)
    services.document_assign(actor=world.users["agency_leader"], document_id=doc.pk, due_on=timezone.localdate(),
                             username="processing.officer")
    user = world.users["agency_leader"]
    assert not selectors.document_list(user=user, filters=DocumentFilter(overdue=True)).exists()
    Document.objects.filter(pk=doc.pk).update(handling_due_on=timezone.localdate() - timedelta(days=1))
    assert list(selectors.document_list(user=user, filters=DocumentFilter(overdue=True))) == [doc]
    page = world.client_for("agency_leader").get("/van-ban/", {"overdue": "1"}).content.decode()
    assert "rà soát" not in page and doc.subject in page
