from ninja import Field, Query, Schema

from tinhso.core.pagination import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE


class ErrorOut(Schema):
    code: str
    message: str
    errors: dict[str, list[str]] = Field(default_factory=dict)


class ImportLineOut(Schema):
    line: int
    message: str


class ImportErrorOut(ErrorOut):
    lines: list[ImportLineOut] = Field(default_factory=list)


class Paging(Schema):
    """Bounded page parameters shared by every list route (bounds keep fuzzing and abuse away from the database)."""

    page: int = Query(1, ge=1, le=100000)
    page_size: int = Query(DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)


class PageMeta(Schema):
    total: int
    page: int
    page_size: int


ERROR_RESPONSES = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
