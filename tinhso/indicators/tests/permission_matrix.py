"""Every indicators API route × persona. Province-level reads are public; below the province a staff role;
reports belong to the administrators of the unit; reviewing, periods, rankings and corrections to the province."""

from datetime import date

from tests.matrix import EVERYONE, Request, case
from tinhso.core.tests import samples

BASE = "/api/v1/indicators"
STAFF = EVERYONE - {"anonymous", "citizen"}
ADMINS = {"unit_admin", "province_admin"}
PROVINCE = {"province_admin"}
PDF = samples.PDF
VALUES = [{"indicator": "cq_ho_so_cong_viec_truc_tuyen_rate", "level": "commune", "value": 55},
          {"indicator": "xh_ho_gia_dinh_bang_rong_rate", "value": 91.5},
          {"indicator": "xh_tai_khoan_thanh_toan_dien_tu_rate", "value": 62},
          {"indicator": "kt_doanh_nghiep_cong_nghe_so_rate", "value": 40}]


def _defs(w):
    from tinhso.indicators.models import Indicator
    from tinhso.indicators.services import definitions_load

    if not Indicator.objects.exists():
        definitions_load(actor=None)


def _province_value(w):
    from tinhso.core.periods import year_period
    from tinhso.indicators.models import Indicator, IndicatorValue
    from tinhso.indicators.services import NewValue, store_values

    _defs(w)
    indicator = Indicator.objects.get(code="kt_kinh_te_so_grdp_share")
    store_values(actor=None, reason="", values=[NewValue(indicator=indicator, period=year_period(2024), value=9,
                                                         source="published", unit_id=w.province.pk)])
    return IndicatorValue.objects.get(indicator=indicator, unit=w.province, is_current=True)


def _period(w, form="cds-xa-nam", open_now=True, year=2025):
    from tinhso.core.periods import year_period
    from tinhso.indicators.models import ReportForm
    from tinhso.indicators.services import report_period_create

    _defs(w)
    return report_period_create(actor=None, form=ReportForm.objects.get(code=form), period=year_period(year),
                                opens_on=date(2026, 1, 1), deadline=date(2099, 1, 31), open_now=open_now)


def _report(w, *, values=False, submitted=False):
    from tinhso.indicators.services import report_create, report_save_values, report_submit

    report = report_create(actor=w.users["unit_admin"], period=_period(w), unit=w.commune)
    if values or submitted:
        report_save_values(actor=w.users["unit_admin"], report=report, values=VALUES)
    if submitted:
        report_submit(actor=w.users["unit_admin"], report=report)
    return report


def _evidence(w):
    from tinhso.indicators.services import report_add_evidence

    report = _report(w)
    evidence = report_add_evidence(actor=w.users["unit_admin"], report=report, name="bien-ban.pdf", content=PDF)
    return f"{BASE}/reports/{report.pk}/evidence/{evidence.pk}"


def _get(path, **query):
    return lambda w: (_defs(w), Request(path, query=query))[1]


