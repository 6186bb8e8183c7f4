"""Read back what a dashboard page shows (its tables) and what its CSV / XLSX exports hold, for comparison."""

import csv
import io
import re
from html.parser import HTMLParser

from openpyxl import load_workbook


class _TableParser(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tables: list[dict] = []
        self._table = None
        self._cell: list[str] | None = None
        self._row: list[str] | None = None
        self._in_caption = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and "data-export" in attrs:
            self._table = {"key": attrs["data-export"], "caption": "", "header": [], "rows": [],
                           "classes": []}
        elif self._table is None:
            return
        elif tag == "caption":
            self._in_caption = True
        elif tag == "tr":
            self._row = []
            self._table["classes"].append(attrs.get("class") or "")
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if self._table is None:
            return
        if tag == "caption":
            self._in_caption = False
        elif tag in ("td", "th") and self._cell is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            if not self._table["header"]:
                self._table["header"] = self._row
                self._table["classes"].pop()
            else:
                self._table["rows"].append(self._row)
            self._row = None
        elif tag == "table":
            self.tables.append(self._table)
            self._table = None

    def handle_data(self, data):
        if self._in_caption:
            self._table["caption"] += data
        elif self._cell is not None:
            self._cell.append(data)


def html_tables(html: str) -> list[dict]:
    parser = _TableParser()
    parser.feed(html)
    for table in parser.tables:
        table["caption"] = " ".join(table["caption"].split())
    return parser.tables


def _sections(lines: list[list]) -> tuple[list, list[dict]]:
    """Split export lines (title, subtitle, then blank-separated tables) into the same shape as html_tables."""
    head, tables, current = lines[:2], [], None
    for line in lines[2:]:
        if not line or all(v in (None, "") for v in line):
            current = None
            continue
        if current is None:
            current = {"caption": line[0], "header": None, "rows": []}
            tables.append(current)
        elif current["header"] is None:
            current["header"] = list(line)
        else:
            current["rows"].append(list(line))
    return head, tables


def csv_tables(content: bytes) -> tuple[list, list[dict]]:
    text = content.decode("utf-8")
    assert text.startswith("\ufeff")
    return _sections(list(csv.reader(io.StringIO(text[1:]))))


def xlsx_tables(content: bytes) -> tuple[list, list[dict]]:
    """Cells as (value, number_format) for numbers, plain strings for text."""
    sheet = load_workbook(io.BytesIO(content)).active
    lines = []
    for row in sheet.iter_rows():
        values = [(c.value, c.number_format) if isinstance(c.value, int | float) else c.value for c in row]
        while values and values[-1] is None:
            values.pop()
        lines.append(values)
    return _sections(lines)


def number_shown(text: str) -> float:
    """"80,6 %" → 80.6; "12.405" → 12405."""
    return float(text.split(" ")[0].replace(".", "").replace(",", "."))


def suffix_of(number_format: str) -> str:
    match = re.search(r'" (.+)"$', number_format)
    return match.group(1) if match else ""


def xlsx_cell_matches(html_text: str, cell) -> bool:
    """A spreadsheet number equals what the page shows: the same rounded number, the same unit after it."""
    if isinstance(cell, tuple):
        value, number_format = cell
        suffix = suffix_of(number_format)
        shown = html_text[: -len(suffix) - 1] if suffix else html_text
        return (not suffix or html_text.endswith(" " + suffix)) and number_shown(shown) == value
    return html_text == (cell if cell is not None else "")
