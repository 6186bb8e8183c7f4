import io
import zipfile

import pytest

from tinhso.core.files import DOCX, JPEG, PDF, PNG, XLSX, sniff_file_type

pytestmark = pytest.mark.smoke
EVERYTHING = frozenset({PDF, JPEG, PNG, XLSX, DOCX})


def _zip(part: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr(part, "<x/>")
    return buffer.getvalue()


@pytest.mark.parametrize(("content", "kind"), [
    (b"%PDF-1.7 ...", PDF), (b"\xff\xd8\xff\xe0....", JPEG), (b"\x89PNG\r\n\x1a\n....", PNG),
    (_zip("xl/workbook.xml"), XLSX), (_zip("word/document.xml"), DOCX),
])
def test_types_are_told_by_content(content, kind):
    assert sniff_file_type(content, allowed=EVERYTHING) == kind


def test_a_text_file_named_pdf_is_nothing():
    assert sniff_file_type(b"xin chao, day la van ban", allowed=EVERYTHING) is None
    assert sniff_file_type(b"PK\x03\x04 not really a zip", allowed=EVERYTHING) is None


def test_only_allowed_types_are_recognised():
    assert sniff_file_type(_zip("xl/workbook.xml"), allowed=frozenset({PDF, JPEG, PNG})) is None
    assert sniff_file_type(b"%PDF-1.4", allowed=frozenset({PNG})) is None
