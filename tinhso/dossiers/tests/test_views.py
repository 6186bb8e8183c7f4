"""The pages: the whole way of a dossier through the browser-facing views (the Playwright test drives the same)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tinhso.dossiers.choices import Status
from tinhso.dossiers.models import Dossier

from .factories import PDF, PHONE, justice_procedure, make_dossier

pytestmark = pytest.mark.smoke
HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "dossier-panel"}


def _form(world, **overrides):
    data = {"applicant_name": "Nguyễn Thị Dân", "applicant_citizen_id": "038190000001",
            "applicant_phone": PHONE, "applicant_unit_code": world.commune.code, "applicant_address": "Thôn 3",
            "fd_ho_ten_nguoi_duoc_cap": "Nguyễn Thị Dân", "fd_so_ban": "1"}
    data.update(overrides)
    return data


def _act(client, code, action, htmx=True, **data):
    return client.post(reverse("dossiers:act", args=[code]), {"action": action, **data}, **(HTMX if htmx else {}))


def test_whole_way_through_the_pages(world):
    procedure = justice_procedure(world)
    citizen = world.client_for("citizen")
    page = citizen.get(reverse("dossiers:submit", args=[procedure.code]))
    assert page.status_code == 200
    assert "Nộp hồ sơ" in page.content.decode() and "Họ tên người được cấp" in page.content.decode()
    response = citizen.post(reverse("dossiers:submit", args=[procedure.code]), _form(
        world, paper_1=SimpleUploadedFile("don.pdf", PDF, content_type="application/pdf")))
    assert response.status_code == 302
    dossier = Dossier.objects.get()
    assert response["Location"] == reverse("dossiers:receipt", args=[dossier.code])
    receipt = citizen.get(response["Location"]).content.decode()
    assert dossier.code in receipt and "GIẤY XÁC NHẬN NỘP HỒ SƠ TRỰC TUYẾN" in receipt

    clerk = world.client_for("receiving_officer")
    queue = clerk.get(reverse("dossiers:queue"), {"queue": "new"}).content.decode()
    assert dossier.code in queue
    detail = clerk.get(reverse("dossiers:detail", args=[dossier.code])).content.decode()
    assert ">Tiếp nhận</button>" in detail
    done = _act(clerk, dossier.code, "receive", expected_status="submitted")
    assert done.status_code == 200 and "Đã tiếp nhận hồ sơ." in done.content.decode()
    assert "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in clerk.get(
        reverse("dossiers:receipt", args=[dossier.code])).content.decode()

    officer = world.client_for("processing_officer")
    assert ">Yêu cầu bổ sung</button>" in officer.get(reverse("dossiers:detail", args=[dossier.code])).content.decode()
    assert _act(officer, dossier.code, "request_supplement", note="Bổ sung bản sao CCCD").status_code == 200

    mine = citizen.get(reverse("dossiers:detail", args=[dossier.code])).content.decode()
    assert "Bổ sung bản sao CCCD" in mine and ">Nộp bổ sung</button>" in mine
    supplemented = _act(citizen, dossier.code, "supplement", htmx=False, note="Đã bổ sung",
                        files=SimpleUploadedFile("cccd.pdf", PDF, content_type="application/pdf"))
    assert supplemented.status_code == 302

    leader = world.client_for("agency_leader")
    assert ">Phê duyệt</button>" in leader.get(reverse("dossiers:detail", args=[dossier.code])).content.decode()
    assert _act(leader, dossier.code, "approve").status_code == 200
    assert _act(officer, dossier.code, "issue_result").status_code == 200
    assert _act(clerk, dossier.code, "return_result").status_code == 200

    returned = citizen.get(reverse("dossiers:detail", args=[dossier.code])).content.decode()
    assert "Đã trả kết quả" in returned and ">Gửi đánh giá</button>" in returned
    rated = citizen.post(reverse("dossiers:rate", args=[dossier.code]), {"score": "5", "comment": "Tốt"}, **HTMX)
    assert rated.status_code == 200 and "Cảm ơn bạn đã đánh giá." in rated.content.decode()
    dossier.refresh_from_db()
    assert dossier.status == Status.RETURNED and dossier.rating.score == 5
    assert [e.action for e in dossier.events.all()] == [
        "submit", "receive", "request_supplement", "supplement", "approve", "issue_result", "return_result", "rate"]


def test_tracking_by_code_and_phone_shows_the_status_to_an_anonymous_visitor_without_actions(world):
    # Read-only on purpose (issue 7): supplementing or withdrawing needs the logged-in applicant.
    dossier = make_dossier(world, status=Status.SUPPLEMENT_REQUESTED, applicant_user=None)
    visitor = world.client_for("anonymous")
    assert visitor.get(reverse("dossiers:detail", args=[dossier.code])).status_code == 404
    wrong = visitor.post(reverse("dossiers:track"), {"code": dossier.code, "phone": "0999999999"})
    assert wrong.status_code == 404 and "Không tìm thấy hồ sơ" in wrong.content.decode()
    found = visitor.post(reverse("dossiers:track"), {"code": dossier.code, "phone": PHONE})
    assert found.status_code == 200
    page = found.content.decode()
    assert "Chờ bổ sung" in page and ">Nộp bổ sung</button>" not in page
    assert visitor.get(reverse("dossiers:detail", args=[dossier.code])).status_code == 404


def test_counter_reception_with_digitised_papers_prints_form_01(world):
    procedure = justice_procedure(world)
    clerk = world.client_for("receiving_officer")
    chooser = clerk.get(reverse("dossiers:counter"))
    assert chooser.status_code == 200 and procedure.code in chooser.content.decode()
    url = reverse("dossiers:counter") + f"?procedure_code={procedure.code}&channel=direct"
    assert "Tiếp nhận hồ sơ" in clerk.get(url).content.decode()
    response = clerk.post(url, {**_form(world), "procedure_code": procedure.code, "channel": "direct",
                                "paper_1_received": "on", "paper_1_originals": "1",
                                "paper_1": SimpleUploadedFile("scan.pdf", PDF, content_type="application/pdf")})
    assert response.status_code == 302, response.content.decode()[:2000]
    dossier = Dossier.objects.get()
    assert dossier.status == Status.RECEIVED and dossier.has_digitised_attachments
    slip = clerk.get(response["Location"]).content.decode()
    assert "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in slip and "Tờ khai theo mẫu" in slip


def test_citizen_cannot_open_the_counter(world):
    assert world.client_for("citizen").get(reverse("dossiers:counter")).status_code == 404


def test_bad_file_on_the_page_shows_a_vietnamese_error_and_writes_nothing(world):
    procedure = justice_procedure(world)
    response = world.client_for("citizen").post(reverse("dossiers:submit", args=[procedure.code]), _form(
        world, paper_1=SimpleUploadedFile("gia.pdf", b"hello", content_type="application/pdf")))
    assert response.status_code == 422
    assert "không phải PDF, JPEG hoặc PNG" in response.content.decode()
    assert Dossier.objects.count() == 0


def test_invalid_citizen_id_on_the_page(world):
    procedure = justice_procedure(world)
    response = world.client_for("citizen").post(reverse("dossiers:submit", args=[procedure.code]),
                                                _form(world, applicant_citizen_id="12", paper_1=SimpleUploadedFile(
                                                    "don.pdf", PDF, content_type="application/pdf")))
    assert response.status_code == 422
    page = response.content.decode()
    assert "12 chữ số" in page
    # The error summary lists what to fix, linked to the field, which says it is invalid and why.
    assert 'id="error-summary"' in page and 'href="#id_applicant_citizen_id"' in page
    assert 'aria-invalid="true"' in page and 'aria-describedby="id_applicant_citizen_id_error"' in page
    assert 'id="id_applicant_citizen_id_error"' in page
    assert 'id="required-legend"' in page and '<span class="required" aria-hidden="true">*</span>' in page


def test_unknown_procedure_page_is_404(world):
    assert world.client_for("citizen").get(reverse("dossiers:submit", args=["0.000000"])).status_code == 404


def test_htmx_action_error_is_shown_in_the_panel_with_a_4xx(world):
    dossier = make_dossier(world, status=Status.IN_PROGRESS)
    response = _act(world.client_for("processing_officer"), dossier.code, "request_supplement", note="")
    assert response.status_code == 422
    assert "Cần nhập" in response.content.decode()
    stale = _act(world.client_for("agency_leader"), dossier.code, "approve", expected_status="received")
    assert stale.status_code == 409 and "vừa được người khác xử lý" in stale.content.decode()


def test_officer_of_other_unit_gets_404(world):
    dossier = make_dossier(world)
    assert world.client_for("other_unit_officer").get(reverse("dossiers:detail", args=[dossier.code])
                                                      ).status_code == 404


def test_queue_tabs_count_each_queue(world):
    from datetime import timedelta

    from django.utils import timezone

    make_dossier(world, status=Status.IN_PROGRESS, due_at=timezone.now() - timedelta(hours=1))
    make_dossier(world, status=Status.SUPPLEMENT_REQUESTED)
    page = world.client_for("agency_leader").get(reverse("dossiers:queue")).content.decode()
    assert "Quá hạn (1)" in page and "Chờ công dân bổ sung (1)" in page
    partial = world.client_for("agency_leader").get(reverse("dossiers:queue"), {"queue": "overdue"},
                                                    HTTP_HX_REQUEST="true", HTTP_HX_TARGET="queue-results")
    assert partial.content.decode().startswith('<div id="queue-results">')


def test_home_sends_each_person_to_their_page(world):
    assert world.client_for("receiving_officer").get(reverse("dossiers:home"))["Location"] == reverse(
        "dossiers:queue")
    assert world.client_for("citizen").get(reverse("dossiers:home"))["Location"] == reverse("dossiers:mine")
    assert world.client_for("anonymous").get(reverse("dossiers:home"))["Location"] == reverse("dossiers:track")
    assert world.client_for("citizen").get(reverse("dossiers:mine")).status_code == 200
