"""Public tracking by dossier code + the applicant's phone: throttled, audited, read-only.

What a visitor who knows both sees: the status, the timeline and the appointment (due date, new date after an
apology letter, when the result was returned). Not the address, the form data or the attachments, and no
action: withdrawing or supplementing needs the logged-in applicant. Wrong pairs are counted per code and per
client address (tinhso.core.throttle) and each is written to the audit log.
"""

from django.db import transaction

from tinhso.audit.services import audit_record
from tinhso.core.exceptions import NotFound
from tinhso.core.throttle import throttle_check, throttle_failure, throttle_reset

from . import selectors, workflow
from .choices import status_label
from .models import Dossier


def _keys(code: str, ip_address: str) -> dict[str, str]:
    return {"tracking.code": (code or "").strip().upper()[:40], "tracking.address": ip_address or "-"}


def dossier_track_public(*, actor, code: str, phone: str, ip_address: str = "") -> Dossier:
    """The dossier when code and phone match; `NotFound` otherwise, `Throttled` after too many failures."""
    keys = _keys(code, ip_address)
    throttle_check(keys=keys)
    try:
        dossier = selectors.dossier_track(code=code, phone=phone)
    except NotFound:
        with transaction.atomic():
            reached = throttle_failure(keys=keys)
            summary = f"Tra cứu hồ sơ “{keys['tracking.code']}” với mã hoặc số điện thoại không khớp"
            if reached:
                summary += " — đã tạm khóa tra cứu (" + ", ".join(
                    "theo mã hồ sơ" if n == "tracking.code" else "theo địa chỉ truy cập" for n in reached) + ")"
            audit_record(actor=actor, action="dossiers.track.failed", object_type="dossiers.dossier",
                         object_label=keys["tracking.code"], summary=summary, ip_address=ip_address,
                         changes={"throttled": reached} if reached else None)
        raise
    throttle_reset(name="tracking.code", key=keys["tracking.code"])
    return dossier


def tracking_summary(dossier: Dossier) -> dict:
    """The read-only view of a tracked dossier, shared by the page and the API."""
    request_event = selectors.last_event(dossier=dossier, action="request_supplement")
    events = [{"at": e.at, "action_label": workflow.EVENT_LABELS.get(e.action, e.action),
               "status_label": status_label(e.to_status)}
              for e in selectors.dossier_events(dossier=dossier)]
    return {"code": dossier.code, "procedure_name": dossier.procedure.name,
            "receiving_agency": dossier.receiving_agency.name, "status": dossier.status,
            "status_label": dossier.get_status_display(), "submitted_at": dossier.submitted_at,
            "received_at": dossier.received_at, "due_at": dossier.due_at,
            "apology_due_at": dossier.apology_due_at, "returned_at": dossier.returned_at,
            "supplement_request": request_event.note if request_event else None, "events": events}
