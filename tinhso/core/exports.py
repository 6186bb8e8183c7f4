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
