"""Every write about dossiers: submission, the state machine's transitions, satisfaction ratings.

Each service validates everything before writing, then writes the dossier, its event and the audit record in one
transaction; a refused request leaves nothing behind (uploaded files written before a failure are deleted).
"""

import hashlib
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from tinhso.accounts import selectors as accounts_selectors
from tinhso.audit.services import audit_record
from tinhso.core import calendar
from tinhso.core.exceptions import Conflict, NotFound, PermissionDenied, ValidationError
from tinhso.core.files import JPEG, PDF, PNG, atomic_with_file_cleanup, sniff_file_type
from tinhso.core.identity import citizen_id_problem
from tinhso.core.transitions import transition_check, transition_lookup
from tinhso.org.choices import AgencyKind, UnitLevel
from tinhso.org.models import AdministrativeUnit, Agency
from tinhso.procedures.choices import FormFieldType, OnlineLevel, TimeUnit
from tinhso.procedures.models import Procedure

from . import dates, papers, selectors, workflow
from .choices import AttachmentKind, Channel, Status, Timeliness
from .models import (
    Dossier,
    DossierAttachment,
    DossierDaySequence,
    DossierEvent,
    DossierPaper,
    SatisfactionRating,
)

CONFLICT_MESSAGE = "Hồ sơ vừa được người khác xử lý, vui lòng tải lại trang để xem trạng thái mới nhất."
MAX_ATTACHMENTS = 20
MAX_NOTE = 4000
MAX_FORM_TEXT = 2000
PHONE_RE = re.compile(r"^(0[35789]\d{8}|02\d{9})$")  # mobile (10 digits) or landline (11 digits, 02x area code)
ATTACHMENT_TYPES = frozenset({PDF, JPEG, PNG})  # checked on content, never on the file name
# Declaration dates of events that already happened (the catalogue's field names: child_birth_date, death_date…).
PAST_DATE_SUFFIXES = ("birth_date", "death_date")

# Rules other apps add to the state machine without dossiers importing them (e.g. payments: a pay-first dossier is
# processed once paid). Each is called as guard(transition, dossier) inside the row lock and returns a Vietnamese
# refusal, or None to let the transition proceed.
TRANSITION_GUARDS: list = []


def transition_guard_register(guard) -> None:
    if guard not in TRANSITION_GUARDS:
        TRANSITION_GUARDS.append(guard)


def max_attachment_bytes() -> int:
    return int(getattr(settings, "TINHSO_MAX_ATTACHMENT_MB", 10)) * 1024 * 1024


# --- validation helpers ----------------------------------------------------------------------------------------
def normalize_phone(value: str | None) -> str:
    digits = re.sub(r"[\s.\-()]", "", value or "")
    if digits.startswith("+84"):
        digits = "0" + digits[3:]
    elif digits.startswith("84") and len(digits) in (11, 12):
        digits = "0" + digits[2:]
    return digits


def phone_problem(value: str) -> str | None:
    if not PHONE_RE.match(value):
        return "Số điện thoại không hợp lệ (ví dụ 0912345678 hoặc 02373852000)."
    return None


@dataclass
class CleanFile:
    name: str
    data: bytes
    content_type: str
    extension: str


def clean_attachments(files: Sequence, *, field: str = "attachments") -> list[CleanFile]:
    """PDF, JPEG or PNG recognised by their first bytes, within the size limit. Reads, never writes."""
    files = [f for f in (files or []) if f is not None]
    if len(files) > MAX_ATTACHMENTS:
        raise ValidationError.for_field(field, f"Chỉ được đính kèm tối đa {MAX_ATTACHMENTS} tệp.")
    limit = max_attachment_bytes()
    errors, out = [], []
    for f in files:
        name = (getattr(f, "name", "") or "tep").split("/")[-1].split("\\")[-1][:200]
        size = getattr(f, "size", None)
        if size is not None and size > limit:
            errors.append(f"Tệp “{name}” vượt quá dung lượng cho phép ({limit // (1024 * 1024)} MB).")
            continue
        data = f.read(limit + 1)
        if len(data) > limit:
            errors.append(f"Tệp “{name}” vượt quá dung lượng cho phép ({limit // (1024 * 1024)} MB).")
            continue
        if not data:
            errors.append(f"Tệp “{name}” rỗng.")
            continue
        kind = sniff_file_type(data, allowed=ATTACHMENT_TYPES)
        if kind is None:
            errors.append(f"Tệp “{name}” không phải PDF, JPEG hoặc PNG (hệ thống kiểm tra theo nội dung tệp, "
                          "không theo phần mở rộng).")
            continue
        out.append(CleanFile(name=name, data=data, content_type=kind.content_type, extension=f".{kind.extension}"))
    if errors:
        raise ValidationError(errors[0], field_errors={field: errors})
    return out


