"""API authentication: the session cookie for pages, bearer tokens for systems.

A request that carries `Authorization: Bearer …` is authenticated by that token alone: a valid token gives its
user (no CSRF check, which protects cookies only); an invalid, revoked or expired one is refused with 401 and never
falls back to a session cookie the same client may also send.
"""

from ninja.security import HttpBearer, SessionAuth

from tinhso.core.exceptions import DomainError

from .services import api_token_authenticate


class InvalidToken(DomainError):
    status_code = 401
    code = "invalid_token"


def bearer_token(request) -> str | None:
    """The raw bearer token of the request ("" for `Bearer` with nothing after it), or None without one."""
    scheme, _, value = request.headers.get("Authorization", "").strip().partition(" ")
    if scheme.lower() != "bearer":
        return None
    return value.strip()


class TokenAuth(HttpBearer):
    openapi_scheme = "bearer"

    def __call__(self, request):
        raw = bearer_token(request)
        if raw is None:
            return None
        return self.authenticate(request, raw)

    def authenticate(self, request, token):
        # A middleware that authenticated this very token already (the gateway's) leaves (token, user) here.
        checked = getattr(request, "bearer_auth", None)
        user = checked[1] if checked and checked[0] == token else api_token_authenticate(raw_token=token)
        if user is None:
            raise InvalidToken("Mã truy cập API không hợp lệ, đã bị thu hồi hoặc đã hết hạn.")
        request.user = user
        return user


class CookieAuth(SessionAuth):
    """Session cookie; unsafe methods also need the CSRF token (Ninja checks it). Skipped when a token is sent."""

    def __call__(self, request):
        if bearer_token(request) is not None:
            return None
        return super().__call__(request)


session_or_token = [TokenAuth(), CookieAuth()]
