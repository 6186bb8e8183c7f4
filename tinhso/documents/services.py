"""Every state change of e-documents: drafting, the two signatures, issuing, sending, receiving, handling.

Each service validates first and writes in one transaction (document + event + audit); a refused request leaves
nothing behind (files written before a failure are deleted).
"""

import asyncio
import hashlib
import uuid
from dataclasses import dataclass
from datetime import date

from cryptography import x509
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from tinhso.accounts.models import User
from tinhso.audit.services import audit_record
from tinhso.core.exceptions import Conflict, NotFound, PermissionDenied, ValidationError
from tinhso.core.files import PDF, atomic_with_file_cleanup, sniff_file_type
from tinhso.core.text import fold, search_key
from tinhso.org.models import Agency

from . import access, edxml, registers, signing
from .choices import (
    DELIVERY_ORDER,
    STATUS_BY_CODE,
    STATUS_CODES,
    TYPE_BY_NAME,
    DeliveryStatus,
    Direction,
    DocumentType,
    KeyOwner,
    NotationStyle,
    SecurityLevel,
    Source,
    Status,
    Urgency,
)
from .models import (
    Delivery,
    Document,
    DocumentEvent,
    DocumentFile,
    RecordsOfficer,
    RegisterSettings,
    SignatureCheck,
    SigningKey,
    TrustRoot,
)
from .pdf import extract_text
from .verification import FileVerification, verify_pdf

MAX_FILE_BYTES = 20 * 1024 * 1024
LEADER_FIELD, AGENCY_FIELD = "ChuKyLanhDao", "ChuKyCoQuan"


# --- small helpers ----------------------------------------------------------------------------------------------

@dataclass
class CleanFile:
    name: str
    content_type: str
    data: bytes


def _read_upload(f, *, field: str, pdf_only: bool = False) -> CleanFile:
    if isinstance(f, CleanFile):
        data, name = f.data, f.name
    else:
        if getattr(f, "size", 0) and f.size > MAX_FILE_BYTES:
            raise ValidationError.for_field(field, "Tệp vượt quá 20 MB.")
        data, name = f.read(), getattr(f, "name", "tep")
    if not data:
        raise ValidationError.for_field(field, "Tệp rỗng.")
    if len(data) > MAX_FILE_BYTES:
        raise ValidationError.for_field(field, "Tệp vượt quá 20 MB.")
    if pdf_only and sniff_file_type(data, allowed=frozenset({PDF})) is None:
        raise ValidationError.for_field(field, "Văn bản phải là tệp PDF.")
    content_type = "application/pdf" if data.startswith(b"%PDF-") else "application/octet-stream"
    return CleanFile(name=str(name)[:255], content_type=content_type, data=data)


def _user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def _label(actor) -> str:
    return actor.display_name[:200] if getattr(actor, "is_authenticated", False) else "Hệ thống"


def _event(document: Document, *, actor, action: str, note: str = "", **data) -> None:
    DocumentEvent.objects.create(document=document, at=timezone.now(), action=action, actor=_user(actor),
                                 actor_label=_label(actor), note=note, data=data)


def _audit(actor, action: str, document: Document, summary: str, changes: dict | None = None, ip: str = ""):
    audit_record(actor=actor, action=f"documents.document.{action}", obj=document, summary=summary,
                 changes=changes, ip_address=ip)


def refresh_search(document: Document) -> None:
    number = document.number_notation
    document.search_key = search_key(number, document.code_notation, document.subject,
                                     document.issuing_agency_name, document.signer_name, document.text_content)
    document.name_key = fold(number)[:100]
    document.short_key = fold(document.subject)[:100]


def _agency(code: str, *, field: str = "agency_code") -> Agency:
    agency = Agency.objects.filter(identifier_code=(code or "").strip(), is_active=True).first()
    if agency is None:
        raise ValidationError.for_field(field, f"Không có cơ quan mang mã định danh “{code}”.")
    return agency


def _lock(document_id: int, *, actor) -> Document:
    if not 0 < document_id < 2**31:
        raise NotFound("Không tìm thấy văn bản.")
    document = Document.objects.select_for_update().filter(pk=document_id).first()
    if document is None or not access.can_view(actor, document):
        raise NotFound("Không tìm thấy văn bản.")
    return document


def _require(status: str, document: Document, *, action: str) -> None:
    if document.status != status:
        raise Conflict(f"Không thể {action}: văn bản đang ở trạng thái “{document.get_status_display()}”.")


def _store(document: Document, f: CleanFile, *, role: str, written: list) -> DocumentFile:
    if role == DocumentFile.MAIN:
        document.files.filter(role=DocumentFile.MAIN, is_current=True).update(is_current=False)
    row = DocumentFile(document=document, role=role, original_name=f.name, content_type=f.content_type,
                       size=len(f.data), sha256=hashlib.sha256(f.data).hexdigest())
    extension = ".pdf" if f.content_type == "application/pdf" else ""
    row.file.save(f"{uuid.uuid4().hex}{extension}", ContentFile(f.data), save=False)
    written.append(row.file.name)
    row.save()
    return row


def main_file(document: Document) -> DocumentFile | None:
    return document.files.filter(role=DocumentFile.MAIN, is_current=True).first()


def _read_file(row: DocumentFile) -> bytes:
    with row.file.open("rb") as fh:
        return fh.read()


# --- trust roots and verification -------------------------------------------------------------------------------

def trust_root_certificates() -> list[x509.Certificate]:
    return [signing.load_certificate_pem(r.certificate_pem) for r in TrustRoot.objects.filter(is_active=True)]


def verify(data: bytes) -> FileVerification:
    return verify_pdf(data, trust_roots=trust_root_certificates())


