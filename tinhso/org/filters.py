"""One filter definition per list, used by both the HTML pages and the API."""

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When

from tinhso.core.text import query_words


def word_prefix_search(qs: QuerySet, query: str | None, field: str = "search_key") -> QuerySet:
    """Every query word must start a word of the folded key; exact names rank first, then whole phrases.

    The model needs `search_key` (folded words framed by spaces) and `name_key` / `short_key` (folded names).

    'thanh hoa' finds 'Tỉnh Thanh Hóa'; 'xa hoang hoa' finds 'Xã Hoằng Hóa'.
    """
    words = query_words(query)
    if not words:
        return qs.annotate(search_rank=Value(0, output_field=IntegerField()))
    condition = Q()
    for word in words:
        condition &= Q(**{f"{field}__contains": f" {word}"})
    folded = " ".join(words)
    exact = Q(name_key=folded) | Q(short_key=folded)
    return qs.filter(condition).annotate(
        search_rank=Case(
            When(exact, then=Value(0)),
            When(**{f"{field}__contains": f" {folded} "}, then=Value(1)),
            When(**{f"{field}__contains": f" {folded}"}, then=Value(2)),
            default=Value(3), output_field=IntegerField(),
        )
    )
