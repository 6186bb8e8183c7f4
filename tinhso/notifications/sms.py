"""SMS providers behind one adapter interface.

`EsmsProvider` speaks eSMS.vn's documented brandname API ("SendMultipleMessage_V4_post_json": a JSON POST with
ApiKey, SecretKey, Brandname, Phone, Content, SmsType=2 for customer-care messages; the answer carries
`CodeResult` "100" on success and the message id in `SMSID`). `FileSmsProvider` writes each message to a file,
for the demo and for offline installations that hand SMS over to another system.

Settings (from the environment, see config/settings.py): TINHSO_SMS_PROVIDER = "esms" | "file" | "" (off);
TINHSO_SMS_URL, TINHSO_SMS_API_KEY, TINHSO_SMS_SECRET_KEY, TINHSO_SMS_BRANDNAME; TINHSO_SMS_DIR for "file".
"""

import json
import re
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils import timezone


class SmsError(Exception):
    """The provider refused or could not be reached; `retryable` says whether trying again may help."""

    def __init__(self, message: str, *, retryable: bool = True):
        super().__init__(message)
        self.retryable = retryable


@dataclass(frozen=True)
class SmsSent:
    provider_id: str


class SmsProvider:
    name = ""

    def send(self, *, phone: str, text: str, request_id: str) -> SmsSent:  # pragma: no cover - interface
        raise NotImplementedError


# eSMS result codes that trying again cannot fix (wrong credentials, unregistered brandname, bad number, ...).
_ESMS_PERMANENT = {"101", "102", "103", "104", "118", "119", "131", "132", "177"}


class EsmsProvider(SmsProvider):
    name = "esms"
    DEFAULT_URL = "https://rest.esms.vn/MainService.svc/json/SendMultipleMessage_V4_post_json/"

    def __init__(self, *, url: str, api_key: str, secret_key: str, brandname: str, timeout: float = 10):
        self.url, self.api_key, self.secret_key, self.brandname = url, api_key, secret_key, brandname
        self.timeout = timeout

    def send(self, *, phone: str, text: str, request_id: str) -> SmsSent:
        body = json.dumps({
            "ApiKey": self.api_key, "SecretKey": self.secret_key, "Brandname": self.brandname,
            "Phone": phone, "Content": text, "SmsType": "2", "IsUnicode": "1" if _has_non_ascii(text) else "0",
            "Sandbox": "0", "RequestId": request_id,
        }).encode()
        request = urllib.request.Request(self.url, data=body, method="POST",
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 - configured URL
                answer = json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as exc:
            raise SmsError(f"eSMS trả lỗi HTTP {exc.code}", retryable=exc.code >= 500 or exc.code == 429) from exc
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise SmsError(f"Không kết nối được eSMS: {exc}") from exc
        except ValueError as exc:
            raise SmsError("eSMS trả về nội dung không phải JSON") from exc
        code = str(answer.get("CodeResult", ""))
        if code != "100":
            message = answer.get("ErrorMessage") or f"mã {code or 'không rõ'}"
            raise SmsError(f"eSMS từ chối tin nhắn: {message}", retryable=code not in _ESMS_PERMANENT)
        return SmsSent(provider_id=str(answer.get("SMSID", "")))


class FileSmsProvider(SmsProvider):
    name = "file"

    def __init__(self, *, directory: Path):
        self.directory = Path(directory)

    def send(self, *, phone: str, text: str, request_id: str) -> SmsSent:
        self.directory.mkdir(parents=True, exist_ok=True)
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
        path = self.directory / f"{stamp}-{phone}-{request_id[:8]}.txt"
        path.write_text(f"Đến: {phone}\nLúc: {timezone.localtime():%d/%m/%Y %H:%M:%S}\n\n{text}\n", encoding="utf-8")
        return SmsSent(provider_id=f"file:{path.name}")


def _has_non_ascii(text: str) -> bool:
    return bool(re.search(r"[^\x00-\x7f]", text))


def configured_provider() -> SmsProvider | None:
    kind = getattr(settings, "TINHSO_SMS_PROVIDER", "")
    if kind == "esms":
        return EsmsProvider(url=settings.TINHSO_SMS_URL or EsmsProvider.DEFAULT_URL,
                            api_key=settings.TINHSO_SMS_API_KEY, secret_key=settings.TINHSO_SMS_SECRET_KEY,
                            brandname=settings.TINHSO_SMS_BRANDNAME)
    if kind == "file":
        return FileSmsProvider(directory=Path(settings.TINHSO_SMS_DIR))
    return None


def new_request_id() -> str:
    return uuid.uuid4().hex
