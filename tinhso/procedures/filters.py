"""The one filter definition of the procedure catalogue, used by the API (`api.py`) and the pages (`views.py`)."""

from dataclasses import dataclass

from django.db.models import QuerySet

from tinhso.core.exceptions import ValidationError
from tinhso.core.text import query_words
from tinhso.org.filters import word_prefix_search

from .choices import ImplementingLevel, OnlineLevel


@dataclass(frozen=True)
class ProcedureFilter:
    search: str = ""
    field: str = ""          # ProcedureField.code, e.g. "ho-tich"
    level: str = ""          # ImplementingLevel
    online_level: str = ""   # OnlineLevel
    agency: str = ""         # identifier code of an implementing agency

    def validate(self) -> None:
        if self.level and self.level not in ImplementingLevel.values:
            raise ValidationError.for_field(
                "level", f"Cấp thực hiện “{self.level}” không hợp lệ; dùng: {', '.join(ImplementingLevel.values)}.")
        if self.online_level and self.online_level not in OnlineLevel.values:
            raise ValidationError.for_field(
                "online_level", f"Mức độ trực tuyến “{self.online_level}” không hợp lệ; dùng: "
                                f"{', '.join(OnlineLevel.values)}.")

    @property
    def impossible(self) -> bool:
        # PostgreSQL refuses NUL in text parameters; such a value can match nothing anyway.
        return any("\x00" in value for value in (self.field, self.level, self.online_level, self.agency))

    def matches(self, row) -> bool:
        """The same filter on a row of the search index (`search.Row`); `agency` is left to the database."""
        return ((not self.level or self.level in row.levels)
                and (not self.online_level or row.online_level == self.online_level)
                and (not self.field or row.field_code == self.field))

    def apply(self, qs: QuerySet) -> QuerySet:
        if self.impossible:
            return qs.none()
        self.validate()
        if self.level:
            qs = qs.filter(levels_key__contains=f" {self.level} ")
        if self.online_level:
            qs = qs.filter(online_level=self.online_level)
        if self.field:
            qs = qs.filter(field__code=self.field)
        if self.agency:
            qs = qs.filter(agencies__identifier_code=self.agency.strip().upper())
        if query_words(self.search):  # a query of punctuation or symbols only searches nothing
            return word_prefix_search(qs, self.search).order_by("search_rank", "name", "code")
        return qs.order_by("field__name", "name", "code")
