"""Every write about feedback: categories and routing rules, API keys, reports and their state machine, comments
both ways, the SLA clock's escalations.

Each service validates everything before writing, then writes the report, its event, the audit record and the
notifications in one transaction; a refused request leaves nothing behind (photos written before a failure are
deleted again).
"""

import hashlib
import io
import re
import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from tinhso.accounts import scoping
from tinhso.accounts.choices import OFFICER_ROLES, Role
from tinhso.accounts.models import RoleAssignment
from tinhso.audit.services import audit_record
from tinhso.core import calendar
from tinhso.core.exceptions import Conflict, NotFound, PermissionDenied, ValidationError
from tinhso.core.files import JPEG, PNG, atomic_with_file_cleanup, sniff_file_type
from tinhso.core.text import search_key
from tinhso.core.throttle import throttle_check, throttle_failure
from tinhso.core.transitions import transition_check, transition_lookup
from tinhso.org.choices import UnitLevel
from tinhso.org.models import AdministrativeUnit, Agency
from tinhso.org.selectors import home_province

from . import location, notices, selectors, workflow
from .choices import OPEN_STATUSES, AttributeType, Channel, RejectReason, SlaUnit, Status
from .models import ApiKey, DutyShift, Report, ReportEvent, ReportPhoto, RoutingRule, Service

