"""A dashboard page as CSV and XLSX: the same tables, rows, labels and rounding as the HTML (selectors.Page).

Both lay the page out as it is read on screen: the title and subtitle, then for each table its caption, its
header and its rows (or its "no data" line), a blank line between tables. The CSV holds the displayed texts
(UTF-8 with a BOM so that spreadsheet programs read the diacritics); the XLSX holds the same texts, and each
displayed number as a number rounded as shown, formatted to show the same decimals.
"""

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from tinhso.core.exports import csv_writer, xlsx_set

from .selectors import Page

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADER_FILL = PatternFill("solid", fgColor="F1F5F9")


def page_lines(page: Page) -> list[list]:
    """The page as lines of cells (selectors.Cell for table cells, plain strings for titles and headers)."""
    lines: list[list] = [[page.title], [page.subtitle]]
    for table in page.tables:
        lines.append([])
        lines.append([table.caption])
        lines.append(list(table.columns))
        if not table.rows:
            lines.append([table.empty_text])
        for row in table.rows:
            lines.append(list(row.cells))
    return lines


def _text(item) -> str:
    return item if isinstance(item, str) else item.text


def to_csv(page: Page) -> bytes:
    buffer = io.StringIO()
    writer = csv_writer(buffer, lineterminator="\r\n")
    for line in page_lines(page):
        writer.writerow([_text(item) for item in line])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(page: Page) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Bảng điều hành"
    widths: dict[int, int] = {}
    bold = Font(bold=True)
    for line_no, line in enumerate(page_lines(page), start=1):
        is_header = line and all(isinstance(item, str) for item in line) and len(line) > 1
        for col_no, item in enumerate(line, start=1):
            cell = sheet.cell(row=line_no, column=col_no)
            if isinstance(item, str):
                xlsx_set(cell, item)
                if line_no == 1:
                    cell.font = Font(bold=True, size=14)
                elif is_header or len(line) == 1 and line_no > 2:
                    cell.font = bold
                if is_header:
                    cell.fill = HEADER_FILL
                    cell.alignment = Alignment(wrap_text=True, vertical="top")
                continue
            if item.number is not None:
                xlsx_set(cell, item.number)
                cell.number_format = item.number_format
            else:
                xlsx_set(cell, item.text)
                if item.numeric:
                    cell.alignment = Alignment(horizontal="right")
            if len(line) > 1:
                widths[col_no] = max(widths.get(col_no, 8), min(len(item.text) + 2, 60))
    for col_no, width in widths.items():
        sheet.column_dimensions[get_column_letter(col_no)].width = width
    sheet.freeze_panes = None
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
