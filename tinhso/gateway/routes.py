"""Which /api/v1 operation a request path is: Django's own resolver (the one that dispatches it) gives the route,
the OpenAPI schema its operation id."""

import re
from functools import lru_cache

from django.urls import Resolver404, resolve

API_PREFIX = "/api/v1/"
_CONVERTER = re.compile(r"<(?:\w+:)?(\w+)>")


@lru_cache(maxsize=1)
def operations() -> dict[tuple[str, str], dict]:
    """(METHOD, path template) → the OpenAPI operation (with its operationId)."""
    from tinhso.api.api import api

    schema = api.get_openapi_schema(path_prefix=API_PREFIX)
    return {(method.upper(), path): op for path, item in schema["paths"].items() for method, op in item.items()
            if method in {"get", "post", "put", "patch", "delete"}}


def schema() -> dict:
    from tinhso.api.api import api

    return api.get_openapi_schema(path_prefix=API_PREFIX)


def operation_spec(method: str, path: str) -> dict | None:
    """The OpenAPI operation of `METHOD path` (a path under /api/v1/), or None for no such route."""
    try:
        match = resolve(path)
    except Resolver404:
        return None
    template = "/" + _CONVERTER.sub(r"{\1}", match.route)
    return operations().get((method.upper(), template))


def operation_for(method: str, path: str) -> str | None:
    """The operation id of `METHOD path` (a path under /api/v1/), or None for no such route."""
    op = operation_spec(method, path)
    return op.get("operationId") if op else None


def is_public(op: dict | None) -> bool:
    """An operation anyone may call without a credential (declared `auth=None`: no security requirement)."""
    return op is not None and not op.get("security")
