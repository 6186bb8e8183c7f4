"""Creating messages: the province's wording, placeholders, opt-outs, the in-app inbox, the audit."""

import pytest

from tinhso.audit.models import AuditEvent
from tinhso.core.exceptions import PermissionDenied, ValidationError
from tinhso.notifications import selectors, services
from tinhso.notifications.choices import Channel, DeliveryStatus
from tinhso.notifications.models import Notification
from tinhso.notifications.services import Recipient, notify

pytestmark = pytest.mark.smoke
CONTEXT = {"ten": "Nguyễn Thị Dân", "ma": "HS-001"}


def test_one_message_per_reachable_channel(world):
    citizen = world.users["citizen"]
    citizen.email, citizen.phone = "dan@example.vn", "0912345678"
    created = notify(kind="test.greeting", context=CONTEXT, recipient=Recipient(user=citizen))
    assert {n.channel: n.status for n in created} == {
        Channel.IN_APP: DeliveryStatus.SENT, Channel.EMAIL: DeliveryStatus.PENDING, Channel.SMS: DeliveryStatus.PENDING}
    assert {n.body for n in created if n.channel == Channel.IN_APP} == {"Hồ sơ HS-001 đã được tiếp nhận."}


def test_an_applicant_without_account_gets_no_in_app_message(db):
    created = notify(kind="test.greeting", context=CONTEXT, recipient=Recipient(phone="0912345678"))
    assert [n.channel for n in created] == [Channel.SMS]


def test_a_channel_the_citizen_turned_off_is_logged_as_skipped(world):
    citizen = world.users["citizen"]
    citizen.email = "dan@example.vn"
    services.opt_out_set(actor=citizen, channel=Channel.EMAIL, receive=False)
    created = notify(kind="test.greeting", context=CONTEXT, recipient=Recipient(user=citizen))
    assert {n.channel: n.status for n in created}[Channel.EMAIL] == DeliveryStatus.SKIPPED
    assert AuditEvent.objects.filter(action="notifications.channel.opt_out").exists()
    services.opt_out_set(actor=citizen, channel=Channel.EMAIL, receive=True)
    assert selectors.channels_received(citizen)[Channel.EMAIL] is True


def test_the_unsubscribe_link_stops_messages_to_an_address(db):
    token = services.unsubscribe_path(Channel.EMAIL, "dan@example.vn").split("/")[-2]
    services.unsubscribe_address(token=token)
    created = notify(kind="test.greeting", context=CONTEXT, recipient=Recipient(email="dan@example.vn"))
    assert created[0].status == DeliveryStatus.SKIPPED


def test_a_forged_unsubscribe_link_is_refused(db):
    with pytest.raises(Exception, match="không hợp lệ"):
        services.unsubscribe_address(token="gia-mao")


def test_province_admin_rewords_a_template_and_it_is_used_and_audited(world):
    admin = world.users["province_admin"]
    services.template_save(actor=admin, kind="test.greeting", channel=Channel.IN_APP, subject="Xin chào {ten}",
                           body="Kính báo: hồ sơ {ma} đã vào sổ.")
    [n] = notify(kind="test.greeting", context=CONTEXT, recipient=Recipient(user=world.users["citizen"]),
                 channels=(Channel.IN_APP,))
    assert (n.subject, n.body) == ("Xin chào Nguyễn Thị Dân", "Kính báo: hồ sơ HS-001 đã vào sổ.")
    assert AuditEvent.objects.filter(action="notifications.template.update").exists()
    services.template_reset(actor=admin, kind="test.greeting", channel=Channel.IN_APP)
    [n] = notify(kind="test.greeting", context=CONTEXT, recipient=Recipient(user=world.users["citizen"]),
                 channels=(Channel.IN_APP,))
    assert n.body == "Hồ sơ HS-001 đã được tiếp nhận."


@pytest.mark.parametrize("body, message", [
    ("Hồ sơ {ma.__class__}", "không dùng được"),
    ("Hồ sơ {mat_khau}", "không dùng được"),
    ("Hồ sơ {ma!r}", "không dùng được"),
    ("Hồ sơ {ma", "ngoặc nhọn"),
    ("   ", "không được để trống"),
])
def test_a_template_may_only_name_the_fields_of_its_kind(world, body, message):
    with pytest.raises(ValidationError, match=message) as caught:
        services.template_save(actor=world.users["province_admin"], kind="test.greeting", channel=Channel.SMS,
                               body=body)
    assert "body" in caught.value.field_errors


@pytest.mark.parametrize("persona", ["unit_admin", "processing_officer", "citizen"])
def test_only_the_province_admin_edits_templates(world, persona):
    with pytest.raises(PermissionDenied):
        services.template_save(actor=world.users[persona], kind="test.greeting", channel=Channel.SMS, body="x")


def test_inbox_counts_unread_and_marks_read(world):
    citizen = world.users["citizen"]
    for _ in range(3):
        notify(kind="test.greeting", context=CONTEXT, recipient=Recipient(user=citizen), channels=(Channel.IN_APP,))
    assert selectors.unread_count(citizen) == 3
    first = selectors.inbox_for(citizen).first()
    services.notification_mark_read(actor=citizen, notification_id=first.pk)
    assert selectors.unread_count(citizen) == 2
    assert services.notification_mark_read(actor=citizen) == 2
    assert selectors.unread_count(citizen) == 0


def test_nobody_marks_someone_elses_message(world):
    [n] = notify(kind="test.greeting", context=CONTEXT, recipient=Recipient(user=world.users["citizen"]),
                 channels=(Channel.IN_APP,))
    with pytest.raises(Exception, match="Không tìm thấy"):
        services.notification_mark_read(actor=world.users["processing_officer"], notification_id=n.pk)
    assert Notification.objects.get(pk=n.pk).read_at is None


def test_delivery_log_is_for_the_province_admin_only(world):
    notify(kind="test.greeting", context=CONTEXT, recipient=Recipient(phone="0912345678"))
    assert selectors.delivery_log(actor=world.users["province_admin"]).count() == 1
    with pytest.raises(PermissionDenied):
        selectors.delivery_log(actor=world.users["unit_admin"])