def _record_checks(row: DocumentFile, result: FileVerification) -> None:
    now = timezone.now()
    SignatureCheck.objects.bulk_create([SignatureCheck(
        file=row, checked_at=now, field_name=s.field_name[:100], signer_name=s.signer_name[:255],
        signer_subject=s.signer_subject, issuer_subject=s.issuer_subject, signing_time=s.signing_time,
        digest_algorithm=s.digest_algorithm[:20], intact=s.intact, trusted=s.trusted,
        covers_whole_file=s.covers_whole_file, weak_digest=s.weak_digest, ok=s.ok, message=s.message,
    ) for s in result.signatures])


def _verified_upload(f: CleanFile, *, field: str) -> FileVerification | None:
    """A signed PDF that does not verify is refused (broken signature, changed file, untrusted root)."""
    if f.content_type != "application/pdf":
        return None
    result = verify(f.data)
    if not result.readable:
        raise ValidationError.for_field(field, result.problem)
    if result.signed and not result.ok:
        raise ValidationError.for_field(field, f"Tệp “{f.name}” có chữ ký số không hợp lệ: {result.message}")
    return result if result.signed else None


def trust_root_add(*, actor, name: str, certificate: bytes | str, ip_address: str = "") -> TrustRoot:
    if not access.can_manage_trust_roots(actor):
        raise PermissionDenied("Chỉ quản trị cấp tỉnh quản lý chứng thư gốc tin cậy.")
    if not (name or "").strip():
        raise ValidationError.for_field("name", "Hãy nhập tên chứng thư gốc.")
    cert = signing.load_certificate_pem(certificate)
    try:
        is_ca = cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    except x509.ExtensionNotFound:
        is_ca = False
    if not is_ca:
        raise ValidationError.for_field("certificate", "Chứng thư này không phải chứng thư của tổ chức cấp (CA).")
    info = signing.certificate_info(cert)
    from tinhso.accounts.scoping import admin_unit_ids
    from tinhso.org.models import AdministrativeUnit

    unit = (AdministrativeUnit.objects.filter(pk__in=admin_unit_ids(actor), level="province").first()
            or AdministrativeUnit.objects.filter(pk__in=admin_unit_ids(actor)).order_by("level").first())
    if TrustRoot.objects.filter(unit=unit, fingerprint=info.fingerprint).exists():
        raise Conflict("Chứng thư gốc này đã có trong danh sách tin cậy.")
    with transaction.atomic():
        root = TrustRoot.objects.create(unit=unit, name=name.strip()[:200], certificate_pem=info.pem,
                                        fingerprint=info.fingerprint, subject=info.subject,
                                        not_after=info.not_after, added_by=_user(actor))
        audit_record(actor=actor, action="documents.trust_root.add", obj=root, ip_address=ip_address,
                     summary=f"Thêm chứng thư gốc tin cậy “{root.name}” ({info.subject}).")
    return root


def trust_root_set_active(*, actor, root_id: int, active: bool, ip_address: str = "") -> TrustRoot:
    if not access.can_manage_trust_roots(actor):
        raise PermissionDenied("Chỉ quản trị cấp tỉnh quản lý chứng thư gốc tin cậy.")
    with transaction.atomic():
        root = TrustRoot.objects.select_for_update().filter(pk=root_id).first()
        if root is None:
            raise NotFound("Không tìm thấy chứng thư gốc.")
        old, root.is_active = root.is_active, active
        root.save(update_fields=["is_active"])
        audit_record(actor=actor, action="documents.trust_root.update", obj=root, ip_address=ip_address,
                     summary=f"{'Bật' if active else 'Tắt'} chứng thư gốc “{root.name}”.",
                     changes={"is_active": [old, active]})
    return root


# --- signing keys and records officers --------------------------------------------------------------------------

def _check_chain(cert: x509.Certificate, chain: list[x509.Certificate]) -> None:
    from asn1crypto import x509 as asn1_x509
    from cryptography.hazmat.primitives import serialization
    from pyhanko_certvalidator import CertificateValidator, ValidationContext
    from pyhanko_certvalidator.errors import PathBuildingError, PathValidationError
    from pyhanko_certvalidator.errors import ValidationError as PVE

    def a(c):
        return asn1_x509.Certificate.load(c.public_bytes(serialization.Encoding.DER))

    context = ValidationContext(trust_roots=[a(c) for c in trust_root_certificates()], allow_fetching=False)
    validator = CertificateValidator(a(cert), intermediate_certs=[a(c) for c in chain], validation_context=context)
    try:
        asyncio.run(validator.async_validate_usage({"digital_signature"}))
    except PathBuildingError:
        raise ValidationError.for_field(
            "pkcs12", "Chứng thư số không thuộc chuỗi tin cậy của tỉnh (tổ chức cấp chưa được quản trị tỉnh "
                      "công nhận).") from None
    except (PathValidationError, PVE) as exc:
        raise ValidationError.for_field("pkcs12", f"Chứng thư số không dùng được để ký: {exc}") from None


