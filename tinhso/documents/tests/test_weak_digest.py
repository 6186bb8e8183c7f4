"""SHA-1 signatures on incoming files are verified but flagged; ours always use SHA-256."""

import io

import pytest
from cryptography.hazmat.primitives import serialization

from tinhso.documents import services, signing

from .pki import PASSPHRASE


def sha1_signed(desk, pdf: bytes) -> bytes:
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers

    p12 = desk.ca.pkcs12("Hệ thống cũ dùng SHA-1")
    signer = signers.SimpleSigner.load_pkcs12_data(p12, other_certs=[], passphrase=PASSPHRASE.encode())
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    out = io.BytesIO()
    signers.PdfSigner(signers.PdfSignatureMetadata(field_name="Cu", md_algorithm="sha1"), signer=signer).sign_pdf(
        writer, output=out)
    return out.getvalue()


@pytest.mark.smoke
def test_a_sha1_signature_is_verified_and_flagged(desk):
    result = services.verify(sha1_signed(desk, desk.draft_pdf("CÔNG VĂN CŨ")))
    signature = result.signatures[0]
    assert signature.intact and signature.trusted and signature.covers_whole_file
    assert signature.weak_digest and "SHA1" in signature.message
    assert result.ok


@pytest.mark.smoke
def test_our_signatures_use_sha256(desk):
    assert signing.DIGEST == "sha256"
    key = desk.leader_key
    material = signing.pkcs12_material(bytes(key.pkcs12), PASSPHRASE)
    data = signing.sign_pdf(desk.draft_pdf("X"), material=material, field_name="A", stamp_lines=["Thử"],
                            box=signing.LEADER_BOX)
    assert services.verify(data).signatures[0].digest_algorithm == "sha256"
    assert material.certificate.public_bytes(serialization.Encoding.PEM).decode() == key.certificate_pem
