"""Every API route × every persona → allowed or denied, as declared in each app's permission_matrix module."""

import importlib
import json
import pkgutil

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

import tinhso
from tests.matrix import PERSONAS, Case
from tinhso.api.api import api

ALLOWED = "allowed"
DENIED = "denied"
DENIED_STATUSES = {401, 403, 404}


def _matrix_modules():
    for app in pkgutil.iter_modules(tinhso.__path__):
        tests_pkg = f"tinhso.{app.name}.tests"
        try:
            package = importlib.import_module(tests_pkg)
        except ModuleNotFoundError:
            continue
        for module in pkgutil.iter_modules(package.__path__):
            if module.name.startswith("permission_matrix"):
                yield importlib.import_module(f"{tests_pkg}.{module.name}")


def collect_matrix() -> dict[tuple[str, str], Case]:
    matrix: dict[tuple[str, str], Case] = {}
    for module in _matrix_modules():
        for key, value in module.MATRIX.items():
            assert key not in matrix, f"{key} is declared twice"
            matrix[key] = value
    return matrix


def api_routes() -> set[tuple[str, str]]:
    schema = api.get_openapi_schema(path_prefix="/api/v1/")
    return {(method.upper(), path) for path, item in schema["paths"].items() for method in item
            if method in {"get", "post", "put", "patch", "delete"}}


MATRIX = collect_matrix()


def test_every_api_route_has_a_matrix_entry():
    missing = sorted(api_routes() - set(MATRIX))
    assert not missing, f"API routes without a permission-matrix entry: {missing}"


def test_matrix_names_no_route_that_does_not_exist():
    assert not sorted(set(MATRIX) - api_routes())


def _send(client, method: str, request) -> int:
    path = request.path
    if request.files:
        data = {name: SimpleUploadedFile(filename, content, content_type=ctype)
                for name, (filename, content, ctype) in request.files.items()}
        data.update(request.json or {})
        response = client.generic(method, path, **_multipart(client, data)) if method != "POST" else \
            client.post(path, data=data)
    elif method == "GET":
        response = client.get(path, request.query)
    else:
        body = json.dumps(request.json) if request.json is not None else ""
        response = client.generic(method, path, body, content_type="application/json",
                                  QUERY_STRING="&".join(f"{k}={v}" for k, v in request.query.items()))
    return response.status_code


def _multipart(client, data):  # pragma: no cover - only POST uploads are declared today
    raise NotImplementedError("multipart uploads are declared with POST")


@pytest.mark.django_db
@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("route", sorted(MATRIX), ids=lambda r: f"{r[0]} {r[1]}" if isinstance(r, tuple) else r)
def test_route_allows_exactly_the_declared_personas(world, route, persona):
    case = MATRIX[route]
    request = case.request(world)
    client = world.token_client() if persona == "system_client" else world.client_for(persona)
    status = _send(client, route[0], request)
    expected = ALLOWED if persona in case.allow else DENIED
    if expected == ALLOWED:
        assert 200 <= status < 300, f"{persona} should be allowed on {route}, got {status}"
    else:
        assert status in DENIED_STATUSES, f"{persona} should be denied on {route}, got {status}"