def _clean_form_data(procedure: Procedure, data: dict) -> tuple[dict, dict[str, list[str]]]:
    """The procedure's online form: required fields, select choices, dates, numbers. Unknown keys are dropped."""
    out, errors = {}, {}
    for f in procedure.form_fields.all():
        key = f"form_data.{f.name}"
        raw = data.get(f.name)
        if isinstance(raw, bool) or isinstance(raw, (dict, list)):
            errors[key] = [f"“{f.label}”: giá trị không hợp lệ."]
            continue
        value = "" if raw is None else str(raw).strip()
        if not value:
            if f.required:
                errors[key] = [f"Cần nhập “{f.label}”."]
            continue
        if len(value) > MAX_FORM_TEXT:
            errors[key] = [f"“{f.label}” quá dài (tối đa {MAX_FORM_TEXT} ký tự)."]
        elif f.field_type == FormFieldType.SELECT:
            choices = [str(c) for c in (f.choices or [])]
            if choices and value not in choices:
                errors[key] = [f"“{f.label}” phải là một trong: {', '.join(choices)}."]
            else:
                out[f.name] = value
        elif f.field_type == FormFieldType.DATE:
            try:
                parsed = dates.parse_date(value)
            except ValueError:
                errors[key] = [f"“{f.label}” phải là ngày hợp lệ, viết theo dạng ngày/tháng/năm (dd/mm/yyyy)."]
            else:
                # A birth or a death already happened: never a day after today.
                problem = dates.past_date_problem(parsed, label=f"“{f.label}”", today=timezone.localdate()) \
                    if f.name.endswith(PAST_DATE_SUFFIXES) else None
                if problem:
                    errors[key] = [problem]
                else:
                    out[f.name] = parsed.isoformat()
        elif f.field_type == FormFieldType.NUMBER:
            try:
                number = float(value.replace(",", "."))
            except ValueError:
                errors[key] = [f"“{f.label}” phải là số."]
            else:
                if number != number or number in (float("inf"), float("-inf")):
                    errors[key] = [f"“{f.label}” phải là số."]
                else:
                    out[f.name] = int(number) if number.is_integer() else number
        else:
            out[f.name] = value
    return out, errors


def _resolve_procedure(code: str) -> Procedure:
    procedure = Procedure.objects.filter(code=(code or "").strip(), is_active=True).first()
    if procedure is None:
        raise ValidationError.for_field("procedure_code", f"Không có thủ tục hành chính mã “{code}”.")
    return procedure


def _handling_agency(procedure: Procedure, *, agency_code: str, unit: AdministrativeUnit | None,
                     clerk_agencies: set[int]) -> Agency:
    agencies = list(procedure.agencies.filter(is_active=True).select_related("unit"))
    if agency_code:
        match = next((a for a in agencies if a.identifier_code == agency_code.strip().upper()), None)
        if match is None:
            raise ValidationError.for_field("agency_code", f"Cơ quan “{agency_code}” không thực hiện thủ tục này.")
        return match
    if len(agencies) == 1:
        return agencies[0]
    for candidates in ([a for a in agencies if a.id in clerk_agencies],
                       [a for a in agencies if unit is not None and a.unit_id == unit.id]):
        if len(candidates) == 1:
            return candidates[0]
    if not agencies:
        if clerk_agencies:
            return Agency.objects.filter(id__in=clerk_agencies).order_by("id").first()
        raise ValidationError.for_field("agency_code", "Thủ tục này chưa có cơ quan thực hiện.")
    raise ValidationError.for_field("agency_code", "Hãy chọn cơ quan giải quyết hồ sơ.")


