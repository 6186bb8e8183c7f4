"""Signing PDFs with PAdES signatures (pyHanko): keys from PKCS#12 files or from a remote signing service.

Two signatures in Vietnamese practice: the leader's personal signature, then the agency's (the records office
applies the organisation certificate when it issues the number). Both draw a visible stamp in Vietnamese, with a
font that has Vietnamese glyphs embedded. Our signatures always use SHA-256.
"""

import hashlib
import io
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Protocol

from asn1crypto import algos
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed
from cryptography.hazmat.primitives.serialization import pkcs12
from django.conf import settings
from django.utils.module_loading import import_string

from tinhso.core.exceptions import ValidationError

DIGEST = "sha256"
# fontTools warns about every table it does not subset (FFTM of DejaVu): noise, not a problem.
logging.getLogger("fontTools.subset").setLevel(logging.ERROR)
DEFAULT_FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"  # Debian: fonts-dejavu-core


@dataclass(frozen=True)
class CertificateInfo:
    pem: str
    subject: str
    common_name: str
    fingerprint: str
    not_after: datetime


def certificate_info(cert: x509.Certificate) -> CertificateInfo:
    names = cert.subject.get_attributes_for_oid(x509.oid.NameOID.COMMON_NAME)
    return CertificateInfo(
        pem=cert.public_bytes(serialization.Encoding.PEM).decode(),
        subject=cert.subject.rfc4514_string(),
        common_name=str(names[0].value) if names else cert.subject.rfc4514_string(),
        fingerprint=cert.fingerprint(hashes.SHA256()).hex(),
        not_after=cert.not_valid_after_utc,
    )


def load_certificate_pem(data: bytes | str, *, field: str = "certificate") -> x509.Certificate:
    raw = data.encode() if isinstance(data, str) else data
    try:
        return x509.load_pem_x509_certificate(raw) if b"-----BEGIN" in raw else x509.load_der_x509_certificate(raw)
    except (ValueError, TypeError):
        raise ValidationError.for_field(field, "Tệp chứng thư số không hợp lệ (cần PEM hoặc DER).") from None


def open_pkcs12(data: bytes, passphrase: str, *, field: str = "passphrase"):
    """(private key, certificate, extra certificates) or a Vietnamese error when the passphrase is wrong."""
    try:
        key, cert, extra = pkcs12.load_key_and_certificates(data, passphrase.encode("utf-8"))
    except (ValueError, TypeError):
        raise ValidationError.for_field(field, "Mật khẩu khóa không đúng hoặc tệp PKCS#12 bị hỏng.") from None
    if key is None or cert is None:
        raise ValidationError.for_field("pkcs12", "Tệp PKCS#12 phải chứa khóa bí mật và chứng thư số.")
    return key, cert, list(extra or [])


# --- the pluggable remote-signing interface ---------------------------------------------------------------------

class RemoteSigningService(Protocol):
    """What a CA's signing service offers (remote signing, "ký số từ xa"): the certificate of a key it holds,
    and a raw signature over a digest computed here, authorised by a credential the signer types (PIN, OTP)."""

    def certificate_chain(self, *, key_id: str) -> list[bytes]:
        """DER certificates: the signing certificate first, then its issuers."""

    def sign_digest(self, *, key_id: str, digest: bytes, digest_algorithm: str, credential: str) -> bytes:
        """The signature value over `digest` (PKCS#1 v1.5 for RSA, DER ECDSA for EC keys)."""


_REMOTE_SERVICES: dict[str, RemoteSigningService] = {}


def register_remote_service(name: str, service: RemoteSigningService) -> None:
    _REMOTE_SERVICES[name] = service


def remote_service(name: str) -> RemoteSigningService:
    if name not in _REMOTE_SERVICES:
        configured = getattr(settings, "DOCUMENTS_REMOTE_SIGNERS", {})
        if name not in configured:
            raise ValidationError.for_field("backend", f"Chưa cấu hình dịch vụ ký số từ xa “{name}”.")
        _REMOTE_SERVICES[name] = import_string(configured[name])()
    return _REMOTE_SERVICES[name]


class InMemoryKeyService:
    """A remote-signing service holding keys in memory: the reference implementation of the interface (tests,
    demo). The credential is checked against a hash, as a CA service checks a PIN."""

    def __init__(self):
        self._keys: dict[str, tuple] = {}

    def add_key(self, key_id: str, private_key, chain: list[x509.Certificate], pin: str) -> None:
        self._keys[key_id] = (private_key, chain, hashlib.sha256(pin.encode()).hexdigest())

    def certificate_chain(self, *, key_id: str) -> list[bytes]:
        if key_id not in self._keys:
            raise ValidationError.for_field("remote_key_id", "Dịch vụ ký số không có khóa này.")
        return [c.public_bytes(serialization.Encoding.DER) for c in self._keys[key_id][1]]

    def sign_digest(self, *, key_id: str, digest: bytes, digest_algorithm: str, credential: str) -> bytes:
        key, _, pin_hash = self._keys[key_id]
        if hashlib.sha256(credential.encode()).hexdigest() != pin_hash:
            raise ValidationError.for_field("passphrase", "Mã xác thực ký số từ xa không đúng.")
        return _sign_prehashed(key, digest, digest_algorithm)


