"""The API face: the outgoing workflow end to end, verification, and bad input as Vietnamese 4xx with fields."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tinhso.documents.models import Document

from .helpers import current_pdf, signed_and_issued
from .pki import PASSPHRASE, make_ca


def post_action(client, doc_id, **payload):
    return client.post(f"/api/v1/documents/{doc_id}/actions", payload, content_type="application/json")


def test_the_outgoing_workflow_through_the_api(desk):
    from django.test import Client

    w = desk.world
    officer = w.client_for("processing_officer")
    response = officer.post("/api/v1/documents", {
        "agency_code": w.justice.identifier_code, "doc_type": "QĐ", "subject": "Quyết định thử nghiệm",
        "recipients": w.health.identifier_code, "signer_position": "Giám đốc",
        "main_file": SimpleUploadedFile("qd.pdf", desk.draft_pdf("QUYẾT ĐỊNH"), "application/pdf")})
    assert response.status_code == 201, response.content
    doc_id = response.json()["id"]
    assert post_action(officer, doc_id, action="submit_review").json()["status"] == "in_review"
    leader = w.client_for("agency_leader")
    assert post_action(leader, doc_id, action="leader_sign", key_id=desk.leader_key.pk,
                       passphrase=PASSPHRASE).json()["status"] == "signed"
    clerk = Client()
    clerk.force_login(desk.clerk)
    issued = post_action(clerk, doc_id, action="issue", key_id=desk.agency_key.pk, passphrase=PASSPHRASE).json()
    assert issued["number_notation"] == "01/QĐ-STP"
    assert [s["ok"] for s in issued["signatures"]] == [True, True]
    sent = post_action(clerk, doc_id, action="send").json()
    assert sent["deliveries"][0]["status"] == "received"
    export = clerk.get(f"/api/v1/documents/{doc_id}/edxml")
    assert export.status_code == 200 and b"QCVN_102_2016" in export.content


@pytest.mark.smoke
def test_verify_reports_a_changed_file(desk):
    data = current_pdf(signed_and_issued(desk)) + b"\n%tail\n"
    response = desk.world.client_for("citizen").post("/api/v1/documents/verify", {
        "file": SimpleUploadedFile("x.pdf", data, "application/pdf")})
    body = response.json()
    assert response.status_code == 200 and body["signed"] and not body["ok"]
    assert "thêm dữ liệu sau khi ký" in body["message"]


@pytest.mark.smoke
def test_bad_input_gets_a_vietnamese_field_message_and_registers_nothing(desk):
    w = desk.world
    officer = w.client_for("processing_officer")
    response = officer.post("/api/v1/documents", {
        "agency_code": w.justice.identifier_code, "doc_type": "CV", "subject": "Công văn",
        "recipients": "999.99.99.H99",
        "main_file": SimpleUploadedFile("cv.pdf", desk.draft_pdf("CÔNG VĂN"), "application/pdf")})
    assert response.status_code == 422
    assert "999.99.99.H99" in response.json()["errors"]["recipients"][0]
    response = officer.post("/api/v1/documents", {
        "agency_code": w.justice.identifier_code, "doc_type": "XX", "subject": "Công văn",
        "main_file": SimpleUploadedFile("cv.pdf", desk.draft_pdf("CÔNG VĂN"), "application/pdf")})
    assert response.status_code == 422 and "Loại văn bản" in response.json()["errors"]["doc_type"][0]
    response = officer.post("/api/v1/documents/import", {
        "agency_code": w.justice.identifier_code, "file": SimpleUploadedFile("a.xml", b"<not-xml", "text/xml")})
    assert response.status_code == 422 and "XML" in response.json()["errors"]["file"][0]
    assert not Document.objects.exists()


@pytest.mark.smoke
def test_an_untrusted_certificate_upload_is_refused_with_a_field_message(desk):
    w = desk.world
    response = w.client_for("agency_leader").post("/api/v1/documents/signing-keys", {
        "owner": "person", "agency_code": w.justice.identifier_code, "label": "Khóa lạ", "passphrase": PASSPHRASE,
        "pkcs12": SimpleUploadedFile("k.p12", make_ca("CA lạ").pkcs12("Người lạ"), "application/x-pkcs12")})
    assert response.status_code == 422
    assert "chuỗi tin cậy" in response.json()["errors"]["pkcs12"][0]
