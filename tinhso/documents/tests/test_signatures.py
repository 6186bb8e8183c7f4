"""Two PAdES signatures (the leader's, then the agency's) verify as intact and trusted, in the platform and in
poppler's pdfsig; a changed byte or bytes appended after %%EOF make both report it."""

import pytest

from tinhso.core.exceptions import PermissionDenied, ValidationError
from tinhso.documents import services
from tinhso.documents.choices import KeyOwner, Status
from tinhso.documents.models import SignatureCheck, SigningKey
from tinhso.documents.pdf import extract_text

from .helpers import current_pdf, draft, pdfsig, require_pdfsig, signed_and_issued
from .pki import PASSPHRASE, make_ca


@pytest.mark.smoke
def test_leader_then_records_office_sign_and_the_file_verifies_intact_and_trusted(desk):
    doc = signed_and_issued(desk)
    assert doc.status == Status.ISSUED
    assert doc.number_notation == "01/KH-STP"
    assert doc.signer_name == "Nguyễn Văn Giám Đốc" and doc.signer_position == "Giám đốc"
    result = services.verify(current_pdf(doc))
    assert [s.field_name for s in result.signatures] == [services.LEADER_FIELD, services.AGENCY_FIELD]
    assert result.ok, result.message
    assert all(s.intact and s.trusted and s.covers_whole_file and s.digest_algorithm == "sha256"
               for s in result.signatures)
    checks = SignatureCheck.objects.filter(file=services.main_file(doc))
    assert [c.ok for c in checks] == [True, True]


@pytest.mark.smoke
def test_the_visible_stamps_show_vietnamese_text_with_the_number(desk):
    text = extract_text(current_pdf(signed_and_issued(desk)))
    assert "Người ký: Nguyễn Văn Giám Đốc" in text
    assert "Số: 01/KH-STP" in text
    assert "Cơ quan: Sở Tư pháp tỉnh Thanh Hóa" in text


def test_pdfsig_agrees_the_twice_signed_file_is_valid_trusted_and_wholly_signed(desk, tmp_path):
    require_pdfsig()
    reports = pdfsig(current_pdf(signed_and_issued(desk)), tmp=tmp_path, root_pem=desk.ca.pem)
    assert len(reports) == 2
    assert all(r["valid"] and r["trusted"] for r in reports), reports
    assert reports[-1]["total"], reports[-1]["text"]


def _flip_byte_inside_the_signed_content(data: bytes) -> bytes:
    at = data.index(b"KH") if b"KH" in data[:2000] else 200
    at = data.index(b"/MediaBox") + 12
    return data[:at] + bytes([data[at] ^ 0x01]) + data[at + 1:]


def test_one_changed_byte_is_reported_by_the_platform_and_by_pdfsig(desk, tmp_path):
    require_pdfsig()
    changed = _flip_byte_inside_the_signed_content(current_pdf(signed_and_issued(desk)))
    result = services.verify(changed)
    assert not result.ok
    assert any(not s.intact for s in result.signatures)
    reports = pdfsig(changed, tmp=tmp_path, root_pem=desk.ca.pem)
    assert any(not r["valid"] for r in reports), reports


def test_bytes_appended_after_eof_are_reported_by_the_platform_and_by_pdfsig(desk, tmp_path):
    require_pdfsig()
    appended = current_pdf(signed_and_issued(desk)) + b"\n% appended after signing\n"
    result = services.verify(appended)
    assert not result.ok
    last = result.signatures[-1]
    assert last.intact and not last.covers_whole_file
    assert "thay đổi hoặc thêm dữ liệu sau khi ký" in last.message
    reports = pdfsig(appended, tmp=tmp_path, root_pem=desk.ca.pem)
    assert not reports[-1]["total"], reports[-1]["text"]


@pytest.mark.smoke
def test_a_certificate_from_an_untrusted_root_is_refused_and_nothing_registered(desk):
    w = desk.world
    stranger = make_ca("CA lạ không được công nhận")
    before = SigningKey.objects.count()
    with pytest.raises(ValidationError) as exc:
        services.signing_key_add(actor=w.users["agency_leader"], owner=KeyOwner.PERSON,
                                 agency_code=w.justice.identifier_code, label="Khóa lạ",
                                 pkcs12=stranger.pkcs12("Kẻ giả mạo"), passphrase=PASSPHRASE)
    assert "chuỗi tin cậy" in exc.value.field_errors["pkcs12"][0]
    assert SigningKey.objects.count() == before


