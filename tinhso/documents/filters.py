"""One filter definition for document lists, used by the pages and the API."""

from dataclasses import dataclass
from datetime import date


@dataclass
class DocumentFilter:
    q: str = ""  # number, subject or extracted text, typed with or without diacritics
    direction: str = ""
    agency: str = ""  # identifier code
    doc_type: str = ""
    status: str = ""
    date_from: date | None = None
    date_to: date | None = None
    overdue: bool = False  # follow-up: assigned incoming documents past their handling due date
