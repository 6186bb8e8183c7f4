"""Document pages: search, the document page (files, signature checks, deliveries, steps), drafting, paper
registration, edXML import and a signature checker. Each calls the same services and selectors as the API."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from tinhso.core.exceptions import DomainError, NotFound, ValidationError
from tinhso.core.pagination import page_number, paginate

from . import access, edxml, selectors, services
from .choices import Direction, DocumentType, SecurityLevel, Status, Urgency
from .filters import DocumentFilter
from .models import Document

ACTION_LABELS = {
    "submit_review": "Trình lãnh đạo", "return": "Trả lại dự thảo", "leader_sign": "Ký số (lãnh đạo)",
    "issue": "Cấp số và ký số cơ quan", "send": "Gửi văn bản", "assign": "Phân công xử lý",
    "complete": "Hoàn thành xử lý",
}


def _ip(request) -> str:
    return request.META.get("REMOTE_ADDR", "")[:45]


def _date(value: str, field: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValidationError.for_field(field, "Ngày không hợp lệ (định dạng YYYY-MM-DD).") from None


def _error_text(exc: DomainError) -> str:
    return " ".join(m for ms in exc.field_errors.values() for m in ms) or exc.message


def _agencies(user):
    from tinhso.org.models import Agency

    return Agency.objects.filter(pk__in=access.visible_agency_ids(user)).order_by("name")


@login_required
def document_list(request):
    g = request.GET
    try:
        filters = DocumentFilter(q=g.get("q", "")[:200], direction=g.get("direction", ""), agency=g.get("agency", ""),
                                 doc_type=g.get("doc_type", ""), status=g.get("status", ""),
                                 date_from=_date(g.get("date_from", ""), "date_from"),
                                 date_to=_date(g.get("date_to", ""), "date_to"), overdue=g.get("overdue") == "1")
        error = ""
    except ValidationError as exc:
        filters, error = DocumentFilter(q=g.get("q", "")[:200]), _error_text(exc)
    page = paginate(selectors.document_list(user=request.user, filters=filters), page=page_number(g.get("page")))
    return render(request, "documents/list.html", {
        "page": page, "filters": filters, "error": error, "types": DocumentType.choices,
        "statuses": Status.choices, "directions": Direction.choices, "agencies": _agencies(request.user)})


def _document(request, document_id: int) -> Document:
    try:
        return selectors.document_get(user=request.user, document_id=document_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc


@login_required
def document_detail(request, document_id: int):
    document = _document(request, document_id)
    actions = selectors.actions_for(user=request.user, document=document)
    return render(request, "documents/detail.html", {
        "document": document, "files": selectors.document_files(document=document),
        "checks": selectors.signature_checks(document=document),
        "events": selectors.document_events(document=document),
        "deliveries": selectors.deliveries(document=document),
        "actions": [(a, ACTION_LABELS[a]) for a in actions],
        "keys": selectors.signing_keys_for(user=request.user)})


@login_required
@require_POST
def document_act(request, document_id: int):
    _document(request, document_id)
    p, user, ip = request.POST, request.user, _ip(request)
    action = p.get("action", "")
    key_id = int(p["key_id"]) if p.get("key_id", "").isdigit() else None
    try:
        if action == "submit_review":
            services.document_submit_review(actor=user, document_id=document_id, note=p.get("note", ""), ip_address=ip)
        elif action == "return":
            services.document_return(actor=user, document_id=document_id, note=p.get("note", ""), ip_address=ip)
        elif action == "leader_sign":
            services.document_leader_sign(actor=user, document_id=document_id, key_id=key_id,
                                          passphrase=p.get("passphrase", ""), position=p.get("position", ""),
                                          ip_address=ip)
        elif action == "issue":
            services.document_issue(actor=user, document_id=document_id, key_id=key_id,
                                    passphrase=p.get("passphrase", ""), ip_address=ip)
        elif action == "send":
            services.document_send(actor=user, document_id=document_id, ip_address=ip)
        elif action == "assign":
            services.document_assign(actor=user, document_id=document_id, due_on=_date(p.get("due_on", ""), "due_on"),
                                     agency_code=p.get("agency_code", ""), username=p.get("username", ""),
                                     note=p.get("note", ""), ip_address=ip)
        elif action == "complete":
            services.document_complete(actor=user, document_id=document_id, note=p.get("note", ""), ip_address=ip)
        elif action == "link":
            services.document_link(actor=user, document_id=document_id, dossier_code=p.get("dossier_code", ""),
                                   feedback_ref=p.get("feedback_ref", ""), ip_address=ip)
        else:
            raise ValidationError.for_field("action", "Thao tác không hợp lệ.")
    except DomainError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, f"Đã thực hiện: {ACTION_LABELS.get(action, 'liên kết')}.")
    return redirect("documents:detail", document_id=document_id)


@login_required
def document_file(request, document_id: int, file_id: int):
    document = _document(request, document_id)
    try:
        row = selectors.file_get(document=document, file_id=file_id)
        handle = row.file.open("rb")
    except (NotFound, OSError) as exc:
        raise Http404("Không tìm thấy tệp.") from exc
    response = FileResponse(handle, as_attachment=True, filename=row.original_name, content_type=row.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _form_context(request, **extra) -> dict:
    return {"types": DocumentType.choices, "urgencies": Urgency.choices, "levels": SecurityLevel.choices,
            "agencies": _agencies(request.user), "values": request.POST, **extra}


@login_required
def document_new(request):
    """Draft an outgoing document (upload its PDF), or register an incoming paper one (upload its scan)."""
    kind = request.GET.get("loai", "") or request.POST.get("kind", "")
    if request.method == "POST":
        p = request.POST
        try:
            if kind == "paper":
                doc = services.document_register_paper(
                    actor=request.user, agency_code=p.get("agency_code", ""), doc_type=p.get("doc_type", ""),
                    subject=p.get("subject", ""), scan=request.FILES.get("file"),
                    issuing_agency_name=p.get("issuing_agency_name", ""), code_number=p.get("code_number", ""),
                    code_notation=p.get("code_notation", ""), issued_on=_date(p.get("issued_on", ""), "issued_on"),
                    urgency=p.get("urgency", Urgency.NORMAL), ip_address=_ip(request))
            else:
                doc = services.document_draft(
                    actor=request.user, agency_code=p.get("agency_code", ""), doc_type=p.get("doc_type", ""),
                    subject=p.get("subject", ""), main_file=request.FILES.get("file"),
                    annexes=request.FILES.getlist("annexes"), urgency=p.get("urgency", Urgency.NORMAL),
                    security_level=p.get("security_level", SecurityLevel.ORDINARY),
                    signer_position=p.get("signer_position", ""), recipients=p.get("recipients", ""),
                    ip_address=_ip(request))
        except DomainError as exc:
            return render(request, "documents/new.html", _form_context(
                request, kind=kind, error=_error_text(exc), field_errors=exc.field_errors), status=exc.status_code)
        messages.success(request, "Đã lưu văn bản.")
        return redirect("documents:detail", document_id=doc.pk)
    return render(request, "documents/new.html", _form_context(request, kind=kind))


@login_required
def document_import(request):
    """Import an edXML package (an incoming document) or a status message from another system."""
    if request.method == "POST":
        upload = request.FILES.get("file")
        try:
            if upload is None:
                raise ValidationError.for_field("file", "Hãy chọn tệp edXML.")
            data = upload.read(edxml.MAX_PACKAGE_BYTES + 1)
            if edxml.kind_of(data) == "status":
                delivery = services.status_import(actor=request.user, data=data, ip_address=_ip(request))
                messages.success(request, f"Đã cập nhật trạng thái từ {delivery.to_code}.")
                return redirect("documents:detail", document_id=delivery.document_id)
            doc = services.package_import(actor=request.user, agency_code=request.POST.get("agency_code", ""),
                                          data=data, ip_address=_ip(request))
        except DomainError as exc:
            return render(request, "documents/import.html", _form_context(request, error=_error_text(exc)),
                          status=exc.status_code)
        messages.success(request, f"Đã vào sổ văn bản đến số {doc.register_number}.")
        return redirect("documents:detail", document_id=doc.pk)
    return render(request, "documents/import.html", _form_context(request))


@login_required
def verify(request):
    """Check the signatures of any PDF against the province's trust roots (nothing is stored)."""
    result, error = None, ""
    if request.method == "POST":
        upload = request.FILES.get("file")
        data = upload.read(services.MAX_FILE_BYTES + 1) if upload else b""
        if not data.startswith(b"%PDF-") or len(data) > services.MAX_FILE_BYTES:
            error = "Hãy chọn một tệp PDF tối đa 20 MB."
        else:
            result = services.verify(data)
    return render(request, "documents/verify.html", {"result": result, "error": error},
                  status=422 if error else 200)
