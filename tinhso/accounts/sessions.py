"""Session engine (settings.SESSION_ENGINE): Django's database sessions, loaded with their user in one statement.

Every signed-in request loads its session, then its user. Here both come in one statement compiled once per
process (tinhso.core.prepared): the session row of `accounts.UserSession`, whose `user` column names the signed-in
user (set from the session data's `_auth_user_id` each time the session is saved), joined to that user's row;
the working calendar's stamp comes along too (tinhso.core.calendar). The expiry is checked in Python (the same
rule: a session whose expire_date has passed is not loaded). The user row is handed to authentication
(tinhso.accounts.middleware), which still applies Django's own checks to it: the session-auth hash (a changed
password signs the session out) and the backend's `user_can_authenticate` (a deactivated user is refused).
"""

import logging

from django.contrib.sessions.backends import db
from django.core.exceptions import SuspiciousOperation
from django.utils import timezone

from tinhso.core import calendar
from tinhso.core.prepared import Prepared

from .models import UserSession

_BY_KEY = Prepared(UserSession, lambda session_key: UserSession.objects.filter(session_key=session_key)
                   .select_related("user").annotate(calendar_stamp=calendar.stamp_subquery()),
                   session_key="\x00tinhso-session-key\x00")


def _user_id(data: dict) -> int | None:
    try:
        return int(data.get("_auth_user_id"))
    except (TypeError, ValueError):
        return None


class SessionStore(db.SessionStore):
    # (user_id column, the joined user row or None) of the row this store loaded; None when nothing was loaded
    joined_user: tuple[int | None, object] | None = None

    @classmethod
    def get_model_class(cls):
        return UserSession

    def create_model_instance(self, data):
        obj = super().create_model_instance(data)
        obj.user_id = _user_id(data)
        return obj

    def _get_session_from_db(self):
        self.joined_user = None
        try:
            session = _BY_KEY.first(session_key=self.session_key)
        except SuspiciousOperation as e:
            logging.getLogger(f"django.security.{e.__class__.__name__}").warning(str(e))
            session = None
        if session is not None:
            calendar.stamp_seen(session.calendar_stamp)
        if session is None or session.expire_date <= timezone.now():
            self._session_key = None
            return None
        self.joined_user = (session.user_id, session.user)
        return session
