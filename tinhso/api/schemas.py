from ninja import Field, Schema


class ErrorOut(Schema):
    code: str
    message: str
    errors: dict[str, list[str]] = Field(default_factory=dict)


class ImportLineOut(Schema):
    line: int
    message: str


class ImportErrorOut(ErrorOut):
    lines: list[ImportLineOut] = Field(default_factory=list)


class PageMeta(Schema):
    total: int
    page: int
    page_size: int


ERROR_RESPONSES = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
