"""The electronic receipt (biên lai điện tử) PDF: the payment reference, and Vietnamese glyphs that render."""

import io
import re
import shutil

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader

from tinhso.documents.pdf import extract_text
from tinhso.payments import services
from tinhso.payments.models import Bill
from tinhso.payments.receipts import receipt_lines, receipt_pdf

from .factories import submit


def _mapped_characters(pdf: bytes) -> set[str]:
    """The characters the embedded font's ToUnicode map can give back, and whether any maps glyph 0 (missing)."""
    reader = PdfFileReader(io.BytesIO(pdf))
    page = reader.root["/Pages"]["/Kids"][0].get_object()
    chars: set[str] = set()
    for font in page["/Resources"]["/Font"].values():
        font = font.get_object()
        descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
        assert "/FontFile2" in descriptor or "/FontFile3" in descriptor, "the font is not embedded"
        cmap = font["/ToUnicode"].get_object().data.decode()
        for block in re.findall(r"beginbfchar(.*?)endbfchar", cmap, re.S):
            for glyph, code in re.findall(r"<([0-9a-f]+)>\s*<([0-9a-f]+)>", block):
                assert int(glyph, 16) != 0, "a character fell back to the missing glyph"
                chars.add(chr(int(code, 16)))
        for block in re.findall(r"beginbfrange(.*?)endbfrange", cmap, re.S):
            for _start, _end, codes in re.findall(r"<([0-9a-f]+)>\s*<([0-9a-f]+)>\s*\[([^\]]*)\]", block):
                chars |= {chr(int(c, 16)) for c in re.findall(r"<([0-9a-f]+)>", codes)}
    return chars


@pytest.mark.smoke
def test_the_receipt_carries_the_payment_reference_and_renders_every_vietnamese_letter(world):
    bill = Bill.objects.get(dossier=submit(world))
    payment = services.counter_pay(actor=world.users["receiving_officer"], bill_id=bill.pk, method="cash",
                                   amount=16000)
    lines = receipt_lines(payment)
    assert "BIÊN LAI THU PHÍ, LỆ PHÍ (ĐIỆN TỬ)" in lines
    assert f"Số biên lai: {payment.receipt_number}" in lines and f"Mã giao dịch: {payment.reference}" in lines
    assert "Tổng số tiền đã nộp: 16.000 đồng" in lines and "Người nộp: Nguyễn Thị Dân" in lines
    pdf = receipt_pdf(payment)
    assert pdf.startswith(b"%PDF")
    needed = {ch for line in lines for ch in line if not ch.isspace()}
    assert needed <= _mapped_characters(pdf)
    if shutil.which("pdftotext"):
        text = extract_text(pdf)
        assert "BIÊN LAI THU PHÍ, LỆ PHÍ" in text and payment.reference in text and "Nguyễn Thị Dân" in text


def test_only_a_confirmed_payment_of_the_linked_bill_has_a_receipt(world, client):
    bill = Bill.objects.get(dossier=submit(world))
    from tinhso.payments import selectors

    token = selectors.bill_token(bill)
    assert client.get(f"/thanh-toan/hd/{token}/bien-lai/QT000.pdf").status_code == 404
    payment = services.counter_pay(actor=world.users["receiving_officer"], bill_id=bill.pk, method="card",
                                   amount=16000)
    response = client.get(f"/thanh-toan/hd/{token}/bien-lai/{payment.reference}.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    other = Bill.objects.get(dossier=submit(world))
    other_token = selectors.bill_token(other)
    assert client.get(f"/thanh-toan/hd/{other_token}/bien-lai/{payment.reference}.pdf").status_code == 404
