"""Every read of documents the pages and the API expose, scoped to the acting user."""

from django.db.models import Q, QuerySet

from tinhso.core.exceptions import NotFound
from tinhso.org.filters import word_prefix_search

from . import access
from .filters import DocumentFilter
from .models import Delivery, Document, DocumentEvent, DocumentFile, SignatureCheck, SigningKey, TrustRoot


def document_list(*, user, filters: DocumentFilter | None = None) -> QuerySet:
    f = filters or DocumentFilter()
    if not getattr(user, "is_authenticated", False):
        return Document.objects.none()
    qs = Document.objects.filter(Q(agency_id__in=access.visible_agency_ids(user)) | Q(assignee=user))
    if f.direction:
        qs = qs.filter(direction=f.direction)
    if f.agency:
        qs = qs.filter(Q(agency__identifier_code=f.agency) | Q(issuing_agency_code=f.agency))
    if f.doc_type:
        qs = qs.filter(doc_type=f.doc_type)
    if f.status:
        qs = qs.filter(status=f.status)
    if f.date_from:
        qs = qs.filter(Q(issued_on__gte=f.date_from) | Q(issued_on__isnull=True, created_at__date__gte=f.date_from))
    if f.date_to:
        qs = qs.filter(Q(issued_on__lte=f.date_to) | Q(issued_on__isnull=True, created_at__date__lte=f.date_to))
    if f.overdue:
        from django.utils import timezone

        qs = qs.filter(status="assigned", handling_due_on__lt=timezone.localdate())
    qs = word_prefix_search(qs, f.q).select_related("agency")
    return qs.order_by("search_rank", "-created_at", "-id") if f.q else qs.order_by("-created_at", "-id")


def document_get(*, user, document_id: int) -> Document:
    if not 0 < document_id < 2**31:  # beyond the column's range: no such document (and no database error)
        raise NotFound("Không tìm thấy văn bản.")
    document = Document.objects.select_related("agency", "dossier", "assignee", "assigned_agency").filter(
        pk=document_id).first()
    if document is None or not access.can_view(user, document):
        raise NotFound("Không tìm thấy văn bản.")
    return document


def document_files(*, document: Document, current_only: bool = True) -> QuerySet:
    qs = DocumentFile.objects.filter(document=document)
    return qs.filter(is_current=True) if current_only else qs


def file_get(*, document: Document, file_id: int) -> DocumentFile:
    row = DocumentFile.objects.filter(document=document, pk=file_id).first()
    if row is None:
        raise NotFound("Không tìm thấy tệp.")
    return row


def signature_checks(*, document: Document) -> QuerySet:
    return SignatureCheck.objects.filter(file__document=document, file__is_current=True).select_related("file")


def document_events(*, document: Document) -> QuerySet:
    return DocumentEvent.objects.filter(document=document)


def deliveries(*, document: Document) -> QuerySet:
    return Delivery.objects.filter(document=document)


def signing_keys_for(*, user) -> QuerySet:
    """The user's own personal keys and the agency keys of the agencies they keep the records of."""
    if not getattr(user, "is_authenticated", False):
        return SigningKey.objects.none()
    return SigningKey.objects.filter(Q(user=user) | Q(owner="agency", agency_id__in=access.records_agency_ids(user)),
                                     is_active=True).select_related("agency")


def trust_roots() -> QuerySet:
    return TrustRoot.objects.all()


def actions_for(*, user, document: Document) -> list[str]:
    """The steps this user may take now (the pages show them; the services decide again)."""
    if not access.can_view(user, document):
        return []
    agency, s = document.agency, document.status
    actions = []
    if s == "draft" and access.can_draft_for(user, agency):
        actions.append("submit_review")
    if s == "in_review" and access.is_leader_of(user, agency):
        actions += ["leader_sign", "return"]
    if s == "signed" and access.is_records_officer(user, agency):
        actions.append("issue")
    if s in ("issued", "sent") and access.is_records_officer(user, agency) and document.travels_electronically:
        actions.append("send")
    if document.direction == "incoming" and s in ("registered", "assigned") and (
            access.is_leader_of(user, agency) or access.is_records_officer(user, agency)):
        actions.append("assign")
    if s == "assigned" and (document.assignee_id == user.pk or access.is_leader_of(user, agency)):
        actions.append("complete")
    return actions
