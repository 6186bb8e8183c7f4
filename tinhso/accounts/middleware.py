"""Authentication from the session with the user row the session load already joined (tinhso.accounts.sessions).

`get_user` is django.contrib.auth.get_user (Django 5.2) step for step, with one change: when the session's backend
looks its users up exactly as ModelBackend does (by primary key, then `user_can_authenticate`, which refuses an
inactive user), and the session row joined the very user its data names, that row is used instead of a second
statement. Every check after it is Django's: the session-auth hash (a changed password signs the session out at
once), the fallback secrets, the flush of a session that does not verify. Any other backend (the e-ID login's)
loads its user as before.
"""

from django.conf import settings
from django.contrib import auth
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, load_backend
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.middleware import AuthenticationMiddleware as DjangoAuthenticationMiddleware
from django.contrib.auth.models import AnonymousUser
from django.utils.crypto import constant_time_compare
from django.utils.functional import SimpleLazyObject


def _backend_user(request, backend, user_id):
    joined = getattr(request.session, "joined_user", None)
    if (joined is not None and joined[0] is not None and type(backend).get_user is ModelBackend.get_user
            and joined[1] is not None and joined[1].pk == user_id):
        user = joined[1]
        return user if backend.user_can_authenticate(user) else None
    return backend.get_user(user_id)


def get_user(request):
    user = None
    try:
        user_id = auth._get_user_session_key(request)
        backend_path = request.session[BACKEND_SESSION_KEY]
    except KeyError:
        pass
    else:
        if backend_path in settings.AUTHENTICATION_BACKENDS:
            backend = load_backend(backend_path)
            user = _backend_user(request, backend, user_id)
            # Verify the session
            if hasattr(user, "get_session_auth_hash"):
                session_hash = request.session.get(HASH_SESSION_KEY)
                if not session_hash:
                    session_hash_verified = False
                else:
                    session_auth_hash = user.get_session_auth_hash()
                    session_hash_verified = constant_time_compare(session_hash, session_auth_hash)
                if not session_hash_verified:
                    # If the current secret does not verify the session, try with the fallback secrets and stop
                    # when a matching one is found.
                    if session_hash and any(constant_time_compare(session_hash, fallback_auth_hash)
                                            for fallback_auth_hash in user.get_session_auth_fallback_hash()):
                        request.session.cycle_key()
                        request.session[HASH_SESSION_KEY] = session_auth_hash
                    else:
                        request.session.flush()
                        user = None
    return user or AnonymousUser()


def _cached_user(request):
    if not hasattr(request, "_cached_user"):
        request._cached_user = get_user(request)
    return request._cached_user


class AuthenticationMiddleware(DjangoAuthenticationMiddleware):
    """Django's, with `request.user` from `get_user` above (request.auser, for async code, stays Django's)."""

    def process_request(self, request):
        super().process_request(request)
        request.user = SimpleLazyObject(lambda: _cached_user(request))
