"""Submitting dossiers: online by a citizen, at the counter by a clerk; bad input leaves nothing behind."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from tinhso.accounts.services import citizen_id_verify
from tinhso.audit.models import AuditEvent
from tinhso.core.exceptions import PermissionDenied, ValidationError
from tinhso.dossiers import services
from tinhso.dossiers.choices import AttachmentKind, Channel, Status
from tinhso.dossiers.models import Dossier, DossierAttachment, DossierDaySequence, DossierEvent
from tinhso.procedures.choices import OnlineLevel, TimeUnit

from .factories import JPEG, PDF, PNG, justice_procedure, make_procedure, pdf, submission

VN = ZoneInfo("Asia/Ho_Chi_Minh")
pytestmark = pytest.mark.smoke


def _nothing_written(media_root):
    assert Dossier.objects.count() == 0
    assert DossierAttachment.objects.count() == 0
    assert DossierEvent.objects.count() == 0
    assert not DossierDaySequence.objects.filter(last_number__gt=0).exists()
    assert not AuditEvent.objects.filter(action__startswith="dossiers.").exists()
    assert not any(p.is_file() for p in media_root.rglob("*")) if media_root.exists() else True


def test_citizen_submits_online_and_gets_a_code_and_an_appointment(world):
    now = datetime(2026, 3, 6, 20, 45, tzinfo=VN)  # Friday evening, after office hours
    dossier = services.dossier_submit(actor=world.users["citizen"], now=now, attachments=[pdf()],
                                      **submission(world))
    assert dossier.code == "000.01.01.H56-260306-0001"
    assert dossier.status == Status.SUBMITTED
    assert dossier.receiving_agency == world.service_centre
    assert dossier.handling_agency == world.justice
    assert dossier.applicant_user == world.users["citizen"]
    assert dossier.received_at is None
    # The procedure's clock has not started: it starts when the one-stop accepts the dossier (form 01). Until then
    # the acceptance limit runs: 8 working hours from Monday's opening.
    assert dossier.clock_start_at is None and dossier.due_at is None
    assert dossier.acceptance_due_at == datetime(2026, 3, 10, 8, 0, tzinfo=VN)
    assert dossier.form_data == {"ho_ten_nguoi_duoc_cap": "Nguyễn Thị Dân", "so_ban": 2}
    attachment = dossier.attachments.get()
    assert attachment.kind == AttachmentKind.APPLICATION
    assert attachment.content_type == "application/pdf"
    assert dossier.events.get().action == "submit"
    assert AuditEvent.objects.filter(action="dossiers.dossier.submit", object_id=str(dossier.pk)).exists()


def test_codes_are_consecutive_per_agency_and_day(world):
    now = datetime(2026, 3, 9, 9, tzinfo=VN)
    codes = [services.dossier_submit(actor=world.users["citizen"], now=now, **submission(world)).code
             for _ in range(3)]
    assert codes == [f"000.01.01.H56-260309-{n:04d}" for n in (1, 2, 3)]
    next_day = services.dossier_submit(actor=world.users["citizen"], now=datetime(2026, 3, 10, 9, tzinfo=VN),
                                       **submission(world))
    assert next_day.code == "000.01.01.H56-260310-0001"


def test_clerk_receives_a_paper_dossier_at_the_counter_with_digitised_papers(world):
    now = datetime(2026, 3, 9, 9, tzinfo=VN)
    dossier = services.dossier_submit(actor=world.users["receiving_officer"], channel=Channel.DIRECT, now=now,
                                      attachments=[pdf(), pdf("anh.png", PNG), pdf("cccd.jpg", JPEG)],
                                      **submission(world))
    assert dossier.status == Status.RECEIVED
    assert dossier.received_at == now
    assert dossier.has_digitised_attachments
    assert set(dossier.attachments.values_list("kind", flat=True)) == {AttachmentKind.DIGITISED}
    assert set(dossier.attachments.values_list("content_type", flat=True)) == {
        "application/pdf", "image/png", "image/jpeg"}
    # The citizen with that (verified) ID has an account: the dossier shows among theirs.
    citizen_id_verify(actor=None, user=world.users["citizen"], citizen_id="038190000001", method="eid")
    again = services.dossier_submit(actor=world.users["receiving_officer"], channel=Channel.POSTAL, now=now,
                                    **submission(world))
    assert again.applicant_user == world.users["citizen"]
    event = dossier.events.get()
    assert event.action == "counter_receive" and event.to_agency == world.justice


def test_citizen_cannot_file_at_the_counter(world):
    with pytest.raises(PermissionDenied):
        services.dossier_submit(actor=world.users["citizen"], channel=Channel.DIRECT, **submission(world))


def test_commune_procedure_goes_to_the_committee_of_the_applicants_commune(world):
    procedure = make_procedure(agencies=[world.commune_committee, world.other_commune_committee], code="1.001193")
    dossier = services.dossier_submit(actor=world.users["citizen"], **submission(world, procedure))
    assert dossier.handling_agency == world.commune_committee
    assert dossier.receiving_agency == world.commune_committee
    assert dossier.code.startswith("000.01.50.H56-")


def test_procedure_in_hours_gets_a_due_time_in_office_hours(world):
    procedure = make_procedure(agencies=[world.justice], unit=TimeUnit.HOURS, processing_time=8)
    dossier = services.dossier_submit(actor=world.users["receiving_officer"], channel=Channel.DIRECT,
                                      now=datetime(2026, 3, 9, 16, tzinfo=VN), **submission(world, procedure))
    assert dossier.due_at == datetime(2026, 3, 10, 16, 30, tzinfo=VN)


@pytest.mark.parametrize("overrides, field", [
    ({"applicant_citizen_id": "12345"}, "applicant_citizen_id"),
    ({"applicant_citizen_id": "999190000001"}, "applicant_citizen_id"),
    ({"applicant_phone": "12345"}, "applicant_phone"),
    ({"applicant_unit_code": "99999"}, "applicant_unit_code"),
    ({"applicant_unit_code": "38"}, "applicant_unit_code"),  # a province, not a commune
    ({"applicant_name": "  "}, "applicant_name"),
    ({"form_data": {}}, "form_data.ho_ten_nguoi_duoc_cap"),
    ({"form_data": {"ho_ten_nguoi_duoc_cap": "A", "so_ban": "hai"}}, "form_data.so_ban"),
    ({"form_data": {"ho_ten_nguoi_duoc_cap": "A", "ngay_dang_ky": "31/02/2026"}}, "form_data.ngay_dang_ky"),
    ({"form_data": {"ho_ten_nguoi_duoc_cap": "A", "muc_dich": "Du lịch"}}, "form_data.muc_dich"),
    ({"procedure_code": "0.000000"}, "procedure_code"),
])
def test_bad_input_is_refused_in_vietnamese_and_nothing_is_written(world, media_root, overrides, field):
    justice_procedure(world)
    with pytest.raises(ValidationError) as exc:
        services.dossier_submit(actor=world.users["citizen"], attachments=[pdf()],
                                **submission(world, **overrides))
    assert field in exc.value.field_errors
    assert exc.value.status_code == 422
    _nothing_written(media_root)


def test_text_file_renamed_pdf_is_refused_and_nothing_is_written(world, media_root):
    fake = pdf("giay-to.pdf", "Đây là văn bản, không phải PDF".encode())
    with pytest.raises(ValidationError) as exc:
        services.dossier_submit(actor=world.users["citizen"], attachments=[pdf(), fake], **submission(world))
    assert "không phải PDF, JPEG hoặc PNG" in exc.value.field_errors["attachments"][0]
    _nothing_written(media_root)


def test_oversize_file_is_refused_and_nothing_is_written(world, media_root, settings):
    settings.TINHSO_MAX_ATTACHMENT_MB = 1
    big = pdf("lon.pdf", PDF + b"0" * (1024 * 1024))
    with pytest.raises(ValidationError) as exc:
        services.dossier_submit(actor=world.users["citizen"], attachments=[big], **submission(world))
    assert "vượt quá dung lượng" in exc.value.field_errors["attachments"][0]
    _nothing_written(media_root)


def test_failure_after_files_were_stored_removes_them(world, media_root, monkeypatch):
    def boom(**kwargs):
        raise RuntimeError("audit down")

    monkeypatch.setattr(services, "audit_record", boom)
    with pytest.raises(RuntimeError):
        services.dossier_submit(actor=world.users["citizen"], attachments=[pdf()], **submission(world))
    _nothing_written(media_root)


def test_procedure_without_online_service_cannot_be_filed_online(world):
    procedure = make_procedure(agencies=[world.justice], online_level=OnlineLevel.NONE)
    with pytest.raises(ValidationError) as exc:
        services.dossier_submit(actor=world.users["citizen"], **submission(world, procedure))
    assert "procedure_code" in exc.value.field_errors


def test_anonymous_cannot_submit(world):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(PermissionDenied):
        services.dossier_submit(actor=AnonymousUser(), **submission(world))


def test_numbers_already_taken_by_imported_dossiers_are_skipped(world):
    from .factories import make_dossier

    now = datetime(2026, 3, 9, 9, tzinfo=VN)
    make_dossier(world, code="000.01.01.H56-260309-0001", imported=True)
    dossier = services.dossier_submit(actor=world.users["citizen"], now=now, **submission(world))
    assert dossier.code == "000.01.01.H56-260309-0002"
