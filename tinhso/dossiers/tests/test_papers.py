"""Papers of the procedure on a dossier: one upload slot per paper online (required ones need their file), and the
counter's checklist with bản chính / bản sao counts, printed on form 01 with both signature blocks."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tinhso.core.exceptions import ValidationError
from tinhso.dossiers import services
from tinhso.dossiers.choices import Channel, Status
from tinhso.dossiers.models import Dossier, DossierAttachment, DossierPaper
from tinhso.dossiers.papers import PaperCheck, paper_required
from tinhso.procedures.models import ProcedurePaper

from .factories import PDF, PNG, justice_procedure, pdf, submission

pytestmark = pytest.mark.smoke


@pytest.fixture
def procedure(world):
    procedure = justice_procedure(world)
    ProcedurePaper.objects.create(procedure=procedure, position=2, name="Giấy ủy quyền (nếu có)", originals=0,
                                  copies=1)
    return procedure


@pytest.mark.parametrize(("name", "required"), [
    ("Tờ khai đăng ký khai sinh theo mẫu", True),
    ("Giấy tờ chứng minh đã ly hôn hoặc vợ/chồng đã chết (nếu có)", False),
    ("Văn bản ủy quyền (nếu người đi đăng ký là người được ủy quyền)", False),
    ("Giấy xác nhận tình trạng hôn nhân (khi một bên không thường trú)", False),
    ("Giấy xác nhận khuyết tật (đối với người khuyết tật)", False),
    ("Giấy chứng sinh hoặc giấy tờ thay thế Giấy chứng sinh", True),
])
def test_a_paper_with_a_condition_in_brackets_is_optional(name, required):
    assert paper_required(name) is required


def test_online_each_upload_belongs_to_its_paper_and_a_required_one_cannot_be_missing(world, procedure):
    citizen = world.users["citizen"]
    with pytest.raises(ValidationError) as exc:
        services.dossier_submit(actor=citizen, paper_files={2: [pdf("uy-quyen.pdf")]},
                                **submission(world, procedure))
    assert exc.value.field_errors == {"papers.1": ["Cần tải lên “Tờ khai theo mẫu”."]}
    assert not Dossier.objects.exists()
    dossier = services.dossier_submit(actor=citizen, paper_files={1: [pdf("to-khai.pdf")], 2: []},
                                      **submission(world, procedure))
    rows = list(dossier.papers.all())
    assert [(r.position, r.required, r.received) for r in rows] == [(1, True, True), (2, False, False)]
    [attachment] = DossierAttachment.objects.filter(dossier=dossier)
    assert attachment.paper == rows[0] and attachment.original_name == "to-khai.pdf"


def test_a_bad_file_in_one_slot_is_reported_on_that_paper(world, procedure):
    with pytest.raises(ValidationError) as exc:
        services.dossier_submit(actor=world.users["citizen"], paper_files={
            1: [SimpleUploadedFile("gia.pdf", b"hello", content_type="application/pdf")]},
            **submission(world, procedure))
    assert list(exc.value.field_errors) == ["papers.1"]


def _counter(world, procedure, checks, **kwargs):
    return services.dossier_submit(actor=world.users["receiving_officer"], channel=Channel.DIRECT,
                                   paper_checks=checks, **submission(world, procedure), **kwargs)


def test_counter_checklist_records_what_was_received_with_counts(world, procedure):
    dossier = _counter(world, procedure, {1: PaperCheck(received=True, originals=1, copies=2)},
                       paper_files={1: [SimpleUploadedFile("scan.png", PNG, content_type="image/png")]})
    assert dossier.status == Status.RECEIVED and dossier.has_digitised_attachments
    assert [(r.name, r.received, r.originals, r.copies) for r in dossier.papers.all()] == [
        ("Tờ khai theo mẫu", True, 1, 2), ("Giấy ủy quyền (nếu có)", False, 0, 0)]


@pytest.mark.parametrize(("checks", "missing", "message"), [
    ({1: PaperCheck(received=True)}, (), "nhập số bản chính hoặc bản sao"),
    ({1: PaperCheck(received=True, originals=1), 2: PaperCheck(copies=1)}, (), "đánh dấu đã nhận"),
    ({}, (), "Chưa nhận “Tờ khai theo mẫu” (bắt buộc)"),
])
def test_an_inconsistent_checklist_is_refused_in_vietnamese(world, procedure, checks, missing, message):
    with pytest.raises(ValidationError) as exc:
        _counter(world, procedure, checks, missing_items=missing)
    assert message in " ".join(m for ms in exc.value.field_errors.values() for m in ms)
    assert not DossierPaper.objects.exists()


def test_a_required_paper_not_received_is_fine_when_form_02_lists_what_to_complete(world, procedure):
    dossier = _counter(world, procedure, {}, missing_items=["Tờ khai theo mẫu"])
    assert dossier.status == Status.COMPLETION_REQUESTED
    assert [r.received for r in dossier.papers.all()] == [False, False]


def test_counter_page_ticks_papers_and_form_01_prints_them_with_both_signatures(world, procedure):
    clerk = world.client_for("receiving_officer")
    url = reverse("dossiers:counter") + f"?procedure_code={procedure.code}&channel=direct"
    page = clerk.get(url).content.decode()
    assert 'name="paper_1_received"' in page and 'name="paper_2_copies"' in page and 'name="paper_1"' in page
    form = {"applicant_name": "Nguyễn Thị Dân", "applicant_citizen_id": "038190000001",
            "applicant_phone": "0912345678", "applicant_unit_code": world.commune.code,
            "fd_ho_ten_nguoi_duoc_cap": "Nguyễn Thị Dân", "procedure_code": procedure.code, "channel": "direct"}
    bad = clerk.post(url, {**form, "paper_1_received": "on", "paper_1_originals": "x"})
    assert bad.status_code == 422 and "số bản chính phải là số nguyên" in bad.content.decode()
    response = clerk.post(url, {**form, "paper_1_received": "on", "paper_1_originals": "1", "paper_1_copies": "2",
                                "paper_1": SimpleUploadedFile("scan.pdf", PDF, content_type="application/pdf")})
    assert response.status_code == 302, response.content.decode()[:3000]
    slip = clerk.get(response["Location"]).content.decode()
    assert 'id="papers-received"' in slip
    assert "<td>Tờ khai theo mẫu</td><td>Đã nhận</td><td>1</td><td>2</td>" in slip
    assert "<td>Giấy ủy quyền (nếu có)</td><td>Chưa nhận</td><td>0</td><td>0</td>" in slip
    assert "NGƯỜI NỘP HỒ SƠ" in slip and "NGƯỜI TIẾP NHẬN HỒ SƠ" in slip
    assert world.users["receiving_officer"].display_name in slip
