"""Small PDF helpers: the text of a PDF (for search) and a one-page PDF written from lines of Vietnamese text."""

import io
import logging
import shutil
import subprocess

log = logging.getLogger(__name__)

MAX_TEXT = 200_000


def extract_text(data: bytes) -> str:
    """The text layer of a PDF (a scan from an OCR-capable scanner has one), by poppler's `pdftotext`.

    Without poppler-utils, or for an image-only scan, the text is empty and the clerk's description is what is
    searched. [to check: OCR of image-only scans (tesseract) is left to the scanning station]
    """
    tool = shutil.which("pdftotext")
    if not tool:
        log.warning("pdftotext not found (apt-get install poppler-utils): no text extracted")
        return ""
    try:
        done = subprocess.run([tool, "-q", "-enc", "UTF-8", "-", "-"], input=data, capture_output=True,
                              timeout=60, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return done.stdout.decode("utf-8", "replace").replace("\x0c", "\n").strip()[:MAX_TEXT]


def text_pdf(lines: list[str], *, font_size: int = 12) -> bytes:
    """An A4 page with the given lines, in a font with Vietnamese glyphs (drafts made by the demo and tests)."""
    from pyhanko.pdf_utils import generic, layout, text
    from pyhanko.pdf_utils.writer import PageObject, PdfFileWriter

    from .signing import _font_factory

    writer = PdfFileWriter(init_page_tree=True)
    box = text.TextBox(text.TextBoxStyle(font=_font_factory(), font_size=font_size), writer=writer,
                       box=layout.BoxConstraints(width=495, height=600))
    box.content = "\n".join(lines)
    stream = generic.StreamObject(stream_data=b"q 1 0 0 1 50 230 cm " + box.render() + b" Q")
    page = PageObject(contents=writer.add_object(stream), media_box=(0, 0, 595, 842),
                      resources=box.resources.as_pdf_object())
    writer.insert_page(page)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