def signing_key_add(*, actor, owner: str, agency_code: str, label: str, pkcs12: bytes = b"", passphrase: str = "",
                    backend: str = "pkcs12", remote_key_id: str = "", credential: str = "",
                    ip_address: str = "") -> SigningKey:
    """Register a personal key (its owner adds it) or an agency key (its records officer or unit admin)."""
    agency = _agency(agency_code)
    if owner == KeyOwner.PERSON:
        if not (access.can_draft_for(actor, agency) or access.is_leader_of(actor, agency)):
            raise PermissionDenied("Bạn không làm việc tại cơ quan này.")
    elif owner == KeyOwner.AGENCY:
        if not (access.is_records_officer(actor, agency) or access.can_manage_records(actor, agency)):
            raise PermissionDenied("Chỉ văn thư hoặc quản trị đơn vị đăng ký chứng thư số của cơ quan.")
    else:
        raise ValidationError.for_field("owner", "Chủ sở hữu phải là “person” hoặc “agency”.")
    if not (label or "").strip():
        raise ValidationError.for_field("label", "Hãy đặt tên cho chứng thư số.")
    if backend == "pkcs12":
        if not pkcs12:
            raise ValidationError.for_field("pkcs12", "Hãy chọn tệp PKCS#12 (.p12, .pfx).")
        _, cert, chain = signing.open_pkcs12(pkcs12, passphrase or "")
    else:
        material = signing.remote_material(backend, remote_key_id, credential)
        cert, chain = material.certificate, material.chain
    _check_chain(cert, chain)
    info = signing.certificate_info(cert)
    with transaction.atomic():
        key = SigningKey.objects.create(
            owner=owner, user=_user(actor) if owner == KeyOwner.PERSON else None, agency=agency,
            label=label.strip()[:200], backend=backend, pkcs12=pkcs12 if backend == "pkcs12" else None,
            remote_key_id=remote_key_id[:200], certificate_pem=info.pem, subject=info.subject,
            fingerprint=info.fingerprint, not_after=info.not_after)
        audit_record(actor=actor, action="documents.signing_key.add", obj=key, ip_address=ip_address,
                     summary=f"Đăng ký chứng thư số “{key.label}” ({info.common_name}) cho "
                             f"{'cá nhân' if owner == KeyOwner.PERSON else agency.name}.")
    return key


def records_officer_grant(*, actor, agency_code: str, username: str, ip_address: str = "") -> RecordsOfficer:
    agency = _agency(agency_code)
    if not access.can_manage_records(actor, agency):
        raise PermissionDenied("Bạn không quản trị đơn vị của cơ quan này.")
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise ValidationError.for_field("username", f"Không có tài khoản “{username}”.")
    with transaction.atomic():
        grant, created = RecordsOfficer.objects.get_or_create(user=user, agency=agency)
        if created:
            audit_record(actor=actor, action="documents.records_officer.grant", obj=grant, ip_address=ip_address,
                         object_label=f"{user.username} @ {agency.identifier_code}",
                         summary=f"Giao {user.display_name} làm văn thư của {agency.name}.")
    return grant


def register_settings_set(*, actor, agency_code: str, abbreviation: str, style: str = NotationStyle.STATE,
                          ip_address: str = "") -> RegisterSettings:
    agency = _agency(agency_code)
    if not (access.can_manage_records(actor, agency) or access.is_records_officer(actor, agency)):
        raise PermissionDenied("Bạn không quản lý sổ văn bản của cơ quan này.")
    abbreviation = (abbreviation or "").strip()
    if not abbreviation or len(abbreviation) > 30 or "/" in abbreviation:
        raise ValidationError.for_field("abbreviation", "Chữ viết tắt tên cơ quan: 1–30 ký tự, không có “/”.")
    if style not in NotationStyle.values:
        raise ValidationError.for_field("style", "Kiểu ký hiệu phải là “state” hoặc “party”.")
    with transaction.atomic():
        row, _ = RegisterSettings.objects.update_or_create(agency=agency, defaults={"abbreviation": abbreviation,
                                                                                    "style": style})
        audit_record(actor=actor, action="documents.register_settings.set", obj=row, ip_address=ip_address,
                     object_label=agency.identifier_code,
                     summary=f"Đặt ký hiệu sổ văn bản của {agency.name}: {abbreviation} ({style}).")
    return row


def _key_material(*, actor, key_id: int, passphrase: str, owner: str, agency: Agency) -> signing.KeyMaterial:
    key = SigningKey.objects.filter(pk=key_id, is_active=True, owner=owner).first()
    if key is None:
        raise ValidationError.for_field("key_id", "Không có chứng thư số này.")
    if owner == KeyOwner.PERSON and key.user_id != actor.pk:
        raise ValidationError.for_field("key_id", "Chữ ký cá nhân chỉ do chính chủ chứng thư thực hiện.")
    if owner == KeyOwner.AGENCY and key.agency_id != agency.pk:
        raise ValidationError.for_field("key_id", "Chứng thư số này không phải của cơ quan ban hành.")
    if key.not_after < timezone.now():
        raise ValidationError.for_field("key_id", "Chứng thư số đã hết hạn.")
    if not passphrase:
        raise ValidationError.for_field("passphrase", "Hãy nhập mật khẩu (mã PIN) của chứng thư số.")
    if key.backend == "pkcs12":
        return signing.pkcs12_material(bytes(key.pkcs12), passphrase)
    return signing.remote_material(key.backend, key.remote_key_id, passphrase)


# --- outgoing ---------------------------------------------------------------------------------------------------

def _clean_recipients(codes) -> list[str]:
    if isinstance(codes, str):
        codes = [c for c in codes.replace(";", ",").split(",")]
    cleaned = []
    for code in codes or []:
        code = (code or "").strip()
        if not code:
            continue
        if not Agency.objects.filter(identifier_code=code, is_active=True).exists():
            raise ValidationError.for_field("recipients", f"Không có cơ quan mang mã định danh “{code}”.")
        if code not in cleaned:
            cleaned.append(code)
    return cleaned


def _choice(value: str, choices, field: str, message: str) -> str:
    if value not in choices.values:
        raise ValidationError.for_field(field, message)
    return value


