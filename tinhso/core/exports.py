"""The one writer of CSV and XLSX cells: no exported text can become a spreadsheet formula.

A text a user typed (an agency named ``=HYPERLINK("http://evil", "Sở Y tế")``) must reach a spreadsheet as that
text, never as a live formula (CSV/formula injection, OWASP). Every export writes its cells through this module:

- CSV: a text starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is prefixed with an apostrophe,
  as OWASP recommends; spreadsheet programs show the text and do not evaluate it. A text that is only a signed
  number as displayed (``-2,5``, ``+12%``) is left alone: it cannot call anything, and a negative figure must read
  as a number. Importers of our own CSVs undo the prefix with ``csv_unescape``.
- XLSX: every text is stored as a string cell (``data_type = "s"``, with the quote-prefix style for texts that
  start like a formula, so that editing the cell in Excel keeps it text); openpyxl never stores a formula.
  Numbers stay numbers in both formats.
"""

import csv
import re
from decimal import Decimal

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# A displayed number, possibly signed, with Vietnamese or English separators and an optional percent sign.
_PLAIN_NUMBER = re.compile(r"[+-]?\d[\d.,\u00a0\u202f ]*%?")


def is_formula_like(text: str) -> bool:
    """Whether a spreadsheet program could read `text` as a formula (or a DDE call)."""
    return bool(text) and text.startswith(FORMULA_TRIGGERS) and not _PLAIN_NUMBER.fullmatch(text)


def csv_cell(value):
    """`value` made safe for one CSV cell; numbers and None pass through."""
    if isinstance(value, str) and is_formula_like(value):
        return "'" + value
    return value


def csv_unescape(text: str) -> str:
    """The text an export wrote with `csv_cell`, for importers that read our own CSVs back."""
    if text.startswith("'") and is_formula_like(text[1:]):
        return text[1:]
    return text


class SafeCsvWriter:
    """`csv.writer` whose every cell goes through `csv_cell`."""

    def __init__(self, stream, **kwargs):
        self._writer = csv.writer(stream, **kwargs)

    def writerow(self, row):
        return self._writer.writerow([csv_cell(value) for value in row])

    def writerows(self, rows):
        for row in rows:
            self.writerow(row)


def csv_writer(stream, **kwargs) -> SafeCsvWriter:
    return SafeCsvWriter(stream, **kwargs)


class SafeDictReader(csv.DictReader):
    """`csv.DictReader` for our own exports read back: undoes `csv_cell`'s apostrophe in every cell."""

    def __next__(self):
        row = super().__next__()
        return {key: csv_unescape(value) if isinstance(value, str) else value for key, value in row.items()}


def xlsx_cell(sheet, row: int, column: int, value=None):
    """Write `value` into `sheet` at (row, column) and return the cell; a text is always stored as text."""
    cell = sheet.cell(row=row, column=column)
    xlsx_set(cell, value)
    return cell


def xlsx_set(cell, value) -> None:
    """Set an openpyxl cell's value: numbers as numbers, every text as a string cell (never a formula)."""
    if value is None or isinstance(value, bool):
        cell.value = value
        return
    if isinstance(value, (int, float, Decimal)):
        cell.value = value
        return
    if not isinstance(value, str):
        value = str(value)
    # Control characters make openpyxl refuse to save the workbook; they carry nothing a reader needs.
    value = ILLEGAL_CHARACTERS_RE.sub("", value)
    cell.value = value
    cell.data_type = "s"
    if is_formula_like(value):
        cell.quotePrefix = True


# --- streaming: any number of rows with flat memory -----------------------------------------------------------

STREAM_CHUNK_ROWS = 2000
XLSX_MAX_ROWS = 1_048_576  # rows of one worksheet, header included


def csv_stream(header, rows, *, text_columns=None, bom: bool = True, chunk_rows: int = STREAM_CHUNK_ROWS):
    """UTF-8 CSV bytes, chunk by chunk, every cell through `csv_cell`. `text_columns` (indices), when given,
    are the only columns that may hold text: the others skip the check, which is the hot loop of a big export."""
    import io

    buffer = io.StringIO()
    if bom:
        buffer.write("\ufeff")  # the BOM lets spreadsheet programs read the diacritics
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([csv_cell(h) for h in header])
    checked = None if text_columns is None else tuple(text_columns)
    n = 0
    for row in rows:
        if checked is None:
            row = [csv_cell(v) for v in row]
        else:
            for i in checked:
                v = row[i]
                if v.__class__ is str and v.startswith(FORMULA_TRIGGERS) and is_formula_like(v):
                    row = [csv_cell(x) for x in row]
                    break
        writer.writerow(row)
        n += 1
        if n >= chunk_rows:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
            n = 0
    yield buffer.getvalue().encode("utf-8")


