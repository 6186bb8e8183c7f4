"""Dossiers in flight for the demo, made through the real services so every role finds work waiting:
online submissions for the one-stop clerks, dossiers being processed, one waiting for the citizen's supplement,
results waiting to be returned, and a returned one the citizen can rate."""

from datetime import date

from tinhso.accounts.models import User
from tinhso.dossiers.services import dossier_submit, dossier_transition
from tinhso.org.models import Agency
from tinhso.procedures.choices import FormFieldType, OnlineLevel
from tinhso.procedures.models import Procedure

CITIZEN = {"applicant_name": "Nguyễn Thị Dân", "applicant_citizen_id": "038190000001",
           "applicant_phone": "0912345678", "applicant_address": "Số 12, tổ dân phố 3"}

# For each dossier: the steps after submission, as (username, action, note).
PROVINCE_PLAN = [
    [],
    [],
    [],
    [("motcua", "receive", "")],
    [("motcua", "receive", ""), ("chuyenvien.stp", "start", "")],
    [("motcua", "receive", ""), ("chuyenvien.stp", "request_supplement",
                                 "Đề nghị bổ sung bản chụp giấy tờ tùy thân còn hiệu lực.")],
    [("motcua", "receive", ""), ("lanhdao.stp", "approve", ""), ("chuyenvien.stp", "issue_result", "")],
    [("motcua", "receive", ""), ("lanhdao.stp", "approve", ""), ("chuyenvien.stp", "issue_result", ""),
     ("motcua", "return_result", "")],
]
COMMUNE_PLAN = [[], [], [("motcua.xa", "receive", "")],
                [("motcua.xa", "receive", ""), ("chuyenvien.xa", "start", "")]]


def _form_data(procedure: Procedure) -> dict:
    data = {}
    for f in procedure.form_fields.all():
        if f.field_type == FormFieldType.SELECT:
            data[f.name] = (f.choices or [""])[0]
        elif f.field_type == FormFieldType.DATE:
            data[f.name] = date(1990, 5, 17).isoformat()
        elif f.field_type == FormFieldType.NUMBER:
            data[f.name] = 1
        else:
            data[f.name] = "Theo hồ sơ đính kèm"
    return data


def _online_procedures(agency: Agency) -> list[Procedure]:
    return list(Procedure.objects.filter(agencies=agency).exclude(online_level=OnlineLevel.NONE)
                .prefetch_related("form_fields").order_by("code"))


def create_live_dossiers(*, justice: Agency, commune_committee: Agency, commune_code: str) -> int:
    users = {u.username: u for u in User.objects.filter(username__in=[
        "congdan", "motcua", "chuyenvien.stp", "lanhdao.stp", "motcua.xa", "chuyenvien.xa"])}
    made = 0
    for agency, plan in ((justice, PROVINCE_PLAN), (commune_committee, COMMUNE_PLAN)):
        procedures = _online_procedures(agency)
        if not procedures:
            continue
        for index, steps in enumerate(plan):
            procedure = procedures[index % len(procedures)]
            dossier = dossier_submit(actor=users["congdan"], procedure_code=procedure.code,
                                     applicant_unit_code=commune_code, form_data=_form_data(procedure),
                                     agency_code=agency.identifier_code, **CITIZEN)
            for username, action, note in steps:
                dossier_transition(actor=users[username], dossier_code=dossier.code, action=action, note=note)
            made += 1
    return made
