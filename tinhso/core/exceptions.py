"""Domain errors. Raised by services and selectors; mapped once to HTTP (api) and once to form errors (views)."""


class DomainError(Exception):
    """A rule of the domain refused the request. `message` is Vietnamese, shown to the user."""

    status_code = 400
    code = "invalid"

    def __init__(self, message: str, *, field_errors: dict[str, list[str]] | None = None):
        super().__init__(message)
        self.message = message
        self.field_errors = field_errors or {}

    def as_dict(self) -> dict:
        return {"code": self.code, "message": self.message, "errors": self.field_errors}

    def describe(self) -> str:
        """The message with every field error, for the command line."""
        details = [f"{field}: {m}" for field, messages in self.field_errors.items() for m in messages]
        return self.message + ("\n  " + "\n  ".join(details) if details else "")


class ValidationError(DomainError):
    status_code = 422
    code = "validation_error"

    @classmethod
    def for_field(cls, field: str, message: str) -> "ValidationError":
        return cls(message, field_errors={field: [message]})


class NotFound(DomainError):
    status_code = 404
    code = "not_found"


class PermissionDenied(DomainError):
    status_code = 403
    code = "permission_denied"


class Conflict(DomainError):
    status_code = 409
    code = "conflict"


class Throttled(DomainError):
    """Too many failed attempts: try again after `retry_after` seconds (sent as the Retry-After header)."""

    status_code = 429
    code = "throttled"

    def __init__(self, message: str, *, retry_after: int):
        super().__init__(message)
        self.retry_after = max(1, int(retry_after))

    def as_dict(self) -> dict:
        return {**super().as_dict(), "retry_after": self.retry_after}


class ImportFailed(DomainError):
    """A whole file refused; `line_errors` lists (line number, message) pairs."""

    status_code = 422
    code = "import_failed"

    def __init__(self, message: str, *, line_errors: list[tuple[int, str]]):
        super().__init__(message)
        self.line_errors = line_errors

    def as_dict(self) -> dict:
        data = super().as_dict()
        data["lines"] = [{"line": n, "message": m} for n, m in self.line_errors]
        return data

    def report(self, limit: int = 50) -> str:
        lines = [self.message] + [f"Dòng {n}: {m}" for n, m in self.line_errors[:limit]]
        if len(self.line_errors) > limit:
            lines.append(f"… và {len(self.line_errors) - limit} lỗi khác")
        return "\n".join(lines)
