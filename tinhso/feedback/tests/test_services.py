from datetime import datetime, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tinhso.audit.models import AuditEvent
from tinhso.core import calendar
from tinhso.core.exceptions import Conflict, NotFound, PermissionDenied, ValidationError
from tinhso.feedback import services, workflow
from tinhso.feedback.models import DutyShift, Report, ReportEvent, ReportPhoto
from tinhso.notifications.models import Notification

from .conftest import HANOI, HOANG_HOA, QUANG_XUONG
from .factories import jpeg_with_gps

pytestmark = pytest.mark.django_db
ZONE = calendar.local_zone()
MONDAY_9 = datetime(2026, 3, 2, 9, 0, tzinfo=ZONE)


def submit(place, actor=None, **kwargs):
    from django.contrib.auth.models import AnonymousUser

    fields = {"service_code": place.road.code, "description": "Ổ gà lớn trước cổng trường tiểu học",
              "latitude": HOANG_HOA[0] + 0.01, "longitude": HOANG_HOA[1] - 0.01, "now": MONDAY_9,
              "ip_address": "10.0.0.1"} | kwargs
    return services.report_submit(actor=actor or AnonymousUser(), **fields)


def act(place, persona, report, action, **kwargs):
    actor = place.world.users[persona] if persona else None
    if actor is None:
        from django.contrib.auth.models import AnonymousUser

        actor = AnonymousUser()
    return services.report_transition(actor=actor, code=report.code, action=action, **kwargs)


@pytest.mark.smoke
def test_coordinates_are_placed_in_the_nearest_commune_and_routed_by_the_commune_rule(place):
    report, token = submit(place)
    assert report.commune == place.world.commune
    assert report.agency == place.world.commune_committee
    assert report.status == "received" and report.code.startswith("PA")
    # Five working days from Monday 09:00: the close of the fifth working day after (calendar rule).
    assert report.due_at == calendar.due_moment(MONDAY_9, 5, "working_days")
    assert ReportEvent.objects.filter(report=report, action="submit").count() == 1
    assert AuditEvent.objects.filter(action="feedback.report.submit", object_id=str(report.pk)).exists()
    assert token and report.token_hash != token


def test_the_province_level_fallback_routes_a_commune_without_its_own_rule(place):
    report, _ = submit(place, latitude=QUANG_XUONG[0], longitude=QUANG_XUONG[1])
    assert report.commune == place.world.other_commune
    assert report.agency == place.world.justice


def test_a_chosen_commune_without_coordinates_is_accepted(place):
    report, _ = submit(place, latitude=None, longitude=None, commune_code=place.world.other_commune.code)
    assert report.commune == place.world.other_commune and report.latitude is None


@pytest.mark.smoke
def test_coordinates_outside_the_province_are_refused_and_nothing_is_written(place):
    with pytest.raises(ValidationError) as exc:
        submit(place, latitude=HANOI[0], longitude=HANOI[1])
    assert "ngoài địa bàn" in exc.value.field_errors["lat"][0]
    assert not Report.objects.exists()


def test_unknown_category_and_non_image_photo_are_refused_without_a_trace(place, settings):
    with pytest.raises(ValidationError) as exc:
        submit(place, service_code="khong-co")
    assert "service_code" in exc.value.field_errors
    fake = SimpleUploadedFile("anh.jpg", b"<html><script>alert(1)</script></html>", content_type="image/jpeg")
    with pytest.raises(ValidationError) as exc:
        submit(place, photos=[fake])
    assert "không phải ảnh" in exc.value.field_errors["media"][0]
    assert not Report.objects.exists() and not ReportPhoto.objects.exists()
    media = settings.MEDIA_ROOT / "feedback"
    assert not media.exists() or not any(media.rglob("*.*"))


def test_attribute_values_are_checked_against_the_definitions(place):
    with pytest.raises(ValidationError) as exc:
        submit(place, attributes={"muc_do": "rat-nang"})
    assert "attribute[muc_do]" in exc.value.field_errors
    report, _ = submit(place, attributes={"muc_do": ["nang"]})
    assert report.attributes == {"muc_do": "nang"}