def document_draft(*, actor, agency_code: str, doc_type: str, subject: str, main_file,
                   urgency: str = Urgency.NORMAL, security_level: str = SecurityLevel.ORDINARY,
                   signer_position: str = "", recipients=(), annexes=(), response_due_on: date | None = None,
                   steering_type: int = 0, place: str = "", ip_address: str = "") -> Document:
    agency = _agency(agency_code)
    if not access.can_draft_for(actor, agency):
        raise PermissionDenied("Bạn không soạn văn bản cho cơ quan này.")
    _choice(doc_type, DocumentType, "doc_type", "Loại văn bản không hợp lệ.")
    _choice(urgency, Urgency, "urgency", "Độ khẩn không hợp lệ.")
    _choice(security_level, SecurityLevel, "security_level", "Độ mật không hợp lệ.")
    subject = (subject or "").strip()
    if not subject:
        raise ValidationError.for_field("subject", "Hãy nhập trích yếu nội dung.")
    if len(subject) > 500:
        raise ValidationError.for_field("subject", "Trích yếu tối đa 500 ký tự.")
    if main_file is None:
        raise ValidationError.for_field("main_file", "Hãy đính kèm văn bản chính (PDF).")
    main = _read_upload(main_file, field="main_file", pdf_only=True)
    extra = [_read_upload(f, field="annexes") for f in annexes or []]
    codes = _clean_recipients(recipients)
    checks = [(main, _verified_upload(main, field="main_file"))] + [
        (f, _verified_upload(f, field="annexes")) for f in extra]

    def write(written):
        document = Document(direction=Direction.OUTGOING, agency=agency, doc_type=doc_type, subject=subject,
                            urgency=urgency, security_level=security_level, status=Status.DRAFT,
                            source=Source.DRAFTED, recipients=codes, created_by=_user(actor),
                            created_at=timezone.now(), signer_position=(signer_position or "")[:150],
                            response_due_on=response_due_on, steering_type=steering_type or 0,
                            place=(place or agency.unit.short_name or agency.unit.name)[:100],
                            issuing_agency_code=agency.identifier_code, issuing_agency_name=agency.name,
                            text_content=extract_text(main.data))
        refresh_search(document)
        document.save()
        for index, (f, result) in enumerate(checks):
            row = _store(document, f, role=DocumentFile.MAIN if index == 0 else DocumentFile.ANNEX,
                         written=written)
            if result:
                _record_checks(row, result)
        _event(document, actor=actor, action="draft")
        _audit(actor, "draft", document, f"Soạn dự thảo {document.get_doc_type_display().lower()}: {subject[:200]}",
               ip=ip_address)
        return document

    return atomic_with_file_cleanup(write)


def document_submit_review(*, actor, document_id: int, note: str = "", ip_address: str = "") -> Document:
    with transaction.atomic():
        document = _lock(document_id, actor=actor)
        if not access.can_draft_for(actor, document.agency):
            raise PermissionDenied("Bạn không soạn văn bản cho cơ quan này.")
        _require(Status.DRAFT, document, action="trình duyệt")
        document.status = Status.IN_REVIEW
        document.save(update_fields=["status"])
        _event(document, actor=actor, action="submit_review", note=note)
        _audit(actor, "submit_review", document, "Trình lãnh đạo duyệt, ký dự thảo.",
               {"status": [Status.DRAFT, Status.IN_REVIEW]}, ip_address)
    return document


def document_return(*, actor, document_id: int, note: str, ip_address: str = "") -> Document:
    with transaction.atomic():
        document = _lock(document_id, actor=actor)
        if not access.is_leader_of(actor, document.agency):
            raise PermissionDenied("Chỉ lãnh đạo cơ quan trả lại dự thảo.")
        _require(Status.IN_REVIEW, document, action="trả lại")
        if not (note or "").strip():
            raise ValidationError.for_field("note", "Hãy ghi ý kiến khi trả lại dự thảo.")
        document.status = Status.DRAFT
        document.save(update_fields=["status"])
        _event(document, actor=actor, action="return", note=note)
        _audit(actor, "return", document, f"Lãnh đạo trả lại dự thảo: {note[:200]}",
               {"status": [Status.IN_REVIEW, Status.DRAFT]}, ip_address)
    return document


def _signed_revision(document: Document, *, data: bytes, written: list) -> DocumentFile:
    current = main_file(document)
    row = _store(document, CleanFile(name=current.original_name, content_type="application/pdf", data=data),
                 role=DocumentFile.MAIN, written=written)
    result = verify(data)
    _record_checks(row, result)
    if not result.ok:  # our own signature must verify: never hand out a file that does not
        raise ValidationError.for_field("key_id", f"Chữ ký vừa tạo không kiểm tra được: {result.message}")
    return row


def _approve_on_paper(document: Document, *, actor, position: str, ip_address: str) -> Document:
    """A confidential document is signed by hand on paper: recorded, without a digital signature."""
    if document.travels_electronically:
        raise ValidationError.for_field("key_id", "Hãy chọn chứng thư số để ký văn bản.")
    document.status = Status.SIGNED
    document.signer_name, document.signer_position = actor.display_name[:150], position
    refresh_search(document)
    document.save()
    _event(document, actor=actor, action="leader_sign_paper")
    _audit(actor, "leader_sign", document, f"{actor.display_name} ({position}) ký bản giấy văn bản mật.",
           {"status": [Status.IN_REVIEW, Status.SIGNED]}, ip_address)
    return document


def document_leader_sign(*, actor, document_id: int, key_id: int | None, passphrase: str = "", position: str = "",
                         ip_address: str = "") -> Document:
    """The leader's personal PAdES signature, with a visible stamp naming them and their position."""
    def write(written):
        document = _lock(document_id, actor=actor)
        if not access.is_leader_of(actor, document.agency):
            raise PermissionDenied("Chỉ lãnh đạo cơ quan ký văn bản.")
        _require(Status.IN_REVIEW, document, action="ký")
        position_text = (position or document.signer_position or "Lãnh đạo").strip()[:150]
        if key_id is None:
            return _approve_on_paper(document, actor=actor, position=position_text, ip_address=ip_address)
        material = _key_material(actor=actor, key_id=key_id, passphrase=passphrase, owner=KeyOwner.PERSON,
                                 agency=document.agency)
        name = signing.certificate_info(material.certificate).common_name
        data = signing.sign_pdf(_read_file(main_file(document)), material=material, field_name=LEADER_FIELD,
                                box=signing.LEADER_BOX, reason="Lãnh đạo ký ban hành", location=document.place,
                                stamp_lines=[f"Người ký: {name}", f"Chức vụ: {position_text}",
                                             f"Cơ quan: {document.agency.name}"])
        _signed_revision(document, data=data, written=written)
        document.status, document.leader_signed_at = Status.SIGNED, timezone.now()
        document.signer_name, document.signer_position = name[:150], position_text
        refresh_search(document)
        document.save()
        _event(document, actor=actor, action="leader_sign")
        _audit(actor, "leader_sign", document, f"{name} ({position_text}) ký số văn bản.",
               {"status": [Status.IN_REVIEW, Status.SIGNED]}, ip_address)
        return document

    return atomic_with_file_cleanup(write)


