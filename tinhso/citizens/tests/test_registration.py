"""A citizen without an account registers with a phone number or e-mail confirmed by a one-time code, and resets
a forgotten password the same way (issue 9)."""

import re

import pytest

from tinhso.accounts.choices import Role
from tinhso.accounts.models import RoleAssignment, User
from tinhso.audit.models import AuditEvent
from tinhso.citizens.models import OneTimeCode
from tinhso.notifications.models import Notification

pytestmark = pytest.mark.smoke
PASSWORD = "Chuyen-Doi-So#2026"


def _code_sent_to(address: str) -> str:
    message = Notification.objects.filter(kind="citizens.one_time_code", address=address).latest("id")
    return re.search(r"\b(\d{6})\b", message.body).group(1)


def _register(client, contact, **extra):
    return client.post("/cong-dan/dang-ky/", {"full_name": "Trần Văn Bình", "contact": contact,
                                              "password": PASSWORD, "password2": PASSWORD, **extra})


def test_register_with_a_phone_number_the_code_arrives_by_sms(db, client):
    response = _register(client, "091 234 5679")
    assert response.status_code == 302 and response["Location"] == "/cong-dan/dang-ky/xac-nhan/"
    sms = Notification.objects.get(kind="citizens.one_time_code")
    assert sms.channel == "sms" and sms.address == "0912345679" and "Ma xac nhan Tinh So" in sms.body
    assert not User.objects.filter(username="0912345679").exists()     # nothing until the code is confirmed
    confirmed = client.post("/cong-dan/dang-ky/xac-nhan/", {"code": _code_sent_to("0912345679")})
    assert confirmed.status_code == 302
    user = User.objects.get(username="0912345679")
    assert user.phone == "0912345679" and user.full_name == "Trần Văn Bình" and user.check_password(PASSWORD)
    assert RoleAssignment.objects.filter(user=user, role=Role.CITIZEN).exists()
    assert not user.citizen_id_verified
    assert AuditEvent.objects.filter(action="citizens.account.register").exists()
    assert client.get("/ho-so/cua-toi/").status_code == 200      # logged in


def test_register_with_an_email_and_log_in_with_it(db, client, mailoutbox, django_capture_on_commit_callbacks,
                                                    settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    with django_capture_on_commit_callbacks(execute=True):
        _register(client, "Binh@Example.vn")
    [email] = mailoutbox
    assert email.to == ["binh@example.vn"] and email.subject.startswith("Mã xác nhận Tỉnh Số: ")
    code = email.subject.rsplit(" ", 1)[-1]
    client.post("/cong-dan/dang-ky/xac-nhan/", {"code": code})
    client.logout()
    login = client.post("/tai-khoan/dang-nhap/", {"username": "binh@example.vn", "password": PASSWORD})
    assert login.status_code == 302


def test_a_wrong_code_is_refused_and_the_fifth_spends_it(db, client):
    _register(client, "0912345679")
    right = _code_sent_to("0912345679")
    wrong = "000000" if right != "000000" else "111111"
    for _ in range(5):
        response = client.post("/cong-dan/dang-ky/xac-nhan/", {"code": wrong})
        assert response.status_code == 422 and "Mã xác nhận không đúng" in response.content.decode()
    assert client.post("/cong-dan/dang-ky/xac-nhan/", {"code": right}).status_code == 422
    assert not User.objects.filter(username="0912345679").exists()


def test_bad_registration_input_gets_field_messages(db, client):
    response = _register(client, "12345", full_name="")
    page = response.content.decode()
    assert response.status_code == 422
    assert "Nhập họ và tên." in page and "Nhập số điện thoại di động" in page and 'aria-invalid="true"' in page
    # The one shared error summary: focus lands on it, and each message links to its field.
    assert 'id="error-summary"' in page and "data-focus-on-load" in page
    assert 'href="#id_full_name"' in page and 'href="#id_contact"' in page
    weak = client.post("/cong-dan/dang-ky/", {"full_name": "A", "contact": "0912345679", "password": "123",
                                              "password2": "123"})
    assert weak.status_code == 422 and 'id="err_password"' in weak.content.decode()
    assert not OneTimeCode.objects.exists()


def test_an_existing_account_cannot_be_registered_again(world, client):
    world.users["citizen"].username = "0912345679"
    world.users["citizen"].save()
    response = _register(client, "0912345679")
    assert response.status_code == 422 and "đã có tài khoản" in response.content.decode()


def test_registration_is_throttled_per_address(db, client):
    for _ in range(3):
        assert _register(client, "0912345679").status_code == 302
    response = _register(client, "0912345679")
    assert response.status_code == 429 and int(response["Retry-After"]) > 0
    assert Notification.objects.filter(kind="citizens.one_time_code").count() == 3


def test_password_reset_by_sms(world, client):
    citizen = world.users["citizen"]
    citizen.phone = "0912345679"
    citizen.save()
    sent = client.post("/cong-dan/quen-mat-khau/", {"contact": "0912345679"})
    assert sent.status_code == 200 and "mã xác nhận đã được gửi" in sent.content.decode()
    code = _code_sent_to("0912345679")
    done = client.post("/cong-dan/quen-mat-khau/", {"contact": "0912345679", "code": code,
                                                   "new_password": "Mat-Khau-Moi#2026"})
    assert done.status_code == 302
    citizen.refresh_from_db()
    assert citizen.check_password("Mat-Khau-Moi#2026")
    assert AuditEvent.objects.filter(action="citizens.password.reset").exists()
    again = client.post("/cong-dan/quen-mat-khau/", {"contact": "0912345679", "code": code,
                                                    "new_password": "Mat-Khau-Khac#2026"})
    assert again.status_code == 422                          # a code works once


def test_password_reset_does_not_reveal_whether_an_account_exists(db, client):
    response = client.post("/cong-dan/quen-mat-khau/", {"contact": "0987654321"})
    assert response.status_code == 200 and "mã xác nhận đã được gửi" in response.content.decode()
    assert not Notification.objects.exists()


def test_login_page_explains_the_ways_in_without_trailing_colons(db, client, settings):
    page = client.get("/tai-khoan/dang-nhap/").content.decode()
    assert "Đăng ký tài khoản công dân" in page and "Quên mật khẩu?" in page
    assert not re.search(r"</?label[^>]*>[^<]*:\s*</label>", page)
    assert "VNeID" not in page                                # not configured: no button
    settings.OIDC_RP_CLIENT_ID = "tinhso"
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = "http://127.0.0.1:1/o/authorize/"
    settings.OIDC_OP_TOKEN_ENDPOINT = "http://127.0.0.1:1/o/token/"
    settings.OIDC_OP_USER_ENDPOINT = "http://127.0.0.1:1/o/userinfo/"
    assert "Đăng nhập bằng VNeID" in client.get("/tai-khoan/dang-nhap/").content.decode()


def test_eid_routes_are_404_when_not_configured(db, client):
    assert client.get("/cong-dan/vneid/").status_code == 404
    assert client.get("/cong-dan/vneid/callback/").status_code == 404
