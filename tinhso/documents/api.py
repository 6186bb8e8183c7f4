"""The documents API: thin, over the same services and selectors as the pages."""

from datetime import date

from django.http import HttpResponse
from ninja import File, Form, Query, Router, Status, UploadedFile

from tinhso.api.schemas import ERROR_RESPONSES
from tinhso.core.exceptions import NotFound, ValidationError
from tinhso.core.pagination import paginate

from . import edxml, selectors, services
from .choices import DeliveryStatus
from .filters import DocumentFilter
from .schemas import (
    ActionIn,
    DocumentDetailOut,
    DocumentFilterIn,
    DocumentPage,
    RecordsOfficerIn,
    ResendIn,
    SigningKeyOut,
    TrustRootActiveIn,
    TrustRootIn,
    TrustRootOut,
    VerificationOut,
)

router = Router()


def _ip(request) -> str:
    return request.META.get("REMOTE_ADDR", "")[:45]


def document_out(d) -> dict:
    return {
        "id": d.pk, "direction": d.direction, "agency_code": d.agency.identifier_code, "agency_name": d.agency.name,
        "register_number": d.register_number, "number_notation": d.number_notation, "doc_type": d.doc_type,
        "doc_type_label": d.get_doc_type_display(), "subject": d.subject, "issuing_agency_code": d.issuing_agency_code,
        "issuing_agency_name": d.issuing_agency_name, "issued_on": d.issued_on, "signer_name": d.signer_name,
        "signer_position": d.signer_position, "urgency": d.urgency, "security_level": d.security_level,
        "status": d.status, "status_label": d.get_status_display(), "source": d.source,
        "handling_due_on": d.handling_due_on, "completed_at": d.completed_at, "created_at": d.created_at,
    }


def _detail(request, d) -> dict:
    return {
        **document_out(d), "recipients": d.recipients, "response_due_on": d.response_due_on,
        "files": [{"id": f.pk, "role": f.role, "name": f.original_name, "size": f.size, "sha256": f.sha256}
                  for f in selectors.document_files(document=d)],
        "signatures": [{"file": c.file.original_name, **{k: getattr(c, k) for k in (
            "field_name", "signer_name", "signer_subject", "issuer_subject", "signing_time", "digest_algorithm",
            "intact", "trusted", "covers_whole_file", "weak_digest", "ok", "message")}}
            for c in selectors.signature_checks(document=d)],
        "deliveries": [{"to_code": x.to_code, "to_name": x.to_name, "status": x.status,
                        "status_label": x.get_status_display(), "attempts": x.attempts, "sent_at": x.sent_at,
                        "status_at": x.status_at} for x in selectors.deliveries(document=d)],
        "dossier_code": d.dossier.code if d.dossier_id else None, "feedback_ref": d.feedback_ref,
        "allowed_actions": selectors.actions_for(user=request.user, document=d),
    }


@router.get("/documents", response={200: DocumentPage, **ERROR_RESPONSES}, summary="Tìm kiếm văn bản trong phạm vi")
def list_documents(request, filters: Query[DocumentFilterIn]):
    data = filters.dict()
    page_no, page_size = data.pop("page"), data.pop("page_size")
    for name in ("date_from", "date_to"):
        try:
            data[name] = date.fromisoformat(data[name]) if data[name] else None
        except ValueError:
            raise ValidationError.for_field(name, "Ngày không hợp lệ (định dạng YYYY-MM-DD).") from None
    page = paginate(selectors.document_list(user=request.user, filters=DocumentFilter(**data)), page=page_no,
                    page_size=page_size)
    return page.as_dict(items=[document_out(d) for d in page.items])


@router.post("/documents", response={201: DocumentDetailOut, **ERROR_RESPONSES}, summary="Soạn dự thảo văn bản đi")
def draft_document(request, agency_code: Form[str], doc_type: Form[str], subject: Form[str],
                   main_file: File[UploadedFile], urgency: Form[str] = "normal", security_level: Form[str] = "ordinary",
                   signer_position: Form[str] = "", recipients: Form[str] = "",
                   response_due_on: Form[date | None] = None, annexes: File[list[UploadedFile]] = None):
    document = services.document_draft(
        actor=request.user, agency_code=agency_code, doc_type=doc_type, subject=subject, main_file=main_file,
        urgency=urgency, security_level=security_level, signer_position=signer_position, recipients=recipients,
        annexes=annexes or [], response_due_on=response_due_on, ip_address=_ip(request))
    return Status(201, _detail(request, document))


@router.post("/documents/paper", response={201: DocumentDetailOut, **ERROR_RESPONSES},
             summary="Vào sổ văn bản đến từ bản giấy (bản quét PDF)")
