"""The dossier API: thin, over the same services and selectors as the pages."""

import json

from django.utils import timezone
from ninja import Query, Router, Status
from ninja.errors import ValidationError as NinjaValidationError
from pydantic import ValidationError as PydanticValidationError

from tinhso.api.schemas import ERROR_RESPONSES, ErrorOut
from tinhso.core.exceptions import ValidationError
from tinhso.core.pagination import paginate

from . import selectors, services, tracking, workflow
from .deadlines import acceptance_wait
from .filters import DossierFilter
from .schemas import (
    DossierDetailOut,
    DossierFilterIn,
    DossierIn,
    DossierPage,
    EventOut,
    RatingIn,
    RatingOut,
    TrackOut,
    TransitionIn,
)

router = Router()


def _agency(agency):
    return {"identifier_code": agency.identifier_code, "name": agency.name} if agency else None


def dossier_out(d) -> dict:
    return {
        "code": d.code, "procedure_code": d.procedure.code, "procedure_name": d.procedure.name,
        "receiving_agency": _agency(d.receiving_agency), "handling_agency": _agency(d.handling_agency),
        "channel": d.channel, "status": d.status, "status_label": d.get_status_display(),
        "applicant_name": d.applicant_name, "applicant_phone": d.applicant_phone,
        "applicant_unit_code": d.applicant_unit.code if d.applicant_unit else None,
        **{f: getattr(d, f) for f in (
            "submitted_at", "received_at", "clock_start_at", "due_at", "paused_at", "supplement_requested_at",
            "apology_due_at", "resolved_at", "timeliness", "result_issued_at", "returned_at", "withdrawn_at",
            "refused_at", "stopped_at", "has_digitised_attachments", "acceptance_due_at", "completion_requested_at",
            "supplemented_at")},
        **_acceptance(d),
    }


def _acceptance(d) -> dict:
    wait = acceptance_wait(d, now=timezone.now())
    return {"acceptance_wait_hours": wait.working_hours if wait else None,
            "acceptance_late": wait.late if wait else False}


def _ip(request) -> str:
    return request.META.get("REMOTE_ADDR", "")[:45]


def _parse_submission(request) -> tuple[dict, list]:
    """JSON without files, or multipart/form-data: the same fields as form fields (form_data as a JSON string
    or as `form_data.<name>` fields) plus `attachments` files."""
    content_type = request.content_type or ""
    files: list = []
    if content_type.startswith("multipart/form-data"):
        raw = {k: request.POST.get(k) for k in request.POST if not k.startswith("form_data")}
        form_data = {k.split(".", 1)[1]: v for k, v in request.POST.items() if k.startswith("form_data.")}
        if request.POST.get("form_data"):
            try:
                parsed = json.loads(request.POST["form_data"])
            except ValueError:
                raise ValidationError.for_field("form_data", "form_data phải là một đối tượng JSON.") from None
            if not isinstance(parsed, dict):
                raise ValidationError.for_field("form_data", "form_data phải là một đối tượng JSON.")
            form_data.update(parsed)
        raw["form_data"] = form_data
        files = request.FILES.getlist("attachments")
    else:
        try:
            raw = json.loads(request.body or b"null")
        except ValueError:
            raise ValidationError("Nội dung JSON không hợp lệ.") from None
        if not isinstance(raw, dict):
            raise ValidationError("Nội dung gửi lên phải là một đối tượng JSON.")
    try:
        payload = DossierIn.model_validate(raw)
    except PydanticValidationError as exc:
        raise NinjaValidationError([{**e, "loc": ("body", *e.get("loc", ()))} for e in exc.errors()]) from None
    return payload.dict(), files


_SUBMIT_BODY = {
    "requestBody": {"required": True, "content": {
        "application/json": {"schema": DossierIn.json_schema()},
        "multipart/form-data": {"schema": {
            "type": "object",
            "required": ["procedure_code", "applicant_name", "applicant_citizen_id", "applicant_phone",
                         "applicant_unit_code"],
            "properties": {
                **{k: {"type": "string", "maxLength": v.get("maxLength", 255)}
                   for k, v in DossierIn.json_schema()["properties"].items() if k != "form_data"},
                "form_data": {"type": "string", "description": "Tờ khai trực tuyến dạng JSON"},
                "attachments": {"type": "array", "items": {"type": "string", "format": "binary"},
                                "description": "PDF, JPEG hoặc PNG (kiểm tra theo nội dung), tối đa 10 MB mỗi tệp"},
            }}},
    }},
}


