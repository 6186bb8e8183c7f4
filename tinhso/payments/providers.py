"""Payment providers: one small interface, one concrete protocol (VNPAY).

A provider builds the URL the payer is redirected to, and checks what comes back — the payer's browser on the
Return URL, and the provider's server-to-server confirmation (IPN). It holds no rules of the platform: whether a
confirmation pays a bill is decided in `services.online_confirm`.

VNPAY, "Cổng thanh toán VNPAY — Tài liệu tích hợp, phiên bản 2.1.0" (vnp_Version=2.1.0; sandbox documentation at
https://sandbox.vnpayment.vn/apis/docs/thanh-toan-pay/pay.html):
- the payment URL carries vnp_Version, vnp_Command=pay, vnp_TmnCode, vnp_Amount (VND × 100), vnp_CurrCode=VND,
  vnp_TxnRef (unique per attempt), vnp_OrderInfo (no diacritics), vnp_OrderType, vnp_Locale, vnp_ReturnUrl,
  vnp_IpAddr, vnp_CreateDate and vnp_ExpireDate (yyyyMMddHHmmss, GMT+7);
- the signed data is every vnp_* parameter except vnp_SecureHash / vnp_SecureHashType, sorted by name, each
  `urlencode(key)=urlencode(value)` (form encoding, space as "+") joined with "&"; vnp_SecureHash is the hex
  HMAC-SHA512 of that string keyed with vnp_HashSecret;
- the Return URL and the IPN (HTTP GET) carry vnp_Amount, vnp_BankCode, vnp_PayDate, vnp_ResponseCode,
  vnp_TransactionNo, vnp_TransactionStatus, vnp_TxnRef, ... signed the same way; "00" in vnp_ResponseCode and
  vnp_TransactionStatus is a success;
- the merchant answers the IPN with JSON {"RspCode": ..., "Message": ...}: "00" confirmed, "01" order not found,
  "02" order already confirmed, "04" invalid amount, "97" invalid signature, "99" unknown error. VNPAY repeats the
  IPN until it gets "00" or "02".
Credentials come from the environment: TINHSO_VNPAY_TMN_CODE, TINHSO_VNPAY_HASH_SECRET, TINHSO_VNPAY_URL.
"""

import hashlib
import hmac
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import quote_plus
from zoneinfo import ZoneInfo

from django.utils import timezone

VN_TIME = ZoneInfo("Asia/Ho_Chi_Minh")  # VNPAY dates are GMT+7
DATE_FORMAT = "%Y%m%d%H%M%S"


@dataclass(frozen=True)
class Confirmation:
    """What a provider says about one transaction, once its signature is checked."""

    reference: str
    amount: int | None               # VND, None when unreadable
    success: bool
    transaction_no: str = ""
    response_code: str = ""
    bank_code: str = ""
    paid_at: datetime | None = None
    data: dict = field(default_factory=dict)


class InvalidSignature(Exception):
    pass


class PaymentProvider:
    """The interface: a provider adapter implements these three."""

    code = ""
    label = ""

    def configured(self) -> bool:
        raise NotImplementedError

    def payment_url(self, *, reference: str, amount: int, description: str, return_url: str, ip_address: str,
                    now: datetime | None = None) -> str:
        raise NotImplementedError

    def parse(self, params: dict) -> Confirmation:
        """Check the signature of a Return URL or IPN query; raises InvalidSignature."""
        raise NotImplementedError


def _ascii(text: str) -> str:
    """vnp_OrderInfo: Vietnamese without diacritics, no special characters (the protocol's rule)."""
    plain = unicodedata.normalize("NFD", (text or "").replace("đ", "d").replace("Đ", "D"))
    plain = "".join(ch for ch in plain if not unicodedata.combining(ch))
    return "".join(ch for ch in plain if (ch.isascii() and ch.isalnum()) or ch in " -.:")[:255]


def sign(params: dict, secret: str) -> str:
    data = "&".join(f"{quote_plus(str(k))}={quote_plus(str(v))}" for k, v in sorted(params.items())
                    if k.startswith("vnp_") and k not in ("vnp_SecureHash", "vnp_SecureHashType")
                    and v not in (None, ""))
    return hmac.new(secret.encode(), data.encode("utf-8"), hashlib.sha512).hexdigest()


def vnp_date(value: datetime) -> str:
    return value.astimezone(VN_TIME).strftime(DATE_FORMAT)


def parse_vnp_date(value: str) -> datetime | None:
    try:
        return datetime.strptime(value, DATE_FORMAT).replace(tzinfo=VN_TIME)
    except (TypeError, ValueError):
        return None


class Vnpay(PaymentProvider):
    code = "vnpay"
    label = "VNPAY"
    VERSION = "2.1.0"

    def __init__(self, *, tmn_code: str, hash_secret: str, url: str):
        self.tmn_code, self.hash_secret, self.url = tmn_code, hash_secret, url

    @classmethod
    def from_settings(cls) -> "Vnpay":
        from .conf import vnpay_credentials

        tmn_code, hash_secret, url = vnpay_credentials()
        return cls(tmn_code=tmn_code, hash_secret=hash_secret, url=url)

    def configured(self) -> bool:
        return bool(self.tmn_code and self.hash_secret and self.url)

    def payment_url(self, *, reference: str, amount: int, description: str, return_url: str, ip_address: str,
                    now: datetime | None = None) -> str:
        now = now or timezone.now()
        params = {
            "vnp_Version": self.VERSION, "vnp_Command": "pay", "vnp_TmnCode": self.tmn_code,
            "vnp_Amount": str(amount * 100), "vnp_CurrCode": "VND", "vnp_TxnRef": reference,
            "vnp_OrderInfo": _ascii(description), "vnp_OrderType": "other", "vnp_Locale": "vn",
            "vnp_ReturnUrl": return_url, "vnp_IpAddr": ip_address or "127.0.0.1",
            "vnp_CreateDate": vnp_date(now), "vnp_ExpireDate": vnp_date(now + timedelta(minutes=15)),
        }
        query = "&".join(f"{quote_plus(k)}={quote_plus(v)}" for k, v in sorted(params.items()))
        separator = "&" if "?" in self.url else "?"
        return f"{self.url}{separator}{query}&vnp_SecureHash={sign(params, self.hash_secret)}"

    def parse(self, params: dict) -> Confirmation:
        params = {k: v for k, v in params.items() if isinstance(k, str) and k.startswith("vnp_")}
        given = str(params.get("vnp_SecureHash", "")).lower()
        if not self.hash_secret or not given or not hmac.compare_digest(sign(params, self.hash_secret), given):
            raise InvalidSignature()
        if params.get("vnp_TmnCode") and params["vnp_TmnCode"] != self.tmn_code:
            raise InvalidSignature()
        raw_amount = str(params.get("vnp_Amount", ""))
        amount = int(raw_amount) // 100 if raw_amount.isdigit() and int(raw_amount) % 100 == 0 else None
        code, status = str(params.get("vnp_ResponseCode", "")), str(params.get("vnp_TransactionStatus", ""))
        return Confirmation(
            reference=str(params.get("vnp_TxnRef", ""))[:40], amount=amount,
            success=code == "00" and status in ("", "00"), transaction_no=str(params.get("vnp_TransactionNo", ""))[:40],
            response_code=code[:4], bank_code=str(params.get("vnp_BankCode", ""))[:20],
            paid_at=parse_vnp_date(str(params.get("vnp_PayDate", ""))),
            data={k: str(v)[:300] for k, v in params.items() if k != "vnp_SecureHash"})


def provider() -> PaymentProvider:
    return Vnpay.from_settings()
