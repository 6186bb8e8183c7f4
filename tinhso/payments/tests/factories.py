"""Priced procedures and dossiers for the payment tests, filed through the dossier services (bills follow)."""

from tinhso.dossiers import services as dossier_services
from tinhso.dossiers.tests.factories import CITIZEN_ID, PHONE
from tinhso.procedures.choices import FormFieldType, OnlineLevel, TimeUnit
from tinhso.procedures.models import Procedure, ProcedureField, ProcedureFormField, ProcedurePaper

COPY_FEES = [{"name": "Phí cấp bản sao trích lục hộ tịch", "kind": "phi", "amount": 8000, "unit": "bản",
              "quantity_field": "copies_count", "cases": [], "exemptions": []}]
RECORD_FEES = [{"name": "Phí cung cấp thông tin lý lịch tư pháp", "kind": "phi", "amount": 200000,
                "unit": "lần/người", "quantity_field": "", "cases": [
                    {"label": "Sinh viên, người có công với cách mạng, thân nhân liệt sĩ", "amount": 100000}],
                "exemptions": ["Trẻ em", "Người cao tuổi"]}]


def priced_procedure(world, *, code: str = "2.000635", fees=None, pay_first: bool = True,
                     name: str = "Cấp bản sao trích lục hộ tịch") -> Procedure:
    """The birth-certificate copy of the demo catalogue: 8.000 đồng a copy, paid before processing."""
    field, _ = ProcedureField.objects.get_or_create(code="ho-tich", defaults={"name": "Hộ tịch"})
    procedure, created = Procedure.objects.get_or_create(code=code, defaults=dict(
        name=name, field=field, levels=["province"], processing_time=8, processing_time_unit=TimeUnit.HOURS,
        online_level=OnlineLevel.FULL, result="Bản sao trích lục hộ tịch", fee_text="8.000 đồng/bản",
        fee_amount=(fees or COPY_FEES)[0]["amount"], fees=fees if fees is not None else COPY_FEES,
        fee_pay_first=pay_first))
    if created:
        procedure.agencies.set([world.justice])
        ProcedurePaper.objects.create(procedure=procedure, position=1, name="Tờ khai theo mẫu", originals=1)
        ProcedureFormField.objects.create(procedure=procedure, position=1, name="subject_full_name",
                                          label="Họ tên người được cấp", field_type=FormFieldType.TEXT,
                                          required=True)
        ProcedureFormField.objects.create(procedure=procedure, position=2, name="copies_count",
                                          label="Số bản", field_type=FormFieldType.NUMBER, required=True)
    return procedure


def submit(world, procedure=None, *, copies: int = 2, persona: str = "citizen", **extra):
    """An online dossier filed by the citizen persona (status submitted)."""
    procedure = procedure or priced_procedure(world)
    return dossier_services.dossier_submit(
        actor=world.users[persona], procedure_code=procedure.code, applicant_name="Nguyễn Thị Dân",
        applicant_citizen_id=CITIZEN_ID, applicant_phone=PHONE, applicant_unit_code=world.commune.code,
        applicant_email="dan@example.vn",
        form_data={"subject_full_name": "Nguyễn Văn Con", "copies_count": str(copies)}, **extra)


def receive(world, dossier):
    return dossier_services.dossier_transition(actor=world.users["receiving_officer"], dossier_code=dossier.code,
                                               action="receive")
