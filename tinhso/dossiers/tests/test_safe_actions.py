"""Safe actions: actions that end a dossier ask for a reason and a confirmation, buttons look like what they do,
and the receipt's QR code leads to the tracking page (issue 9)."""

import re

import pytest
from django.urls import reverse

from tinhso.dossiers import workflow
from tinhso.dossiers.choices import Status
from tinhso.dossiers.models import Dossier

from .factories import PHONE, make_dossier

pytestmark = pytest.mark.smoke
HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "dossier-panel"}
DANGER = {"refuse", "reject", "stop", "withdraw"}


def test_the_actions_that_end_a_dossier_are_danger_and_need_a_reason_and_a_confirmation():
    assert {t.name for t in workflow.TRANSITIONS.values() if t.consequence == "danger"} == DANGER
    for name in DANGER:
        transition = workflow.TRANSITIONS[name]
        assert transition.needs_note and transition.needs_confirmation


def test_receive_and_refuse_never_look_alike(world):
    dossier = make_dossier(world, status=Status.SUBMITTED)
    page = world.client_for("receiving_officer").get(reverse("dossiers:detail", args=[dossier.code])).content.decode()
    assert re.search(r'<button type="submit" class="primary">Tiếp nhận</button>', page)
    assert re.search(r'<button type="submit" class="danger">Từ chối tiếp nhận</button>', page)
    assert 'hx-confirm="Tôi xác nhận từ chối tiếp nhận hồ sơ này."' in page
    assert 'name="confirmed" value="1" required' in page


@pytest.mark.parametrize("action, persona, source", [
    ("refuse", "receiving_officer", Status.SUBMITTED), ("reject", "agency_leader", Status.IN_PROGRESS),
    ("stop", "agency_leader", Status.IN_PROGRESS), ("withdraw", "citizen", Status.IN_PROGRESS)])
def test_a_danger_action_without_the_confirmation_changes_nothing(world, action, persona, source):
    dossier = make_dossier(world, status=source)
    client = world.client_for(persona)
    url = reverse("dossiers:act", args=[dossier.code])
    refused = client.post(url, {"action": action, "note": "Lý do cụ thể"}, **HTMX)
    assert refused.status_code == 422 and "ô xác nhận" in refused.content.decode()
    assert Dossier.objects.get(pk=dossier.pk).status == source
    no_reason = client.post(url, {"action": action, "confirmed": "1", "note": ""}, **HTMX)
    assert no_reason.status_code == 422
    done = client.post(url, {"action": action, "confirmed": "1", "note": "Lý do cụ thể"}, **HTMX)
    assert done.status_code == 200
    assert Dossier.objects.get(pk=dossier.pk).status != source


def test_the_receipt_carries_a_qr_code_to_the_tracking_page_with_the_code_filled_in(world):
    dossier = make_dossier(world, status=Status.RECEIVED)
    receipt = world.client_for("citizen").get(reverse("dossiers:receipt", args=[dossier.code])).content.decode()
    url = f"http://testserver/ho-so/tra-cuu/?code={dossier.code}"
    assert "<svg" in receipt and f"Mã QR tra cứu hồ sơ {dossier.code}" in receipt and url in receipt
    page = world.client_for("anonymous").get(url).content.decode()
    assert f'value="{dossier.code}"' in page


def test_tracking_codes_are_case_insensitive_and_a_failed_lookup_keeps_what_was_typed(world):
    dossier = make_dossier(world, status=Status.RECEIVED, applicant_user=None)
    visitor = world.client_for("anonymous")
    found = visitor.post(reverse("dossiers:track"), {"code": dossier.code.lower(), "phone": PHONE})
    assert found.status_code == 200 and dossier.code in found.content.decode()
    wrong = visitor.post(reverse("dossiers:track"), {"code": dossier.code.lower(), "phone": "0999999999"})
    page = wrong.content.decode()
    assert wrong.status_code == 404
    assert f'value="{dossier.code.lower()}"' in page and 'value="0999999999"' in page


def test_phone_and_citizen_id_fields_bring_up_the_digit_keypad(world):
    from .factories import justice_procedure

    procedure = justice_procedure(world)
    page = world.client_for("citizen").get(reverse("dossiers:submit", args=[procedure.code])).content.decode()

    def tag(name):
        return re.search(rf'<input[^>]*name="{name}"[^>]*>', page).group(0)

    assert 'inputmode="numeric"' in tag("applicant_citizen_id")
    assert 'inputmode="numeric"' in tag("applicant_phone") and 'type="tel"' in tag("applicant_phone")
    assert 'type="email"' in tag("applicant_email")
