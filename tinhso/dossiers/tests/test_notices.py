"""The applicant is told, in Vietnamese and with the real content, whenever the dossier moves."""

import pytest
from django.core import mail
from django.utils import timezone

from tinhso.dossiers import notices, services
from tinhso.dossiers.choices import Status
from tinhso.notifications.choices import Channel, DeliveryStatus
from tinhso.notifications.models import Notification

from .factories import make_dossier, submission

pytestmark = pytest.mark.smoke


def _messages(dossier, channel=Channel.IN_APP):
    return list(Notification.objects.filter(object_id=str(dossier.pk), channel=channel).order_by("id"))


def test_online_submission_then_reception_tell_the_applicant_with_the_appointment(world):
    citizen = world.users["citizen"]
    dossier = services.dossier_submit(actor=citizen, **submission(world, applicant_email="dan@example.vn"))
    services.dossier_transition(actor=world.users["receiving_officer"], dossier_code=dossier.code, action="receive")
    dossier.refresh_from_db()
    submitted, received = _messages(dossier)
    assert submitted.kind == "dossier.submitted" and "chờ cán bộ một cửa" in submitted.body
    appointment = timezone.localtime(dossier.due_at).strftime("%d/%m/%Y %H:%M")
    assert received.kind == "dossier.received" and appointment in received.body
    assert received.recipient == citizen and received.link == f"/ho-so/{dossier.code}/"
    emails = _messages(dossier, Channel.EMAIL)
    assert [e.address for e in emails] == ["dan@example.vn", "dan@example.vn"]
    assert "Kính gửi Nguyễn Thị Dân" in emails[1].body and appointment in emails[1].body
    sms = _messages(dossier, Channel.SMS)
    assert [s.address for s in sms] == ["0912345678", "0912345678"]


@pytest.mark.parametrize("action, persona, kind, needle", [
    ("request_supplement", "processing_officer", "dossier.supplement_requested", "Bản sao giấy khai sinh"),
    ("stop", "agency_leader", "dossier.stopped", "Bản sao giấy khai sinh"),
    ("reject", "agency_leader", "dossier.rejected", "Bản sao giấy khai sinh"),
])
def test_a_reason_the_officer_wrote_reaches_the_applicant(world, action, persona, kind, needle):
    dossier = make_dossier(world, status=Status.IN_PROGRESS)
    services.dossier_transition(actor=world.users[persona], dossier_code=dossier.code, action=action,
                                note="Bản sao giấy khai sinh của con bị mờ")
    [message] = _messages(dossier)
    assert message.kind == kind and needle in message.body


def test_refusal_at_the_desk_tells_why_by_sms_to_an_applicant_without_account(world):
    dossier = make_dossier(world, status=Status.SUBMITTED, applicant_user=None)
    services.dossier_transition(actor=world.users["receiving_officer"], dossier_code=dossier.code, action="refuse",
                                note="Thủ tục không thuộc thẩm quyền")
    assert _messages(dossier) == []
    [sms] = _messages(dossier, Channel.SMS)
    assert sms.kind == "dossier.refused" and "Thủ tục không thuộc thẩm quyền" in sms.body


def test_internal_steps_send_nothing(world):
    dossier = make_dossier(world, status=Status.RECEIVED)
    services.dossier_transition(actor=world.users["processing_officer"], dossier_code=dossier.code, action="start")
    assert not Notification.objects.filter(object_id=str(dossier.pk)).exists()


def test_the_email_is_really_sent_after_the_transition_commits(world, settings, django_capture_on_commit_callbacks):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    dossier = make_dossier(world, status=Status.APPROVED, applicant_email="dan@example.vn")
    with django_capture_on_commit_callbacks(execute=True):
        services.dossier_transition(actor=world.users["processing_officer"], dossier_code=dossier.code,
                                    action="issue_result")
    [email] = _messages(dossier, Channel.EMAIL)
    assert email.status == DeliveryStatus.SENT
    assert [m.subject for m in mail.outbox] == [f"Hồ sơ {dossier.code} đã có kết quả"]


def test_officers_get_a_daily_digest_of_due_soon_and_overdue_dossiers(world):
    now = timezone.now()
    late = make_dossier(world, status=Status.IN_PROGRESS, due_at=now - timezone.timedelta(days=1))
    make_dossier(world, status=Status.IN_PROGRESS, due_at=now + timezone.timedelta(days=30))   # not yet due
    assert notices.officer_digest_send(now=now) == 2        # the processing officer and the leader
    digest = Notification.objects.get(kind="dossier.officer_digest", recipient=world.users["processing_officer"],
                                      channel=Channel.IN_APP)
    assert digest.subject.startswith("Hôm nay: 1 hồ sơ quá hạn") and late.code in digest.body
    assert not Notification.objects.filter(kind="dossier.officer_digest",
                                           recipient=world.users["other_unit_officer"]).exists()