def document_issue(*, actor, document_id: int, key_id: int | None, passphrase: str = "",
                   ip_address: str = "") -> Document:
    """Văn thư: takes the number from the agency's register and applies the agency's signature with the number."""
    def write(written):
        document = _lock(document_id, actor=actor)
        if not access.is_records_officer(actor, document.agency):
            raise PermissionDenied("Chỉ văn thư của cơ quan cấp số và ký số của cơ quan.")
        _require(Status.SIGNED, document, action="cấp số, ban hành")
        if key_id is None and document.travels_electronically:
            raise ValidationError.for_field("key_id", "Văn bản thường phải được ký số của cơ quan khi ban hành.")
        material = None if key_id is None else _key_material(actor=actor, key_id=key_id, passphrase=passphrase,
                                                             owner=KeyOwner.AGENCY, agency=document.agency)
        today = timezone.localdate()
        register, number = registers.take_number(agency=document.agency, year=today.year,
                                                 direction=Direction.OUTGOING)
        document.register, document.register_number = register, number
        document.code_number = f"{number:02d}"
        document.code_notation = registers.notation_for(agency=document.agency, doc_type=document.doc_type)
        document.issued_on = today
        if material is None:  # a confidential document: numbered in the register, sealed on paper
            document.status = Status.ISSUED
            refresh_search(document)
            document.save()
            _event(document, actor=actor, action="issue_paper", number=document.number_notation)
            _audit(actor, "issue", document, f"Cấp số {document.number_notation} (văn bản mật, ban hành bản giấy).",
                   {"status": [Status.SIGNED, Status.ISSUED], "number": [None, document.number_notation]},
                   ip_address)
            return document
        data = signing.sign_pdf(_read_file(main_file(document)), material=material, field_name=AGENCY_FIELD,
                                box=signing.AGENCY_BOX, reason="Văn thư cơ quan ban hành", location=document.place,
                                stamp_lines=[f"Cơ quan: {document.agency.name}",
                                             f"Số: {document.number_notation}",
                                             f"Ngày ban hành: {today:%d/%m/%Y}"])
        _signed_revision(document, data=data, written=written)
        document.status, document.agency_signed_at = Status.ISSUED, timezone.now()
        refresh_search(document)
        document.save()
        _event(document, actor=actor, action="issue", number=document.number_notation)
        _audit(actor, "issue", document, f"Cấp số {document.number_notation} và ký số của cơ quan.",
               {"status": [Status.SIGNED, Status.ISSUED], "number": [None, document.number_notation]}, ip_address)
        return document

    return atomic_with_file_cleanup(write)


def package_for(document: Document, *, to_codes: list[str], package_id: str) -> bytes:
    attachments = [edxml.Attachment(name=f.original_name, content_type=f.content_type, data=_read_file(f),
                                    description="Văn bản chính" if f.role == DocumentFile.MAIN else "Phụ lục")
                   for f in document.files.filter(is_current=True)]
    recipients = [edxml.Organ(code=a.identifier_code, name=a.name)
                  for a in Agency.objects.filter(identifier_code__in=to_codes)]
    known = {r.code for r in recipients}
    recipients += [edxml.Organ(code=c) for c in to_codes if c not in known]
    return edxml.build_package(edxml.Package(
        document_id=package_id, sender=edxml.Organ(code=document.agency.identifier_code, name=document.agency.name),
        recipients=recipients, code_number=document.code_number, code_notation=document.code_notation,
        place=document.place, promulgation_date=document.issued_on, type_code=document.doc_type,
        type_name=document.get_doc_type_display(), subject=document.subject, signer_position=document.signer_position,
        signer_name=document.signer_name, competence="", due_date=document.response_due_on,
        priority=list(Urgency.values).index(document.urgency), steering_type=document.steering_type,
        attachments=attachments))


def _package_id(document: Document, to_code: str) -> str:
    return f"{document.agency.identifier_code}.{document.pk}.{to_code}"


