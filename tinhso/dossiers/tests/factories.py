"""Procedures and dossiers for tests, built directly (fast); the flows under test go through the services."""

import itertools
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tinhso.core.tests import samples
from tinhso.dossiers.choices import Channel, Status
from tinhso.dossiers.models import Dossier
from tinhso.procedures.choices import FormFieldType, OnlineLevel, TimeUnit
from tinhso.procedures.models import Procedure, ProcedureField, ProcedureFormField, ProcedurePaper

PDF, PNG, JPEG = samples.PDF, samples.PNG, samples.JPEG  # real files: uploads are checked for structure
CITIZEN_ID = "038190000001"
PHONE = "0912345678"
_numbers = itertools.count(1)


def pdf(name="to-khai.pdf", content=PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def make_procedure(*, agencies, code: str | None = None, processing_time: int = 3,
                   unit: str = TimeUnit.WORKING_DAYS, online_level: str = OnlineLevel.FULL,
                   with_form: bool = True) -> Procedure:
    field, _ = ProcedureField.objects.get_or_create(code="ho-tich", defaults={"name": "Hộ tịch"})
    procedure, created = Procedure.objects.get_or_create(code=code or f"9.{next(_numbers):06d}", defaults=dict(
        name="Cấp bản sao trích lục hộ tịch", field=field, levels=["province"], processing_time=processing_time,
        processing_time_unit=unit, online_level=online_level, result="Bản sao trích lục hộ tịch"))
    if created:
        procedure.agencies.set(agencies)
        ProcedurePaper.objects.create(procedure=procedure, position=1, name="Tờ khai theo mẫu", originals=1)
        if with_form:
            ProcedureFormField.objects.create(procedure=procedure, position=1, name="ho_ten_nguoi_duoc_cap",
                                              label="Họ tên người được cấp", field_type=FormFieldType.TEXT,
                                              required=True)
            ProcedureFormField.objects.create(procedure=procedure, position=2, name="so_ban",
                                              label="Số bản sao", field_type=FormFieldType.NUMBER)
            ProcedureFormField.objects.create(procedure=procedure, position=3, name="ngay_dang_ky",
                                              label="Ngày đăng ký", field_type=FormFieldType.DATE)
            ProcedureFormField.objects.create(procedure=procedure, position=4, name="muc_dich",
                                              label="Mục đích", field_type=FormFieldType.SELECT,
                                              choices=["Học tập", "Công việc"])
    return procedure


def justice_procedure(world, **kwargs) -> Procedure:
    return make_procedure(agencies=[world.justice], code=kwargs.pop("code", "2.000635"), **kwargs)


def submission(world, procedure=None, **overrides) -> dict:
    procedure = procedure or justice_procedure(world)
    data = dict(procedure_code=procedure.code, applicant_name="Nguyễn Thị Dân", applicant_citizen_id=CITIZEN_ID,
                applicant_phone=PHONE, applicant_unit_code=world.commune.code, applicant_address="Thôn 3",
                form_data={"ho_ten_nguoi_duoc_cap": "Nguyễn Thị Dân", "so_ban": "2"})
    data.update(overrides)
    return data


def make_dossier(world, *, status: str = Status.RECEIVED, procedure=None, applicant_user="citizen",
                 **fields) -> Dossier:
    """A dossier at the service centre, handled by the Department of Justice, in the given state."""
    procedure = procedure or justice_procedure(world)
    now = timezone.now()
    n = next(_numbers)
    values = dict(
        code=f"{world.service_centre.identifier_code}-{now:%y%m%d}-T{n:04d}", procedure=procedure,
        receiving_agency=world.service_centre, handling_agency=world.justice, channel=Channel.ONLINE,
        status=status, applicant_name="Nguyễn Thị Dân", applicant_citizen_id=CITIZEN_ID, applicant_phone=PHONE,
        applicant_unit=world.commune, applicant_user=world.users[applicant_user] if applicant_user else None,
        submitted_at=now - timedelta(days=1), clock_start_at=now - timedelta(days=1),
        due_at=now + timedelta(days=5))
    if status != Status.SUBMITTED:
        values["received_at"] = now - timedelta(days=1)
    if status == Status.SUPPLEMENT_REQUESTED:
        values["supplement_requested_at"] = values["paused_at"] = now - timedelta(hours=2)
    if status in (Status.APPROVED, Status.REJECTED, Status.RESULT_ISSUED, Status.RETURNED):
        values["resolved_at"], values["timeliness"] = now - timedelta(hours=1), "early"
    if status in (Status.RESULT_ISSUED, Status.RETURNED):
        values["result_issued_at"] = now - timedelta(minutes=30)
    if status == Status.RETURNED:
        values["returned_at"] = now - timedelta(minutes=10)
    values.update(fields)
    return Dossier.objects.create(**values)
