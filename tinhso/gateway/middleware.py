"""The door of the data-sharing gateway for client systems.

Design: the gateway is the one door for client systems, and it dispatches to the same Ninja API — no route is
written twice. A call to `/lien-thong/api/<path>` is the documented entry; a call to `/api/v1/<path>` carrying a
client system's credential (its OAuth2 access token, or a bearer token of its service account) goes through the
same door, so a client cannot step around its grants by calling the API directly. For each such call the
middleware asks `door` (authenticate → count against the rate limit and quota → the route's service → the
client's grants), answers a refusal as Vietnamese JSON (401/403/404/429 with Retry-After), otherwise hands the
request on to `/api/v1/<path>` as the client's service account, and appends the call to the access log.
Any other request (pages, people's sessions, people's tokens) passes untouched.

A person's `tso_…` token on /api/v1 costs no query here: on a route that needs a credential the middleware
authenticates it with the accounts app's own query and hands the result to the API's `TokenAuth`
(`request.bearer_auth`), which then does not query again; on a public route a token outside the process's set of
client tokens is not looked up at all (`door.may_be_client_token`). Only a token of a client's service account
(`lgsp.…`) goes on to the door. A call through the door costs the
token's query, one query for the client's whole state (limits, counters, grant) and the log row's INSERT; the
log row is sealed into the chain after the response has been sent (`accesslog.seal_due`).
"""

import time
from urllib.parse import unquote

from django.http import JsonResponse

from tinhso.accounts.auth import bearer_token
from tinhso.accounts.services import TOKEN_PREFIX, api_token_authenticate

from . import door
from .accesslog import seal_due
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
            return self._through_door(request, API_PREFIX + path[len(GATEWAY_PREFIX):])
        if path.startswith(API_PREFIX):
            raw = bearer_token(request)
            if raw:
                started = time.perf_counter()
                call = door.Call(method=request.method, path=path)
                user = door.UNCHECKED
                if raw.startswith(TOKEN_PREFIX):
                    if call.public and not door.may_be_client_token(raw):
                        return self.get_response(request)  # the API will not look at the token either
                    user = api_token_authenticate(raw_token=raw)
                    request.bearer_auth = (raw, user)  # TokenAuth takes it from here, with no second query
                    if not door.is_service_account(user):
                        return self.get_response(request)
                caller = door.identify(raw, call, user=user)
                if caller is not None:
                    call.caller = caller
                    return self._through_door(request, path, call=call, started=started)
        return self.get_response(request)

    def _through_door(self, request, api_path: str, *, call=None, started=None):
        started = started or time.perf_counter()
        call = call or door.Call(method=request.method, path=api_path)
        try:
            call.caller = call.caller or door.authenticate(bearer_token(request), call)
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
        response._resource_closers.append(seal_due)  # after the response is sent, off the call's latency
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