def document_send(*, actor, document_id: int, recipients=None, ip_address: str = "") -> Document:
    """Send an issued document to its recipients by identifier code; agencies on the platform receive it now."""
    def write(written):
        document = _lock(document_id, actor=actor)
        if not access.is_records_officer(actor, document.agency):
            raise PermissionDenied("Chỉ văn thư của cơ quan gửi văn bản.")
        if document.status not in (Status.ISSUED, Status.SENT):
            raise Conflict("Chỉ gửi văn bản đã cấp số và ký số của cơ quan.")
        if not document.travels_electronically:
            raise ValidationError.for_field(
                "security_level", "Văn bản mật không được gửi qua môi trường điện tử; hãy chuyển bản giấy.")
        codes = _clean_recipients(recipients) if recipients is not None else list(document.recipients)
        if not codes:
            raise ValidationError.for_field("recipients", "Hãy chọn ít nhất một nơi nhận (mã định danh).")
        new_codes = [c for c in codes if not document.deliveries.filter(to_code=c).exists()]
        if not new_codes:
            raise Conflict("Văn bản đã được gửi tới các nơi nhận này; hãy dùng “Gửi lại”.")
        now = timezone.now()
        for code in new_codes:
            recipient = Agency.objects.get(identifier_code=code)
            delivery = Delivery.objects.create(document=document, to_code=code, to_name=recipient.name,
                                               package_id=_package_id(document, code), sent_at=now, status_at=now)
            _receive(actor=None, agency=recipient, package=edxml.read_package(
                package_for(document, to_codes=[code], package_id=delivery.package_id)),
                source=Source.EXCHANGE, delivery=delivery, written=written)
        old = document.status
        document.status, document.sent_at = Status.SENT, document.sent_at or now
        document.recipients = list(dict.fromkeys(list(document.recipients) + codes))
        document.save(update_fields=["status", "sent_at", "recipients"])
        _event(document, actor=actor, action="send", recipients=new_codes)
        _audit(actor, "send", document, f"Gửi văn bản {document.number_notation} tới {', '.join(new_codes)}.",
               {"status": [old, Status.SENT]}, ip_address)
        return document

    return atomic_with_file_cleanup(write)


def delivery_resend(*, actor, document_id: int, to_code: str, ip_address: str = "") -> Delivery:
    """Send again (the recipient says it never arrived): a copy it already holds is detected, not registered twice."""
    def write(written):
        document = _lock(document_id, actor=actor)
        if not access.is_records_officer(actor, document.agency):
            raise PermissionDenied("Chỉ văn thư của cơ quan gửi lại văn bản.")
        delivery = document.deliveries.select_for_update().filter(to_code=to_code).first()
        if delivery is None:
            raise ValidationError.for_field("to_code", "Văn bản chưa được gửi tới nơi nhận này.")
        delivery.attempts += 1
        delivery.sent_at = timezone.now()
        delivery.save(update_fields=["attempts", "sent_at"])
        recipient = Agency.objects.filter(identifier_code=to_code).first()
        duplicate = Document.objects.filter(agency=recipient, package_id=delivery.package_id).exists()
        if recipient is not None and not duplicate:
            _receive(actor=None, agency=recipient, source=Source.EXCHANGE, delivery=delivery, written=written,
                     package=edxml.read_package(package_for(document, to_codes=[to_code],
                                                            package_id=delivery.package_id)))
        _event(document, actor=actor, action="resend", to_code=to_code, duplicate=duplicate)
        _audit(actor, "resend", document, f"Gửi lại văn bản tới {to_code}"
               + (" (nơi nhận đã có văn bản, không vào sổ lại)." if duplicate else "."), ip=ip_address)
        return delivery

    return atomic_with_file_cleanup(write)


# --- incoming ---------------------------------------------------------------------------------------------------

def _notify_sender(document: Document, status: str) -> None:
    """Status message back to the sender's delivery (inside the platform); never moves a status backwards."""
    delivery = document.delivery
    if delivery is None:
        return
    delivery = Delivery.objects.select_for_update().get(pk=delivery.pk)
    if DELIVERY_ORDER.index(status) > DELIVERY_ORDER.index(delivery.status):
        delivery.status, delivery.status_at = status, timezone.now()
        delivery.save(update_fields=["status", "status_at"])
        _event(delivery.document, actor=None, action=f"status_{status}", to_code=delivery.to_code)


def _doc_type(package: edxml.Package) -> str:
    if package.type_code in DocumentType.values:
        return package.type_code
    return TYPE_BY_NAME.get(package.type_name, DocumentType.CONG_VAN)


def _receive(*, actor, agency: Agency, package: edxml.Package, source: str, delivery: Delivery | None = None,
             written: list | None = None) -> Document:
    written = [] if written is None else written
    if agency.identifier_code not in {r.code for r in package.recipients}:
        raise ValidationError.for_field("To", f"Gói edXML không gửi tới {agency.name} ({agency.identifier_code}).")
    if not package.attachments:
        raise ValidationError.for_field("Attachment", "Gói edXML không có tệp văn bản.")
    files = [CleanFile(name=a.name[:255] or "van-ban.pdf",
                       content_type="application/pdf" if a.data.startswith(b"%PDF-") else a.content_type[:100],
                       data=a.data) for a in package.attachments]
    checks = [_verified_upload(f, field="Attachment") for f in files]
    existing = Document.objects.filter(agency=agency, package_id=package.document_id).first()
    if existing:
        raise Conflict(f"Văn bản này đã được tiếp nhận trước đó (số đến {existing.register_number}).")
    today = timezone.localdate()
    register, number = registers.take_number(agency=agency, year=today.year, direction=Direction.INCOMING)
    document = Document(
        direction=Direction.INCOMING, agency=agency, register=register, register_number=number,
        code_number=package.code_number[:20], code_notation=package.code_notation[:60], doc_type=_doc_type(package),
        issuing_agency_code=package.sender.code, issuing_agency_name=package.sender.name[:255],
        issued_on=package.promulgation_date, place=package.place[:100], signer_name=package.signer_name[:150],
        signer_position=package.signer_position[:150], subject=package.subject[:500],
        urgency=Urgency.values[min(package.priority, 3)], steering_type=package.steering_type,
        response_due_on=package.due_date, status=Status.REGISTERED, source=source, created_at=timezone.now(),
        received_at=timezone.now(), delivery=delivery, package_id=package.document_id, created_by=_user(actor),
        text_content=" ".join(extract_text(f.data) for f in files if f.content_type == "application/pdf")[:200_000])
    refresh_search(document)
    try:
        with transaction.atomic():
            document.save()
    except IntegrityError:
        raise Conflict("Văn bản này vừa được tiếp nhận.") from None
    for index, (f, result) in enumerate(zip(files, checks, strict=True)):
        row = _store(document, f, role=DocumentFile.MAIN if index == 0 else DocumentFile.ANNEX, written=written)
        if result:
            _record_checks(row, result)
    _event(document, actor=actor, action="receive", package_id=package.document_id, number=number)
    _audit(actor, "receive", document, f"Vào sổ văn bản đến số {number}: {document.number_notation} của "
                                       f"{document.issuing_agency_name or document.issuing_agency_code}.")
    _notify_sender(document, DeliveryStatus.RECEIVED)
    return document


