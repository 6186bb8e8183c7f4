import io
import zipfile

import pytest

from tinhso.core.files import DOCX, JPEG, PDF, PNG, XLSX, sniff_file_type

from . import samples

pytestmark = pytest.mark.smoke
EVERYTHING = frozenset({PDF, JPEG, PNG, XLSX, DOCX})


def _zip(part: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr(part, "<x/>")
    return buffer.getvalue()


@pytest.mark.parametrize(("content", "kind"), [
    (samples.PDF, PDF), (samples.JPEG, JPEG), (samples.PNG, PNG), (samples.pdf_bytes(pages=3), PDF),
    (_zip("xl/workbook.xml"), XLSX), (_zip("word/document.xml"), DOCX),
])
def test_types_are_told_by_content(content, kind):
    assert sniff_file_type(content, allowed=EVERYTHING) == kind


def test_a_text_file_named_pdf_is_nothing():
    assert sniff_file_type(b"xin chao, day la van ban", allowed=EVERYTHING) is None
    assert sniff_file_type(b"PK\x03\x04 not really a zip", allowed=EVERYTHING) is None


def test_only_allowed_types_are_recognised():
    assert sniff_file_type(_zip("xl/workbook.xml"), allowed=frozenset({PDF, JPEG, PNG})) is None
    assert sniff_file_type(samples.PDF, allowed=frozenset({PNG})) is None