def receiving_agency_for(handling: Agency) -> Agency:
    """Provincial procedures are received by the province's public administration service centre (one-stop);
    a commune's committee receives its own."""
    if handling.unit.level == UnitLevel.PROVINCE and handling.kind != AgencyKind.SERVICE_CENTRE:
        centre = Agency.objects.filter(unit=handling.unit, kind=AgencyKind.SERVICE_CENTRE,
                                       is_active=True).order_by("id").first()
        if centre is not None:
            return centre
    return handling


def _next_code(agency: Agency, day: date) -> str:
    """`{agency identifier}-{yymmdd}-{nnnn}`: the day's counter row stays locked until the dossier is committed,
    so numbers are unique and without gaps (a rolled-back submission gives its number back)."""
    for attempt in range(5):
        try:
            with transaction.atomic():
                sequence, _ = DossierDaySequence.objects.select_for_update().get_or_create(agency=agency, day=day)
            break
        except IntegrityError:  # another submission created the day's row first: lock theirs
            if attempt == 4:
                raise
    while True:
        sequence.last_number += 1
        code = f"{agency.identifier_code}-{day:%y%m%d}-{sequence.last_number:04d}"
        # Dossiers imported from an old system may already hold numbers of the day: never reuse one.
        if not Dossier.objects.filter(code=code).exists():
            break
    sequence.save(update_fields=["last_number"])
    return code


def due_at_for(procedure: Procedure, start: datetime) -> datetime:
    """The legal due time counted from the reception (tinhso.core.calendar: working days end at the close of the
    N-th working day; same-day procedures at the close of the day, or of the next one after the cut-off)."""
    return calendar.due_moment(start, procedure.processing_time, procedure.processing_time_unit)


def acceptance_due_at_for(submitted_at: datetime) -> datetime:
    """The time the one-stop has to accept (or send back) an online dossier: `TINHSO_ONLINE_ACCEPTANCE_HOURS`
    working hours, 8 by default. NĐ 61/2018/NĐ-CP Điều 19 as amended by NĐ 107/2021/NĐ-CP and NĐ 45/2020/NĐ-CP
    Điều 11: the one-stop checks an online dossier and receives it or tells the applicant what to complete; the
    8-working-hour limit is the one provinces publish in their one-stop rules [to check]."""
    hours = float(getattr(settings, "TINHSO_ONLINE_ACCEPTANCE_HOURS", 8))
    return calendar.add_working_time(submitted_at, hours=hours)


MAX_MISSING_ITEMS = 30


def clean_missing_items(items) -> list[str]:
    """The list of what is missing (form 02 at reception): one item per line or per list entry."""
    if isinstance(items, str):
        items = items.splitlines()
    out = [" ".join(str(i).split()) for i in (items or [])]
    out = [i for i in out if i]
    if len(out) > MAX_MISSING_ITEMS or any(len(i) > 500 for i in out):
        raise ValidationError.for_field("missing_items",
                                        f"Tối đa {MAX_MISSING_ITEMS} mục, mỗi mục tối đa 500 ký tự.")
    return out


def classify_timeliness(resolved_at: datetime, due_at: datetime | None) -> str:
    """early: resolved on a calendar day (local time) before the due day; on time: not after the due moment;
    late: after it. The legal due time is the one pushed by paused supplement time, never the apology date."""
    if due_at is None:
        return Timeliness.ON_TIME
    zone = calendar.local_zone()
    if resolved_at.astimezone(zone).date() < due_at.astimezone(zone).date():
        return Timeliness.EARLY
    return Timeliness.ON_TIME if resolved_at <= due_at else Timeliness.LATE


def _actor_label(actor, kinds: set[str] = frozenset()) -> str:
    if getattr(actor, "is_authenticated", False):
        return actor.display_name[:200]
    if workflow.ActorKind.APPLICANT in kinds:
        return "Người nộp hồ sơ (xác minh bằng mã hồ sơ và số điện thoại)"
    return "Hệ thống"


