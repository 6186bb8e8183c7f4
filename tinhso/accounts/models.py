from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.sessions.base_session import AbstractBaseSession
from django.db import models
from django.db.models import Q

from .choices import CitizenIdVerification, Role


class User(AbstractUser):
    full_name = models.CharField(max_length=150, blank=True)
    phone = models.CharField(max_length=20, blank=True)
    citizen_id = models.CharField(max_length=12, blank=True, db_index=True,
                                  help_text="Số định danh cá nhân (CCCD) 12 chữ số.")
    # The unit whose administrators manage this account (None: only province administrators do), besides the
    # units where the account holds a role.
    unit = models.ForeignKey("org.AdministrativeUnit", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")
    # A citizen ID counts only once proven (see accounts.services.citizen_id_verify): until then no dossier filed
    # at the counter or by post under that number is linked to this account.
    citizen_id_verified_at = models.DateTimeField(null=True, blank=True)
    citizen_id_verified_by = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL,
                                               related_name="+")
    citizen_id_verification = models.CharField(max_length=8, blank=True, choices=CitizenIdVerification.choices)

    class Meta(AbstractUser.Meta):
        constraints = [
            models.UniqueConstraint(fields=["citizen_id"], condition=~Q(citizen_id=""), name="unique_citizen_id"),
        ]

    @property
    def display_name(self) -> str:
        return self.full_name or self.username

    @property
    def citizen_id_verified(self) -> bool:
        return bool(self.citizen_id and self.citizen_id_verified_at)


class RoleAssignment(models.Model):
    """A role granted to a person on an agency or an administrative unit."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(max_length=24, choices=Role.choices)
    agency = models.ForeignKey("org.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="roles")
    unit = models.ForeignKey("org.AdministrativeUnit", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="roles")
    include_subordinates = models.BooleanField(default=False,
                                               help_text="Áp dụng cả cho các cơ quan trực thuộc.")
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    granted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["user_id", "role"]
        constraints = [
            # One assignment per (user, role, scope). A unique constraint over nullable columns lets NULLs repeat,
            # so each kind of scope gets its own partial constraint (SQLite and PostgreSQL alike).
            models.UniqueConstraint(fields=["user", "role", "agency"], condition=Q(agency__isnull=False),
                                    name="unique_role_on_agency"),
            models.UniqueConstraint(fields=["user", "role", "unit"], condition=Q(unit__isnull=False),
                                    name="unique_role_on_unit"),
            models.UniqueConstraint(fields=["user", "role"], condition=Q(agency__isnull=True, unit__isnull=True),
                                    name="unique_role_without_scope"),
            models.CheckConstraint(
                condition=Q(role="citizen") | Q(agency__isnull=False) | Q(unit__isnull=False),
                name="role_has_scope"),
        ]

    def __str__(self) -> str:
        scope = self.agency or self.unit or "—"
        return f"{self.get_role_display()} · {scope}"


class ApiToken(models.Model):
    """A bearer token for a system client. Only a SHA-256 hash is stored; the token is shown once."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=12, db_index=True)
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class UserSession(AbstractBaseSession):
    """A database session with the signed-in user's id in a column of its own (Django's "extending database-backed
    session engines"), so the session and its user load in one statement (tinhso.accounts.sessions). The id in
    the session data stays the authority: the column only names the row to join."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
                             related_name="+", db_constraint=False)  # a stale id only joins nothing

    class Meta:
        db_table = "accounts_session"

    @classmethod
    def get_session_store_class(cls):
        from .sessions import SessionStore

        return SessionStore