def register_paper(request, agency_code: Form[str], doc_type: Form[str], subject: Form[str],
                   issuing_agency_name: Form[str], scan: File[UploadedFile], code_number: Form[str] = "",
                   code_notation: Form[str] = "", issued_on: Form[date | None] = None):
    document = services.document_register_paper(
        actor=request.user, agency_code=agency_code, doc_type=doc_type, subject=subject, scan=scan,
        issuing_agency_name=issuing_agency_name, code_number=code_number, code_notation=code_notation,
        issued_on=issued_on, ip_address=_ip(request))
    return Status(201, _detail(request, document))


@router.post("/documents/import", response={201: DocumentDetailOut, 200: dict, **ERROR_RESPONSES},
             summary="Nhập gói edXML (văn bản đến) hoặc thông điệp trạng thái từ hệ thống khác")
def import_edxml(request, agency_code: Form[str], file: File[UploadedFile]):
    data = file.read(edxml.MAX_PACKAGE_BYTES + 1)
    if edxml.kind_of(data) == "status":
        delivery = services.status_import(actor=request.user, data=data, ip_address=_ip(request))
        return 200, {"to_code": delivery.to_code, "status": delivery.status}
    document = services.package_import(actor=request.user, agency_code=agency_code, data=data,
                                       ip_address=_ip(request))
    return Status(201, _detail(request, document))


@router.post("/documents/verify", response={200: VerificationOut, **ERROR_RESPONSES},
             summary="Kiểm tra chữ ký số của một tệp PDF (không lưu tệp)")
def verify_pdf(request, file: File[UploadedFile]):
    data = file.read(services.MAX_FILE_BYTES + 1)
    if len(data) > services.MAX_FILE_BYTES or not data.startswith(b"%PDF-"):
        raise ValidationError.for_field("file", "Cần một tệp PDF tối đa 20 MB.")
    result = services.verify(data)
    if not result.readable:
        raise ValidationError.for_field("file", result.problem)
    return {"signed": result.signed, "ok": result.ok, "message": result.message,
            "signatures": [{"field_name": s.field_name, "signer_name": s.signer_name, "signing_time": s.signing_time,
                            "intact": s.intact, "trusted": s.trusted, "covers_whole_file": s.covers_whole_file,
                            "digest_algorithm": s.digest_algorithm, "weak_digest": s.weak_digest, "ok": s.ok,
                            "message": s.message} for s in result.signatures]}


@router.get("/documents/trust-roots", response={200: list[TrustRootOut], **ERROR_RESPONSES},
            summary="Chứng thư gốc tin cậy của tỉnh")
def list_trust_roots(request):
    return list(selectors.trust_roots())


@router.post("/documents/trust-roots", response={201: TrustRootOut, **ERROR_RESPONSES},
             summary="Thêm chứng thư gốc tin cậy (quản trị cấp tỉnh)")
def add_trust_root(request, payload: TrustRootIn):
    return Status(201, services.trust_root_add(actor=request.user, name=payload.name,
                                               certificate=payload.certificate_pem, ip_address=_ip(request)))


@router.post("/documents/trust-roots/{root_id}/active", response={200: TrustRootOut, **ERROR_RESPONSES},
             summary="Bật hoặc tắt một chứng thư gốc tin cậy (quản trị cấp tỉnh)")
def set_trust_root_active(request, root_id: int, payload: TrustRootActiveIn):
    if not 0 < root_id < 2**31:
        raise NotFound("Không tìm thấy chứng thư gốc.")
    return services.trust_root_set_active(actor=request.user, root_id=root_id, active=payload.active,
                                          ip_address=_ip(request))


@router.get("/documents/signing-keys", response={200: list[SigningKeyOut], **ERROR_RESPONSES},
            summary="Chứng thư số dùng được của tôi (cá nhân và cơ quan tôi làm văn thư)")
def list_signing_keys(request):
    return [{"id": k.pk, "owner": k.owner, "agency_code": k.agency.identifier_code, "label": k.label,
             "backend": k.backend, "subject": k.subject, "not_after": k.not_after}
            for k in selectors.signing_keys_for(user=request.user)]


@router.post("/documents/signing-keys", response={201: SigningKeyOut, **ERROR_RESPONSES},
             summary="Đăng ký chứng thư số PKCS#12 (mật khẩu chỉ dùng để kiểm tra, không lưu)")
def add_signing_key(request, owner: Form[str], agency_code: Form[str], label: Form[str], passphrase: Form[str],
                    pkcs12: File[UploadedFile]):
    key = services.signing_key_add(actor=request.user, owner=owner, agency_code=agency_code, label=label,
                                   pkcs12=pkcs12.read(1024 * 1024), passphrase=passphrase, ip_address=_ip(request))
    return Status(201, {"id": key.pk, "owner": key.owner, "agency_code": key.agency.identifier_code,
                        "label": key.label, "backend": key.backend, "subject": key.subject,
                        "not_after": key.not_after})


