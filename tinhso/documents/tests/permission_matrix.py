"""Documents API routes × personas. Documents here belong to the Department of Justice, whose processing officer
drafts and whose leader (with subordinates) reviews; the province admin sees them; the others do not."""

import uuid

from tests.matrix import AUTHENTICATED, Request, case
from tinhso.documents import edxml, services
from tinhso.documents.choices import DocumentType
from tinhso.documents.pdf import text_pdf

from .pki import PASSPHRASE, make_ca

DRAFTERS = {"processing_officer", "agency_leader"}
SEES_JUSTICE = {"processing_officer", "agency_leader", "province_admin"}


def _pdf() -> bytes:
    return text_pdf(["CÔNG VĂN", "Về việc thử nghiệm phân quyền"])


def _files(name: str) -> dict:
    return {name: ("van-ban.pdf", _pdf(), "application/pdf")}


def _draft(w):
    return services.document_draft(actor=w.users["processing_officer"], agency_code=w.justice.identifier_code,
                                   doc_type=DocumentType.CONG_VAN, subject="Công văn thử nghiệm",
                                   main_file=services.CleanFile("a.pdf", "application/pdf", _pdf()))


def _paper(w):
    return services.document_register_paper(
        actor=w.users["processing_officer"], agency_code=w.justice.identifier_code, doc_type=DocumentType.CONG_VAN,
        subject="Công văn đến", scan=services.CleanFile("scan.pdf", "application/pdf", _pdf()),
        issuing_agency_name=w.health.name, issuing_agency_code=w.health.identifier_code, code_number="12",
        code_notation="SYT-VP")


def _package(w) -> bytes:
    from datetime import date

    return edxml.build_package(edxml.Package(
        document_id=uuid.uuid4().hex, sender=edxml.Organ(w.health.identifier_code, w.health.name),
        recipients=[edxml.Organ(w.justice.identifier_code, w.justice.name)], code_number="15",
        code_notation="SYT-VP", place="Thanh Hóa", promulgation_date=date(2026, 11, 30), type_code="CV",
        type_name="Công văn", subject="Về việc phối hợp", signer_position="Giám đốc", signer_name="Lê Văn Y",
        attachments=[edxml.Attachment("cv.pdf", "application/pdf", _pdf())]))


def _sent(w):
    from .conftest import build_desk
    from .helpers import signed_and_issued

    desk = build_desk(w)
    services.records_officer_grant(actor=w.users["province_admin"], agency_code=w.justice.identifier_code,
                                   username=w.users["processing_officer"].username)
    doc = signed_and_issued(desk)
    return services.document_send(actor=desk.clerk, document_id=doc.pk)


def _trust_root(w):
    return Request("/api/v1/documents/trust-roots",
                   json={"name": "CA mới", "certificate_pem": make_ca("CA mới").pem.decode()})


def _root(w):
    return services.trust_root_add(actor=w.users["province_admin"], name="CA", certificate=make_ca("CA cũ").pem)


def _signing_key(w):
    from .conftest import province_ca

    services.trust_root_add(actor=w.users["province_admin"], name="CA", certificate=province_ca().pem)
    return Request("/api/v1/documents/signing-keys",
                   json={"owner": "person", "agency_code": w.justice.identifier_code, "label": "Khóa",
                         "passphrase": PASSPHRASE},
                   files={"pkcs12": ("khoa.p12", province_ca().pkcs12("Cán bộ"), "application/x-pkcs12")})


MATRIX = {
    ("GET", "/api/v1/documents"): case(lambda w: Request("/api/v1/documents", query={"q": "cong van"}),
                                       AUTHENTICATED),
    ("POST", "/api/v1/documents"): case(lambda w: Request(
        "/api/v1/documents", json={"agency_code": w.justice.identifier_code, "doc_type": "CV",
                                   "subject": "Công văn mới", "recipients": w.health.identifier_code},
        files=_files("main_file")), DRAFTERS),
    ("POST", "/api/v1/documents/paper"): case(lambda w: Request(
        "/api/v1/documents/paper", json={"agency_code": w.justice.identifier_code, "doc_type": "CV",
                                         "subject": "Công văn giấy", "issuing_agency_name": "Sở Y tế"},
        files=_files("scan")), DRAFTERS),
    ("POST", "/api/v1/documents/import"): case(lambda w: Request(
        "/api/v1/documents/import", json={"agency_code": w.justice.identifier_code},
        files={"file": ("goi.xml", _package(w), "application/xml")}), DRAFTERS),
    ("POST", "/api/v1/documents/verify"): case(lambda w: Request(
        "/api/v1/documents/verify", files=_files("file")), AUTHENTICATED),
    ("GET", "/api/v1/documents/trust-roots"): case(lambda w: Request("/api/v1/documents/trust-roots"),
                                                   AUTHENTICATED),
    ("POST", "/api/v1/documents/trust-roots"): case(_trust_root, {"province_admin"}),
    ("POST", "/api/v1/documents/trust-roots/{root_id}/active"): case(lambda w: Request(
        f"/api/v1/documents/trust-roots/{_root(w).pk}/active", json={"active": False}), {"province_admin"}),
    ("GET", "/api/v1/documents/signing-keys"): case(lambda w: Request("/api/v1/documents/signing-keys"),
                                                    AUTHENTICATED),
    ("POST", "/api/v1/documents/signing-keys"): case(_signing_key, DRAFTERS),
    ("POST", "/api/v1/documents/records-officers"): case(lambda w: Request(
        "/api/v1/documents/records-officers",
        json={"agency_code": w.justice.identifier_code, "username": w.users["processing_officer"].username}),
        {"province_admin"}),
    ("GET", "/api/v1/documents/{document_id}"): case(lambda w: Request(f"/api/v1/documents/{_draft(w).pk}"),
                                                     SEES_JUSTICE),
    ("POST", "/api/v1/documents/{document_id}/actions"): case(lambda w: Request(
        f"/api/v1/documents/{_draft(w).pk}/actions", json={"action": "submit_review"}), DRAFTERS),
    ("POST", "/api/v1/documents/{document_id}/resend"): case(lambda w: Request(
        f"/api/v1/documents/{_sent(w).pk}/resend", json={"to_code": w.health.identifier_code}),
        {"processing_officer"}),
    ("GET", "/api/v1/documents/{document_id}/edxml"): case(lambda w: Request(
        f"/api/v1/documents/{_paper(w).pk}/edxml"), SEES_JUSTICE),
}