MATRIX = {
    ("GET", f"{BASE}/definitions"): case(_get(f"{BASE}/definitions", pillar="kinh_te_so"), EVERYONE),
    ("GET", f"{BASE}/definitions/{{code}}"): case(_get(f"{BASE}/definitions/cq_tthc_dung_han_rate"), EVERYONE),
    ("GET", f"{BASE}/definitions/{{code}}/history"): case(
        _get(f"{BASE}/definitions/cq_tthc_dung_han_rate/history"), EVERYONE),
    # Below the province (communes, agencies) needs a staff role.
    ("GET", f"{BASE}/definitions/{{code}}/breakdown"): case(
        _get(f"{BASE}/definitions/cq_tthc_dung_han_rate/breakdown", period="2025", by="commune"), STAFF),
    ("GET", f"{BASE}/values"): case(_get(f"{BASE}/values", period="2024"), EVERYONE),
    ("GET", f"{BASE}/values/{{value_id}}/versions"): case(
        lambda w: Request(f"{BASE}/values/{_province_value(w).pk}/versions"), EVERYONE),
    ("POST", f"{BASE}/values/{{value_id}}/corrections"): case(
        lambda w: Request(f"{BASE}/values/{_province_value(w).pk}/corrections",
                          json={"value": 9.5, "reason": "Số liệu chính thức của Cục Thống kê"}), PROVINCE),
    ("GET", f"{BASE}/overview"): case(_get(f"{BASE}/overview", year="2024"), EVERYONE),
    ("GET", f"{BASE}/statuses"): case(_get(f"{BASE}/statuses", year="2024"), EVERYONE),
    ("GET", f"{BASE}/targets"): case(_get(f"{BASE}/targets", year="2025"), EVERYONE),
    ("GET", f"{BASE}/frameworks"): case(_get(f"{BASE}/frameworks"), EVERYONE),
    ("GET", f"{BASE}/frameworks/{{code}}"): case(_get(f"{BASE}/frameworks/qd766"), EVERYONE),
    ("GET", f"{BASE}/frameworks/{{code}}/rankings"): case(
        _get(f"{BASE}/frameworks/dti-tinh/rankings", period="2025"), EVERYONE),
    ("GET", f"{BASE}/frameworks/{{code}}/agency-rankings"): case(
        _get(f"{BASE}/frameworks/qd766/agency-rankings", period="2025", group="ubnd-xa"), STAFF),
    ("POST", f"{BASE}/frameworks/{{code}}/rankings"): case(
        lambda w: (_defs(w), Request(f"{BASE}/frameworks/qd766/rankings", json={"period": "2025"}))[1], PROVINCE),
    ("GET", f"{BASE}/report-periods"): case(lambda w: (_period(w), Request(f"{BASE}/report-periods"))[1], ADMINS),
    ("POST", f"{BASE}/report-periods"): case(
        lambda w: (_defs(w), Request(f"{BASE}/report-periods", json={
            "form": "cds-tinh-nam", "period": "2025", "opens_on": "2026-01-01", "deadline": "2026-03-31"}))[1],
        PROVINCE),
    ("POST", f"{BASE}/report-periods/{{period_id}}/status"): case(
        lambda w: Request(f"{BASE}/report-periods/{_period(w, open_now=False).pk}/status", json={"status": "open"}),
        PROVINCE),
    ("GET", f"{BASE}/report-periods/{{period_id}}/completeness"): case(
        lambda w: Request(f"{BASE}/report-periods/{_period(w).pk}/completeness"), ADMINS),
    ("GET", f"{BASE}/reports"): case(lambda w: (_report(w), Request(f"{BASE}/reports"))[1], ADMINS),
    ("POST", f"{BASE}/reports"): case(
        lambda w: Request(f"{BASE}/reports", json={"period_id": _period(w).pk, "unit": w.commune.code}), ADMINS),
    ("GET", f"{BASE}/reports/{{report_id}}"): case(lambda w: Request(f"{BASE}/reports/{_report(w).pk}"), ADMINS),
    ("PUT", f"{BASE}/reports/{{report_id}}/values"): case(
        lambda w: Request(f"{BASE}/reports/{_report(w).pk}/values", json={"values": VALUES}), ADMINS),
    ("POST", f"{BASE}/reports/{{report_id}}/submit"): case(
        lambda w: Request(f"{BASE}/reports/{_report(w, values=True).pk}/submit"), ADMINS),
    ("POST", f"{BASE}/reports/{{report_id}}/return"): case(
        lambda w: Request(f"{BASE}/reports/{_report(w, submitted=True).pk}/return",
                          json={"comment": "Thiếu minh chứng"}), PROVINCE),
    ("POST", f"{BASE}/reports/{{report_id}}/approve"): case(
        lambda w: Request(f"{BASE}/reports/{_report(w, submitted=True).pk}/approve", json={}), PROVINCE),
    ("POST", f"{BASE}/reports/{{report_id}}/evidence"): case(
        lambda w: Request(f"{BASE}/reports/{_report(w).pk}/evidence",
                          files={"file": ("bien-ban.pdf", PDF, "application/pdf")}), ADMINS),
    ("GET", f"{BASE}/reports/{{report_id}}/evidence/{{evidence_id}}"): case(lambda w: Request(_evidence(w)), ADMINS),
}
