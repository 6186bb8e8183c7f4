"""Paging a list of a million reports without counting it: a capped count and keyset ("after this report") links.

An exact count(*) over a million rows costs a full scan, and so does a deep OFFSET. The lists count at most
COUNT_CAP + 1 rows ("Hơn 10.000 phản ánh" beyond that) and page by the last (or first) report shown: the next
page is the rows after that report in the list's order, read from the list's index, however deep.
"""

import re
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from tinhso.core.numbers import vn_number

COUNT_CAP = 10_000
CODE = re.compile(r"[A-Za-z0-9._-]{1,40}")


def capped_count(queryset: QuerySet, cap: int | None = None) -> int:
    """The exact count up to `cap`; `cap + 1` means more than `cap` (counts a LIMITed subquery, never the table)."""
    cap = COUNT_CAP if cap is None else cap
    # Only the rows' ids: the list's joins (category, commune) would cost per counted row and change nothing.
    return queryset.order_by().select_related(None).values("pk")[: cap + 1].count()


@dataclass
class KeysetPage:
    items: list[Any]
    total: int  # exact when not `capped`
    capped: bool
    cap: int
    has_next: bool
    has_previous: bool
    noun: str = "phản ánh"

    @property
    def next_key(self) -> str:
        return self.items[-1].code if self.has_next and self.items else ""

    @property
    def previous_key(self) -> str:
        return self.items[0].code if self.has_previous and self.items else ""

    @property
    def total_label(self) -> str:
        if self.capped:
            return f"Hơn {vn_number(self.cap)} {self.noun}"
        return f"{vn_number(self.total)} {self.noun}"


def _beyond(field: str, value, pk: int, *, forward: bool) -> Q:
    """Rows after (forward) or before the row (value, pk) in the order (field, id), `field` like '-received_at'.

    Written as `field <= value AND (field < value OR id < pk)` (for a descending order) so the first part is an
    index condition on the list's (field, id) index."""
    name, descending = field.lstrip("-"), field.startswith("-")
    later = descending == forward  # moving towards smaller values
    if later:
        return Q(**{f"{name}__lte": value}) & (Q(**{f"{name}__lt": value}) | Q(id__lt=pk))
    return Q(**{f"{name}__gte": value}) & (Q(**{f"{name}__gt": value}) | Q(id__gt=pk))


def keyset_page(queryset: QuerySet, *, order: str, after: str = "", before: str = "", page_size: int = 30,
                cap: int | None = None, noun: str = "phản ánh") -> KeysetPage:
    """One page of `queryset` ordered by (`order`, id) in the same direction, after or before the report with
    code `after` / `before` (an unknown code gives the first page)."""
    cap = COUNT_CAP if cap is None else cap
    name = order.lstrip("-")
    direction = "-" if order.startswith("-") else ""
    cursor_code = (after or before or "").strip()
    # A report code, or nothing (a NUL byte or junk from a crafted link must not reach the database).
    cursor = queryset.model.objects.filter(code=cursor_code).values(name, "id").first() \
        if CODE.fullmatch(cursor_code) else None
    forward = not (before and not after)
    ordered = queryset.order_by(f"{direction}{name}", f"{direction}id")

    def page(rows: list, *, has_next: bool, has_previous: bool) -> KeysetPage:
        # The whole list on one page (a rare word, a small commune) is its own count.
        total = len(rows) if not (has_next or has_previous) else capped_count(queryset, cap)
        return KeysetPage(items=rows, total=min(total, cap), capped=total > cap, cap=cap, has_next=has_next,
                          has_previous=has_previous, noun=noun)

    if cursor is not None and forward:
        rows = list(ordered.filter(_beyond(order, cursor[name], cursor["id"], forward=True))[: page_size + 1])
        return page(rows[:page_size], has_next=len(rows) > page_size, has_previous=True)
    if cursor is not None:
        flip = "" if direction else "-"
        beyond = _beyond(order, cursor[name], cursor["id"], forward=False)
        rows = list(queryset.order_by(f"{flip}{name}", f"{flip}id").filter(beyond)[: page_size + 1])
        if len(rows) > page_size:
            return page(rows[:page_size][::-1], has_next=True, has_previous=True)
        # Fewer than a page before it: that is the first page, shown whole.
    rows = list(ordered[: page_size + 1])
    return page(rows[:page_size], has_next=len(rows) > page_size, has_previous=False)
