"""The published articles behind the seed figures, cited as a reader would look them up: the article's title, the
outlet and the date, never the file the text was kept in (`sources` of data/published_figures.json)."""

import json
from datetime import date
from functools import lru_cache
from pathlib import Path

CATALOGUE = Path(__file__).resolve().parent / "data" / "published_figures.json"


@lru_cache(maxsize=1)
def catalogue() -> dict[str, dict]:
    with open(CATALOGUE, encoding="utf-8") as handle:
        return json.load(handle).get("sources", {})


def vn_date(text: str) -> str:
    """'2024-12' → '12/2024'; '2022-01-05' → '05/01/2022'."""
    try:
        if len(text) == 7:
            year, month = text.split("-")
            return f"{int(month):02d}/{year}"
        return date.fromisoformat(text).strftime("%d/%m/%Y")
    except (ValueError, AttributeError):
        return text or ""


def source_info(source_file: str) -> dict:
    """Title, outlet and date of the article kept as `source_file` (empty when unknown)."""
    return catalogue().get(source_file or "", {})


def citation(*, source_file: str = "", title: str = "", outlet: str = "", article_date: str = "") -> str:
    """“Title”, Outlet, 12/2024 — from the catalogue, or from what the value's provenance carries."""
    info = source_info(source_file)
    title = title or info.get("title", "")
    outlet = outlet or info.get("outlet", "")
    when = vn_date(article_date or info.get("date", ""))
    parts = [f"“{title}”" if title else "", outlet, when]
    text = ", ".join(p for p in parts if p)
    return text or "Nguồn đã công bố"


def provenance_citation(provenance: dict) -> str:
    return citation(source_file=provenance.get("source_file", ""), title=provenance.get("source_title", ""),
                    outlet=provenance.get("outlet", ""), article_date=provenance.get("article_date", ""))
