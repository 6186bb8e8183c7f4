"""Citizens' accounts: register with a phone or e-mail confirmed by a one-time code, reset a forgotten password
the same way, and log in with the national e-ID (the OIDC backend calls `eid_account_for`)."""

import re

from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction

from tinhso.accounts.choices import CitizenIdVerification, Role
from tinhso.accounts.models import RoleAssignment
from tinhso.accounts.services import citizen_id_verify
from tinhso.audit.services import audit_record
from tinhso.core.exceptions import Conflict, NotFound, ValidationError
from tinhso.core.identity import citizen_id_problem, normalize_citizen_id
from tinhso.core.throttle import throttle_check, throttle_failure
from tinhso.dossiers.linking import applicant_dossiers_link
from tinhso.notifications.choices import Channel

from . import codes
from .models import CodePurpose, OneTimeCode

User = get_user_model()
PHONE_RE = re.compile(r"^0\d{9,10}$")
WRONG_CODE = "Mã xác nhận không đúng hoặc đã hết hạn."


def contact_parse(value: str) -> tuple[str, str]:
    """(channel, address) from what a person typed: a Vietnamese mobile number or an e-mail address."""
    value = (value or "").strip()
    if "@" in value:
        try:
            validate_email(value)
        except DjangoValidationError:
            raise ValidationError.for_field("contact", "Địa chỉ thư điện tử không hợp lệ.") from None
        return Channel.EMAIL, value.lower()
    digits = re.sub(r"[\s.\-()]", "", value)
    if digits.startswith("+84"):
        digits = "0" + digits[3:]
    elif digits.startswith("84") and len(digits) in (11, 12):
        digits = "0" + digits[2:]
    if not PHONE_RE.match(digits):
        raise ValidationError.for_field(
            "contact", "Nhập số điện thoại di động (10 chữ số, ví dụ 0912345678) hoặc địa chỉ thư điện tử.")
    return Channel.SMS, digits


def _throttle(kind: str, address: str, ip_address: str) -> dict[str, str]:
    keys = {f"citizens.{kind}.address": address, f"citizens.{kind}.ip": ip_address or "-"}
    throttle_check(keys=keys)
    return keys


def _password_problems(password: str, user=None) -> list[str]:
    try:
        password_validation.validate_password(password, user)
    except DjangoValidationError as exc:
        return list(exc.messages)
    return []


def registration_start(*, full_name: str, contact: str, password: str, ip_address: str = "") -> OneTimeCode:
    full_name = " ".join((full_name or "").split())
    errors: dict[str, list[str]] = {}
    if not full_name:
        errors["full_name"] = ["Nhập họ và tên."]
    elif len(full_name) > 150:
        errors["full_name"] = ["Họ và tên dài tối đa 150 ký tự."]
    try:
        channel, address = contact_parse(contact)
    except ValidationError as exc:
        errors.update(exc.field_errors)
        channel, address = "", ""
    if address and User.objects.filter(username=address).exists():
        errors["contact"] = ["Số điện thoại hoặc thư điện tử này đã có tài khoản. Hãy đăng nhập hoặc dùng "
                             "“Quên mật khẩu”."]
    if problems := _password_problems(password, User(username=address, full_name=full_name)):
        errors["password"] = problems
    if errors:
        raise ValidationError("Thông tin đăng ký chưa hợp lệ.", field_errors=errors)
    keys = _throttle("register", address, ip_address)
    throttle_failure(keys=keys)  # every code sent counts: a form that sends SMS must not be a free SMS gun
    with transaction.atomic():
        from django.contrib.auth.hashers import make_password

        return codes.issue(purpose=CodePurpose.REGISTER, channel=channel, address=address,
                           pending={"full_name": full_name, "password": make_password(password)})


def _pending_code(otp_id: int, purpose: str) -> OneTimeCode:
    otp = OneTimeCode.objects.filter(pk=otp_id, purpose=purpose).first()
    if otp is None:
        raise NotFound("Yêu cầu xác nhận không tồn tại; hãy làm lại từ đầu.")
    return otp


