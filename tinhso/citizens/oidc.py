"""Login with the national e-ID (VNeID through the national public-service portal's SSO) as a standard OpenID
Connect relying party, with mozilla-django-oidc. Configured by environment (see config/settings.py); when it is
not configured the backend stays silent and the login page shows no e-ID button.

The identity's citizen ID comes from the claim named by TINHSO_OIDC_CITIZEN_ID_CLAIM ([to check] the claim name
the national SSO uses; "citizen_id" by default), the person's name from "name".
"""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, SuspiciousOperation
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from tinhso.core.exceptions import DomainError


def eid_configured() -> bool:
    return all(getattr(settings, name, "") for name in (
        "OIDC_RP_CLIENT_ID", "OIDC_OP_AUTHORIZATION_ENDPOINT", "OIDC_OP_TOKEN_ENDPOINT", "OIDC_OP_USER_ENDPOINT"))


class EidBackend(OIDCAuthenticationBackend):
    def __init__(self, *args, **kwargs):
        self.configured = eid_configured()
        if self.configured:
            super().__init__(*args, **kwargs)

    def authenticate(self, request, **kwargs):
        if not self.configured:
            return None
        try:
            return super().authenticate(request, **kwargs)
        except ImproperlyConfigured:
            return None

    def _claims(self, claims: dict) -> tuple[str, str]:
        citizen_id = str(claims.get(settings.TINHSO_OIDC_CITIZEN_ID_CLAIM, "") or "")
        return citizen_id, str(claims.get("name", "") or "")

    def verify_claims(self, claims):
        return bool(self._claims(claims)[0])

    def filter_users_by_claims(self, claims):
        # One account per citizen ID; `create_user` finds or makes it (the verified one), so always go there.
        return self.UserModel.objects.none()

    def create_user(self, claims):
        from .services import eid_account_for

        citizen_id, name = self._claims(claims)
        try:
            return eid_account_for(citizen_id=citizen_id, full_name=name, email=claims.get("email", ""),
                                   phone=claims.get("phone_number", ""))
        except DomainError as exc:
            raise SuspiciousOperation(exc.message) from exc
