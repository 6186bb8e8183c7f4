"""Helpers for document tests: the outgoing workflow in one call, and poppler's `pdfsig` as an outside check."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tinhso.documents import services
from tinhso.documents.choices import DocumentType
from tinhso.documents.services import CleanFile

from .pki import PASSPHRASE


def pdf_upload(data: bytes, name: str = "du-thao.pdf") -> CleanFile:
    return CleanFile(name=name, content_type="application/pdf", data=data)


def draft(desk, *, subject="Kế hoạch chuyển đổi số năm 2026 của Sở Tư pháp", recipients=None, **kwargs):
    w = desk.world
    return services.document_draft(
        actor=w.users["processing_officer"], agency_code=w.justice.identifier_code,
        doc_type=kwargs.pop("doc_type", DocumentType.KE_HOACH), subject=subject,
        main_file=pdf_upload(desk.draft_pdf("KẾ HOẠCH", subject)), signer_position="Giám đốc",
        recipients=[w.health.identifier_code] if recipients is None else recipients, **kwargs)


def signed_and_issued(desk, **kwargs):
    w = desk.world
    doc = draft(desk, **kwargs)
    services.document_submit_review(actor=w.users["processing_officer"], document_id=doc.pk)
    services.document_leader_sign(actor=w.users["agency_leader"], document_id=doc.pk, key_id=desk.leader_key.pk,
                                  passphrase=PASSPHRASE)
    return services.document_issue(actor=desk.clerk, document_id=doc.pk, key_id=desk.agency_key.pk,
                                   passphrase=PASSPHRASE)


def current_pdf(document) -> bytes:
    row = services.main_file(document)
    with row.file.open("rb") as fh:
        return fh.read()


def require_pdfsig():
    if not (shutil.which("pdfsig") and shutil.which("certutil")):
        pytest.skip("poppler-utils and libnss3-tools are needed (make system-deps)")


def pdfsig(data: bytes, *, tmp: Path, root_pem: bytes) -> list[dict]:
    """pdfsig's report per signature. Its exit code is always 0, so the text is what we read."""
    nss = tmp / "nss"
    if not nss.exists():
        nss.mkdir()
        subprocess.run(["certutil", "-N", "-d", f"sql:{nss}", "--empty-password"], check=True, capture_output=True)
        (tmp / "root.pem").write_bytes(root_pem)
        subprocess.run(["certutil", "-A", "-d", f"sql:{nss}", "-n", "province-root", "-t", "CT,C,C", "-i",
                        str(tmp / "root.pem")], check=True, capture_output=True)
    path = tmp / "checked.pdf"
    path.write_bytes(data)
    out = subprocess.run(["pdfsig", "-nssdir", f"sql:{nss}", str(path)], capture_output=True,
                         text=True, timeout=60).stdout
    reports = []
    for block in re.split(r"^Signature #\d+:", out, flags=re.M)[1:]:
        field = re.search(r"Signature Field Name: (.*)", block)
        reports.append({
            "field": field.group(1).strip() if field else "",
            "valid": "Signature Validation: Signature is Valid." in block,
            "trusted": "Certificate Validation: Certificate is Trusted." in block,
            "total": "- Total document signed" in block,
            "text": block,
        })
    return reports