def registration_confirm(*, otp_id: int, code: str, ip_address: str = ""):
    otp = _pending_code(otp_id, CodePurpose.REGISTER)
    if not codes.check(otp=otp, code=code):
        raise ValidationError.for_field("code", WRONG_CODE)
    try:
        with transaction.atomic():
            channel = otp.channel
            user = User(username=otp.address, full_name=otp.pending.get("full_name", ""),
                        email=otp.address if channel == Channel.EMAIL else "",
                        phone=otp.address if channel == Channel.SMS else "",
                        password=otp.pending.get("password", "!"))
            user.save()
            RoleAssignment.objects.create(user=user, role=Role.CITIZEN)
            audit_record(actor=user, action="citizens.account.register", obj=user, ip_address=ip_address,
                         summary=f"Công dân tự đăng ký tài khoản, xác nhận qua "
                                 f"{'tin nhắn SMS' if channel == Channel.SMS else 'thư điện tử'}.",
                         changes={"username": [None, user.username]})
    except IntegrityError as exc:
        raise Conflict("Số điện thoại hoặc thư điện tử này đã có tài khoản.") from exc
    return user


def password_reset_start(*, contact: str, ip_address: str = "") -> OneTimeCode | None:
    """Send a code when an account has this contact; say nothing either way (the page shows one message)."""
    channel, address = contact_parse(contact)
    keys = _throttle("reset", address, ip_address)
    throttle_failure(keys=keys)
    user = User.objects.filter(is_active=True).filter(
        username=address).first() or User.objects.filter(
        is_active=True, **({"email__iexact": address} if channel == Channel.EMAIL else {"phone": address})).first()
    if user is None:
        return None
    with transaction.atomic():
        return codes.issue(purpose=CodePurpose.RESET, channel=channel, address=address,
                           pending={"user_id": user.pk})


def password_reset_confirm(*, contact: str, code: str, new_password: str, ip_address: str = ""):
    channel, address = contact_parse(contact)
    otp = OneTimeCode.objects.filter(purpose=CodePurpose.RESET, address=address,
                                     used_at__isnull=True).order_by("-created_at").first()
    if otp is None or not codes.check(otp=otp, code=code):
        throttle_failure(keys={"citizens.reset.ip": ip_address or "-"})
        raise ValidationError.for_field("code", WRONG_CODE)
    user = User.objects.get(pk=otp.pending["user_id"])
    if problems := _password_problems(new_password, user):
        # The code is spent; ask for a new one rather than leave a proven code lying around.
        raise ValidationError("Mật khẩu mới chưa đạt yêu cầu; hãy yêu cầu mã mới.",
                              field_errors={"new_password": problems})
    with transaction.atomic():
        user.set_password(new_password)
        user.save(update_fields=["password"])
        audit_record(actor=user, action="citizens.password.reset", obj=user, ip_address=ip_address,
                     summary="Đặt lại mật khẩu bằng mã xác nhận gửi qua "
                             f"{'tin nhắn SMS' if channel == Channel.SMS else 'thư điện tử'}.")
    return user


@transaction.atomic
def eid_account_for(*, citizen_id: str, full_name: str = "", email: str = "", phone: str = ""):
    """The verified account of the person the national e-ID vouched for, created on first login.

    An e-ID proves the citizen ID, so: an account already verified with that number is theirs; an account that
    merely claims the number (never proven) loses it — it may be a stranger's — and the person gets a verified
    account of their own. Counter and postal dossiers filed under the number are then linked to the account.
    """
    citizen_id = normalize_citizen_id(citizen_id)
    if problem := citizen_id_problem(citizen_id):
        raise ValidationError.for_field("citizen_id", f"Định danh điện tử trả về số không hợp lệ: {problem}")
    user = User.objects.select_for_update().filter(citizen_id=citizen_id).first()
    if user is not None and not user.citizen_id_verified:
        audit_record(actor=None, action="accounts.citizen_id.released", obj=user,
                     summary=f"Gỡ số định danh cá nhân chưa xác minh khỏi tài khoản {user.username}: số này đã "
                             "được xác minh bằng định danh điện tử cho người khác.",
                     changes={"citizen_id": [citizen_id, ""]})
        user.citizen_id = ""
        user.save(update_fields=["citizen_id"])
        user = None
    if user is None:
        user = User(username=f"vneid.{citizen_id}", full_name=" ".join(full_name.split())[:150],
                    email=(email or "").strip().lower()[:254], phone=(phone or "").strip()[:20])
        user.set_unusable_password()
        user.save()
        RoleAssignment.objects.create(user=user, role=Role.CITIZEN)
        audit_record(actor=None, action="citizens.account.eid_create", obj=user,
                     summary="Tạo tài khoản công dân khi đăng nhập lần đầu bằng định danh điện tử.")
    elif not RoleAssignment.objects.filter(user=user, role=Role.CITIZEN).exists():
        RoleAssignment.objects.create(user=user, role=Role.CITIZEN)
    user = citizen_id_verify(actor=None, user=user, citizen_id=citizen_id, method=CitizenIdVerification.EID)
    applicant_dossiers_link(user=user)
    return user