_HASHES = {"sha256": hashes.SHA256, "sha384": hashes.SHA384, "sha512": hashes.SHA512, "sha1": hashes.SHA1}


def _sign_prehashed(key, digest: bytes, digest_algorithm: str) -> bytes:
    algorithm = Prehashed(_HASHES[digest_algorithm]())
    if isinstance(key, rsa.RSAPrivateKey):
        return key.sign(digest, padding.PKCS1v15(), algorithm)
    if isinstance(key, ec.EllipticCurvePrivateKey):
        return key.sign(digest, ec.ECDSA(algorithm))
    raise ValidationError.for_field("pkcs12", "Chỉ hỗ trợ khóa RSA hoặc ECDSA.")


def _mechanism(cert: x509.Certificate) -> algos.SignedDigestAlgorithm:
    if isinstance(cert.public_key(), ec.EllipticCurvePublicKey):
        return algos.SignedDigestAlgorithm({"algorithm": f"{DIGEST}_ecdsa"})
    return algos.SignedDigestAlgorithm({"algorithm": f"{DIGEST}_rsa"})


def _asn1(cert: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


def _pyhanko_signer(cert: x509.Certificate, chain: list[x509.Certificate], sign_digest: Callable):
    from pyhanko.sign import signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    class DigestSigner(signers.Signer):
        """Computes the digest of the signed attributes here and asks `sign_digest` for the raw signature."""

        async def async_sign_raw(self, data: bytes, digest_algorithm: str, dry_run=False) -> bytes:
            digest = hashlib.new(digest_algorithm, data).digest()
            if dry_run:  # pyHanko estimates the size first: any value of the right length will do
                return bytes(512)
            return sign_digest(digest, digest_algorithm)

    # Roots are not embedded: verifiers hold them (poppler's NSS fails on a root re-imported from the file).
    return DigestSigner(embed_roots=False, signing_cert=_asn1(cert), cert_registry=SimpleCertificateStore.from_certs(
        [_asn1(c) for c in chain]), signature_mechanism=_mechanism(cert))


@dataclass
class KeyMaterial:
    """A key ready to sign: its certificate, its chain and the function that signs a digest."""

    certificate: x509.Certificate
    chain: list[x509.Certificate]
    sign_digest: Callable[[bytes, str], bytes]


def pkcs12_material(data: bytes, passphrase: str) -> KeyMaterial:
    key, cert, extra = open_pkcs12(data, passphrase)
    return KeyMaterial(cert, extra, lambda digest, algorithm: _sign_prehashed(key, digest, algorithm))


def remote_material(backend: str, key_id: str, credential: str) -> KeyMaterial:
    service = remote_service(backend)
    certs = [x509.load_der_x509_certificate(c) for c in service.certificate_chain(key_id=key_id)]

    def sign(digest: bytes, algorithm: str) -> bytes:
        return service.sign_digest(key_id=key_id, digest=digest, digest_algorithm=algorithm, credential=credential)

    return KeyMaterial(certs[0], certs[1:], sign)


# --- the visible stamp and the signature ------------------------------------------------------------------------

def stamp_font_path() -> str:
    path = getattr(settings, "DOCUMENTS_STAMP_FONT", DEFAULT_FONT)
    if not Path(path).is_file():
        raise ValidationError(f"Thiếu phông chữ tiếng Việt cho dấu chữ ký ({path}); hãy cài gói fonts-dejavu-core.")
    return path


def _font_factory():
    from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory

    return GlyphAccumulatorFactory(stamp_font_path())


# Where the two stamps go on the first page (A4 points): the leader's signature above the agency's.
LEADER_BOX = (330, 120, 565, 190)
AGENCY_BOX = (330, 40, 565, 110)


def sign_pdf(pdf: bytes, *, material: KeyMaterial, field_name: str, stamp_lines: list[str], box: tuple,
             reason: str = "", location: str = "") -> bytes:
    """Append one PAdES signature (SHA-256, incremental update) with a visible Vietnamese stamp on page 1."""
    from pyhanko import stamp
    from pyhanko.pdf_utils import text
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.sign import fields, signers

    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
        fields.append_signature_field(writer, fields.SigFieldSpec(field_name, box=box, on_page=0))
    except (PdfError, ValueError, KeyError) as exc:
        raise ValidationError.for_field("file", f"Không ký được tệp PDF: {exc}") from None
    meta = signers.PdfSignatureMetadata(field_name=field_name, md_algorithm=DIGEST, reason=reason or None,
                                        location=location or None, subfilter=fields.SigSeedSubFilter.PADES)
    style = stamp.TextStampStyle(
        stamp_text="\n".join(line.replace("%", "%%") for line in stamp_lines) + "\nThời gian ký: %(ts)s",
        timestamp_format="%d/%m/%Y %H:%M:%S %z",
        text_box_style=text.TextBoxStyle(font=_font_factory(), font_size=7),
        border_width=1,
    )
    signer = _pyhanko_signer(material.certificate, material.chain, material.sign_digest)
    out = io.BytesIO()
    signers.PdfSigner(meta, signer=signer, stamp_style=style).sign_pdf(writer, output=out)
    return out.getvalue()