def json_stream(header, rows, *, chunk_rows: int = STREAM_CHUNK_ROWS):
    """A JSON array of objects keyed by `header`, chunk by chunk (dates as ISO text, Decimals as numbers)."""
    import json

    def default(value):
        if isinstance(value, Decimal):
            return float(value)
        if hasattr(value, "isoformat"):
            return value.isoformat()
        return str(value)

    encode = json.JSONEncoder(ensure_ascii=False, default=default, separators=(",", ":")).encode
    keys = list(header)
    parts, first = ["["], True
    for row in rows:
        parts.append(("" if first else ",") + encode(dict(zip(keys, row, strict=False))))
        first = False
        if len(parts) >= chunk_rows:
            yield "".join(parts).encode("utf-8")
            parts = []
    parts.append("]")
    yield "".join(parts).encode("utf-8")


def xlsx_stream(header, rows, *, sheet_title: str = "Dữ liệu", chunk_bytes: int = 1 << 16):
    """An XLSX workbook, written row by row (openpyxl's write-only mode spools rows to disk) into a temporary
    file that is then read out in chunks: memory stays flat whatever the number of rows. Rows beyond one
    worksheet's limit continue on a next sheet, under the same header."""
    import tempfile

    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    header = list(header)
    sheet, used, number = None, XLSX_MAX_ROWS, 0

    def cell(value):
        c = WriteOnlyCell(sheet)
        xlsx_set(c, value)
        return c

    for row in rows:
        if used >= XLSX_MAX_ROWS:
            number += 1
            sheet = workbook.create_sheet(sheet_title[:28] if number == 1 else f"{sheet_title[:24]} ({number})")
            sheet.append([cell(h) for h in header])
            used = 1
        sheet.append([cell(v) for v in row])
        used += 1
    if sheet is None:
        sheet = workbook.create_sheet(sheet_title[:28])
        sheet.append([cell(h) for h in header])
    with tempfile.TemporaryFile() as handle:
        workbook.save(handle)
        handle.seek(0)
        while chunk := handle.read(chunk_bytes):
            yield chunk


# --- PostgreSQL: the same CSV written by the server (COPY … TO STDOUT) ------------------------------------------

# csv_cell's rule in SQL, for one text column `c`: a text starting like a formula gets the apostrophe, unless it is
# only a displayed number (the _PLAIN_NUMBER pattern). tests/test_exports_copy.py checks both agree.
_SQL_ESCAPED = ("CASE WHEN left({c}, 1) IN ('=', '+', '-', '@', chr(9), chr(13)) "
                "AND {c} !~ '^[+-]?[0-9][0-9.,\u00a0\u202f ]*%%?$' THEN '''' || {c} ELSE {c} END")


def csv_copy_stream(connection, header, select_sql: str, params, *, text_columns, bom: bool = True):
    """UTF-8 CSV bytes of a SELECT, formatted by PostgreSQL itself (COPY … TO STDOUT, several times faster than
    writing rows in Python), with csv_cell's formula rule applied in SQL to `text_columns` (indices). Dates come
    out as ISO dates, NULL as an empty cell; lines end with LF."""
    import io

    width = len(header)
    names = [f"c{i}" for i in range(width)]
    text = set(text_columns)
    exprs = ", ".join(_SQL_ESCAPED.format(c=f"{n}::text") if i in text else n for i, n in enumerate(names))
    statement = f"COPY (SELECT {exprs} FROM ({select_sql}) AS t({', '.join(names)})) TO STDOUT WITH (FORMAT csv)"
    buffer = io.StringIO()
    if bom:
        buffer.write("\ufeff")
    csv.writer(buffer, lineterminator="\n").writerow([csv_cell(h) for h in header])
    yield buffer.getvalue().encode("utf-8")
    with connection.cursor() as cursor:
        # Parameters are bound client-side, so the statement's own % signs are doubled (%%) above.
        with cursor.cursor.copy(statement, tuple(params or ())) as copy:
            for block in copy:
                yield bytes(block)