@router.post("/dossiers", response={201: DossierDetailOut, **ERROR_RESPONSES}, openapi_extra=_SUBMIT_BODY,
             summary="Nộp hồ sơ (trực tuyến; trực tiếp hoặc bưu chính khi là cán bộ một cửa)")
def submit_dossier(request):
    data, files = _parse_submission(request)
    dossier = services.dossier_submit(actor=request.user, attachments=files, ip_address=_ip(request), **data)
    return Status(201, _detail(request, dossier))


@router.get("/dossiers", response={200: DossierPage, **ERROR_RESPONSES}, summary="Danh sách hồ sơ trong phạm vi")
def list_dossiers(request, filters: Query[DossierFilterIn]):
    data = filters.dict()
    page_no, page_size = data.pop("page"), data.pop("page_size")
    qs = selectors.dossier_list(user=request.user, filters=DossierFilter(**data))
    page = paginate(qs, page=page_no, page_size=page_size)
    return page.as_dict(items=[dossier_out(d) for d in page.items])


@router.get("/dossiers/track", response={200: TrackOut, **ERROR_RESPONSES, 429: ErrorOut}, auth=None,
            summary="Tra cứu hồ sơ bằng mã hồ sơ và số điện thoại (chỉ xem; giới hạn số lần thử sai)")
def track_dossier(request, code: str = Query(..., max_length=40), phone: str = Query(..., max_length=20)):
    dossier = tracking.dossier_track_public(actor=request.user, code=code, phone=phone, ip_address=_ip(request))
    return tracking.tracking_summary(dossier)


def _attachment_names(dossier) -> list[str]:
    names = getattr(dossier, "attachment_names", None)  # read with the dossier by dossier_get
    if names is None:
        names = [a.original_name for a in selectors.dossier_attachments(dossier=dossier)]
    return names


def _detail(request, dossier) -> dict:
    return {**dossier_out(dossier), "applicant_citizen_id": dossier.applicant_citizen_id,
            "applicant_address": dossier.applicant_address, "applicant_email": dossier.applicant_email,
            "form_data": dossier.form_data,
            "attachments": _attachment_names(dossier),
            "allowed_actions": [t.name for t in selectors.actions_for(user=request.user, dossier=dossier)]}


@router.get("/dossiers/{code}", response={200: DossierDetailOut, **ERROR_RESPONSES}, summary="Chi tiết hồ sơ")
def get_dossier(request, code: str):
    return _detail(request, selectors.dossier_get(user=request.user, code=code, with_attachment_names=True))


@router.get("/dossiers/{code}/events", response={200: list[EventOut], **ERROR_RESPONSES},
            summary="Quá trình xử lý hồ sơ (phiếu kiểm soát, mẫu 06)")
def dossier_events(request, code: str):
    dossier = selectors.dossier_get(user=request.user, code=code)
    return [{"at": e.at, "action": e.action, "action_label": workflow.EVENT_LABELS.get(e.action, e.action),
             "from_status": e.from_status, "to_status": e.to_status, "actor": e.actor_label,
             "agency": _agency(e.agency), "to_agency": _agency(e.to_agency), "note": e.note}
            for e in selectors.dossier_events(dossier=dossier)]


@router.post("/dossiers/{code}/transitions", response={200: DossierDetailOut, **ERROR_RESPONSES},
             summary="Thực hiện một bước xử lý hồ sơ")
def transition_dossier(request, code: str, payload: TransitionIn):
    dossier = services.dossier_transition(actor=request.user, dossier_code=code, ip_address=_ip(request),
                                          **payload.dict())
    return _detail(request, dossier)


@router.post("/dossiers/{code}/rating", response={201: RatingOut, **ERROR_RESPONSES},
             summary="Đánh giá mức độ hài lòng (người nộp, sau khi nhận kết quả)")
def rate_dossier(request, code: str, payload: RatingIn):
    return Status(201, services.dossier_rate(actor=request.user, dossier_code=code, score=payload.score,
                                             comment=payload.comment, ip_address=_ip(request)))
