"""Where the payment settings come from: the environment (the shared settings file stays untouched).

- TINHSO_VNPAY_TMN_CODE, TINHSO_VNPAY_HASH_SECRET, TINHSO_VNPAY_URL: the merchant's VNPAY terminal (sandbox:
  https://sandbox.vnpayment.vn/paymentv2/vpcpay.html). A Django setting of the same name wins over the variable.
- TINHSO_VNPAY_SIMULATOR=1 (set by `tinhso demo`): without a configured terminal, the platform's own simulated
  gateway at /thanh-toan/mo-phong-vnpay/ stands in, signed with a key derived from SECRET_KEY. Never in production.
"""

import hashlib
import os

from django.conf import settings

SIMULATOR_TMN_CODE = "TINHSODEMO"


def _value(name: str) -> str:
    return str(getattr(settings, name, "") or os.environ.get(name, "")).strip()


def simulator_enabled() -> bool:
    return (_value("TINHSO_VNPAY_SIMULATOR") in ("1", "true", "True") and not getattr(settings, "PRODUCTION", False)
            and not _value("TINHSO_VNPAY_URL"))


def simulator_secret() -> str:
    return hashlib.sha256(f"tinhso-vnpay-simulator:{settings.SECRET_KEY}".encode()).hexdigest()


def public_url(path: str) -> str:
    return str(getattr(settings, "TINHSO_PUBLIC_URL", "http://127.0.0.1:8000")).rstrip("/") + path


def vnpay_credentials() -> tuple[str, str, str]:
    """(tmn_code, hash_secret, url); empty strings when online payment is not configured."""
    if simulator_enabled():
        from django.urls import reverse

        return SIMULATOR_TMN_CODE, simulator_secret(), public_url(reverse("payments:simulator"))
    return _value("TINHSO_VNPAY_TMN_CODE"), _value("TINHSO_VNPAY_HASH_SECRET"), _value("TINHSO_VNPAY_URL")


NOT_CONFIGURED = ("Thanh toán trực tuyến chưa được cấu hình: đặt TINHSO_VNPAY_TMN_CODE, TINHSO_VNPAY_HASH_SECRET và "
                  "TINHSO_VNPAY_URL (hoặc TINHSO_VNPAY_SIMULATOR=1 để dùng cổng mô phỏng khi chạy thử).")
