"""Attack: a file that is not what it claims — a PDF named `evil.html`, HTML behind a `%PDF-` header, a
"PNG" that is a header and garbage — stored, then served so that a browser renders it.

Uploads are checked by structure (the PDF parses, the image decodes), stored with the detected type's
extension, and downloaded as attachments named with that extension, with `X-Content-Type-Options: nosniff`.
"""

import json

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tinhso.core.files import JPEG, PDF, PNG, sniff_file_type
from tinhso.core.tests import samples
from tinhso.dossiers.models import Dossier, DossierAttachment
from tinhso.dossiers.tests.factories import make_dossier, submission

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]
IMAGES_AND_PDF = frozenset({PDF, PNG, JPEG})
HTML = b"<html><body><script>fetch('/api/v1/dossiers').then(r=>r.text()).then(alert)</script></body></html>"


def _submit(world, name: str, content: bytes, content_type: str):
    data = submission(world)
    form_data = data.pop("form_data")
    upload = SimpleUploadedFile(name, content, content_type=content_type)
    return world.client_for("citizen").post(
        "/api/v1/dossiers", {**data, "form_data": json.dumps(form_data), "attachments": [upload]})


@pytest.mark.parametrize(("name", "content"), [
    ("ban-sao.pdf", b"%PDF-1.7\n" + HTML),  # right first bytes, not a PDF
    ("anh.png", b"\x89PNG\r\n\x1a\n" + HTML),
    ("anh.jpg", b"\xff\xd8\xff\xe0" + HTML),
    ("cat-ngan.png", samples.PNG[: len(samples.PNG) // 2]),  # a truncated image does not decode
    ("cat-ngan.pdf", samples.PDF[:40]),
])
def test_a_file_that_only_starts_like_a_pdf_or_image_is_refused_and_nothing_is_written(world, name, content):
    response = _submit(world, name, content, "application/pdf")
    assert response.status_code == 422
    assert "không phải PDF, JPEG hoặc PNG" in response.json()["errors"]["attachments"][0]
    assert Dossier.objects.count() == 0 and DossierAttachment.objects.count() == 0


def test_a_pdf_named_evil_html_is_stored_and_served_as_a_pdf_attachment(world):
    response = _submit(world, "evil.html", samples.PDF, "text/html")
    assert response.status_code == 201, response.content
    attachment = DossierAttachment.objects.get()
    assert attachment.file.name.endswith(".pdf") and attachment.content_type == "application/pdf"
    download = world.client_for("citizen").get(
        reverse("dossiers:attachment", args=[attachment.dossier.code, attachment.id]))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"].startswith("attachment;")
    assert 'filename="evil.pdf"' in download["Content-Disposition"]
    assert download["X-Content-Type-Options"] == "nosniff"
    assert b"".join(download.streaming_content) == samples.PDF


def test_a_real_png_named_svg_is_served_as_png(world):
    assert _submit(world, "logo.svg", samples.PNG, "image/svg+xml").status_code == 201
    attachment = DossierAttachment.objects.get()
    download = world.client_for("citizen").get(
        reverse("dossiers:attachment", args=[attachment.dossier.code, attachment.id]))
    assert download["Content-Type"] == "image/png" and 'filename="logo.png"' in download["Content-Disposition"]


def test_an_attachment_stored_before_with_an_html_name_is_still_downloaded_safely(world):
    dossier = make_dossier(world)
    attachment = DossierAttachment.objects.create(
        dossier=dossier, kind="application", original_name="evil.html", content_type="application/pdf",
        size=len(samples.PDF), sha256="0" * 64, file=ContentFile(samples.PDF, name="evil.html"))
    download = world.client_for("citizen").get(reverse("dossiers:attachment", args=[dossier.code, attachment.id]))
    assert download["Content-Disposition"].startswith("attachment;") and "evil.pdf" in download["Content-Disposition"]
    assert download["X-Content-Type-Options"] == "nosniff" and download["Content-Type"] == "application/pdf"


def test_structure_checks_accept_real_files_and_refuse_a_decompression_bomb():
    assert sniff_file_type(samples.PDF, allowed=IMAGES_AND_PDF) == PDF
    assert sniff_file_type(samples.JPEG, allowed=IMAGES_AND_PDF) == JPEG
    assert sniff_file_type(samples.PNG, allowed=IMAGES_AND_PDF) == PNG
    bomb = samples.image_bytes("PNG", size=(10_000, 5_000))  # 50 Mpx of one colour: a few kB on disk
    assert len(bomb) < 200_000
    assert sniff_file_type(bomb, allowed=IMAGES_AND_PDF) is None
