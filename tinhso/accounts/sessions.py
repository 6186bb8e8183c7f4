"""Session engine (settings.SESSION_ENGINE): Django's database sessions, the load by key compiled once per process.

Every signed-in request loads its session first; Django's store builds and compiles the same ORM statement each
time, which costs more CPU than the database spends on a primary-key lookup. This store sends that statement
through tinhso.core.prepared and checks the expiry in Python (the same rule: a session whose expire_date has
passed is not loaded). Saving, cycling and deleting are Django's own; the table and its rows are unchanged.
"""

import logging

from django.contrib.sessions.backends import db
from django.contrib.sessions.models import Session
from django.core.exceptions import SuspiciousOperation
from django.utils import timezone

from tinhso.core import calendar
from tinhso.core.prepared import Prepared

# The working calendar's stamp comes along (tinhso.core.calendar): a request that finds it unchanged keeps the
# process's calendar without a statement of its own.
_BY_KEY = Prepared(Session, lambda session_key: Session.objects.filter(session_key=session_key)
                   .annotate(calendar_stamp=calendar.stamp_subquery()),
                   session_key="\x00tinhso-session-key\x00")


class SessionStore(db.SessionStore):
    @classmethod
    def get_model_class(cls):
        return Session

    def _get_session_from_db(self):
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
        return session