def package_import(*, actor, agency_code: str, data: bytes, ip_address: str = "") -> Document:
    """Register an incoming document from an edXML file exported by another system."""
    agency = _agency(agency_code)
    if not (access.is_records_officer(actor, agency) or access.can_draft_for(actor, agency)):
        raise PermissionDenied("Bạn không tiếp nhận văn bản cho cơ quan này.")
    package = edxml.read_package(data)
    if not Agency.objects.filter(identifier_code=package.sender.code).exists() and not package.sender.name:
        raise ValidationError.for_field("From", f"Không rõ cơ quan gửi mang mã định danh “{package.sender.code}”.")
    unknown = [r.code for r in package.recipients if not Agency.objects.filter(identifier_code=r.code).exists()]
    if agency.identifier_code not in {r.code for r in package.recipients}:
        raise ValidationError.for_field("To", f"Gói edXML không gửi tới {agency.name} ({agency.identifier_code})"
                                        + (f"; mã không xác định: {', '.join(unknown)}." if unknown else "."))
    delivery = Delivery.objects.filter(package_id=package.document_id, to_code=agency.identifier_code).first()

    def write(written):
        document = _receive(actor=actor, agency=agency, package=package, source=Source.IMPORT, delivery=delivery,
                            written=written)
        audit_record(actor=actor, action="documents.package.import", obj=document, ip_address=ip_address,
                     summary=f"Nhập gói edXML {package.document_id}.")
        return document

    return atomic_with_file_cleanup(write)


def status_message_for(document: Document, status: str) -> bytes:
    """The edXML status message an incoming document sends back to an external sender."""
    return edxml.build_status(edxml.StatusMessage(
        document_id=document.package_id or str(document.pk), organ_code=document.issuing_agency_code,
        code=document.number_notation, sender=edxml.Organ(code=document.agency.identifier_code,
                                                         name=document.agency.name),
        status_code=STATUS_CODES[status], description=DeliveryStatus(status).label, timestamp=timezone.now(),
        promulgation_date=document.issued_on))


def status_import(*, actor, data: bytes, ip_address: str = "") -> Delivery:
    """A status message from a recipient's system (received, assigned, done) for one of our deliveries."""
    message = edxml.read_status(data)
    delivery = Delivery.objects.select_related("document").filter(package_id=message.document_id,
                                                                    to_code=message.sender.code).first()
    if delivery is None or not access.can_view(actor, delivery.document):
        raise ValidationError.for_field("DocumentId", "Không có văn bản đã gửi tương ứng với thông điệp trạng thái.")
    status = STATUS_BY_CODE.get(message.status_code)
    if status is None:
        raise ValidationError.for_field("StatusCode", f"Mã trạng thái “{message.status_code}” không được hỗ trợ.")
    with transaction.atomic():
        delivery = Delivery.objects.select_for_update().get(pk=delivery.pk)
        if status == DeliveryStatus.REJECTED or DELIVERY_ORDER.index(status) > DELIVERY_ORDER.index(delivery.status):
            old = delivery.status
            delivery.status, delivery.status_at = status, message.timestamp
            delivery.save(update_fields=["status", "status_at"])
            _event(delivery.document, actor=actor, action=f"status_{status}", to_code=delivery.to_code)
            _audit(actor, "status", delivery.document, f"{delivery.to_code} báo trạng thái: "
                   f"{DeliveryStatus(status).label}.", {"delivery_status": [old, status]}, ip_address)
    return delivery


def document_register_paper(*, actor, agency_code: str, doc_type: str, subject: str, scan, issuing_agency_name: str,
                            code_number: str = "", code_notation: str = "", issued_on: date | None = None,
                            issuing_agency_code: str = "", signer_name: str = "", urgency: str = Urgency.NORMAL,
                            security_level: str = SecurityLevel.ORDINARY, response_due_on: date | None = None,
                            ip_address: str = "") -> Document:
    """An incoming paper document, scanned: registered in the incoming register, its text extracted for search."""
    agency = _agency(agency_code)
    if not (access.is_records_officer(actor, agency) or access.can_draft_for(actor, agency)):
        raise PermissionDenied("Bạn không tiếp nhận văn bản cho cơ quan này.")
    _choice(doc_type, DocumentType, "doc_type", "Loại văn bản không hợp lệ.")
    _choice(urgency, Urgency, "urgency", "Độ khẩn không hợp lệ.")
    _choice(security_level, SecurityLevel, "security_level", "Độ mật không hợp lệ.")
    if not (subject or "").strip():
        raise ValidationError.for_field("subject", "Hãy nhập trích yếu nội dung.")
    if not (issuing_agency_name or "").strip():
        raise ValidationError.for_field("issuing_agency_name", "Hãy nhập cơ quan ban hành.")
    if scan is None:
        raise ValidationError.for_field("scan", "Hãy đính kèm bản quét (PDF).")
    f = _read_upload(scan, field="scan", pdf_only=True)
    result = _verified_upload(f, field="scan")

    def write(written):
        today = timezone.localdate()
        register, number = registers.take_number(agency=agency, year=today.year, direction=Direction.INCOMING)
        document = Document(
            direction=Direction.INCOMING, agency=agency, register=register, register_number=number,
            code_number=(code_number or "")[:20], code_notation=(code_notation or "")[:60], doc_type=doc_type,
            issuing_agency_code=(issuing_agency_code or "")[:13], issuing_agency_name=issuing_agency_name[:255],
            issued_on=issued_on, signer_name=(signer_name or "")[:150], subject=subject.strip()[:500],
            urgency=urgency, security_level=security_level, response_due_on=response_due_on,
            status=Status.REGISTERED, source=Source.SCAN, created_at=timezone.now(), received_at=timezone.now(),
            created_by=_user(actor), text_content=extract_text(f.data))
        refresh_search(document)
        document.save()
        row = _store(document, f, role=DocumentFile.MAIN, written=written)
        if result:
            _record_checks(row, result)
        _event(document, actor=actor, action="register_paper", number=number)
        _audit(actor, "register_paper", document, f"Vào sổ văn bản đến số {number} (bản giấy): {subject[:200]}",
               ip=ip_address)
        return document

    return atomic_with_file_cleanup(write)


