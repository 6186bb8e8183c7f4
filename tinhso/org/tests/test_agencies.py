import csv
import io
import json

import pytest

from tinhso.audit.models import AuditEvent
from tinhso.core.exceptions import Conflict, ImportFailed, PermissionDenied, ValidationError
from tinhso.org import services
from tinhso.org.models import Agency

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]


def _data(**over):
    return {"identifier_code": "000.00.40.H56", "name": "Sở Thử nghiệm", "kind": "so_ban_nganh", "unit_code": "38",
            **over}


def test_province_admin_creates_an_agency_and_it_is_audited(world):
    before = AuditEvent.objects.count()
    agency = services.agency_create(actor=world.users["province_admin"], data=_data(parent_identifier_code="000.00.00.H56"))
    assert agency.parent == world.committee
    event = AuditEvent.objects.get(seq=before + 1)
    assert event.action == "org.agency.create" and event.actor_id == world.users["province_admin"].pk
    assert event.changes["identifier_code"] == [None, "000.00.40.H56"]


@pytest.mark.parametrize(("over", "field", "message"), [
    ({"identifier_code": "00.00.40.H56"}, "identifier_code", "không đúng cấu trúc"),
    ({"unit_code": "99999"}, "unit_code", "Không có đơn vị hành chính"),
    ({"name": ""}, "name", "không được để trống"),
    ({"kind": "bogus"}, "kind", "không hợp lệ"),
])
def test_bad_input_gets_a_field_error_and_writes_nothing(world, over, field, message):
    agencies, events = Agency.objects.count(), AuditEvent.objects.count()
    with pytest.raises(ValidationError) as exc:
        services.agency_create(actor=world.users["province_admin"], data=_data(**over))
    assert message in " ".join(exc.value.field_errors[field])
    assert Agency.objects.count() == agencies and AuditEvent.objects.count() == events


def test_duplicate_identifier_code_is_a_conflict(world):
    with pytest.raises(Conflict) as exc:
        services.agency_create(actor=world.users["province_admin"], data=_data(identifier_code="000.00.03.H56"))
    assert "đã được cấp" in exc.value.message


def test_commune_admin_cannot_add_a_provincial_agency(world):
    with pytest.raises(PermissionDenied):
        services.agency_create(actor=world.users["unit_admin"], data=_data())


def test_commune_admin_edits_an_agency_of_their_commune(world):
    agency = services.agency_update(actor=world.users["unit_admin"], agency=world.commune_committee,
                                    data={"phone": "0237 000"})
    assert agency.phone == "0237 000"
    assert AuditEvent.objects.filter(action="org.agency.update", object_id=str(agency.pk)).exists()


def test_an_agency_cannot_become_its_own_ancestor(world):
    with pytest.raises(ValidationError):
        services.agency_update(actor=world.users["province_admin"], agency=world.justice,
                               data={"parent_identifier_code": world.justice_branch.identifier_code})


def test_csv_import_reports_errors_by_line_and_writes_nothing(world):
    content = (
        "identifier_code,name,kind,unit_code,parent_identifier_code\n"
        "000.00.41.H56,Ban A,so_ban_nganh,38,\n"
        "000.00.4.H56,Ban B,so_ban_nganh,38,\n"
        "000.00.43.H56,Ban C,so_ban_nganh,00000,\n"
        "000.00.41.H56,Ban D,so_ban_nganh,38,\n"
    )
    count = Agency.objects.count()
    with pytest.raises(ImportFailed) as exc:
        services.agencies_import_csv(actor=world.users["province_admin"], content=content.encode())
    lines = dict(exc.value.line_errors)
    assert set(lines) == {5}  # the duplicate is caught before anything is written
    assert "trùng với dòng 2" in lines[5]
    content = content.rsplit("\n", 2)[0] + "\n"
    with pytest.raises(ImportFailed) as exc:
        services.agencies_import_csv(actor=world.users["province_admin"], content=content.encode())
    assert [n for n, _ in exc.value.line_errors] == [3, 4]
    assert Agency.objects.count() == count


def test_csv_import_accepts_parents_defined_later_and_round_trips(world):
    content = (
        "identifier_code,name,kind,unit_code,parent_identifier_code\n"
        "000.01.44.H56,Chi cục con,don_vi_su_nghiep,38,000.00.44.H56\n"
        "000.00.44.H56,Sở mới,so_ban_nganh,38,000.00.00.H56\n"
    )
    counts = services.agencies_import_csv(actor=world.users["province_admin"], content=content.encode())
    assert counts == {"created": 2, "updated": 0}
    exported = services.agencies_export_csv(agencies=Agency.objects.all())
    rows = {r["identifier_code"]: r for r in csv.DictReader(io.StringIO(exported))}
    assert rows["000.01.44.H56"]["parent_identifier_code"] == "000.00.44.H56"
    again = services.agencies_import_csv(actor=world.users["province_admin"], content=exported.encode())
    assert again["created"] == 0 and again["updated"] == len(rows)


def test_api_rejects_malformed_code_with_vietnamese_field_message(world):
    client = world.client_for("province_admin")
    response = client.post("/api/v1/agencies", data=json.dumps(_data(identifier_code="H56")),
                           content_type="application/json")
    assert response.status_code == 422
    body = response.json()
    assert "cấu trúc" in body["errors"]["identifier_code"][0]


def test_api_rejects_unknown_unit_and_duplicate_code(world):
    client = world.client_for("province_admin")
    response = client.post("/api/v1/agencies", data=json.dumps(_data(unit_code="77777")), content_type="application/json")
    assert response.status_code == 422 and "Không có đơn vị" in response.json()["errors"]["unit_code"][0]
    response = client.post("/api/v1/agencies", data=json.dumps(_data(identifier_code="000.00.03.H56")),
                           content_type="application/json")
    assert response.status_code == 409


def test_api_missing_body_fields_are_named_in_vietnamese(world):
    response = world.client_for("province_admin").post("/api/v1/agencies", data="{}", content_type="application/json")
    assert response.status_code == 422
    assert response.json()["errors"]["name"] == ["Trường này là bắt buộc."]


def test_agency_page_form_shows_the_error(world):
    client = world.client_for("province_admin")
    response = client.post("/don-vi/co-quan/them/", data={**_data(identifier_code="xx"), "email": ""})
    assert response.status_code == 422
    assert "không đúng cấu trúc" in response.content.decode()