@pytest.mark.smoke
def test_a_wrong_passphrase_is_refused_and_the_document_stays_in_review(desk):
    w = desk.world
    doc = draft(desk)
    services.document_submit_review(actor=w.users["processing_officer"], document_id=doc.pk)
    with pytest.raises(ValidationError) as exc:
        services.document_leader_sign(actor=w.users["agency_leader"], document_id=doc.pk,
                                      key_id=desk.leader_key.pk, passphrase="sai")
    assert "Mật khẩu" in exc.value.field_errors["passphrase"][0]
    doc.refresh_from_db()
    assert doc.status == Status.IN_REVIEW and doc.files.count() == 1


@pytest.mark.smoke
def test_passphrases_are_never_stored(desk):
    for key in SigningKey.objects.all():
        assert PASSPHRASE.encode() not in bytes(key.pkcs12)
        assert PASSPHRASE not in key.certificate_pem + key.subject + key.label


@pytest.mark.smoke
def test_only_the_leader_signs_with_their_own_key_and_only_the_clerk_issues(desk):
    w = desk.world
    doc = draft(desk)
    services.document_submit_review(actor=w.users["processing_officer"], document_id=doc.pk)
    with pytest.raises(PermissionDenied):
        services.document_leader_sign(actor=w.users["processing_officer"], document_id=doc.pk,
                                      key_id=desk.leader_key.pk, passphrase=PASSPHRASE)
    services.document_leader_sign(actor=w.users["agency_leader"], document_id=doc.pk, key_id=desk.leader_key.pk,
                                  passphrase=PASSPHRASE)
    with pytest.raises(PermissionDenied):
        services.document_issue(actor=w.users["agency_leader"], document_id=doc.pk, key_id=desk.agency_key.pk,
                                passphrase=PASSPHRASE)
    with pytest.raises(ValidationError):  # the leader's personal key is not the agency's seal
        services.document_issue(actor=desk.clerk, document_id=doc.pk, key_id=desk.leader_key.pk,
                                passphrase=PASSPHRASE)


@pytest.mark.smoke
def test_a_remote_signing_service_signs_through_the_same_interface(desk):
    from tinhso.documents import signing

    w = desk.world
    service = signing.InMemoryKeyService()
    key, cert = desk.ca.issue("Trần Thị Ký Từ Xa")
    service.add_key("cts-001", key, [cert, desk.ca.cert], pin="123456")
    signing.register_remote_service("ca-thu-nghiem", service)
    remote = services.signing_key_add(actor=w.users["agency_leader"], owner=KeyOwner.PERSON,
                                      agency_code=w.justice.identifier_code, label="Ký số từ xa",
                                      backend="ca-thu-nghiem", remote_key_id="cts-001", credential="123456")
    assert remote.pkcs12 is None
    doc = draft(desk)
    services.document_submit_review(actor=w.users["processing_officer"], document_id=doc.pk)
    with pytest.raises(ValidationError):
        services.document_leader_sign(actor=w.users["agency_leader"], document_id=doc.pk, key_id=remote.pk,
                                      passphrase="000000")
    doc = services.document_leader_sign(actor=w.users["agency_leader"], document_id=doc.pk, key_id=remote.pk,
                                        passphrase="123456")
    assert doc.signer_name == "Trần Thị Ký Từ Xa"
    assert services.verify(current_pdf(doc)).ok


@pytest.mark.smoke
def test_a_deactivated_trust_root_no_longer_makes_signatures_trusted(desk):
    from tinhso.documents.models import TrustRoot

    data = current_pdf(signed_and_issued(desk))
    root = TrustRoot.objects.get()
    with pytest.raises(PermissionDenied):
        services.trust_root_set_active(actor=desk.world.users["unit_admin"], root_id=root.pk, active=False)
    services.trust_root_set_active(actor=desk.world.users["province_admin"], root_id=root.pk, active=False)
    result = services.verify(data)
    assert not result.ok and not any(s.trusted for s in result.signatures)
