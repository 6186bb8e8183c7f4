"""The counter finds a returning applicant by citizen ID (scoped, audited); birth dates are dd/mm/yyyy and never
in the future."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tinhso.accounts.services import citizen_id_verify
from tinhso.audit.models import AuditEvent
from tinhso.core.exceptions import PermissionDenied, ValidationError
from tinhso.dossiers import lookup, services
from tinhso.dossiers.choices import Status
from tinhso.dossiers.dates import parse_date, vn_date
from tinhso.procedures.choices import FormFieldType
from tinhso.procedures.models import ProcedureFormField

from .factories import CITIZEN_ID, justice_procedure, make_dossier, submission

pytestmark = pytest.mark.smoke


def test_clerk_gets_the_applicant_from_their_latest_visible_dossier_and_the_read_is_audited(world):
    make_dossier(world, status=Status.RETURNED, applicant_address="Thôn 1", applicant_birth_date=date(1990, 9, 5))
    make_dossier(world, status=Status.RECEIVED, applicant_address="Thôn 3, xóm Đông",
                 applicant_birth_date=date(1990, 9, 5), applicant_email="dan@example.vn")
    facts = lookup.applicant_lookup(actor=world.users["receiving_officer"], citizen_id=CITIZEN_ID)
    assert facts.initial() == {"applicant_name": "Nguyễn Thị Dân", "applicant_phone": "0912345678",
                               "applicant_email": "dan@example.vn", "applicant_address": "Thôn 3, xóm Đông",
                               "applicant_unit_code": world.commune.code, "applicant_birth_date": "05/09/1990"}
    audit = AuditEvent.objects.get(action="dossiers.applicant.lookup")
    assert audit.object_label == "038******001" and CITIZEN_ID not in audit.summary
    assert audit.actor == world.users["receiving_officer"]


def test_a_dossier_of_an_agency_the_clerk_does_not_serve_is_not_read(world):
    make_dossier(world, receiving_agency=world.other_commune_committee, handling_agency=world.other_commune_committee)
    assert lookup.applicant_lookup(actor=world.users["receiving_officer"], citizen_id=CITIZEN_ID) is None
    assert "không tìm thấy" in AuditEvent.objects.get(action="dossiers.applicant.lookup").summary


def test_a_verified_account_fills_what_no_dossier_gave(world):
    citizen = world.users["citizen"]
    citizen.full_name, citizen.phone = "Lê Văn Bình", "0987654321"
    citizen.save()
    citizen_id_verify(actor=world.users["receiving_officer"], user=citizen, citizen_id="038190000777")
    facts = lookup.applicant_lookup(actor=world.users["receiving_officer"], citizen_id="038190000777")
    assert facts.from_account and (facts.name, facts.phone) == ("Lê Văn Bình", "0987654321")


def test_only_the_one_stop_may_look_up_and_the_number_is_checked(world):
    with pytest.raises(PermissionDenied):
        lookup.applicant_lookup(actor=world.users["processing_officer"], citizen_id=CITIZEN_ID)
    with pytest.raises(ValidationError) as exc:
        lookup.applicant_lookup(actor=world.users["receiving_officer"], citizen_id="12345")
    assert "applicant_citizen_id" in exc.value.field_errors


def test_counter_page_fills_the_form_from_the_lookup(world):
    procedure = justice_procedure(world)
    make_dossier(world, status=Status.RETURNED, applicant_address="Thôn 3", applicant_birth_date=date(1990, 9, 5))
    url = reverse("dossiers:counter") + f"?procedure_code={procedure.code}&channel=direct"
    page = world.client_for("receiving_officer").post(url, {
        "lookup": "1", "procedure_code": procedure.code, "channel": "direct", "applicant_citizen_id": CITIZEN_ID})
    text = page.content.decode()
    assert page.status_code == 200 and "Đã điền thông tin người nộp từ hồ sơ" in text
    assert 'value="Nguyễn Thị Dân"' in text and 'value="05/09/1990"' in text and 'value="Thôn 3"' in text
    missing = world.client_for("receiving_officer").post(url, {
        "lookup": "1", "procedure_code": procedure.code, "channel": "direct", "applicant_citizen_id": "038190009999"})
    assert "Chưa có hồ sơ hoặc tài khoản" in missing.content.decode()


# --- dates ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "expected"), [("05/09/1990", date(1990, 9, 5)), ("5/9/1990", date(1990, 9, 5)),
                                                ("1990-09-05", date(1990, 9, 5)), ("", None)])
def test_dates_are_read_as_written_in_vietnam(text, expected):
    assert parse_date(text) == expected


def test_iso_dates_are_shown_as_dd_mm_yyyy():
    assert vn_date("2025-09-05") == "05/09/2025" and vn_date("") == ""


def test_birth_date_in_dd_mm_yyyy_and_never_in_the_future(world):
    citizen = world.users["citizen"]
    tomorrow = (timezone.localdate() + timedelta(days=1)).strftime("%d/%m/%Y")
    with pytest.raises(ValidationError) as exc:
        services.dossier_submit(actor=citizen, applicant_birth_date=tomorrow, **submission(world))
    assert exc.value.field_errors["applicant_birth_date"][0].startswith("Ngày sinh không được sau ngày hôm nay")
    with pytest.raises(ValidationError) as exc:
        services.dossier_submit(actor=citizen, applicant_birth_date="31/02/1990", **submission(world))
    assert "dd/mm/yyyy" in exc.value.field_errors["applicant_birth_date"][0]
    dossier = services.dossier_submit(actor=citizen, applicant_birth_date="05/09/1990", **submission(world))
    assert dossier.applicant_birth_date == date(1990, 9, 5)


def test_declaration_dates_are_entered_and_shown_as_dd_mm_yyyy_and_a_birth_cannot_be_tomorrow(world):
    procedure = justice_procedure(world)
    ProcedureFormField.objects.create(procedure=procedure, position=9, name="child_birth_date", label="Ngày sinh của trẻ",
                                      field_type=FormFieldType.DATE)
    citizen = world.users["citizen"]
    base = submission(world, procedure)
    tomorrow = (timezone.localdate() + timedelta(days=1)).strftime("%d/%m/%Y")
    with pytest.raises(ValidationError) as exc:
        services.dossier_submit(actor=citizen, **{**base, "form_data": {**base["form_data"],
                                                                        "child_birth_date": tomorrow}})
    assert "không được sau ngày hôm nay" in exc.value.field_errors["form_data.child_birth_date"][0]
    dossier = services.dossier_submit(actor=citizen, **{**base, "form_data": {
        **base["form_data"], "child_birth_date": "02/01/2026", "ngay_dang_ky": "15/03/2026"}})
    assert dossier.form_data["child_birth_date"] == "2026-01-02"
    page = world.client_for("citizen").get(reverse("dossiers:detail", args=[dossier.code])).content.decode()
    assert "02/01/2026" in page and "15/03/2026" in page and "2026-01-02" not in page
