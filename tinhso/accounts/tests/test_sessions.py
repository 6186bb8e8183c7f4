"""The session engine (tinhso.accounts.sessions) and the user joined to its load (tinhso.accounts.middleware):
Django's database sessions and Django's authentication checks, the same rules."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tinhso.accounts.models import User
from tinhso.accounts.models import UserSession as Session
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


def _officer_client(world):
    client = world.client_for("processing_officer")
    assert client.get("/api/v1/dossiers").status_code == 200
    return client, world.users["processing_officer"]


def test_a_signed_in_session_names_its_user_and_loads_it_in_the_same_statement(world, django_assert_num_queries):
    client, officer = _officer_client(world)
    assert Session.objects.get(pk=client.cookies["sessionid"].value).user_id == officer.pk
    store = SessionStore(client.cookies["sessionid"].value)
    with django_assert_num_queries(1):
        assert store.load()["_auth_user_id"] == str(officer.pk)
        assert store.joined_user[0] == officer.pk and store.joined_user[1].username == officer.username
    assert SessionStore().joined_user is None


def test_a_changed_password_signs_the_session_out_at_once(world):
    client, officer = _officer_client(world)
    officer.set_password("Mat-Khau-Moi#2026")
    User.objects.filter(pk=officer.pk).update(password=officer.password)  # elsewhere: no signal, no cache here
    assert client.get("/api/v1/dossiers").status_code == 401
    assert not Session.objects.filter(pk=client.cookies["sessionid"].value).exists()  # flushed, as Django does


def test_a_deactivated_user_is_refused_at_once(world):
    client, officer = _officer_client(world)
    User.objects.filter(pk=officer.pk).update(is_active=False)
    assert client.get("/api/v1/dossiers").status_code == 401


def test_a_session_whose_column_names_another_user_is_authenticated_from_its_data(world):
    """The session data stays the authority: a column that disagrees only costs the backend's own lookup."""
    client, officer = _officer_client(world)
    Session.objects.filter(pk=client.cookies["sessionid"].value).update(user=world.users["province_admin"])
    assert client.get("/api/v1/me").json()["username"] == officer.username


def test_a_login_page_sign_in_fills_the_column(world, client, password):
    response = client.post("/tai-khoan/dang-nhap/", {"username": "citizen", "password": password})
    assert response.status_code == 302
    assert Session.objects.get(pk=client.cookies["sessionid"].value).user_id == world.users["citizen"].pk
