"""Dates as people in Việt Nam write them: dd/mm/yyyy on every page (ISO 8601 is accepted too, for the API)."""

import re
from datetime import date

VN_DATE = re.compile(r"^\s*(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\s*$")
FORMAT_HINT = "dd/mm/yyyy"


def parse_date(value) -> date | None:
    """dd/mm/yyyy (or d/m/yyyy, with / . or -) or yyyy-mm-dd; None when empty; ValueError when not a date."""
    if isinstance(value, date):
        return value
    text = str(value or "").strip()
    if not text:
        return None
    if match := VN_DATE.match(text):
        day, month, year = (int(g) for g in match.groups())
        return date(year, month, day)
    return date.fromisoformat(text)


def vn_date(value) -> str:
    """An ISO date (or a date) shown as dd/mm/yyyy; anything else unchanged."""
    try:
        parsed = parse_date(value)
    except (TypeError, ValueError):
        return str(value)
    return parsed.strftime("%d/%m/%Y") if parsed else ""


def past_date_problem(value: date | None, *, label: str, today: date) -> str | None:
    if value is not None and value > today:
        return f"{label} không được sau ngày hôm nay ({today:%d/%m/%Y})."
    if value is not None and value.year < 1900:
        return f"{label} không hợp lệ."
    return None