def document_assign(*, actor, document_id: int, due_on: date, agency_code: str = "", username: str = "",
                    note: str = "", ip_address: str = "") -> Document:
    """The leader (or the records office) assigns an incoming document to a department or a person, with a due date."""
    with transaction.atomic():
        document = _lock(document_id, actor=actor)
        if not (access.is_leader_of(actor, document.agency) or access.is_records_officer(actor, document.agency)):
            raise PermissionDenied("Chỉ lãnh đạo hoặc văn thư phân công xử lý văn bản đến.")
        if document.direction != Direction.INCOMING:
            raise Conflict("Chỉ phân công xử lý văn bản đến.")
        if document.status == Status.DONE:
            raise Conflict("Văn bản đã được xử lý xong.")
        if not agency_code and not username:
            raise ValidationError.for_field("agency_code", "Hãy chọn phòng ban hoặc người xử lý.")
        if due_on is None or due_on < timezone.localdate():
            raise ValidationError.for_field("due_on", "Hạn xử lý phải từ hôm nay trở đi.")
        target_agency, user = document.agency, None
        if agency_code:
            target_agency = _agency(agency_code)
            from tinhso.org.selectors import agency_descendant_ids

            if target_agency.pk not in agency_descendant_ids(agency_ids={document.agency_id}):
                raise ValidationError.for_field("agency_code", "Chỉ giao cho cơ quan hoặc phòng ban trực thuộc.")
        if username:
            user = User.objects.filter(username=username, is_active=True).first()
            from tinhso.accounts.scoping import agency_ids_for

            if user is None or target_agency.pk not in agency_ids_for(user):
                raise ValidationError.for_field("username", "Người xử lý phải là cán bộ của phòng ban được giao.")
        old = document.status
        document.assigned_agency, document.assignee, document.handling_due_on = target_agency, user, due_on
        document.status, document.assigned_at = Status.ASSIGNED, timezone.now()
        document.save(update_fields=["assigned_agency", "assignee", "handling_due_on", "status", "assigned_at"])
        who = user.display_name if user else target_agency.name
        _event(document, actor=actor, action="assign", note=note, to=who, due_on=due_on.isoformat())
        _audit(actor, "assign", document, f"Giao {who} xử lý, hạn {due_on:%d/%m/%Y}.",
               {"status": [old, Status.ASSIGNED]}, ip_address)
        _notify_sender(document, DeliveryStatus.ASSIGNED)
    return document


def document_complete(*, actor, document_id: int, note: str = "", ip_address: str = "") -> Document:
    with transaction.atomic():
        document = _lock(document_id, actor=actor)
        allowed = (document.assignee_id == actor.pk or access.is_leader_of(actor, document.agency)
                   or (document.assignee_id is None and document.assigned_agency is not None
                       and access.can_draft_for(actor, document.assigned_agency)))
        if not allowed:
            raise PermissionDenied("Chỉ người được giao hoặc lãnh đạo xác nhận hoàn thành.")
        _require(Status.ASSIGNED, document, action="hoàn thành")
        document.status, document.completed_at = Status.DONE, timezone.now()
        document.save(update_fields=["status", "completed_at"])
        _event(document, actor=actor, action="complete", note=note)
        _audit(actor, "complete", document, "Hoàn thành xử lý văn bản đến.",
               {"status": [Status.ASSIGNED, Status.DONE]}, ip_address)
        _notify_sender(document, DeliveryStatus.DONE)
    return document


def document_link(*, actor, document_id: int, dossier_code: str = "", feedback_ref: str = "",
                  ip_address: str = "") -> Document:
    """Link a document to a one-stop dossier (by its code) or to a citizen feedback report (by its reference)."""
    from tinhso.dossiers.selectors import dossier_get

    with transaction.atomic():
        document = _lock(document_id, actor=actor)
        if not access.can_draft_for(actor, document.agency) and not access.is_leader_of(actor, document.agency):
            raise PermissionDenied("Bạn không xử lý văn bản của cơ quan này.")
        if not dossier_code and not feedback_ref:
            raise ValidationError.for_field("dossier_code", "Hãy nhập mã hồ sơ hoặc mã phản ánh.")
        changes = {}
        if dossier_code:
            try:
                dossier = dossier_get(user=actor, code=dossier_code.strip())
            except NotFound:
                raise ValidationError.for_field("dossier_code", f"Không có hồ sơ “{dossier_code}” trong phạm vi "
                                                                f"của bạn.") from None
            changes["dossier"] = [document.dossier_id and document.dossier.code, dossier.code]
            document.dossier = dossier
        if feedback_ref:
            changes["feedback_ref"] = [document.feedback_ref, feedback_ref.strip()[:40]]
            document.feedback_ref = feedback_ref.strip()[:40]
        document.save(update_fields=["dossier", "feedback_ref"])
        _event(document, actor=actor, action="link", **{k: v[1] for k, v in changes.items()})
        _audit(actor, "link", document, "Liên kết văn bản với hồ sơ / phản ánh.", changes, ip_address)
    return document
