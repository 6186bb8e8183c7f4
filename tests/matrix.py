"""The permission matrix: every API route × every persona → allowed or denied.

Each app declares its routes in `tinhso/<app>/tests/permission_matrix.py` as `MATRIX = {(METHOD, PATH): Case}`,
where PATH is the route as it appears in the OpenAPI schema (`/api/v1/agencies/{identifier_code}`). The central
test (tests/test_permission_matrix.py) fails for any route without an entry.

A persona is allowed when the response is 2xx; denied when it is 401, 403 or 404 (an object outside one's scope
is not revealed). Anything else fails the test: a matrix request must be well-formed for the allowed personas.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

PERSONAS = ["anonymous", "citizen", "receiving_officer", "processing_officer", "agency_leader",
            "other_unit_officer", "unit_admin", "province_admin", "system_client"]
EVERYONE = frozenset(PERSONAS)
AUTHENTICATED = EVERYONE - {"anonymous"}


@dataclass(frozen=True)
class Request:
    path: str
    json: dict | None = None
    files: dict | None = None  # name -> (filename, bytes, content type)
    query: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Case:
    request: Callable  # (world) -> Request; may create objects it needs in the world
    allow: frozenset


def case(request: Callable, allow) -> Case:
    return Case(request=request, allow=frozenset(allow))