def test_the_whole_way_is_audited_and_the_citizen_closes_with_a_rating_by_token(place):
    report, token = submit(place, contact_email="dan@example.vn")
    w = place.world
    # The responsible agency is the commune committee: give it an officer.
    from tinhso.accounts.choices import Role
    from tinhso.accounts.tests.factories import RoleFactory

    RoleFactory(user=w.users["unit_admin"], role=Role.PROCESSING_OFFICER, agency=w.commune_committee)
    t = MONDAY_9
    for action in ("verify", "assign", "start"):
        t += timedelta(hours=1)
        report = act(place, "unit_admin", report, action, now=t)
    report = act(place, "unit_admin", report, "answer", note="Đã vá ổ gà ngày 03/3.", now=t + timedelta(hours=2))
    assert report.status == "answered" and report.answer.startswith("Đã vá")
    report = act(place, None, report, "close", rating=5, token=token, now=t + timedelta(hours=3))
    assert report.status == "closed" and report.rating == 5
    actions = list(AuditEvent.objects.filter(object_id=str(report.pk), object_type="feedback.report")
                   .order_by("seq").values_list("action", flat=True))
    assert actions == [f"feedback.report.{a}" for a in ("submit", "verify", "assign", "start", "answer", "close")]
    assert Notification.objects.filter(kind="feedback.update", address="dan@example.vn").count() >= 5


def test_an_officer_of_another_agency_cannot_see_or_act(place):
    report, _ = submit(place, latitude=QUANG_XUONG[0], longitude=QUANG_XUONG[1])
    with pytest.raises(NotFound):
        act(place, "other_unit_officer", report, "verify")
    with pytest.raises(NotFound):
        act(place, None, report, "close", token="sai-ma")


def test_reassignment_needs_a_reason_and_two_reassignments_and_an_escalation_keep_one_clock(place):
    report, _ = submit(place, latitude=QUANG_XUONG[0], longitude=QUANG_XUONG[1])  # → Sở Tư pháp
    due = report.due_at
    report = act(place, "processing_officer", report, "verify", now=MONDAY_9 + timedelta(hours=1))
    with pytest.raises(ValidationError):
        act(place, "processing_officer", report, "reassign", agency_code=place.world.health.identifier_code)
    report = act(place, "processing_officer", report, "reassign", agency_code=place.world.health.identifier_code,
                 note="Thuộc lĩnh vực y tế", now=MONDAY_9 + timedelta(hours=2))
    report = act(place, "province_admin", report, "reassign", agency_code=place.world.justice_branch.identifier_code,
                 note="Chuyển lại theo chỉ đạo", now=MONDAY_9 + timedelta(hours=3))
    near = calendar.get_calendar().subtract(due, seconds=3600)  # one office hour before the deadline
    assert services.report_escalate(report_id=report.pk, now=near) == 1
    report.refresh_from_db()
    assert report.due_at == due and report.escalation_level == 1
    assert report.agency == place.world.justice_branch
    events = list(report.events.values_list("action", flat=True))
    assert events.count("reassign") == 2 and "escalate_leader" in events
    # The clock ran on: past the original deadline the parent agency (Sở Tư pháp) is told.
    assert services.report_escalate(report_id=report.pk, now=due + timedelta(minutes=1)) == 2
    leader = place.world.users["agency_leader"]
    assert Notification.objects.filter(kind="feedback.overdue", recipient=leader).exists()


def test_the_sweep_escalates_once_per_level(place):
    report, _ = submit(place, latitude=QUANG_XUONG[0], longitude=QUANG_XUONG[1])
    late = report.due_at + timedelta(hours=1)
    assert services.escalation_sweep(now=late) == 1
    assert services.escalation_sweep(now=late) == 0
    report.refresh_from_db()
    assert report.escalation_level == 2


def test_a_duplicate_is_linked_to_the_original_of_its_original(place):
    original, _ = submit(place, latitude=QUANG_XUONG[0], longitude=QUANG_XUONG[1])
    second, _ = submit(place, latitude=QUANG_XUONG[0], longitude=QUANG_XUONG[1])
    third, _ = submit(place, latitude=QUANG_XUONG[0], longitude=QUANG_XUONG[1])
    with pytest.raises(ValidationError):
        act(place, "processing_officer", second, "reject_duplicate", duplicate_of_code="PA999999")
    act(place, "processing_officer", second, "reject_duplicate", duplicate_of_code=original.code)
    third = act(place, "processing_officer", third, "reject_duplicate", duplicate_of_code=second.code)
    assert third.duplicate_of == original and third.reject_reason == "duplicate" and third.status == "rejected"


