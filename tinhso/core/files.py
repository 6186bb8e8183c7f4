"""What an uploaded file really is, read from its content (never from its name or declared type), and how a
stored file is handed back.

The first bytes say what the file claims to be; its structure must then hold: a PDF parses (cross-reference
table, catalog and page tree, read with pyHanko's reader), an image decodes (Pillow), an Office file is a zip
package with its main part. A file that only starts like a PDF (``%PDF-`` followed by HTML) is nothing.
Downloads always go out as attachments named with the detected type's extension, with ``nosniff``.
"""

import io
import warnings
import zipfile
from dataclasses import dataclass
from pathlib import PurePath

from django.http import FileResponse


@dataclass(frozen=True)
class FileType:
    extension: str  # without the dot
    content_type: str


PDF = FileType("pdf", "application/pdf")
JPEG = FileType("jpg", "image/jpeg")
PNG = FileType("png", "image/png")
XLSX = FileType("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
DOCX = FileType("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
KNOWN_TYPES = (PDF, JPEG, PNG, XLSX, DOCX)

_SIGNATURES = [(b"%PDF-", PDF), (b"\xff\xd8\xff", JPEG), (b"\x89PNG\r\n\x1a\n", PNG)]
_OFFICE_PARTS = [("xl/workbook.xml", XLSX), ("word/document.xml", DOCX)]  # zip packages told apart by a part
# An image larger than this many pixels is refused rather than decoded (decompression bombs).
MAX_IMAGE_PIXELS = 40_000_000


def sniff_file_type(content: bytes, *, allowed: frozenset[FileType]) -> FileType | None:
    """The type of `content` if it is one of `allowed` and its structure holds, else None."""
    for magic, kind in _SIGNATURES:
        if content.startswith(magic):
            return kind if kind in allowed and _structure_holds(kind, content) else None
    if content.startswith(b"PK\x03\x04") and allowed & {XLSX, DOCX}:
        try:
            names = set(zipfile.ZipFile(io.BytesIO(content)).namelist())
        except (zipfile.BadZipFile, ValueError, OSError):
            return None
        for part, kind in _OFFICE_PARTS:
            if part in names:
                return kind if kind in allowed else None
    return None


def _structure_holds(kind: FileType, content: bytes) -> bool:
    if kind == PDF:
        return _pdf_parses(content)
    return _image_decodes(content, "JPEG" if kind == JPEG else "PNG")


def _pdf_parses(content: bytes) -> bool:
    from pyhanko.pdf_utils.generic import DictionaryObject
    from pyhanko.pdf_utils.reader import PdfFileReader

    try:
        reader = PdfFileReader(io.BytesIO(content), strict=False)
        pages = reader.root["/Pages"]
        if not isinstance(pages, DictionaryObject):
            return False
        return int(pages.get("/Count", 0)) >= 1
    except Exception:  # noqa: BLE001 — any failure of the parser means "not a PDF"
        return False


def _image_decodes(content: bytes, expected_format: str) -> bool:
    from PIL import Image

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(content)) as image:
                if image.format != expected_format:
                    return False
                width, height = image.size
                if width * height > MAX_IMAGE_PIXELS:
                    return False
                image.verify()
            with Image.open(io.BytesIO(content)) as image:
                image.load()  # decode every pixel: a truncated or corrupt image fails here
        return True
    except Exception:  # noqa: BLE001 — any failure of the decoder means "not this image"
        return False


def type_for_content_type(content_type: str) -> FileType | None:
    return next((k for k in KNOWN_TYPES if k.content_type == content_type), None)


def download_name(original_name: str, content_type: str, *, default_stem: str = "tep") -> str:
    """The name a stored file is downloaded under: its stem with the detected type's extension."""
    kind = type_for_content_type(content_type)
    stem = PurePath((original_name or "").replace("\\", "/")).name
    stem = stem.rsplit(".", 1)[0] if "." in stem else stem
    stem = "".join(c for c in stem if c.isprintable() and c not in '"/\\').strip(" .")[:150] or default_stem
    return f"{stem}.{kind.extension}" if kind else stem


def attachment_response(handle, *, original_name: str, content_type: str) -> FileResponse:
    """A stored upload as a download: never rendered inline, never sniffed into another type."""
    kind = type_for_content_type(content_type)
    response = FileResponse(handle, as_attachment=True, filename=download_name(original_name, content_type),
                            content_type=kind.content_type if kind else "application/octet-stream")
    response["X-Content-Type-Options"] = "nosniff"
    return response


def stored_files_delete(names: list[str]) -> None:
    """Remove files a failed transaction wrote to the default storage (a missing file is fine)."""
    from django.core.files.storage import default_storage

    for name in names:
        try:
            default_storage.delete(name)
        except OSError:
            pass


def atomic_with_file_cleanup(fn):
    """Run `fn(written)` in a transaction; `fn` appends the storage names it writes to `written`, and they are
    deleted again when the transaction fails, so a refused change leaves no stray file behind."""
    from django.db import transaction

    written: list[str] = []
    try:
        with transaction.atomic():
            return fn(written)
    except BaseException:
        stored_files_delete(written)
        raise
