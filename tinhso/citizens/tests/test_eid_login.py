"""Login with the national e-ID, end to end against a real OpenID Connect provider process (django-oauth-toolkit
with OIDC enabled, in its own settings module), standing in for the national SSO (issue 9)."""

import os
import re
import socket
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from tinhso.accounts.choices import CitizenIdVerification
from tinhso.accounts.models import User
from tinhso.audit.models import AuditEvent
from tinhso.dossiers.choices import Channel, Status
from tinhso.dossiers.models import Dossier
from tinhso.dossiers.tests.factories import make_dossier

from .oidc_provider.serve import CITIZEN, CLIENT

CALLBACK = "http://testserver/cong-dan/vneid/callback/"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def provider(tmp_path_factory):
    folder = tmp_path_factory.mktemp("oidc-provider")
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    (folder / "oidc.key").write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                                        serialization.PrivateFormat.PKCS8,
                                                        serialization.NoEncryption()))
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env["OIDC_PROVIDER_DIR"] = str(folder)
    process = subprocess.Popen([sys.executable, "-m", "tinhso.citizens.tests.oidc_provider.serve", str(port),
                                CALLBACK], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               cwd=Path(__file__).resolve().parents[3])
    line = process.stdout.readline()
    if line.strip() != "ready":
        process.kill()
        pytest.fail(f"OIDC provider did not start: {line}{process.stderr.read()}")
    yield f"http://127.0.0.1:{port}"
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture
def eid(settings, provider):
    settings.OIDC_RP_CLIENT_ID, settings.OIDC_RP_CLIENT_SECRET = CLIENT["client_id"], CLIENT["client_secret"]
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = f"{provider}/o/authorize/"
    settings.OIDC_OP_TOKEN_ENDPOINT = f"{provider}/o/token/"
    settings.OIDC_OP_USER_ENDPOINT = f"{provider}/o/userinfo/"
    settings.OIDC_OP_JWKS_ENDPOINT = f"{provider}/o/.well-known/jwks.json"
    return provider


def _log_in_at_provider(provider: str, authorize_url: str) -> str:
    """What a person does at the national SSO: sign in; the provider sends them back with a code."""
    browser = requests.Session()
    parts = urlsplit(authorize_url)
    next_path = f"{parts.path}?{parts.query}"
    page = browser.get(f"{provider}/accounts/login/", params={"next": next_path}, timeout=10)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    signed_in = browser.post(f"{provider}/accounts/login/", timeout=10, allow_redirects=False, data={
        "csrfmiddlewaretoken": token, "username": CITIZEN["username"], "password": CITIZEN["password"],
        "next": next_path}, headers={"Referer": f"{provider}/accounts/login/"})
    assert signed_in.status_code == 302, signed_in.text[:500]
    back = browser.get(provider + signed_in.headers["Location"], timeout=10, allow_redirects=False)
    assert back.status_code == 302 and back.headers["Location"].startswith(CALLBACK), back.text[:500]
    return back.headers["Location"]


def _eid_login(client, provider) -> object:
    start = client.get("/cong-dan/vneid/")
    assert start.status_code == 302 and start["Location"].startswith(f"{provider}/o/authorize/")
    assert "code_challenge=" in start["Location"] and "nonce=" in start["Location"]
    callback = _log_in_at_provider(provider, start["Location"])
    return client.get(callback.removeprefix("http://testserver"))


def test_eid_login_creates_a_verified_account_and_links_earlier_counter_dossiers(world, client, eid):
    counter = make_dossier(world, status=Status.RECEIVED, applicant_user=None, channel=Channel.DIRECT,
                           applicant_citizen_id=CITIZEN["citizen_id"])
    online_of_someone = make_dossier(world, status=Status.RECEIVED, applicant_user="processing_officer",
                                     applicant_citizen_id=CITIZEN["citizen_id"])
    response = _eid_login(client, eid)
    assert response.status_code == 302 and "eid=loi" not in response["Location"]
    user = User.objects.get(citizen_id=CITIZEN["citizen_id"])
    assert user.citizen_id_verified and user.citizen_id_verification == CitizenIdVerification.EID
    assert user.full_name == CITIZEN["name"] and not user.has_usable_password()
    assert Dossier.objects.get(pk=counter.pk).applicant_user == user
    assert Dossier.objects.get(pk=online_of_someone.pk).applicant_user == world.users["processing_officer"]
    assert client.get("/ho-so/cua-toi/").content.decode().count(counter.code) >= 1
    # A second login finds the same account.
    client.logout()
    _eid_login(client, eid)
    assert User.objects.filter(citizen_id=CITIZEN["citizen_id"]).count() == 1


def test_an_account_that_only_claimed_the_number_loses_it_to_the_verified_person(world, client, eid):
    squatter = world.users["citizen"]
    User.objects.filter(pk=squatter.pk).update(citizen_id=CITIZEN["citizen_id"], citizen_id_verified_at=None)
    _eid_login(client, eid)
    squatter.refresh_from_db()
    assert squatter.citizen_id == ""
    owner = User.objects.get(citizen_id=CITIZEN["citizen_id"])
    assert owner.pk != squatter.pk and owner.citizen_id_verified
    assert AuditEvent.objects.filter(action="accounts.citizen_id.released").exists()


def test_a_forged_callback_does_not_log_in(world, client, eid):
    client.get("/cong-dan/vneid/")
    response = client.get("/cong-dan/vneid/callback/", {"code": "gia-mao", "state": "khong-co"})
    assert response.status_code == 400
    assert "_auth_user_id" not in client.session