def test_reopen_only_within_the_configured_days(place, settings):
    settings.TINHSO_FEEDBACK_REOPEN_DAYS = 3
    report, token = submit(place, latitude=QUANG_XUONG[0], longitude=QUANG_XUONG[1])
    for action in ("verify", "assign", "start"):
        report = act(place, "processing_officer", report, action, now=MONDAY_9)
    report = act(place, "processing_officer", report, "answer", note="Đã xử lý.", now=MONDAY_9)
    with pytest.raises(PermissionDenied):
        act(place, "processing_officer", report, "reopen", note="x")
    with pytest.raises(Conflict):
        act(place, None, report, "reopen", note="Chưa vá", token=token, now=MONDAY_9 + timedelta(days=4))
    report = act(place, None, report, "reopen", note="Ổ gà vẫn còn", token=token, now=MONDAY_9 + timedelta(days=2))
    assert report.status == "in_progress" and report.reopen_count == 1


def test_an_emergency_has_a_minutes_clock_and_tells_the_officer_on_duty_at_once(place):
    w = place.world
    officer = w.users["processing_officer"]
    DutyShift.objects.create(agency=w.justice, user=officer, starts_at=MONDAY_9 - timedelta(hours=1),
                             ends_at=MONDAY_9 + timedelta(hours=8))
    report, _ = submit(place, service_code=place.fire.code, latitude=QUANG_XUONG[0], longitude=QUANG_XUONG[1])
    assert report.due_at == MONDAY_9 + timedelta(minutes=30)
    alert = Notification.objects.get(kind="feedback.emergency", recipient=officer)
    assert report.code in alert.subject
    assert not Notification.objects.filter(kind="feedback.emergency", recipient=w.users["agency_leader"]).exists()


def test_comments_flow_both_ways(place):
    from django.contrib.auth.models import AnonymousUser

    report, token = submit(place, latitude=QUANG_XUONG[0], longitude=QUANG_XUONG[1], contact_phone="0912345678")
    services.report_comment(actor=place.world.users["processing_officer"], code=report.code,
                            note="Đề nghị cho biết số nhà gần nhất.")
    # By SMS, the contact given: the reception, then the officer's question.
    assert Notification.objects.filter(kind="feedback.update", address="0912345678").count() == 2
    services.report_comment(actor=AnonymousUser(), code=report.code, note="Gần số 12.", token=token)
    assert Notification.objects.filter(kind="feedback.assigned", recipient=place.world.users["agency_leader"]).exists()
    with pytest.raises(PermissionDenied):
        services.report_comment(actor=AnonymousUser(), code=report.code, note="x", token=token, internal=True)
    assert [e.by_citizen for e in report.events.filter(action="comment")] == [False, True]


def test_photos_are_served_without_exif(place):
    import io

    from PIL import Image

    photo = SimpleUploadedFile("anh.jpg", jpeg_with_gps(), content_type="image/jpeg")
    report, _ = submit(place, photos=[photo])
    stored = report.photos.get()
    with stored.file.open("rb") as f, Image.open(f) as original:
        assert original.getexif().get(0x8825)
    with Image.open(io.BytesIO(services.photo_without_metadata(stored))) as served:
        assert not served.getexif() and served.size == (32, 24)


def test_hotline_entry_needs_an_officer(place):
    with pytest.raises(PermissionDenied):
        submit(place, channel="hotline")
    report, _ = submit(place, actor=place.world.users["receiving_officer"], channel="hotline",
                       contact_name="Người gọi")
    assert report.channel == "hotline" and report.citizen is None
    assert report.events.get().action == "hotline"


def test_open311_channel_needs_a_key(place):
    with pytest.raises(PermissionDenied):
        submit(place, channel="open311")
    assert workflow.reopen_days() == 7


def test_the_command_and_the_background_task_escalate(place):
    from django.core.management import call_command

    from tinhso.feedback import tasks

    report, _ = submit(place, latitude=QUANG_XUONG[0], longitude=QUANG_XUONG[1], now=MONDAY_9 - timedelta(days=30))
    assert services.escalation_candidates() == [report.pk]
    assert tasks.escalate_report.call(report.pk) == 2
    report.refresh_from_db()
    assert report.escalation_level == 2
    call_command("feedback_escalate")
    assert report.events.filter(action="escalate_parent").count() == 1
