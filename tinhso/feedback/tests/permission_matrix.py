"""Feedback API routes × personas. The report is routed to the Department of Justice (the province-level
fallback), whose processing officer and leader act on it; the province administrator may act on every report."""

from django.contrib.auth.models import AnonymousUser

from tests.matrix import EVERYONE, Request, case
from tinhso.feedback import services

OFFICERS = {"receiving_officer", "processing_officer", "agency_leader", "other_unit_officer", "province_admin"}
JUSTICE = {"processing_officer", "agency_leader", "province_admin"}


def _report(w):
    admin = w.users["province_admin"]
    service = services.service_upsert(actor=admin, code="duong-hong", name="Đường hư hỏng",
                                      fallback_agency_code=w.justice.identifier_code)
    report, _ = services.report_submit(actor=AnonymousUser(), service_code=service.code, description="Ổ gà",
                                       commune_code=w.commune.code)
    return report


MATRIX = {
    ("GET", "/api/v1/feedback/services"): case(lambda w: Request("/api/v1/feedback/services"), EVERYONE),
    ("GET", "/api/v1/feedback/reports"): case(lambda w: Request("/api/v1/feedback/reports", query={"q": "o ga"}),
                                              OFFICERS),
    ("GET", "/api/v1/feedback/reports/{code}"): case(
        lambda w: Request(f"/api/v1/feedback/reports/{_report(w).code}"), JUSTICE),
    ("GET", "/api/v1/feedback/reports/{code}/events"): case(
        lambda w: Request(f"/api/v1/feedback/reports/{_report(w).code}/events"), JUSTICE),
    ("POST", "/api/v1/feedback/reports/{code}/actions"): case(
        lambda w: Request(f"/api/v1/feedback/reports/{_report(w).code}/actions", json={"action": "verify"}),
        JUSTICE),
    ("POST", "/api/v1/feedback/reports/{code}/comments"): case(
        lambda w: Request(f"/api/v1/feedback/reports/{_report(w).code}/comments",
                          json={"note": "Đề nghị bổ sung vị trí"}), JUSTICE),
}