def _user_or_none(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def _store_files(dossier: Dossier, files: list[CleanFile], *, kind: str, actor, written: list,
                 paper: DossierPaper | None = None) -> None:
    for f in files:
        attachment = DossierAttachment(
            dossier=dossier, kind=kind, paper=paper, original_name=f.name[:255], content_type=f.content_type, size=len(f.data),
            sha256=hashlib.sha256(f.data).hexdigest(), uploaded_by=_user_or_none(actor))
        attachment.file.save(f"{uuid.uuid4().hex}{f.extension}", ContentFile(f.data), save=False)
        written.append(attachment.file.name)
        attachment.save()


# --- submission ------------------------------------------------------------------------------------------------
def dossier_submit(*, actor, procedure_code: str, applicant_name: str, applicant_citizen_id: str,
                   applicant_phone: str, applicant_unit_code: str, applicant_address: str = "",
                   applicant_email: str = "", applicant_birth_date: date | str | None = None,
                   form_data: dict | None = None, attachments: Sequence = (),
                   channel: str = Channel.ONLINE, agency_code: str = "", now: datetime | None = None,
                   ip_address: str = "", missing_items: Sequence[str] = (),
                   paper_files: dict[int, Sequence] | None = None,
                   paper_checks: dict[int, papers.PaperCheck] | None = None) -> Dossier:
    """File a dossier: online by the applicant (status submitted, waiting for the one-stop clerk), or at the
    counter / by post by a receiving officer (status received, attachments digitised at the counter).

    The deadline counts from the submission (online outside office hours: from the next opening, see
    tinhso.core.calendar), so the citizen gets the appointment date at once.

    Papers of the procedure: `paper_files` maps a paper's position to its uploads (one slot per paper; online, a
    required paper needs its file); `paper_checks` is the counter's checklist (received, bản chính / bản sao
    counts). Either records one `DossierPaper` per paper; files in `attachments` belong to no paper.
    """
    now = now or timezone.now()
    if not getattr(actor, "is_authenticated", False):
        raise PermissionDenied("Cần đăng nhập để nộp hồ sơ.")
    if channel not in Channel.values:
        raise ValidationError.for_field("channel", "Kênh nộp phải là online, direct hoặc postal.")
    procedure = _resolve_procedure(procedure_code)
    errors: dict[str, list[str]] = {}
    name = " ".join((applicant_name or "").split())
    if not name:
        errors["applicant_name"] = ["Cần nhập họ và tên người nộp."]
    elif len(name) > 150:
        errors["applicant_name"] = ["Họ và tên quá dài (tối đa 150 ký tự)."]
    citizen_id = (applicant_citizen_id or "").strip()
    if problem := citizen_id_problem(citizen_id):
        errors["applicant_citizen_id"] = [problem]
    phone = normalize_phone(applicant_phone)
    if problem := phone_problem(phone):
        errors["applicant_phone"] = [problem]
    email = (applicant_email or "").strip()
    if email and (len(email) > 254 or not re.match(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", email)):
        errors["applicant_email"] = ["Thư điện tử không hợp lệ."]
    birth_date = None
    try:
        birth_date = dates.parse_date(applicant_birth_date)
    except ValueError:
        errors["applicant_birth_date"] = ["Ngày sinh phải là ngày hợp lệ, viết theo dạng ngày/tháng/năm (dd/mm/yyyy)."]
    else:
        if problem := dates.past_date_problem(birth_date, label="Ngày sinh", today=timezone.localdate()):
            errors["applicant_birth_date"] = [problem]
    address = " ".join((applicant_address or "").split())
    if len(address) > 255:
        errors["applicant_address"] = ["Địa chỉ quá dài (tối đa 255 ký tự)."]
    unit = AdministrativeUnit.objects.filter(code=(applicant_unit_code or "").strip(), level=UnitLevel.COMMUNE,
                                             valid_to__isnull=True).select_related("parent").first()
    if unit is None:
        errors["applicant_unit_code"] = ["Hãy chọn xã, phường, đặc khu hiện hành nơi cư trú."]
    clean_data, form_errors = _clean_form_data(procedure, form_data or {})
    errors.update(form_errors)
    clerk_agencies = workflow.clerk_agency_ids(actor) if channel != Channel.ONLINE else set()
    if channel == Channel.ONLINE and procedure.online_level == OnlineLevel.NONE:
        errors["procedure_code"] = ["Thủ tục này chưa cung cấp dịch vụ công trực tuyến; hãy nộp trực tiếp."]
    if channel != Channel.ONLINE and not clerk_agencies:
        raise PermissionDenied("Chỉ cán bộ bộ phận một cửa được tiếp nhận hồ sơ trực tiếp hoặc qua bưu chính.")
    handling = None
    if not errors:
        try:
            handling = _handling_agency(procedure, agency_code=agency_code, unit=unit, clerk_agencies=clerk_agencies)
        except ValidationError as exc:
            errors.update(exc.field_errors)
    files = []
    try:
        files = clean_attachments(attachments)
    except ValidationError as exc:
        errors.update(exc.field_errors)
    missing = clean_missing_items(missing_items)
    online = channel == Channel.ONLINE
    procedure_papers = list(procedure.papers.all())
    by_paper: dict[int, list[CleanFile]] = {}
    for p in procedure_papers if paper_files is not None else ():
        key = f"papers.{p.position}"
        try:
            by_paper[p.position] = clean_attachments(paper_files.get(p.position) or [], field=key)
        except ValidationError as exc:
            errors.update(exc.field_errors)
            continue
        if online and not by_paper[p.position] and papers.paper_required(p.name):
            errors[key] = [f"Cần tải lên “{p.name}”."]
    if paper_checks is not None and not online:
        errors.update(papers.checklist_problems(procedure_papers, paper_checks, incomplete=bool(missing)))
    if errors:
        first = next(iter(errors.values()))[0]
        raise ValidationError(f"Hồ sơ chưa hợp lệ: {first}", field_errors=errors)

    receiving = receiving_agency_for(handling)
    if channel != Channel.ONLINE and receiving.id not in clerk_agencies:
        receiving = Agency.objects.filter(id__in=clerk_agencies, is_active=True).order_by("id").first()
        if receiving is None:
            raise PermissionDenied("Cơ quan của cán bộ tiếp nhận không còn hoạt động.")
    # At the counter or by post, only an account whose citizen ID is proven gets the dossier (issue 7).
    applicant_user = _user_or_none(actor) if channel == Channel.ONLINE else (
        accounts_selectors.verified_citizen(citizen_id=citizen_id))
    # The legal clock starts at reception (form 01): at once at the counter or by post; for an online dossier
    # when the one-stop clerk accepts it (the `receive` transition). Until then only the acceptance limit runs.
    # A counter submission found incomplete is sent back for completion (form 02) and not received yet.
    if missing and online:
        raise ValidationError.for_field("missing_items", "Hồ sơ trực tuyến được hướng dẫn hoàn thiện sau khi nộp.")
    received = not online and not missing
    start = calendar.clock_start(now, channel) if received else None

    def write(written: list) -> Dossier:
        code = _next_code(receiving, timezone.localtime(now, calendar.local_zone()).date())
        status = Status.RECEIVED if received else Status.COMPLETION_REQUESTED if missing else Status.SUBMITTED
        dossier = Dossier.objects.create(
            code=code, procedure=procedure, receiving_agency=receiving, handling_agency=handling, channel=channel,
            status=status, applicant_name=name,
            applicant_citizen_id=citizen_id, applicant_phone=phone, applicant_email=email,
            applicant_address=address, applicant_birth_date=birth_date, applicant_unit=unit,
            applicant_user=applicant_user, form_data=clean_data,
            submitted_at=now, received_at=now if received else None, clock_start_at=start,
            due_at=due_at_for(procedure, start) if received else None,
            acceptance_due_at=acceptance_due_at_for(now) if online else None,
            completion_requested_at=now if missing else None,
            has_digitised_attachments=bool(files or any(by_paper.values())) and not online)
        kind = AttachmentKind.APPLICATION if online else AttachmentKind.DIGITISED
        if paper_files is not None or paper_checks is not None:
            for p in procedure_papers:
                check = (paper_checks or {}).get(p.position) or papers.PaperCheck()
                uploads = by_paper.get(p.position, [])
                row = DossierPaper.objects.create(
                    dossier=dossier, paper=p, position=p.position, name=p.name[:500],
                    required=papers.paper_required(p.name), received=check.received or bool(uploads),
                    originals=check.originals, copies=check.copies)
                _store_files(dossier, uploads, kind=kind, actor=actor, written=written, paper=row)
        _store_files(dossier, files, kind=kind, actor=actor, written=written)
        action = "counter_completion" if missing else \
            {"online": "submit", "direct": "counter_receive", "postal": "postal_receive"}[channel]
        data = {"attachments": len(files) + sum(len(v) for v in by_paper.values())} \
            | ({"missing": missing} if missing else {})
        DossierEvent.objects.create(
            dossier=dossier, at=now, action=action, from_status="", to_status=dossier.status, actor=actor,
            actor_label=_actor_label(actor), agency=receiving,
            to_agency=handling if (received and handling != receiving) else None,
            note="\n".join(missing), data=data)
        changes = {"status": [None, dossier.status]}
        if dossier.due_at:
            changes["due_at"] = [None, dossier.due_at.isoformat()]
        audit_record(actor=actor, action=f"dossiers.dossier.{action}", obj=dossier, ip_address=ip_address,
                     summary=f"{workflow.EVENT_LABELS[action]} hồ sơ {code} ({procedure.name[:200]})",
                     changes=changes)
        return dossier

    return atomic_with_file_cleanup(write)


# --- transitions -----------------------------------------------------------------------------------------------
def _closing_time() -> time:
    return calendar.office_periods()[-1][1]


def _lock(code: str) -> Dossier:
    # No select_related: PostgreSQL refuses FOR UPDATE on the nullable side of an outer join (handling agency).
    dossier = Dossier.objects.select_for_update().filter(code=(code or "").strip()).first()
    if dossier is None:
        raise NotFound("Không tìm thấy hồ sơ.")
    return dossier


def _phone_verified(dossier: Dossier, phone: str) -> bool:
    return bool(phone) and bool(dossier.applicant_phone) and normalize_phone(phone) == dossier.applicant_phone


def _assign_target(dossier: Dossier, *, agency_code: str, username: str):
    """The agency that handles the dossier (one that performs the procedure, or the one it already has) and,
    optionally, the processing officer of that agency who will handle it."""
    code = (agency_code or "").strip().upper()
    target = dossier.handling_agency
    if code:
        target = selectors.assign_targets(dossier=dossier).filter(identifier_code=code).first()
    if target is None:
        raise ValidationError.for_field("agency_code", "Hãy chọn cơ quan giải quyết thực hiện thủ tục này.")
    username = (username or "").strip()
    if not username:
        return target, None
    officer = selectors.assignable_officers(agency=target).filter(username=username).first()
    if officer is None:
        raise ValidationError.for_field("assignee", f"Cán bộ được chọn không phải cán bộ xử lý của {target.name}.")
    return target, officer


def dossier_transition(*, actor, dossier_code: str, action: str, note: str = "", agency_code: str = "",
                       new_date: date | None = None, files: Sequence = (), expected_status: str = "",
                       phone: str = "", assignee: str = "", now: datetime | None = None,
                       ip_address: str = "") -> Dossier:
    """Apply one action of the state machine (workflow.TRANSITIONS) with the row locked.

    Two officers acting at once: the second waits for the lock, then sees the new state and gets a Conflict.
    `expected_status` (the state the actor's page showed) turns any stale action into the same Conflict.
    """
    transition, note = transition_lookup(workflow.TRANSITIONS, action, note, max_note=MAX_NOTE)
    clean_files = clean_attachments(files, field="files") if transition.accepts_files else []
    now = now or timezone.now()

    def write(written: list) -> Dossier:
        dossier = _lock(dossier_code)
        kinds = workflow.actor_kinds(actor, dossier, phone_verified=_phone_verified(dossier, phone))
        if not kinds and not selectors.can_view(actor, dossier):
            raise NotFound("Không tìm thấy hồ sơ.")
        transition_check(transition, kinds, dossier, expected_status=expected_status, noun="hồ sơ",
                         conflict_message=CONFLICT_MESSAGE)
        if problem := workflow.guard_problem(transition, dossier):
            raise Conflict(problem)
        for guard in TRANSITION_GUARDS:
            if problem := guard(transition, dossier):
                raise Conflict(problem)
        old_status, old_due = dossier.status, dossier.due_at
        event_agency = dossier.receiving_agency if transition.at_receiving else dossier.handling_agency
        to_agency, data = None, {}
        changed = ["status", "updated_at"]

        def setf(field, value):
            setattr(dossier, field, value)
            changed.append(field)

        if transition.name == "receive":
            setf("received_at", now)
            # Form 01: the procedure's clock starts now, not at the upload (the wait is the acceptance time).
            setf("clock_start_at", calendar.clock_start(now, dossier.channel))
            setf("due_at", due_at_for(dossier.procedure, dossier.clock_start_at))
            if dossier.handling_agency_id and dossier.handling_agency_id != dossier.receiving_agency_id:
                to_agency = dossier.handling_agency
        elif transition.name == "refuse":
            setf("refused_at", now)
        elif transition.name == "request_completion":
            missing = clean_missing_items(note)
            if not missing:
                raise ValidationError.for_field("note", "Cần liệt kê giấy tờ, nội dung cần hoàn thiện.")
            setf("completion_requested_at", now)
            data["missing"] = missing
        elif transition.name == "complete":
            if dossier.channel == Channel.ONLINE:  # the acceptance limit runs again from the completed dossier
                setf("acceptance_due_at", acceptance_due_at_for(now))
        elif transition.name == "assign":
            target, officer = _assign_target(dossier, agency_code=agency_code, username=assignee)
            if target.id != dossier.handling_agency_id:
                data["from_agency"] = dossier.handling_agency.identifier_code if dossier.handling_agency else None
            event_agency, to_agency = dossier.receiving_agency, target
            setf("handling_agency", target)
            setf("assignee", officer)
            if officer is not None:
                data["assignee"], data["assignee_name"] = officer.username, officer.display_name
        elif transition.name == "start":
            setf("assignee", _user_or_none(actor))
        elif transition.name == "hand_over":
            target = Agency.objects.filter(identifier_code=(agency_code or "").strip().upper(), is_active=True).first()
            if target is None:
                raise ValidationError.for_field("agency_code", "Hãy chọn cơ quan nhận hồ sơ (mã định danh).")
            if target.id == dossier.handling_agency_id:
                raise ValidationError.for_field("agency_code", "Hồ sơ đang ở chính cơ quan này.")
            event_agency, to_agency = dossier.handling_agency, target
            setf("handling_agency", target)
            setf("assignee", None)
        elif transition.name == "request_supplement":
            setf("supplement_requested_at", now)
            setf("paused_at", now)
            setf("due_before_pause_at", dossier.due_at)
        elif transition.name == "supplement":
            if dossier.paused_at and dossier.due_at:
                paused = calendar.working_seconds_between(dossier.paused_at, now)
                pushed = calendar.add_working_time(dossier.due_at, seconds=paused)
                if dossier.procedure.processing_time_unit != TimeUnit.HOURS:
                    # A time in days still ends with an office day: the day the paused time reaches, at its close.
                    pushed = calendar.get_calendar().closing_on(pushed.astimezone(calendar.local_zone()).date())
                setf("due_at", pushed)
                if dossier.apology_due_at:
                    setf("apology_due_at", calendar.add_working_time(dossier.apology_due_at, seconds=paused))
                data["paused_working_seconds"] = round(paused)
            setf("paused_at", None)
            setf("supplemented_at", now)
        elif transition.name in ("approve", "reject"):
            setf("resolved_at", now)
            setf("timeliness", classify_timeliness(now, dossier.due_at))
        elif transition.name == "issue_result":
            setf("result_issued_at", now)
        elif transition.name == "return_result":
            setf("returned_at", now)
        elif transition.name == "withdraw":
            setf("withdrawn_at", now)
            setf("paused_at", None)
        elif transition.name == "stop":
            setf("stopped_at", now)
        elif transition.name == "apologise":
            if new_date is None:
                raise ValidationError.for_field("new_date", "Cần chọn ngày hẹn trả kết quả mới.")
            new_due = datetime.combine(new_date, _closing_time(), calendar.local_zone())
            if new_due <= max(dossier.due_at, now):
                raise ValidationError.for_field(
                    "new_date", "Ngày hẹn mới phải sau hạn giải quyết hiện tại và sau hôm nay.")
            if not calendar.is_working_day(new_date):
                raise ValidationError.for_field("new_date", "Ngày hẹn mới phải là ngày làm việc.")
            setf("apology_due_at", new_due)
            data["new_due"] = new_due.isoformat()
        if transition.target is not None:
            dossier.status = transition.target
        dossier.save(update_fields=sorted(set(changed)))
        if dossier.due_at != old_due:
            data["old_due"] = old_due.isoformat() if old_due else None
            data["new_due_at"] = dossier.due_at.isoformat() if dossier.due_at else None
        kind = AttachmentKind.RESULT if transition.name == "issue_result" else AttachmentKind.SUPPLEMENT
        _store_files(dossier, clean_files, kind=kind, actor=actor, written=written)
        if clean_files:
            data["attachments"] = len(clean_files)
        DossierEvent.objects.create(
            dossier=dossier, at=now, action=transition.name, from_status=old_status, to_status=dossier.status,
            actor=_user_or_none(actor), actor_label=_actor_label(actor, kinds), agency=event_agency,
            to_agency=to_agency, note=note, data=data)
        changes = {"status": [old_status, dossier.status]} if old_status != dossier.status else {}
        if dossier.due_at != old_due:
            changes["due_at"] = [old_due.isoformat() if old_due else None,
                                 dossier.due_at.isoformat() if dossier.due_at else None]
        if "new_due" in data:
            changes["apology_due_at"] = [None, data["new_due"]]
        if transition.name == "assign":
            changes["assignee"] = [None, data.get("assignee")]
            if "from_agency" in data:
                changes["handling_agency"] = [data["from_agency"], to_agency.identifier_code]
        if to_agency is not None and transition.name == "hand_over":
            changes["handling_agency"] = [event_agency.identifier_code if event_agency else None,
                                          to_agency.identifier_code]
        audit_record(actor=_user_or_none(actor), action=f"dossiers.dossier.{transition.name}", obj=dossier,
                     summary=f"{transition.label}: hồ sơ {dossier.code}", changes=changes, ip_address=ip_address)
        return dossier

    return atomic_with_file_cleanup(write)


# --- satisfaction ----------------------------------------------------------------------------------------------
@transaction.atomic
def dossier_rate(*, actor, dossier_code: str, score: int, comment: str = "", phone: str = "",
                 now: datetime | None = None, ip_address: str = "") -> SatisfactionRating:
    """The applicant rates the service once, after the result was returned (1 = very unsatisfied … 5)."""
    now = now or timezone.now()
    try:
        score = int(score)
    except (TypeError, ValueError):
        score = 0
    if not 1 <= score <= 5:
        raise ValidationError.for_field("score", "Mức độ hài lòng phải từ 1 đến 5.")
    comment = (comment or "").strip()
    if len(comment) > MAX_NOTE:
        raise ValidationError.for_field("comment", f"Ý kiến quá dài (tối đa {MAX_NOTE} ký tự).")
    dossier = _lock(dossier_code)
    kinds = workflow.actor_kinds(actor, dossier, phone_verified=_phone_verified(dossier, phone))
    if workflow.ActorKind.APPLICANT not in kinds:
        if selectors.can_view(actor, dossier):
            raise PermissionDenied("Chỉ người nộp hồ sơ được đánh giá mức độ hài lòng.")
        raise NotFound("Không tìm thấy hồ sơ.")
    if dossier.status != Status.RETURNED:
        raise Conflict("Chỉ đánh giá được sau khi đã nhận kết quả.")
    if SatisfactionRating.objects.filter(dossier=dossier).exists():
        raise Conflict("Hồ sơ này đã được đánh giá.")
    rating = SatisfactionRating.objects.create(dossier=dossier, score=score, comment=comment)
    DossierEvent.objects.create(dossier=dossier, at=now, action="rate", from_status=dossier.status,
                                to_status=dossier.status, actor=_user_or_none(actor),
                                actor_label=_actor_label(actor, kinds), data={"score": score})
    audit_record(actor=_user_or_none(actor), action="dossiers.dossier.rate", obj=dossier,
                 summary=f"Đánh giá {score}/5 cho hồ sơ {dossier.code}", changes={"score": [None, score]},
                 ip_address=ip_address)
    return rating
