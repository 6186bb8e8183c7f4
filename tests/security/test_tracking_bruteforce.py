"""Attack: guessing the applicant's phone for a (sequential) dossier code, then acting on the dossier.

Seen: 300 wrong phone numbers against one code in 5.6 s got 300 × 404 and then the right one got in, and a
code + phone pair opened the whole dossier (address, form, attachments) with withdraw and supplement buttons.
Now failures are throttled per code and per client address (429 + Retry-After, Vietnamese message, limits in
settings, failures audited) and code + phone shows status, timeline and appointment only.
"""

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from tinhso.audit.models import AuditEvent
from tinhso.core.models import ThrottleCounter
from tinhso.dossiers.choices import Status
from tinhso.dossiers.models import DossierAttachment
from tinhso.dossiers.tests.factories import PDF, PHONE, make_dossier

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]
TRACK_API = "/api/v1/dossiers/track"


@pytest.fixture
def limits(settings):
    settings.TINHSO_THROTTLES = {"tracking.code": {"limit": 5, "window": 900},
                                 "tracking.address": {"limit": 12, "window": 900}}
    return settings.TINHSO_THROTTLES


def _api(client, code, phone, address="203.0.113.7"):
    return client.get(TRACK_API, {"code": code, "phone": phone}, REMOTE_ADDR=address)


def test_wrong_phones_against_one_code_are_throttled_and_then_even_the_right_phone_waits(world, limits):
    dossier = make_dossier(world, applicant_user=None)
    client = world.client_for("anonymous")
    for n in range(5):
        # A different address each time: the per-code limit alone must stop the guessing.
        assert _api(client, dossier.code, f"09000000{n:02d}", address=f"198.51.100.{n}").status_code == 404
    refused = _api(client, dossier.code, PHONE, address="198.51.100.99")
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 900
    body = refused.json()
    assert body["code"] == "throttled" and "thử lại sau" in body["message"] and body["retry_after"] > 0


def test_throttle_limit_comes_from_settings(world, settings):
    settings.TINHSO_THROTTLES = {"tracking.code": {"limit": 2, "window": 60}}
    dossier = make_dossier(world, applicant_user=None)
    client = world.client_for("anonymous")
    assert [_api(client, dossier.code, "0900000000").status_code for _ in range(3)] == [404, 404, 429]
    assert int(_api(client, dossier.code, PHONE)["Retry-After"]) <= 60


def test_one_address_guessing_many_codes_is_throttled_but_others_are_not(world, limits):
    dossier = make_dossier(world, applicant_user=None)
    client = world.client_for("anonymous")
    for n in range(12):
        assert _api(client, f"{dossier.code[:-4]}{n:04d}X", "0900000000").status_code == 404
    assert _api(client, dossier.code, PHONE).status_code == 429
    assert _api(client, dossier.code, PHONE, address="192.0.2.1").status_code == 200


def test_every_failure_is_audited_with_the_address_and_the_lockout_is_said(world, limits):
    dossier = make_dossier(world, applicant_user=None)
    client = world.client_for("anonymous")
    for _ in range(6):
        _api(client, dossier.code, "0900000000")
    failures = AuditEvent.objects.filter(action="dossiers.track.failed").order_by("seq")
    assert failures.count() == 5  # the refused sixth attempt is not a new failure
    assert {e.ip_address for e in failures} == {"203.0.113.7"}
    assert all(dossier.code in e.object_label for e in failures)
    assert "tạm khóa" in failures.last().summary and "tạm khóa" not in failures.first().summary


def test_the_throttle_ends_with_its_window_and_a_success_clears_the_code(world, limits):
    dossier = make_dossier(world, applicant_user=None)
    client = world.client_for("anonymous")
    for _ in range(5):
        _api(client, dossier.code, "0900000000")
    assert _api(client, dossier.code, PHONE).status_code == 429
    ThrottleCounter.objects.update(window_start=timezone.now() - timedelta(seconds=901))
    assert _api(client, dossier.code, PHONE).status_code == 200
    assert not ThrottleCounter.objects.filter(scope="tracking.code").exists()


def test_tracking_page_is_throttled_with_retry_after(world, limits):
    dossier = make_dossier(world, applicant_user=None)
    visitor = world.client_for("anonymous")
    url = reverse("dossiers:track")
    for _ in range(5):
        assert visitor.post(url, {"code": dossier.code, "phone": "0900000000"}).status_code == 404
    refused = visitor.post(url, {"code": dossier.code, "phone": PHONE})
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert "Bạn đã thử sai quá nhiều lần" in refused.content.decode()


def _with_private_parts(world, status=Status.SUPPLEMENT_REQUESTED):
    dossier = make_dossier(world, status=status, applicant_user=None, applicant_address="Số 12 ngõ Bí Mật",
                           form_data={"ho_ten_nguoi_duoc_cap": "Trần Văn Riêngtư"})
    DossierAttachment.objects.create(dossier=dossier, kind="application", original_name="giay-khai-sinh-rieng.pdf",
                                     size=len(PDF), content_type="application/pdf", sha256="0" * 64,
                                     file=ContentFile(PDF, name="giay-khai-sinh-rieng.pdf"))
    return dossier


def test_code_and_phone_show_status_timeline_and_appointment_only(world):
    dossier = _with_private_parts(world)
    visitor = world.client_for("anonymous")
    page = visitor.post(reverse("dossiers:track"), {"code": dossier.code, "phone": PHONE})
    assert page.status_code == 200
    html = page.content.decode()
    assert "Chờ bổ sung" in html and "Ngày hẹn trả kết quả" in html
    assert timezone.localtime(dossier.due_at).strftime("%d/%m/%Y") in html
    for private in ("Số 12 ngõ Bí Mật", "Riêngtư", "giay-khai-sinh-rieng", "Nộp bổ sung</button>", "Rút hồ sơ</button>"):
        assert private not in html, private
    found = _api(visitor, dossier.code, PHONE).json()
    assert not {"applicant_address", "form_data", "attachments", "applicant_phone"} & set(found)
    assert "Riêngtư" not in str(found) and "Bí Mật" not in str(found)


def test_code_and_phone_cannot_open_withdraw_supplement_or_read_attachments(world):
    dossier = _with_private_parts(world)
    visitor = world.client_for("anonymous")
    assert visitor.post(reverse("dossiers:track"), {"code": dossier.code, "phone": PHONE}).status_code == 200
    attachment = dossier.attachments.get()
    assert visitor.get(reverse("dossiers:detail", args=[dossier.code])).status_code == 404
    assert visitor.get(reverse("dossiers:attachment", args=[dossier.code, attachment.id])).status_code == 404
    for action in ("supplement", "withdraw"):
        assert visitor.post(reverse("dossiers:act", args=[dossier.code]),
                            {"action": action, "note": "x"}).status_code == 404
    dossier.refresh_from_db()
    assert dossier.status == Status.SUPPLEMENT_REQUESTED
