"""The structured fees of the catalogue (procedures.fees): imported, validated, exported back, and the lines a bill
is made of."""

import json

import pytest

from tinhso.core.exceptions import ImportFailed
from tinhso.procedures import services
from tinhso.procedures.fees import fee_lines
from tinhso.procedures.models import Procedure
from tinhso.procedures.services import procedures_import, procedures_import_file

from .records import CRIMINAL_RECORD, catalogue_records, record

FEES = [{"name": "Phí cung cấp thông tin lý lịch tư pháp", "kind": "phi", "amount": 200000, "unit": "lần/người",
         "quantity_field": "copies_count",
         "cases": [{"label": "Sinh viên, người có công", "amount": 100000}],
         "exemptions": ["Trẻ em", "Người cao tuổi"]}]


@pytest.mark.smoke
def test_fees_and_pay_first_flag_are_imported_and_exported_back(world):
    admin = world.users["province_admin"]
    records = [r if r["code"] != CRIMINAL_RECORD["code"] else record(CRIMINAL_RECORD, fees=FEES, fee_pay_first=True)
               for r in catalogue_records()]
    procedures_import(actor=admin, records=records)
    criminal = Procedure.objects.get(code=CRIMINAL_RECORD["code"])
    assert criminal.fee_pay_first is True
    assert criminal.fees[0]["cases"] == [{"label": "Sinh viên, người có công", "amount": 100000}]
    assert criminal.fees[0]["exemptions"] == ["Trẻ em", "Người cao tuổi"]
    exported_json, exported_csv = services.procedures_export_json(), services.procedures_export_csv()
    assert [r for r in json.loads(exported_json) if r["code"] == criminal.code][0]["fee_pay_first"] is True
    Procedure.objects.all().delete()
    procedures_import_file(actor=admin, content=exported_csv.encode(), filename="tthc.csv")
    again = Procedure.objects.get(code=CRIMINAL_RECORD["code"])
    assert (again.fees, again.fee_pay_first) == (criminal.fees, True)
    assert Procedure.objects.exclude(code=criminal.code).filter(fee_pay_first=True).count() == 0


@pytest.mark.smoke
def test_bad_fee_lines_refuse_the_file_with_field_paths(world):
    bad = [{"name": "", "kind": "thue", "amount": -1, "cases": [{"label": "x", "amount": "nhiều"}]}]
    with pytest.raises(ImportFailed) as exc:
        procedures_import(actor=world.users["province_admin"],
                          records=[record(CRIMINAL_RECORD, fees=bad, fee_pay_first="có")])
    message = exc.value.line_errors[0][1]
    for expected in ("fees[1].name:", "fees[1].kind:", "fees[1].amount:", "fees[1].cases[1].amount:",
                     "fee_pay_first:"):
        assert expected in message
    assert not Procedure.objects.exists()


def test_a_procedure_without_structured_fees_bills_its_main_fee_alone(world):
    procedures_import(actor=world.users["province_admin"], records=catalogue_records())
    criminal = Procedure.objects.get(code=CRIMINAL_RECORD["code"])
    assert fee_lines(criminal) == [{"name": criminal.fee_text, "kind": "le_phi", "amount": 200000, "unit": "",
                                    "quantity_field": "", "cases": [], "exemptions": []}]
    assert fee_lines(Procedure.objects.get(code="1.001193")) == []  # free: no bill
