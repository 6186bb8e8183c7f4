"""One pagination for the pages and the API: page numbers, a bounded page size, the total count."""

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
# Beyond this page the offset would overflow SQLite's 64-bit integers (?page=9223372036854775807); no list is
# that long, so a larger number shows an empty page rather than failing.
MAX_PAGE = 100_000


@dataclass
class Page:
    items: list[Any]
    total: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    def as_dict(self, items: list | None = None) -> dict:
        """The API's page shape: the total count with the items (optionally converted)."""
        return {"total": self.total, "page": self.page, "page_size": self.page_size,
                "items": self.items if items is None else items}


def paginate(queryset: QuerySet, *, page: int = 1, page_size: int = DEFAULT_PAGE_SIZE) -> Page:
    page_size = max(1, min(int(page_size or DEFAULT_PAGE_SIZE), MAX_PAGE_SIZE))
    page = max(1, min(int(page or 1), MAX_PAGE))
    total = queryset.count()
    start = (page - 1) * page_size
    return Page(items=list(queryset[start : start + page_size]), total=total, page=page, page_size=page_size)


def page_number(value: str | None) -> int:
    try:
        return max(1, min(int(value or 1), MAX_PAGE))
    except (ValueError, TypeError):
        return 1
