"""The session engine (tinhso.accounts.sessions): Django's database sessions, the same rules."""

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.utils import timezone

from tinhso.accounts.sessions import SessionStore

pytestmark = pytest.mark.smoke


def test_a_saved_session_loads_and_an_unknown_key_gives_an_empty_one(db):
    store = SessionStore()
    store["answer"] = "Đã tiếp nhận"
    store.create()
    assert SessionStore(store.session_key).load() == {"answer": "Đã tiếp nhận"}
    unknown = SessionStore("x" * 32)
    assert unknown.load() == {} and unknown.session_key is None


def test_an_expired_session_is_not_loaded(db):
    store = SessionStore()
    store["who"] = 1
    store.create()
    Session.objects.filter(pk=store.session_key).update(expire_date=timezone.now() - timedelta(seconds=1))
    again = SessionStore(store.session_key)
    assert again.load() == {} and again.session_key is None


def test_sign_in_and_sign_out_work_through_it(world):
    client = world.client_for("processing_officer")
    assert client.get("/api/v1/dossiers").status_code == 200
    key = client.cookies["sessionid"].value
    Session.objects.filter(pk=key).delete()  # signed out elsewhere (another process, or an administrator)
    assert client.get("/api/v1/dossiers").status_code == 401
