"""Verification of signed PDFs (pyHanko): who signed, when, the chain to the province's trust roots, and whether
the file changed after signing.

Coverage matters: bytes appended after `%%EOF` leave every signature "intact" over its own revision, so the last
signature must cover the entire file, and each earlier one its whole revision with only later signatures added.
"""

import io
import logging
from dataclasses import dataclass, field
from datetime import datetime

from cryptography import x509
from cryptography.hazmat.primitives import serialization

WEAK_DIGESTS = {"sha1", "md5"}

log = logging.getLogger(__name__)


@dataclass
class SignatureResult:
    field_name: str
    signer_name: str = ""
    signer_subject: str = ""
    issuer_subject: str = ""
    signing_time: datetime | None = None
    digest_algorithm: str = ""
    intact: bool = False
    trusted: bool = False
    covers_whole_file: bool = False
    weak_digest: bool = False
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def message(self) -> str:
        notes = list(self.problems)
        if self.weak_digest:
            notes.append(f"Chữ ký dùng thuật toán băm yếu ({self.digest_algorithm.upper()}).")
        return " ".join(notes) or "Chữ ký hợp lệ, tệp không bị thay đổi sau khi ký, chứng thư tin cậy."


@dataclass
class FileVerification:
    readable: bool = True
    signatures: list[SignatureResult] = field(default_factory=list)
    problem: str = ""

    @property
    def signed(self) -> bool:
        return bool(self.signatures)

    @property
    def ok(self) -> bool:
        return self.readable and all(s.ok for s in self.signatures)

    @property
    def message(self) -> str:
        if not self.readable:
            return self.problem
        if not self.signed:
            return "Tệp không có chữ ký số."
        return " ".join(f"{s.field_name}: {s.message}" for s in self.signatures)


def _validation_context(trust_roots: list[x509.Certificate]):
    from asn1crypto import x509 as asn1_x509
    from pyhanko_certvalidator import ValidationContext
    from pyhanko_certvalidator.policy_decl import DisallowWeakAlgorithmsPolicy

    roots = [asn1_x509.Certificate.load(c.public_bytes(serialization.Encoding.DER)) for c in trust_roots]
    # SHA-1 on incoming files is verified (and flagged) rather than refused outright.
    policy = DisallowWeakAlgorithmsPolicy(weak_hash_algos=frozenset({"md2", "md5"}))
    return ValidationContext(trust_roots=roots, allow_fetching=False, algorithm_usage_policy=policy)


def verify_pdf(data: bytes, *, trust_roots: list[x509.Certificate]) -> FileVerification:
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.errors import SignatureValidationError
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator.errors import PathBuildingError, PathValidationError

    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        embedded = list(reader.embedded_signatures)
    except Exception as exc:  # noqa: BLE001 - any malformed file is bad input, never a server error
        log.info("unreadable PDF: %r", exc)
        return FileVerification(readable=False, problem="Không đọc được tệp PDF (tệp hỏng hoặc không đúng định dạng).")
    context = _validation_context(trust_roots)
    result = FileVerification()
    for index, signature in enumerate(embedded):
        last = index == len(embedded) - 1
        item = SignatureResult(field_name=signature.field_name or f"Chữ ký {index + 1}")
        result.signatures.append(item)
        try:
            cert = signature.signer_cert
            item.signer_subject = cert.subject.human_friendly
            item.issuer_subject = cert.issuer.human_friendly
            item.signer_name = cert.subject.native.get("common_name", item.signer_subject)
            item.signing_time = signature.self_reported_timestamp
            status = validate_pdf_signature(signature, context)
        except (SignatureValidationError, PathBuildingError, PathValidationError, PdfError, ValueError, KeyError,
                TypeError, AttributeError, IndexError) as exc:
            log.info("signature %s unreadable: %s", item.field_name, exc)
            item.problems.append("Chữ ký bị hỏng, không kiểm tra được.")
            continue
        item.digest_algorithm = status.md_algorithm or ""
        item.weak_digest = item.digest_algorithm in WEAK_DIGESTS
        item.intact = bool(status.intact and status.valid)
        item.trusted = bool(status.trusted)
        if last:
            item.covers_whole_file = status.coverage == SignatureCoverageLevel.ENTIRE_FILE
        else:
            from pyhanko.sign.diff_analysis import ModificationLevel

            item.covers_whole_file = (status.coverage >= SignatureCoverageLevel.ENTIRE_REVISION
                                      and status.modification_level is not None
                                      and status.modification_level <= ModificationLevel.FORM_FILLING)
        if not item.intact:
            item.problems.append("Nội dung đã bị thay đổi sau khi ký (chữ ký không khớp).")
        elif not item.covers_whole_file:
            item.problems.append("Tệp đã bị thay đổi hoặc thêm dữ liệu sau khi ký.")
        if not item.trusted:
            item.problems.append("Chứng thư số không thuộc chuỗi tin cậy của tỉnh.")
    return result
