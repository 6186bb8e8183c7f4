"""Delivery over real servers: e-mail to a local SMTP server, SMS to a local server speaking eSMS's protocol,
with retries and back-off, and the delivery log."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tinhso.notifications import services
from tinhso.notifications.choices import Channel, DeliveryStatus
from tinhso.notifications.models import DeliveryAttempt, Notification
from tinhso.notifications.services import Recipient, notify

from .servers import EsmsServer, SmtpServer

pytestmark = pytest.mark.smoke


@pytest.fixture
def smtp(settings):
    with SmtpServer() as server:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = "127.0.0.1", server.port, False
        yield server


@pytest.fixture
def esms(settings):
    with EsmsServer() as server:
        settings.TINHSO_SMS_PROVIDER = "esms"
        settings.TINHSO_SMS_URL = server.url
        settings.TINHSO_SMS_API_KEY, settings.TINHSO_SMS_SECRET_KEY = server.state.api_key, server.state.secret_key
        settings.TINHSO_SMS_BRANDNAME = server.state.brandname
        yield server


def _one(channel, **recipient):
    created = notify(kind="test.greeting", context={"ten": "Nguyễn Thị Dân", "ma": "HS-001"},
                     recipient=Recipient(**recipient), channels=(channel,))
    assert len(created) == 1
    return created[0]


def test_email_reaches_a_real_smtp_server_with_vietnamese_text(db, smtp):
    n = _one(Channel.EMAIL, email="dan@example.vn")
    assert services.notification_deliver(notification_id=n.pk) == DeliveryStatus.SENT
    assert len(smtp.messages) == 1
    received = smtp.messages[0]
    assert received["to"] == ["dan@example.vn"]
    assert received["message"]["Subject"] == "Chào Nguyễn Thị Dân"
    body = received["message"].get_body().get_content()
    assert "Kính gửi Nguyễn Thị Dân, hồ sơ HS-001 đã được tiếp nhận." in body
    assert "huy-nhan" in body            # people without an account can stop the messages
    n.refresh_from_db()
    assert (n.status, n.attempts) == (DeliveryStatus.SENT, 1) and n.sent_at is not None


def test_email_to_an_unreachable_server_is_retried_with_back_off(db, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 1, 2
    n = _one(Channel.EMAIL, email="dan@example.vn")
    before = timezone.now()
    assert services.notification_deliver(notification_id=n.pk) == DeliveryStatus.PENDING
    n.refresh_from_db()
    assert n.attempts == 1 and n.last_error
    assert n.next_attempt_at >= before + timedelta(seconds=settings.TINHSO_NOTIFY_BACKOFF_SECONDS - 1)
    # Not due yet: a second worker does not send it early.
    assert services.notification_deliver(notification_id=n.pk) == DeliveryStatus.PENDING
    assert Notification.objects.get(pk=n.pk).attempts == 1


def test_sms_goes_through_the_esms_protocol_and_keeps_the_provider_id(db, esms):
    n = _one(Channel.SMS, phone="0912345678")
    assert services.notification_deliver(notification_id=n.pk) == DeliveryStatus.SENT
    sent = esms.state.received[0]["body"]
    assert sent["Phone"] == "0912345678" and sent["SmsType"] == "2" and sent["Brandname"] == "UBND-TINH"
    assert sent["Content"] == "Ho so HS-001 da duoc tiep nhan."
    assert sent["IsUnicode"] == "0"
    n.refresh_from_db()
    assert n.provider_id == "esms-1001"
    assert DeliveryAttempt.objects.get(notification=n).ok


def test_sms_server_error_is_retried_until_it_succeeds(db, esms, settings):
    esms.state.fail_with_status = [500]
    n = _one(Channel.SMS, phone="0912345678")
    assert services.notification_deliver(notification_id=n.pk) == DeliveryStatus.PENDING
    Notification.objects.filter(pk=n.pk).update(next_attempt_at=timezone.now())   # the back-off has passed
    assert services.notification_deliver(notification_id=n.pk) == DeliveryStatus.SENT
    n.refresh_from_db()
    assert n.attempts == 2
    assert [a.ok for a in n.delivery_attempts.all()] == [False, True]


def test_sms_with_wrong_credentials_fails_at_once_without_retries(db, esms, settings):
    settings.TINHSO_SMS_SECRET_KEY = "sai"
    n = _one(Channel.SMS, phone="0912345678")
    assert services.notification_deliver(notification_id=n.pk) == DeliveryStatus.FAILED
    n.refresh_from_db()
    assert "Sai ApiKey" in n.last_error and n.next_attempt_at is None


def test_a_message_gives_up_after_the_configured_attempts(db, esms, settings):
    settings.TINHSO_NOTIFY_MAX_ATTEMPTS = 2
    esms.state.fail_with_status = [503, 503, 503]
    n = _one(Channel.SMS, phone="0912345678")
    assert services.notification_deliver(notification_id=n.pk) == DeliveryStatus.PENDING
    Notification.objects.filter(pk=n.pk).update(next_attempt_at=timezone.now())
    assert services.notification_deliver(notification_id=n.pk) == DeliveryStatus.FAILED
    assert Notification.objects.get(pk=n.pk).attempts == 2


def test_messages_are_sent_by_the_background_task_after_commit(db, smtp, immediate_tasks,
                                                               django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        n = _one(Channel.EMAIL, email="dan@example.vn")
    assert Notification.objects.get(pk=n.pk).status == DeliveryStatus.SENT
    assert len(smtp.messages) == 1


def test_file_provider_writes_each_sms_to_the_outbox(db, settings, tmp_path):
    settings.TINHSO_SMS_PROVIDER, settings.TINHSO_SMS_DIR = "file", str(tmp_path / "sms")
    n = _one(Channel.SMS, phone="0912345678")
    assert services.notification_deliver(notification_id=n.pk) == DeliveryStatus.SENT
    [written] = (tmp_path / "sms").iterdir()
    assert "Ho so HS-001 da duoc tiep nhan." in written.read_text(encoding="utf-8")
