"""Demo documents for the demo province, made through the services (so they are audited like real work).

The demo makes its own throwaway certificate authority at run time ("CA thử nghiệm — chỉ dùng cho bản demo"):
no private key is ever committed, and production provinces add their real trust roots and PKCS#12 files.
"""

import datetime

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from django.utils import timezone

from tinhso.accounts.models import User
from tinhso.org.models import Agency

from . import services
from .choices import DocumentType, KeyOwner, SecurityLevel
from .pdf import text_pdf
from .services import CleanFile


def _name(cn: str, org: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"), x509.NameAttribute(NameOID.ORGANIZATION_NAME, org),
                      x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def _usage(ca: bool) -> x509.KeyUsage:
    return x509.KeyUsage(digital_signature=True, content_commitment=not ca, key_encipherment=False,
                         data_encipherment=False, key_agreement=False, key_cert_sign=ca, crl_sign=ca,
                         encipher_only=False, decipher_only=False)


class DemoCA:
    def __init__(self, province_name: str):
        self.org = province_name
        self.key = ec.generate_private_key(ec.SECP256R1())
        now = datetime.datetime.now(datetime.UTC)
        subject = _name(f"CA thử nghiệm {province_name} (chỉ dùng cho bản demo)", province_name)
        self.cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject)
                     .public_key(self.key.public_key()).serial_number(x509.random_serial_number())
                     .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=3650))
                     .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
                     .add_extension(_usage(True), critical=True)
                     .add_extension(x509.SubjectKeyIdentifier.from_public_key(self.key.public_key()), critical=False)
                     .sign(self.key, hashes.SHA256()))

    def pkcs12(self, cn: str, passphrase: str, org: str = "") -> bytes:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        now = datetime.datetime.now(datetime.UTC)
        cert = (x509.CertificateBuilder().subject_name(_name(cn, org or self.org)).issuer_name(self.cert.subject)
                .public_key(key.public_key()).serial_number(x509.random_serial_number())
                .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=730))
                .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
                .add_extension(_usage(False), critical=True)
                .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(self.key.public_key()),
                               critical=False)
                .sign(self.key, hashes.SHA256()))
        return pkcs12.serialize_key_and_certificates(cn.encode(), key, cert, [self.cert],
                                                     serialization.BestAvailableEncryption(passphrase.encode()))


def _pdf(*lines: str) -> CleanFile:
    return CleanFile(name="van-ban.pdf", content_type="application/pdf", data=text_pdf(list(lines)))


def create_demo_documents(*, province, justice: Agency, committee: Agency, commune_committee: Agency,
                          passphrase: str) -> int:
    """Sở Tư pháp's records office (chuyenvien.stp doubles as văn thư), its leader's personal key and the
    agency key (passphrase: the demo password), and documents at each step of the way."""
    users = {u.username: u for u in User.objects.filter(username__in=["quantri", "lanhdao.stp", "chuyenvien.stp"])}
    admin, leader, clerk = users["quantri"], users["lanhdao.stp"], users["chuyenvien.stp"]
    ca = DemoCA(province.name)
    services.trust_root_add(actor=admin, name="CA thử nghiệm của bản demo",
                            certificate=ca.cert.public_bytes(serialization.Encoding.PEM))
    services.records_officer_grant(actor=admin, agency_code=justice.identifier_code, username=clerk.username)
    leader_key = services.signing_key_add(actor=leader, owner=KeyOwner.PERSON, agency_code=justice.identifier_code,
                                          label="Chữ ký số cá nhân", pkcs12=ca.pkcs12(leader.full_name, passphrase),
                                          passphrase=passphrase)
    agency_key = services.signing_key_add(actor=clerk, owner=KeyOwner.AGENCY, agency_code=justice.identifier_code,
                                          label="Chữ ký số của Sở Tư pháp",
                                          pkcs12=ca.pkcs12(justice.name, passphrase, org=justice.name),
                                          passphrase=passphrase)
    recipients = [committee.identifier_code, commune_committee.identifier_code]

    def draft(subject: str, doc_type=DocumentType.KE_HOACH, **kwargs):
        return services.document_draft(actor=clerk, agency_code=justice.identifier_code, doc_type=doc_type,
                                       subject=subject, signer_position="Giám đốc", recipients=recipients,
                                       main_file=_pdf(doc_type.label.upper(), subject), **kwargs)

    made = 0
    # Issued, signed twice and sent: the province committee and the commune receive it in their registers.
    for subject in ("Kế hoạch triển khai chuyển đổi số ngành Tư pháp năm 2026",
                    "Kế hoạch phổ biến, giáo dục pháp luật trên môi trường số"):
        doc = draft(subject)
        services.document_submit_review(actor=clerk, document_id=doc.pk)
        services.document_leader_sign(actor=leader, document_id=doc.pk, key_id=leader_key.pk, passphrase=passphrase)
        services.document_issue(actor=clerk, document_id=doc.pk, key_id=agency_key.pk, passphrase=passphrase)
        services.document_send(actor=clerk, document_id=doc.pk)
        made += 1
    # Waiting for the leader's signature.
    doc = draft("Báo cáo kết quả cải cách thủ tục hành chính quý IV năm 2026", doc_type=DocumentType.BAO_CAO)
    services.document_submit_review(actor=clerk, document_id=doc.pk)
    # A confidential one: numbered in the register, signed on paper, never sent electronically.
    doc = draft("Báo cáo tình hình an ninh trật tự liên quan đến công tác hộ tịch", doc_type=DocumentType.BAO_CAO,
                security_level=SecurityLevel.CONFIDENTIAL)
    services.document_submit_review(actor=clerk, document_id=doc.pk)
    services.document_leader_sign(actor=leader, document_id=doc.pk, key_id=None)
    services.document_issue(actor=clerk, document_id=doc.pk, key_id=None)
    # An incoming paper document, scanned, assigned to the officer with a due date.
    paper = services.document_register_paper(
        actor=clerk, agency_code=justice.identifier_code, doc_type=DocumentType.CONG_VAN,
        subject="Về việc rà soát thủ tục hành chính lĩnh vực hộ tịch",
        scan=_pdf("CÔNG VĂN", "Về việc rà soát thủ tục hành chính lĩnh vực hộ tịch, chứng thực"),
        issuing_agency_name="Bộ Tư pháp", code_number="4512", code_notation="BTP-KSTT")
    services.document_assign(actor=leader, document_id=paper.pk, username=clerk.username,
                             due_on=timezone.localdate() + datetime.timedelta(days=10), note="Đề nghị tham mưu")
    return made + 3