@router.post("/documents/records-officers", response={201: dict, **ERROR_RESPONSES},
             summary="Giao cán bộ làm văn thư của cơ quan")
def grant_records_officer(request, payload: RecordsOfficerIn):
    grant = services.records_officer_grant(actor=request.user, agency_code=payload.agency_code,
                                           username=payload.username, ip_address=_ip(request))
    return Status(201, {"agency_code": grant.agency.identifier_code, "username": grant.user.username})


@router.get("/documents/{document_id}", response={200: DocumentDetailOut, **ERROR_RESPONSES},
            summary="Chi tiết văn bản, kết quả kiểm tra chữ ký số")
def get_document(request, document_id: int):
    return _detail(request, selectors.document_get(user=request.user, document_id=document_id))


@router.post("/documents/{document_id}/actions", response={200: DocumentDetailOut, **ERROR_RESPONSES},
             summary="Một bước xử lý: trình, trả lại, ký, cấp số, gửi, phân công, hoàn thành, liên kết")
def act_on_document(request, document_id: int, payload: ActionIn):
    p, ip, user = payload, _ip(request), request.user
    selectors.document_get(user=user, document_id=document_id)
    if p.action == "assign" and p.due_on is None:
        raise ValidationError.for_field("due_on", "Hãy nhập hạn xử lý.")
    calls = {
        "submit_review": lambda: services.document_submit_review(actor=user, document_id=document_id, note=p.note,
                                                                 ip_address=ip),
        "return": lambda: services.document_return(actor=user, document_id=document_id, note=p.note, ip_address=ip),
        "leader_sign": lambda: services.document_leader_sign(actor=user, document_id=document_id, key_id=p.key_id,
                                                             passphrase=p.passphrase, position=p.position,
                                                             ip_address=ip),
        "issue": lambda: services.document_issue(actor=user, document_id=document_id, key_id=p.key_id,
                                                 passphrase=p.passphrase, ip_address=ip),
        "send": lambda: services.document_send(actor=user, document_id=document_id, recipients=p.recipients,
                                               ip_address=ip),
        "assign": lambda: services.document_assign(actor=user, document_id=document_id, due_on=p.due_on,
                                                   agency_code=p.agency_code, username=p.username, note=p.note,
                                                   ip_address=ip),
        "complete": lambda: services.document_complete(actor=user, document_id=document_id, note=p.note,
                                                       ip_address=ip),
        "link": lambda: services.document_link(actor=user, document_id=document_id, dossier_code=p.dossier_code,
                                               feedback_ref=p.feedback_ref, ip_address=ip),
    }
    return _detail(request, calls[p.action]())


@router.post("/documents/{document_id}/resend", response={200: dict, **ERROR_RESPONSES},
             summary="Gửi lại văn bản tới một nơi nhận (phát hiện bản trùng)")
def resend_document(request, document_id: int, payload: ResendIn):
    selectors.document_get(user=request.user, document_id=document_id)
    delivery = services.delivery_resend(actor=request.user, document_id=document_id, to_code=payload.to_code,
                                        ip_address=_ip(request))
    return {"to_code": delivery.to_code, "attempts": delivery.attempts, "status": delivery.status}


@router.get("/documents/{document_id}/edxml", response={200: None, **ERROR_RESPONSES},
            summary="Xuất gói edXML (QCVN 102:2016) cho hệ thống khác; với văn bản đến: thông điệp trạng thái")
def export_edxml(request, document_id: int, to: str = Query("", max_length=13)):
    document = selectors.document_get(user=request.user, document_id=document_id)
    if document.direction == "incoming":
        status = {"assigned": DeliveryStatus.ASSIGNED, "done": DeliveryStatus.DONE}.get(document.status,
                                                                                        DeliveryStatus.RECEIVED)
        data, name = services.status_message_for(document, status), f"trang-thai-{document.pk}.xml"
    else:
        if not document.issued_on:
            raise ValidationError.for_field("document_id", "Chỉ xuất gói edXML của văn bản đã ban hành.")
        codes = [to] if to else list(document.recipients)
        if not codes:
            raise ValidationError.for_field("to", "Hãy chọn nơi nhận (mã định danh).")
        delivery = document.deliveries.filter(to_code=codes[0]).first() if len(codes) == 1 else None
        package_id = delivery.package_id if delivery else f"{document.agency.identifier_code}.{document.pk}.export"
        data, name = services.package_for(document, to_codes=codes, package_id=package_id), f"van-ban-{document.pk}.xml"
    response = HttpResponse(data, content_type="application/xml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
