"""A unit's report: submitted, returned with a comment, corrected, approved and locked; each step audited."""

import io
import json
import zipfile
from datetime import date

import pytest

from tinhso.audit.models import AuditEvent
from tinhso.core.periods import year_period
from tinhso.core.tests import samples
from tinhso.indicators.models import IndicatorValue, ReportEvidence, ReportForm, UnitReport, UnitReportValue
from tinhso.indicators.services import report_period_create

pytestmark = [pytest.mark.smoke, pytest.mark.django_db]
PDF = samples.PDF
BASE = "/api/v1/indicators"


def _xlsx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
    return buffer.getvalue()


def _json(client, method, path, data=None):
    return getattr(client, method)(path, data=json.dumps(data or {}), content_type="application/json")


@pytest.fixture
def round_(world, definitions):
    form = ReportForm.objects.get(code="cds-xa-nam")
    return report_period_create(actor=world.users["province_admin"], form=form, period=year_period(2025),
                                opens_on=date(2026, 1, 1), deadline=date(2099, 1, 31), open_now=True)


@pytest.fixture
def report(world, round_):
    client = world.client_for("unit_admin")
    response = _json(client, "post", f"{BASE}/reports", {"period_id": round_.pk, "unit": world.commune.code})
    assert response.status_code == 201, response.content
    return UnitReport.objects.get(pk=response.json()["id"])


VALUES = [{"indicator": "cq_ho_so_cong_viec_truc_tuyen_rate", "level": "commune", "value": 55},
          {"indicator": "xh_ho_gia_dinh_bang_rong_rate", "value": 91.5},
          {"indicator": "xh_tai_khoan_thanh_toan_dien_tu_rate", "numerator": 620, "denominator": 1000},
          {"indicator": "kt_doanh_nghiep_cong_nghe_so_rate", "value": 40}]


def test_report_lifecycle_submit_return_correct_approve_lock(world, report):
    unit_admin, reviewer = world.client_for("unit_admin"), world.client_for("province_admin")
    path = f"{BASE}/reports/{report.pk}"
    assert _json(unit_admin, "put", f"{path}/values", {"values": VALUES}).status_code == 200
    evidence = unit_admin.post(f"{path}/evidence", {"file": io.BytesIO(PDF), "name": "bien-ban.pdf"})
    assert evidence.status_code == 201, evidence.content
    assert _json(unit_admin, "post", f"{path}/submit").json()["status"] == "submitted"

    returned = _json(reviewer, "post", f"{path}/return", {"comment": "Tỷ lệ hồ sơ công việc cần số liệu gốc."})
    assert returned.json()["status"] == "returned"
    assert returned.json()["reviewer_comment"] == "Tỷ lệ hồ sơ công việc cần số liệu gốc."

    corrected = [{"indicator": "cq_ho_so_cong_viec_truc_tuyen_rate", "level": "commune", "numerator": 610,
                  "denominator": 1000}]
    assert _json(unit_admin, "put", f"{path}/values", {"values": corrected}).status_code == 200
    assert _json(unit_admin, "post", f"{path}/submit").status_code == 200
    approved = _json(reviewer, "post", f"{path}/approve", {"comment": "Đạt yêu cầu."})
    assert approved.json()["status"] == "approved"

    value = IndicatorValue.objects.get(indicator__code="cq_ho_so_cong_viec_truc_tuyen_rate", unit=world.commune,
                                       level="commune", is_current=True)
    assert (value.source, value.value, value.report_id) == ("reported", 61.0, report.pk)
    payments = IndicatorValue.objects.get(indicator__code="xh_tai_khoan_thanh_toan_dien_tu_rate", unit=world.commune)
    assert payments.value == 62.0

    # Locked: neither values nor evidence can change any more.
    locked = _json(unit_admin, "put", f"{path}/values", {"values": VALUES})
    assert locked.status_code == 409 and "khóa" in locked.json()["message"]
    assert _json(reviewer, "post", f"{path}/return", {"comment": "Muộn"}).status_code == 409

    actions = list(AuditEvent.objects.filter(object_type="indicators.unitreport", object_id=str(report.pk))
                   .order_by("seq").values_list("action", flat=True))
    assert actions == ["indicators.report.create", "indicators.report.values", "indicators.report.evidence",
                       "indicators.report.submit", "indicators.report.return", "indicators.report.values",
                       "indicators.report.submit", "indicators.report.approve"]

    download = unit_admin.get(f"{path}/evidence/{ReportEvidence.objects.get().pk}")
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert world.client_for("other_unit_officer").get(f"{path}/evidence/1").status_code == 404


