"""API authentication: the session cookie for pages, bearer tokens for systems."""

from ninja.security import HttpBearer, SessionAuth

from .services import api_token_authenticate


class TokenAuth(HttpBearer):
    openapi_scheme = "bearer"

    def authenticate(self, request, token):
        user = api_token_authenticate(raw_token=token)
        if user is not None:
            request.user = user
        return user


class CookieAuth(SessionAuth):
    """Session cookie; unsafe methods also need the CSRF token (Ninja checks it)."""


session_or_token = [CookieAuth(), TokenAuth()]
