"""What an uploaded file really is, read from its first bytes (never from its name or declared type)."""

import io
import zipfile
from dataclasses import dataclass


@dataclass(frozen=True)
class FileType:
    extension: str  # without the dot
    content_type: str


PDF = FileType("pdf", "application/pdf")
JPEG = FileType("jpg", "image/jpeg")
PNG = FileType("png", "image/png")
XLSX = FileType("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
DOCX = FileType("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document")

_SIGNATURES = [(b"%PDF-", PDF), (b"\xff\xd8\xff", JPEG), (b"\x89PNG\r\n\x1a\n", PNG)]
_OFFICE_PARTS = [("xl/workbook.xml", XLSX), ("word/document.xml", DOCX)]  # zip packages told apart by a part


def sniff_file_type(content: bytes, *, allowed: frozenset[FileType]) -> FileType | None:
    """The type of `content` if it is one of `allowed`, else None."""
    for magic, kind in _SIGNATURES:
        if content.startswith(magic):
            return kind if kind in allowed else None
    if content.startswith(b"PK\x03\x04") and allowed & {XLSX, DOCX}:
        try:
            names = set(zipfile.ZipFile(io.BytesIO(content)).namelist())
        except zipfile.BadZipFile:
            return None
        for part, kind in _OFFICE_PARTS:
            if part in names:
                return kind if kind in allowed else None
    return None