def test_a_correction_after_approval_is_a_new_version_with_who_and_why(world, report):
    from tinhso.indicators.services import report_approve, report_save_values, report_submit

    report_save_values(actor=world.users["unit_admin"], report=report, values=VALUES)
    report_submit(actor=world.users["unit_admin"], report=report)
    report_approve(actor=world.users["province_admin"], report=report)
    value = IndicatorValue.objects.get(indicator__code="kt_doanh_nghiep_cong_nghe_so_rate", unit=world.commune)
    response = _json(world.client_for("province_admin"), "post", f"{BASE}/values/{value.pk}/corrections",
                     {"value": 42, "reason": "Số liệu Cục Thống kê công bố lại"})
    assert response.status_code == 201 and response.json()["version"] == 2
    versions = world.client_for("province_admin").get(f"{BASE}/values/{value.pk}/versions").json()
    assert [(v["version"], v["value"], v["is_current"]) for v in versions] == [(1, 40, False), (2, 42, True)]
    assert IndicatorValue.objects.get(pk=response.json()["id"]).created_by == world.users["province_admin"]
    assert versions[1]["reason"] == "Số liệu Cục Thống kê công bố lại"


def test_a_percentage_over_100_gets_a_422_and_nothing_is_written(world, report):
    response = _json(world.client_for("unit_admin"), "put", f"{BASE}/reports/{report.pk}/values",
                     {"values": [VALUES[1], {"indicator": "kt_doanh_nghiep_cong_nghe_so_rate", "value": 120}]})
    assert response.status_code == 422
    assert "không được vượt quá 100" in response.json()["errors"]["values.1.value"][0]
    assert not UnitReportValue.objects.exists()


def test_a_report_for_a_period_not_yet_open_is_refused(world, definitions):
    form = ReportForm.objects.get(code="cds-xa-nam")
    later = report_period_create(actor=None, form=form, period=year_period(2026), opens_on=date(2027, 1, 1),
                                 deadline=date(2027, 1, 31))
    response = _json(world.client_for("unit_admin"), "post", f"{BASE}/reports",
                     {"period_id": later.pk, "unit": world.commune.code})
    assert response.status_code == 422 and "chưa mở" in response.json()["message"]
    assert not UnitReport.objects.exists()


@pytest.mark.parametrize("name,content", [
    ("bao-cao.pdf", b"day la van ban thuong, khong phai PDF"),
    ("anh.png", b"GIF89a\x01\x00\x01\x00"),
    ("bang.xlsx", b"PK\x03\x04 not really a zip"),
])
def test_evidence_of_a_wrong_type_is_refused_by_content(world, report, name, content):
    response = world.client_for("unit_admin").post(f"{BASE}/reports/{report.pk}/evidence",
                                                   {"file": io.BytesIO(content), "name": name})
    assert response.status_code == 422
    assert "PDF, JPEG, PNG, XLSX hoặc DOCX" in response.json()["errors"]["file"][0]
    assert not ReportEvidence.objects.exists()


def test_xlsx_evidence_is_accepted(world, report):
    response = world.client_for("unit_admin").post(f"{BASE}/reports/{report.pk}/evidence",
                                                   {"file": io.BytesIO(_xlsx()), "name": "so-lieu.xlsx"})
    assert response.status_code == 201 and response.json()["original_name"] == "so-lieu.xlsx"