MAX_DESCRIPTION = 20_000
MAX_NOTE = 4000
MAX_PHOTOS = 5
PHOTO_TYPES = frozenset({JPEG, PNG})
PHONE_RE = re.compile(r"^(0[35789]\d{8}|02\d{9})$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
CONFLICT_MESSAGE = "Phản ánh vừa được người khác xử lý, vui lòng tải lại trang để xem trạng thái mới nhất."
# Share of the SLA left when the agency leader is told the deadline nears.
WARN_SHARE = 0.25


def max_photo_bytes() -> int:
    return int(getattr(settings, "TINHSO_FEEDBACK_PHOTO_MB", 5)) * 1024 * 1024


def _user_or_none(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def _require_admin(actor) -> None:
    if not scoping.is_province_admin(actor):
        raise PermissionDenied("Chỉ quản trị cấp tỉnh được cấu hình phản ánh, kiến nghị.")


# --- categories, routing, keys ---------------------------------------------------------------------------------
ATTRIBUTE_TYPES = set(AttributeType.values)


def clean_attribute_definitions(definitions) -> list[dict]:
    if not isinstance(definitions, list):
        raise ValidationError.for_field("attributes", "Thuộc tính phải là một danh sách.")
    out, seen = [], set()
    for i, d in enumerate(definitions, start=1):
        code = str((d or {}).get("code", "")).strip()
        datatype = str((d or {}).get("datatype", "string"))
        if not re.match(r"^[A-Za-z0-9_]{1,40}$", code) or code in seen:
            raise ValidationError.for_field("attributes", f"Thuộc tính thứ {i}: mã trống, trùng hoặc sai dạng.")
        if datatype not in ATTRIBUTE_TYPES:
            raise ValidationError.for_field("attributes", f"Thuộc tính “{code}”: kiểu dữ liệu không hợp lệ.")
        values = [{"key": str(v["key"]), "name": str(v.get("name", v["key"]))} for v in d.get("values") or []]
        if datatype.endswith("valuelist") and not values:
            raise ValidationError.for_field("attributes", f"Thuộc tính “{code}” cần danh sách giá trị.")
        seen.add(code)
        out.append({"code": code, "datatype": datatype, "description": str(d.get("description", code)),
                    "datatype_description": str(d.get("datatype_description", "")),
                    "required": bool(d.get("required", False)), "variable": True,
                    "order": int(d.get("order", i)), "values": values})
    return out


@transaction.atomic
def service_upsert(*, actor, code: str, name: str, description: str = "", group: str = "", keywords: str = "",
                   attributes=(), sla_amount: int = 5, sla_unit: str = SlaUnit.WORKING_DAYS,
                   is_emergency: bool = False, emergency_minutes: int | None = None,
                   fallback_agency_code: str = "") -> Service:
    _require_admin(actor)
    code, name = (code or "").strip(), " ".join((name or "").split())
    errors = {}
    if not re.match(r"^[A-Za-z0-9._-]{1,40}$", code):
        errors["code"] = ["Mã loại phản ánh gồm chữ, số, dấu chấm, gạch (tối đa 40 ký tự)."]
    if not name:
        errors["name"] = ["Cần nhập tên loại phản ánh."]
    if sla_unit not in SlaUnit.values or not 0 < int(sla_amount) <= 365:
        errors["sla_amount"] = ["Thời hạn xử lý phải từ 1 đến 365 giờ hoặc ngày làm việc."]
    if is_emergency and not (emergency_minutes and 0 < int(emergency_minutes) <= 24 * 60):
        errors["emergency_minutes"] = ["Loại khẩn cấp cần thời hạn từ 1 đến 1440 phút."]
    if errors:
        raise ValidationError(next(iter(errors.values()))[0], field_errors=errors)
    fields = {"name": name, "description": (description or "").strip(), "group": (group or "").strip(),
              "keywords": (keywords or "").strip(), "attributes": clean_attribute_definitions(list(attributes)),
              "sla_amount": int(sla_amount), "sla_unit": sla_unit, "is_emergency": bool(is_emergency),
              "emergency_minutes": int(emergency_minutes) if is_emergency else None, "is_active": True}
    service, created = Service.objects.update_or_create(code=code, defaults=fields)
    audit_record(actor=actor, action="feedback.service.create" if created else "feedback.service.update",
                 obj=service, summary=f"Loại phản ánh {code}: {name}", changes={"sla": [None, service.sla_label]})
    if fallback_agency_code:
        routing_rule_set(actor=actor, service_code=code, agency_code=fallback_agency_code)
    return service


@transaction.atomic
def routing_rule_set(*, actor, service_code: str, agency_code: str, commune_code: str = "") -> RoutingRule:
    """Category × commune → agency; without a commune, the province-level fallback."""
    _require_admin(actor)
    service = selectors.service_get(code=service_code)
    agency = Agency.objects.filter(identifier_code=(agency_code or "").strip().upper(), is_active=True).first()
    if agency is None:
        raise ValidationError.for_field("agency_code", f"Không có cơ quan mã “{agency_code}”.")
    commune = None
    if commune_code:
        commune = AdministrativeUnit.objects.filter(code=commune_code, level=UnitLevel.COMMUNE,
                                                    valid_to__isnull=True).first()
        if commune is None:
            raise ValidationError.for_field("commune_code", f"Không có xã, phường hiện hành mã “{commune_code}”.")
    rule = RoutingRule.objects.filter(service=service, commune=commune).first()
    old = rule.agency.identifier_code if rule else None
    if rule is None:
        rule = RoutingRule(service=service, commune=commune)
    rule.agency = agency
    rule.save()
    audit_record(actor=actor, action="feedback.routing.set", obj=service,
                 summary=f"Phân công {service.code} tại {commune.name if commune else 'cấp tỉnh'}: {agency.name}",
                 changes={"agency": [old, agency.identifier_code]})
    return rule


@transaction.atomic
def api_key_create(*, actor, name: str) -> tuple[ApiKey, str]:
    """A new Open311 application key; the key itself is returned once and only its hash is kept."""
    _require_admin(actor)
    name = " ".join((name or "").split())
    if not name or len(name) > 150:
        raise ValidationError.for_field("name", "Cần nhập tên ứng dụng (tối đa 150 ký tự).")
    key = "ts311_" + secrets.token_urlsafe(24)
    api_key = ApiKey.objects.create(name=name, prefix=key[:12], key_hash=selectors.token_hash(key),
                                    created_by=_user_or_none(actor))
    audit_record(actor=actor, action="feedback.api_key.create", obj=api_key, summary=f"Cấp khóa Open311: {name}")
    return api_key, key


def api_key_require(*, key: str) -> ApiKey:
    if not (key or "").strip():
        raise PermissionDenied("Thiếu api_key: mỗi ứng dụng gửi phản ánh cần khóa do tỉnh cấp.")
    api_key = selectors.api_key_get(key=key.strip())
    if api_key is None:
        raise PermissionDenied("api_key không hợp lệ hoặc đã bị thu hồi.")
    return api_key


@transaction.atomic
def duty_shift_add(*, actor, agency_code: str, username: str, starts_at: datetime, ends_at: datetime) -> DutyShift:
    agency = Agency.objects.filter(identifier_code=(agency_code or "").strip().upper()).first()
    if agency is None or not (scoping.is_province_admin(actor)
                              or agency.pk in scoping.agency_ids_with_role(actor, {Role.AGENCY_LEADER})):
        raise PermissionDenied("Chỉ lãnh đạo cơ quan hoặc quản trị cấp tỉnh được xếp lịch trực.")
    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None or agency.pk not in scoping.agency_ids_with_role(user, OFFICER_ROLES):
        raise ValidationError.for_field("username", "Người trực phải là cán bộ của cơ quan.")
    if ends_at <= starts_at:
        raise ValidationError.for_field("ends_at", "Giờ kết thúc ca trực phải sau giờ bắt đầu.")
    shift = DutyShift.objects.create(agency=agency, user=user, starts_at=starts_at, ends_at=ends_at)
    audit_record(actor=actor, action="feedback.duty.add", obj=shift,
                 summary=f"Xếp trực {user.display_name} cho {agency.name}")
    return shift


# --- submission ------------------------------------------------------------------------------------------------
@dataclass
class CleanPhoto:
    data: bytes
    content_type: str
    extension: str


def clean_photos(files: Sequence) -> list[CleanPhoto]:
    """JPEG or PNG recognised by their content (decoded in full), within the size limit. Reads, never writes."""
    files = [f for f in (files or []) if f is not None]
    if len(files) > MAX_PHOTOS:
        raise ValidationError.for_field("media", f"Chỉ được gửi tối đa {MAX_PHOTOS} ảnh.")
    limit, out = max_photo_bytes(), []
    for f in files:
        name = (getattr(f, "name", "") or "anh").split("/")[-1].split("\\")[-1][:100]
        data = f.read(limit + 1)
        if len(data) > limit:
            raise ValidationError.for_field(
                "media", f"Ảnh “{name}” vượt quá dung lượng cho phép ({limit // (1024 * 1024)} MB).")
        kind = sniff_file_type(data, allowed=PHOTO_TYPES) if data else None
        if kind is None:
            raise ValidationError.for_field(
                "media", f"Tệp “{name}” không phải ảnh JPEG hoặc PNG (hệ thống kiểm tra theo nội dung tệp).")
        out.append(CleanPhoto(data=data, content_type=kind.content_type, extension=f".{kind.extension}"))
    return out


def clean_attribute_values(service: Service, values: dict) -> tuple[dict, dict[str, list[str]]]:
    """Values for the category's Open311 attributes: required ones present, list values among the choices."""
    out, errors = {}, {}
    for d in service.attributes:
        code, raw = d["code"], values.get(d["code"])
        key = f"attribute[{code}]"
        items = raw if isinstance(raw, list) else ([] if raw in (None, "") else [raw])
        items = [str(i).strip() for i in items if str(i).strip()]
        if not items:
            if d.get("required"):
                errors[key] = [f"Cần nhập “{d['description']}”."]
            continue
        if any(len(i) > 500 for i in items):
            errors[key] = [f"“{d['description']}” quá dài (tối đa 500 ký tự)."]
            continue
        allowed = {v["key"] for v in d.get("values") or []}
        if d["datatype"] in (AttributeType.SINGLEVALUELIST, AttributeType.MULTIVALUELIST):
            if any(i not in allowed for i in items) or (d["datatype"] == "singlevaluelist" and len(items) > 1):
                errors[key] = [f"“{d['description']}” phải là một trong: {', '.join(sorted(allowed))}."]
                continue
            out[code] = items if d["datatype"] == AttributeType.MULTIVALUELIST else items[0]
        elif d["datatype"] == AttributeType.NUMBER:
            try:
                number = float(items[0].replace(",", "."))
                if number != number or abs(number) == float("inf"):
                    raise ValueError
            except ValueError:
                errors[key] = [f"“{d['description']}” phải là số."]
                continue
            out[code] = number
        elif d["datatype"] == AttributeType.DATETIME:
            try:
                out[code] = datetime.fromisoformat(items[0]).isoformat()
            except ValueError:
                errors[key] = [f"“{d['description']}” phải là ngày giờ ISO 8601."]
        else:
            out[code] = items[0]
    return out, errors


def _float(value, field: str, low: float, high: float, errors: dict) -> float | None:
    if value in (None, ""):
        return None
    try:
        number = float(str(value).replace(",", "."))
    except ValueError:
        number = float("nan")
    if not low <= number <= high:  # also false for NaN
        errors[field] = [f"{'Vĩ độ' if field == 'lat' else 'Kinh độ'} không hợp lệ."]
        return None
    return number


def locate(*, latitude, longitude, commune_code: str = "") -> tuple[AdministrativeUnit, float | None, float | None]:
    """The commune of a report: the nearest of the province to the coordinates, or the one chosen."""
    errors: dict[str, list[str]] = {}
    lat = _float(latitude, "lat", -90, 90, errors)
    lon = _float(longitude, "long", -180, 180, errors)
    if errors:
        raise ValidationError(next(iter(errors.values()))[0], field_errors=errors)
    province = home_province()
    if province is None:
        raise ValidationError.for_field("commune_code", "Hệ thống chưa cấu hình tỉnh.")
    if (lat is None) != (lon is None):
        raise ValidationError.for_field("lat", "Cần nhập cả vĩ độ và kinh độ.")
    if lat is not None:
        commune, km = location.nearest_commune(province=province, latitude=lat, longitude=lon)
        if commune is None:
            raise ValidationError.for_field(
                "lat", f"Vị trí ({lat:.5f}, {lon:.5f}) nằm ngoài địa bàn {province.name}; hệ thống chỉ tiếp nhận "
                       "phản ánh trong tỉnh.")
        if commune_code and commune.code != commune_code:
            chosen = location.current_communes(province).filter(code=commune_code).first()
            if chosen is not None:  # a chosen commune wins over the nearest seat (the pin may be near a border)
                return chosen, lat, lon
        return commune, lat, lon
    commune = location.current_communes(province).filter(code=(commune_code or "").strip()).first() \
        if commune_code else None
    if commune is None:
        raise ValidationError.for_field(
            "commune_code", f"Hãy chọn xã, phường, đặc khu của {province.name} hoặc chọn vị trí trên bản đồ.")
    return commune, None, None


def _due_at(service: Service, received_at: datetime) -> datetime:
    if service.is_emergency:
        return received_at + timedelta(minutes=service.emergency_minutes)
    return calendar.due_moment(received_at, service.sla_amount, service.sla_unit)


def submit_throttle_keys(*, channel: str, ip_address: str, api_key: ApiKey | None) -> dict[str, str]:
    if channel == Channel.HOTLINE:
        return {}
    if api_key is not None:
        return {"feedback.submit.key": str(api_key.pk)}
    return {"feedback.submit.address": ip_address or "-"}


def report_submit(*, actor, service_code: str, description: str, latitude=None, longitude=None,
                  commune_code: str = "", address: str = "", contact_name: str = "", contact_phone: str = "",
                  contact_email: str = "", attributes: dict | None = None, photos: Sequence = (),
                  channel: str = Channel.WEB, api_key: ApiKey | None = None, now: datetime | None = None,
                  ip_address: str = "") -> tuple[Report, str]:
    """File a report; returns it with its tracking token (shown once, kept as a hash).

    The web form and Open311 clients file for themselves (each submission counts towards the per-address or
    per-key limit, `feedback.submit.*` in TINHSO_THROTTLES); an officer files a hotline call for the caller.
    """
    now = now or timezone.now()
    if channel not in Channel.values:
        raise ValidationError.for_field("channel", "Kênh tiếp nhận không hợp lệ.")
    if channel == Channel.OPEN311 and api_key is None:
        raise PermissionDenied("Thiếu api_key: mỗi ứng dụng gửi phản ánh cần khóa do tỉnh cấp.")
    if channel == Channel.HOTLINE and not selectors.is_feedback_officer(actor):
        raise PermissionDenied("Chỉ cán bộ được nhập phản ánh qua đường dây nóng.")
    keys = submit_throttle_keys(channel=channel, ip_address=ip_address, api_key=api_key)
    if keys:
        throttle_check(keys=keys, now=now)
    service = Service.objects.filter(code=(service_code or "").strip(), is_active=True).first()
    if service is None:
        raise ValidationError.for_field("service_code", f"Không có loại phản ánh mã “{service_code}”.")
    errors: dict[str, list[str]] = {}
    text = (description or "").strip()
    if not text:
        errors["description"] = ["Cần nhập nội dung phản ánh."]
    elif len(text) > MAX_DESCRIPTION:
        errors["description"] = [f"Nội dung quá dài (tối đa {MAX_DESCRIPTION} ký tự)."]
    name = " ".join((contact_name or "").split())
    if len(name) > 150:
        errors["first_name"] = ["Họ tên quá dài (tối đa 150 ký tự)."]
    phone = re.sub(r"[\s.\-()]", "", contact_phone or "")
    phone = "0" + phone[3:] if phone.startswith("+84") else phone
    if phone and not PHONE_RE.match(phone):
        errors["phone"] = ["Số điện thoại không hợp lệ (ví dụ 0912345678 hoặc 02373852000)."]
    email = (contact_email or "").strip()
    if email and (len(email) > 254 or not EMAIL_RE.match(email)):
        errors["email"] = ["Thư điện tử không hợp lệ."]
    address = " ".join((address or "").split())
    if len(address) > 255:
        errors["address_string"] = ["Địa chỉ quá dài (tối đa 255 ký tự)."]
    values, attribute_errors = clean_attribute_values(service, attributes or {})
    errors.update(attribute_errors)
    commune = lat = lon = None
    try:
        commune, lat, lon = locate(latitude=latitude, longitude=longitude, commune_code=commune_code)
    except ValidationError as exc:
        errors.update(exc.field_errors)
    clean = []
    try:
        clean = clean_photos(photos)
    except ValidationError as exc:
        errors.update(exc.field_errors)
    agency = selectors.agency_for(service=service, commune=commune) if commune is not None else None
    if commune is not None and agency is None:
        errors["service_code"] = [f"Loại phản ánh “{service.name}” chưa có cơ quan tiếp nhận tại {commune.name}."]
    if errors:
        first = next(iter(errors.values()))[0]
        raise ValidationError(f"Phản ánh chưa hợp lệ: {first}", field_errors=errors)
    token = secrets.token_urlsafe(18)
    citizen = _user_or_none(actor) if channel == Channel.WEB else None

    def write(written: list) -> Report:
        report = Report.objects.create(
            code=f"tmp-{uuid.uuid4().hex[:16]}", service=service, status=Status.RECEIVED, channel=channel,
            description=text, attributes=values, commune=commune, latitude=lat, longitude=lon, address=address,
            contact_name=name, contact_phone=phone, contact_email=email, citizen=citizen, api_key=api_key,
            token_hash=selectors.token_hash(token), agency=agency, received_at=now, due_at=_due_at(service, now))
        report.code = f"PA{report.pk:06d}"
        report.search_key = search_key(report.code, service.name, commune.name, text[:2000])
        report.save(update_fields=["code", "search_key"])
        for photo in clean:
            row = ReportPhoto(report=report, content_type=photo.content_type, size=len(photo.data),
                              sha256=hashlib.sha256(photo.data).hexdigest())
            row.file.save(f"{uuid.uuid4().hex}{photo.extension}", ContentFile(photo.data), save=False)
            written.append(row.file.name)
            row.save()
        action = "hotline" if channel == Channel.HOTLINE else "submit"
        _event(report, action=action, actor=actor, now=now, to_status=Status.RECEIVED, to_agency=agency,
               data={"photos": len(clean), "channel": channel})
        audit_record(actor=_user_or_none(actor), action=f"feedback.report.{action}", obj=report,
                     ip_address=ip_address, summary=f"{workflow.EVENT_LABELS[action]} {report.code} ({service.name})",
                     changes={"status": [None, Status.RECEIVED], "agency": [None, agency.identifier_code],
                              "due_at": [None, report.due_at.isoformat()]})
        if keys:
            throttle_failure(keys=keys, now=now)  # every submission counts towards the limit
        notices.tell_citizen(report, note=f"Đã tiếp nhận phản ánh {report.code}; cơ quan xử lý: {agency.name}; "
                                          f"hạn xử lý: {notices._when(report.due_at)}.")
        if service.is_emergency:
            _emergency_alert(report, now=now)
        return report

    return atomic_with_file_cleanup(write), token


def _event(report: Report, *, action: str, actor, now: datetime, from_status: str = "", to_status: str = "",
           note: str = "", public: bool = True, agency=None, to_agency=None, by_citizen: bool = False,
           data: dict | None = None) -> ReportEvent:
    return ReportEvent.objects.create(
        report=report, at=now, action=action, from_status=from_status, to_status=to_status or report.status,
        actor=_user_or_none(actor), by_citizen=by_citizen, agency=agency or report.agency, to_agency=to_agency,
        note=note, public=public, data=data or {})


def leaders_of(agency: Agency):
    ids = RoleAssignment.objects.filter(role=Role.AGENCY_LEADER, agency=agency, user__is_active=True).values(
        "user_id")
    return list(get_user_model().objects.filter(pk__in=ids).order_by("pk"))


def on_duty(agency: Agency, now: datetime):
    ids = DutyShift.objects.filter(agency=agency, starts_at__lte=now, ends_at__gt=now).values("user_id")
    return list(get_user_model().objects.filter(pk__in=ids, is_active=True).order_by("pk"))


def _emergency_alert(report: Report, *, now: datetime) -> int:
    """An emergency goes at once to whoever is on duty at the agency (its leaders when nobody is)."""
    users = on_duty(report.agency, now) or leaders_of(report.agency)
    sent = notices.tell_officers(report, kind=notices.EMERGENCY.key, users=users, title="Phản ánh khẩn cấp")
    _event(report, action="emergency_alert", actor=None, now=now, public=False,
           data={"recipients": [u.pk for u in users]})
    audit_record(actor=None, action="feedback.report.emergency_alert", obj=report,
                 summary=f"Báo {sent} cán bộ trực: phản ánh khẩn cấp {report.code}",
                 changes={"notified": [None, [u.username for u in users]]})
    return sent


# --- the state machine -----------------------------------------------------------------------------------------
def _lock(code: str) -> Report:
    report = Report.objects.select_for_update().filter(code=(code or "").strip()).first()
    if report is None:
        raise NotFound("Không tìm thấy phản ánh.")
    return report


def report_transition(*, actor, code: str, action: str, note: str = "", agency_code: str = "",
                      assignee_username: str = "", duplicate_of_code: str = "", rating: int | None = None,
                      token: str = "", expected_status: str = "", now: datetime | None = None,
                      ip_address: str = "") -> Report:
    """Apply one action of workflow.TRANSITIONS with the report's row locked."""
    transition, note = transition_lookup(workflow.TRANSITIONS, action, note, max_note=MAX_NOTE)
    if rating not in (None, ""):
        try:
            rating = int(rating)
        except (TypeError, ValueError):
            rating = 0
        if not 1 <= rating <= 5:
            raise ValidationError.for_field("rating", "Mức độ hài lòng phải từ 1 đến 5.")
    else:
        rating = None
    now = now or timezone.now()
    with transaction.atomic():
        report = _lock(code)
        kinds = workflow.actor_kinds(actor, report, token_ok=selectors.token_matches(report, token))
        if not kinds:
            raise NotFound("Không tìm thấy phản ánh.")
        transition_check(transition, kinds, report, expected_status=expected_status, noun="phản ánh",
                         conflict_message=CONFLICT_MESSAGE)
        citizen_acts = workflow.ActorKind.CITIZEN in kinds and not (kinds & workflow.OFFICERS)
        old_status, old_agency = report.status, report.agency
        changed = {"status", "updated_at"}
        changes: dict = {}
        data: dict = {}
        to_agency = None
        tell = note

        def setf(field, value):
            old = getattr(report, field)
            setattr(report, field, value)
            changed.add(field)
            changes[field] = [_plain(old), _plain(value)]

        if transition.name == "verify":
            setf("verified_at", now)
        elif transition.name.startswith("reject_"):
            reason = transition.name.removeprefix("reject_")
            setf("reject_reason", reason)
            setf("closed_at", now)
            if reason == RejectReason.DUPLICATE:
                original = Report.objects.filter(code=(duplicate_of_code or "").strip()).exclude(pk=report.pk).first()
                if original is None:
                    raise ValidationError.for_field("duplicate_of", "Hãy nhập mã phản ánh gốc (ví dụ PA000123).")
                while original.duplicate_of_id and original.duplicate_of_id != report.pk:  # link to the root
                    original = original.duplicate_of
                setf("duplicate_of", original)
                data["duplicate_of"] = original.code
                tell = f"Phản ánh trùng với phản ánh {original.code}; mời theo dõi kết quả tại phản ánh đó." + (
                    f" {note}" if note else "")
        elif transition.name == "assign":
            if assignee_username:
                setf("assignee", _officer_of(report.agency, assignee_username))
        elif transition.name == "reassign":
            target = Agency.objects.filter(identifier_code=(agency_code or "").strip().upper(),
                                           is_active=True).first()
            if target is None:
                raise ValidationError.for_field("agency_code", "Hãy chọn cơ quan nhận phản ánh (mã định danh).")
            if target.pk == report.agency_id:
                raise ValidationError.for_field("agency_code", "Phản ánh đang ở chính cơ quan này.")
            to_agency = target
            setf("agency", target)
            setf("assignee", None)
            # The clock keeps running: due_at is not touched, and escalation counts from where it was.
            data["reason"] = note
        elif transition.name == "start":
            if report.assignee_id is None and _user_or_none(actor) is not None:
                setf("assignee", actor)
        elif transition.name == "answer":
            setf("answer", note)
            setf("answered_at", now)
            if report.first_answered_at is None:
                setf("first_answered_at", now)
            data["on_time"] = now <= report.due_at
        elif transition.name == "close":
            if rating is not None:
                if not citizen_acts:
                    raise PermissionDenied("Chỉ người phản ánh được đánh giá mức độ hài lòng.")
                setf("rating", rating)
                data["rating"] = rating
            setf("closed_at", now)
        elif transition.name == "reopen":
            since = report.answered_at or report.closed_at
            limit = workflow.reopen_days()
            if since is None or now > since + timedelta(days=limit):
                raise Conflict(f"Chỉ mở lại được trong {limit} ngày kể từ khi có trả lời.")
            setf("reopen_count", report.reopen_count + 1)
            setf("closed_at", None)
            setf("rating", None)
        report.status = transition.target
        changes["status"] = [old_status, report.status]
        report.save(update_fields=sorted(changed))
        _event(report, action=transition.name, actor=actor, now=now, from_status=old_status, note=note,
               agency=old_agency, to_agency=to_agency, by_citizen=citizen_acts, data=data,
               public=transition.public)
        audit_record(actor=_user_or_none(actor), action=f"feedback.report.{transition.name}", obj=report,
                     summary=f"{transition.label}: phản ánh {report.code}", changes=changes, ip_address=ip_address)
        if not citizen_acts:
            notices.tell_citizen(report, note=tell or transition.done_message)
        if transition.name in ("assign", "reassign") and report.assignee_id is None:
            users = [u for u in get_user_model().objects.filter(
                pk__in=RoleAssignment.objects.filter(agency=report.agency, role__in=OFFICER_ROLES).values(
                    "user_id"), is_active=True)]
            notices.tell_officers(report, kind=notices.ASSIGNED.key, users=users, title="Phản ánh mới được giao")
        elif transition.name == "assign" and report.assignee_id:
            notices.tell_officers(report, kind=notices.ASSIGNED.key, users=[report.assignee],
                                  title="Phản ánh mới được giao")
        if transition.name == "reopen":
            notices.tell_officers(report, kind=notices.ASSIGNED.key,
                                  users=[report.assignee] if report.assignee_id else leaders_of(report.agency),
                                  title="Người dân mở lại phản ánh")
    return report


def _plain(value):
    if isinstance(value, datetime):
        return value.isoformat()
    if hasattr(value, "pk"):
        return getattr(value, "identifier_code", None) or getattr(value, "code", None) or str(value)
    return value


def _officer_of(agency: Agency, username: str):
    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None or agency.pk not in scoping.agency_ids_with_role(user, OFFICER_ROLES):
        raise ValidationError.for_field("assignee", "Người được giao phải là cán bộ của cơ quan xử lý.")
    return user


@transaction.atomic
def report_comment(*, actor, code: str, note: str, token: str = "", internal: bool = False,
                   now: datetime | None = None, ip_address: str = "") -> ReportEvent:
    """A message either way: the citizen (account or token) adds information; an officer asks or informs (public)
    or writes an internal note (officers only)."""
    note = (note or "").strip()
    if not note:
        raise ValidationError.for_field("note", "Cần nhập nội dung trao đổi.")
    if len(note) > MAX_NOTE:
        raise ValidationError.for_field("note", f"Nội dung quá dài (tối đa {MAX_NOTE} ký tự).")
    now = now or timezone.now()
    report = _lock(code)
    kinds = workflow.actor_kinds(actor, report, token_ok=selectors.token_matches(report, token))
    if not kinds:
        raise NotFound("Không tìm thấy phản ánh.")
    officer = bool(kinds & workflow.OFFICERS)
    if report.status == Status.REJECTED or (report.status == Status.CLOSED and not officer):
        raise Conflict("Phản ánh đã kết thúc; hãy mở lại phản ánh nếu chưa đồng ý với trả lời.")
    if internal and not officer:
        raise PermissionDenied("Chỉ cán bộ được ghi chú nội bộ.")
    event = _event(report, action="comment", actor=actor, now=now, note=note, public=not internal,
                   by_citizen=not officer)
    Report.objects.filter(pk=report.pk).update(updated_at=now)
    audit_record(actor=_user_or_none(actor), action="feedback.report.comment", obj=report, ip_address=ip_address,
                 summary=f"{'Ghi chú nội bộ' if internal else 'Trao đổi'} về phản ánh {report.code}"
                         f" ({'cán bộ' if officer else 'người phản ánh'})")
    if officer and not internal:
        notices.tell_citizen(report, note=note)
    elif not officer:
        users = [report.assignee] if report.assignee_id else leaders_of(report.agency)
        notices.tell_officers(report, kind=notices.ASSIGNED.key, users=users, title="Người phản ánh bổ sung")
    return event


# --- the SLA clock ---------------------------------------------------------------------------------------------
def time_left_share(report: Report, now: datetime) -> float:
    """The share of the report's SLA still left (office time, or calendar time for emergencies)."""
    if report.service.is_emergency:
        total = (report.due_at - report.received_at).total_seconds()
        left = (report.due_at - now).total_seconds()
    else:
        total = calendar.working_seconds_between(report.received_at, report.due_at)
        left = calendar.working_seconds_between(now, report.due_at)
    return left / total if total > 0 else 0.0


def report_escalate(*, report_id: int, now: datetime | None = None) -> int:
    """Move one open report up the escalation ladder if its clock says so; returns the new level.

    Level 1: the agency's leaders, once less than WARN_SHARE of the SLA is left. Level 2: the leaders of the
    parent agency (the province administrators without one), once the deadline passed. The clock is the report's
    one due time, so a reassigned report escalates from the same deadline.
    """
    now = now or timezone.now()
    with transaction.atomic():
        report = Report.objects.select_for_update().filter(pk=report_id, status__in=OPEN_STATUSES).first()
        if report is None:
            return 0
        report = Report.objects.select_related("service", "agency", "agency__parent", "commune").get(pk=report.pk)
        level = report.escalation_level
        if level < 2 and now > report.due_at:
            target = 2
        elif level < 1 and time_left_share(report, now) <= WARN_SHARE:
            target = 1
        else:
            return level
        if target == 1:
            users = leaders_of(report.agency)
            kind, title, action = notices.DUE_SOON.key, "Phản ánh sắp đến hạn", "escalate_leader"
            told = report.agency
        else:
            parent = report.agency.parent
            users = leaders_of(parent) if parent else []
            if not users:
                users = list(get_user_model().objects.filter(
                    pk__in=RoleAssignment.objects.filter(role=Role.PROVINCE_ADMIN).values("user_id"),
                    is_active=True))
            kind, title, action = notices.OVERDUE.key, "Phản ánh quá hạn", "escalate_parent"
            told = parent
        Report.objects.filter(pk=report.pk).update(escalation_level=target)
        notices.tell_officers(report, kind=kind, users=users, title=title)
        _event(report, action=action, actor=None, now=now, public=False, to_agency=told,
               data={"level": target, "recipients": [u.pk for u in users]})
        audit_record(actor=None, action=f"feedback.report.{action}", obj=report,
                     summary=f"{workflow.EVENT_LABELS[action]}: phản ánh {report.code}",
                     changes={"escalation_level": [level, target]})
        return target


def escalation_candidates(*, now: datetime | None = None) -> list[int]:
    """Open reports that may need a step up: not yet warned, or warned and past due (report_escalate decides
    exactly, in office time)."""
    now = now or timezone.now()
    rows = Report.objects.filter(status__in=OPEN_STATUSES, escalation_level__lt=2).values_list(
        "pk", "escalation_level", "due_at")
    return [pk for pk, level, due_at in rows.iterator() if level == 0 or due_at < now]


def escalation_sweep(*, now: datetime | None = None) -> int:
    """Escalate every open report whose clock calls for it; returns how many moved."""
    now = now or timezone.now()
    moved = 0
    levels = dict(Report.objects.filter(status__in=OPEN_STATUSES).values_list("pk", "escalation_level"))
    for pk in escalation_candidates(now=now):
        if report_escalate(report_id=pk, now=now) > levels.get(pk, 0):
            moved += 1
    return moved


# --- photos ----------------------------------------------------------------------------------------------------
def photo_without_metadata(photo: ReportPhoto) -> bytes:
    """The photo re-encoded from its pixels: no EXIF (GPS position, camera, owner), orientation applied."""
    from PIL import Image, ImageOps

    with photo.file.open("rb") as handle, Image.open(handle) as image:
        image = ImageOps.exif_transpose(image)
        out = io.BytesIO()
        if photo.content_type == JPEG.content_type:
            image.convert("RGB").save(out, format="JPEG", quality=88)
        else:
            image.save(out, format="PNG")
        return out.getvalue()
