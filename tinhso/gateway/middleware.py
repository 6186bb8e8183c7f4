"""The door of the data-sharing gateway for client systems.

Design: the gateway is the one door for client systems, and it dispatches to the same Ninja API — no route is
written twice. A call to `/lien-thong/api/<path>` is the documented entry; a call to `/api/v1/<path>` carrying a
client system's credential (its OAuth2 access token, or a bearer token of its service account) goes through the
same door, so a client cannot step around its grants by calling the API directly. For each such call the
middleware asks `door` (authenticate → count against the rate limit and quota → the route's service → the
client's grants), answers a refusal as Vietnamese JSON (401/403/404/429 with Retry-After), otherwise hands the
request on to `/api/v1/<path>` as the client's service account, and appends the call to the access log.
Any other request (pages, people's sessions, people's tokens) passes untouched.
"""

import time
from urllib.parse import unquote

from django.http import JsonResponse

from tinhso.accounts.auth import bearer_token

from . import door
from .routes import API_PREFIX

GATEWAY_PREFIX = "/lien-thong/api/"


def purpose_of(request) -> str:
    """The declared purpose of the call (`X-Purpose` or `Muc-Dich`); percent-encoded UTF-8 is decoded, since
    HTTP headers carry Vietnamese text that way."""
    raw = request.headers.get("X-Purpose") or request.headers.get("Muc-Dich") or ""
    try:
        return unquote(raw, errors="strict").strip()
    except UnicodeDecodeError:
        return raw.strip()


def _client_ip(request) -> str:
    return request.META.get("REMOTE_ADDR", "")


class GatewayMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path_info
        if path.startswith(GATEWAY_PREFIX):
            return self._through_door(request, API_PREFIX + path[len(GATEWAY_PREFIX):], caller=None)
        if path.startswith(API_PREFIX):
            raw = bearer_token(request)
            if raw:
                caller = door.identify(raw)
                if caller is not None:
                    return self._through_door(request, path, caller=caller)
        return self.get_response(request)

    def _through_door(self, request, api_path: str, *, caller):
        started = time.perf_counter()
        call = door.Call(method=request.method, path=api_path, caller=caller)
        try:
            call.caller = call.caller or door.authenticate(bearer_token(request))
            door.admit(call)
        except door.Refusal as refusal:
            response = JsonResponse({"code": refusal.code, "message": refusal.message, "errors": {}},
                                    status=refusal.status, json_dumps_params={"ensure_ascii": False})
            if refusal.retry_after is not None:
                response["Retry-After"] = str(refusal.retry_after)
        else:
            self._as_client(request, call.caller, api_path)
            response = self.get_response(request)
        size = int(response.get("Content-Length") or 0) if response.streaming else len(response.content)
        door.record(call, purpose=purpose_of(request), status=response.status_code, size=size,
                    duration_ms=(time.perf_counter() - started) * 1000, ip_address=_client_ip(request))
        return response

    @staticmethod
    def _as_client(request, caller, api_path: str) -> None:
        # The API authenticates the client's service account as if by session: the credential was checked here
        # (and must not be checked again as a people's token), and CSRF protects cookies, not bearer calls.
        request.META.pop("HTTP_AUTHORIZATION", None)
        request.__dict__.pop("headers", None)
        request.user = request._cached_user = caller.client.service_user
        request._dont_enforce_csrf_checks = True
        request.gateway_client = caller.client
        request.path_info = api_path
