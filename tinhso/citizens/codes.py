"""One-time codes: issue, send through the notifications app, check."""

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from tinhso.notifications import kinds
from tinhso.notifications.choices import Channel
from tinhso.notifications.kinds import Kind, Wording
from tinhso.notifications.services import Recipient, notify

from .models import OneTimeCode

CODE_KIND = Kind(
    key="citizens.one_time_code", label="Mã xác nhận một lần (đăng ký, đặt lại mật khẩu)",
    placeholders={"ma": "Mã xác nhận 6 chữ số", "muc_dich": "Việc cần xác nhận", "phut": "Số phút mã còn hiệu lực"},
    wording={
        Channel.SMS: Wording(body="Ma xac nhan Tinh So: {ma} ({muc_dich}), hieu luc {phut} phut. "
                                  "Khong cung cap ma nay cho bat ky ai."),
        Channel.EMAIL: Wording(subject="Mã xác nhận Tỉnh Số: {ma}",
                               body="Mã xác nhận của bạn là {ma}, dùng để {muc_dich}; mã có hiệu lực {phut} phút.\n"
                                    "Không cung cấp mã này cho bất kỳ ai, kể cả người tự xưng là cán bộ."),
    })
PURPOSE_TEXT = {"register": ("dang ky tai khoan", "đăng ký tài khoản"),
                "reset": ("dat lai mat khau", "đặt lại mật khẩu")}
MAX_TRIES = 5


def register_kinds() -> None:
    kinds.register(CODE_KIND)


def lifetime() -> timedelta:
    return timedelta(minutes=int(getattr(settings, "TINHSO_OTP_MINUTES", 10)))


def _hash(code_id: int, code: str) -> str:
    key = hashlib.sha256(("tinhso.otp:" + settings.SECRET_KEY).encode()).digest()
    return hmac.new(key, f"{code_id}:{code}".encode(), hashlib.sha256).hexdigest()


def issue(*, purpose: str, channel: str, address: str, pending: dict | None = None) -> OneTimeCode:
    """A new code for the address (earlier unspent ones of the same purpose stop working), sent at once."""
    now = timezone.now()
    OneTimeCode.objects.filter(purpose=purpose, address=address, used_at__isnull=True).update(used_at=now)
    code = f"{secrets.randbelow(10**6):06d}"
    otp = OneTimeCode.objects.create(purpose=purpose, channel=channel, address=address, code_hash="-",
                                     pending=pending or {}, expires_at=now + lifetime())
    OneTimeCode.objects.filter(pk=otp.pk).update(code_hash=_hash(otp.pk, code))
    ascii_text, text = PURPOSE_TEXT[purpose]
    recipient = Recipient(phone=address) if channel == Channel.SMS else Recipient(email=address)
    notify(kind=CODE_KIND.key, recipient=recipient, channels=(channel,),
           context={"ma": code, "muc_dich": ascii_text if channel == Channel.SMS else text,
                    "phut": int(lifetime().total_seconds() // 60)})
    return otp


def check(*, otp: OneTimeCode, code: str) -> bool:
    """True once for the right code before it expires; every wrong try counts, and the fifth spends the code."""
    now = timezone.now()
    if otp.used_at is not None or otp.expires_at <= now or otp.attempts >= MAX_TRIES:
        return False
    if hmac.compare_digest(otp.code_hash, _hash(otp.pk, (code or "").strip())):
        return OneTimeCode.objects.filter(pk=otp.pk, used_at__isnull=True).update(used_at=now) == 1
    otp.attempts += 1
    OneTimeCode.objects.filter(pk=otp.pk).update(attempts=otp.attempts,
                                                 used_at=now if otp.attempts >= MAX_TRIES else None)
    return False