def test_computed_indicators_cannot_be_typed_in(world, report):
    form = report.period.form
    form.indicators.add(*__import__("tinhso.indicators.models", fromlist=["Indicator"]).Indicator.objects.filter(
        code="cq_ho_so_tthc_truc_tuyen_rate"))
    response = _json(world.client_for("unit_admin"), "put", f"{BASE}/reports/{report.pk}/values",
                     {"values": [{"indicator": "cq_ho_so_tthc_truc_tuyen_rate", "value": 99}]})
    assert response.status_code == 422 and "không được nhập tay" in json.dumps(response.json(), ensure_ascii=False)


def test_officer_of_other_unit_gets_404_on_a_report(world, report):
    assert world.client_for("other_unit_officer").get(f"{BASE}/reports/{report.pk}").status_code in (403, 404)


def test_unit_admin_cannot_approve_its_own_report(world, report):
    from tinhso.indicators.services import report_save_values, report_submit

    report_save_values(actor=world.users["unit_admin"], report=report, values=VALUES)
    report_submit(actor=world.users["unit_admin"], report=report)
    response = _json(world.client_for("unit_admin"), "post", f"{BASE}/reports/{report.pk}/approve")
    assert response.status_code == 403


def test_completeness_counts_units_submitted_on_time(world, report, settings):
    from tinhso.indicators.services import report_save_values, report_submit

    settings.TINHSO_PROVINCE_CODE = world.province.code
    report_save_values(actor=world.users["unit_admin"], report=report, values=VALUES)
    report_submit(actor=world.users["unit_admin"], report=report)
    data = world.client_for("province_admin").get(f"{BASE}/report-periods/{report.period_id}/completeness").json()
    assert (data["expected"], data["submitted"], data["submitted_on_time"]) == (2, 1, 1)
    assert data["summary"] == "1/2 đơn vị gửi báo cáo đúng hạn"


def test_unit_pages_fill_submit_and_review(world, report):
    client = world.client_for("unit_admin")
    page = client.get(f"/chi-so/bao-cao/{report.pk}/")
    assert page.status_code == 200 and "Báo cáo chỉ tiêu chuyển đổi số hằng năm (cấp xã)" in page.text
    form = {"action": "save", "v0_value": "120"}  # the first row is a percentage
    bad = client.post(f"/chi-so/bao-cao/{report.pk}/", form)
    assert bad.status_code == 422 and "không được vượt quá 100" in bad.text
    from tinhso.indicators.selectors import report_detail

    typed = {"cq_ho_so_cong_viec_truc_tuyen_rate": "55", "xh_ho_gia_dinh_bang_rong_rate": "91,5",
             "xh_tai_khoan_thanh_toan_dien_tu_rate": "62", "kt_doanh_nghiep_cong_nghe_so_rate": "40"}
    data = {"action": "save", "note": ""}
    for index, item in enumerate(report_detail(report=report)["items"]):
        data[f"v{index}_value"] = typed[item["indicator"]]
    assert client.post(f"/chi-so/bao-cao/{report.pk}/", data).status_code == 302
    assert UnitReportValue.objects.get(report=report, indicator__code="xh_ho_gia_dinh_bang_rong_rate").value == 91.5
    client.post(f"/chi-so/bao-cao/{report.pk}/", {"action": "submit"})
    reviewer = world.client_for("province_admin")
    assert "Duyệt và khóa" in reviewer.get(f"/chi-so/bao-cao/{report.pk}/").text
    reviewer.post(f"/chi-so/bao-cao/{report.pk}/", {"action": "return", "comment": "Thiếu minh chứng"})
    report.refresh_from_db()
    assert (report.status, report.reviewer_comment) == ("returned", "Thiếu minh chứng")
    assert "Thiếu minh chứng" in client.get("/chi-so/bao-cao/").text or report.status == "returned"
