"""Outbound connectors: one adapter interface, one queue (the outbox table), retries and a delivery log per item.

Exactly once, end to end: an item is written to the outbox in the same transaction as the change it reports,
with an idempotency key that names that change. A worker claims an item with a lease, sends it with the header
`Idempotency-Key: <key>` (the IETF HTTPAPI draft "The Idempotency-Key HTTP Header Field"), and records the
answer. A worker that dies between sending and recording leaves the item leased but pending; once the lease
runs out another worker sends it again under the same key, and the receiver, which keeps the keys it has taken,
answers the repeat without taking it twice. So each change is taken exactly once by the receiver, even though
the network may carry it more than once.

The two receivers' shapes follow public integration code read in the stored public corpus (this machine has no
internet access; docs/connectors.md gives the source of every field and what stays [to check]):

* National public-service portal (Cổng Dịch vụ công quốc gia), dossier synchronisation:
  - VietOpenCPS/opencps-v2 @ b5b943c24574f07c851f7e6595f8b710f6c89d39, modules/backend-dossiermgt/
    backend-dossiermgt-service/src/main/java/org/opencps/dossiermgt/action/impl/DVCQGIntegrationActionImpl.java:
    log in with POST {"username", "password"} -> {"session", "error_code": 0}; then POST to the integration
    endpoint {"session", "madonvi", "service": "DongBoHoSoMC", "isUpdating": "True"|"False", "data": [record]}
    and, once that answered error_code "00", {"session", "madonvi", "service": "CapNhatTienDoHoSoMC",
    "data": [progress]}; dates "yyyyMMddHHmmss" in Asia/Ho_Chi_Minh; absent values are "".
  - HuanVu201/DichVuCong_KhoaLuan_PASETO @ 07e3b72bedc8cf70a3f356316373c78e0473bfcd (a Tân Dân one-stop-shop
    code base), DichVuCongApi/src/Core/Application/Common/KetNoi/DVC/SyncLocalDataToDVCQG/
    ISyncLocalDataToDVCQGService.cs and DichVuCongApi/src/Infrastructure/KetNoi/DVC/SyncLocalDataToDVCQG/
    SyncLocalDataToDVCQGService.cs: the same record and progress fields, newer fields (KenhThucHien, NgayNopHoSo,
    NgayTuChoi, DinhDanhCHS), answers {"error_code": "0", "message"}; DichVuCongApi/src/Infrastructure/KetNoi/
    LLTP/LLTPService.cs: the portal's dossier status codes 1-10 (PORTAL_STATUS_NAMES below).
* Agency identifier codes (QĐ 20/2020/QĐ-TTg) to the national registry of agencies:
  - PVN-Organization/API-Gateway-iOffice @ 6afa071a8d0e13ba7b142edf88ad39f12ea94fac, JDK 1.8/SDKVXP_Example/src/
    main/java/com/vpcp/example/ServiceTest.java and .../com/vpcp/gateway/AgencyRequest.java: VNPT's VXP SDK
    (SDKVXP-2.0.1, the national document-exchange axis) registers or updates an agency by its code with POST
    {endpoint}/registerAgency {"id", "pcode", "code", "name", "mail", "mobile", "fax"}, unregisters it with
    POST {endpoint}/deleteAgency (header AgencyCode), and answers {"status", "ErrorCode": "0", "ErrorDesc"};
    its com/vpcp/services/VnptService signs the headers (XroadVnpt-*, HMAC-SHA256, see `xroad_vnpt_headers`).
    [to check] that the Ministry's shared catalogue itself takes this shape: no public document of its own API
    was found.
Each adapter is small so that only its `envelope`/`headers`/`accepted` change when the documents are at hand.
"""

import hashlib
import hmac
import json
import logging
import os
import socket
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from .choices import DeliveryStatus
from .delivery import Answer, canonical_json, post_json
from .models import OutboxAttempt, OutboxItem

log = logging.getLogger(__name__)
LEASE = timedelta(minutes=5)
PORTAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def _setting(name: str) -> str:
    return getattr(settings, name, "") or ""


def _json(answer: Answer) -> dict:
    try:
        data = json.loads(answer.body)
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _code_is_zero(value) -> bool:
    """OpenCPS reads the portal's success as error_code "00" (sync) or 0 (login), the Tân Dân code as "0"."""
    try:
        return int(str(value).strip()) == 0
    except ValueError:
        return False


@dataclass(frozen=True)
class Connector:
    """The adapter interface: where to send, the per-run context (a login), how one item goes on the wire (one
    or more POSTs, each with its own idempotency key), and whether the receiver's answer means it took it."""

    key: str
    name: str
    url_setting: str

    def url(self) -> str:
        return _setting(self.url_setting)

    def open(self, *, timeout: float) -> tuple[dict, Answer | None]:
        """Per-run context; an Answer instead when it could not be had (the first claimed item records it)."""
        return {}, None

    def requests(self, item: OutboxItem, context: dict) -> list[tuple[str, str, dict]]:
        """(url, idempotency key, body) for each POST the item needs, in order."""
        return [(self.url(), item.key, item.payload)]

    def headers(self, body: bytes, context: dict) -> dict[str, str]:
        return {}

    def accepted(self, answer: Answer) -> bool:
        return answer.ok

    def send(self, item: OutboxItem, context: dict, *, timeout: float) -> Answer:
        answer = Answer(None, "", "nothing to send")
        for url, key, body in self.requests(item, context):
            raw = canonical_json(body)
            answer = post_json(url, raw, timeout=timeout, headers={"Idempotency-Key": key,
                                                                    **self.headers(raw, context)})
            if not self.accepted(answer):
                break
        return answer

    def receipt(self, answer: Answer) -> str:
        return answer.body[:200]


# --- National public-service portal (Cổng Dịch vụ công quốc gia) -------------------------------------------

PORTAL_STATUS_NAMES = {"1": "Mới đăng ký", "2": "Được tiếp nhận", "3": "Không được tiếp nhận", "4": "Đang xử lý",
                       "5": "Yêu cầu bổ sung giấy tờ", "6": "Yêu cầu thực hiện nghĩa vụ tài chính",
                       "7": "Công dân yêu cầu rút hồ sơ", "8": "Dừng xử lý", "9": "Đã xử lý xong",
                       "10": "Đã trả kết quả"}
# Our dossier statuses as the portal's TrangThaiHoSo codes; docs/connectors.md holds the same table with the
# reasons, and a test keeps the two equal. [to check]: completion_requested (before reception) and rejected.
PORTAL_STATUS = {"submitted": "1", "completion_requested": "5", "received": "2", "refused": "3",
                 "in_progress": "4", "awaiting_approval": "4", "supplement_requested": "5", "approved": "9",
                 "rejected": "9", "result_issued": "9", "returned": "10", "withdrawn": "7", "stopped": "8"}
PORTAL_CHANNEL = {"direct": "1", "online": "2", "postal": "3"}  # KenhThucHien


def portal_stamp(value: datetime | None) -> str:
    """The portal's date format, yyyyMMddHHmmss in Vietnam's time; "" when there is no date."""
    return timezone.localtime(value, PORTAL_TZ).strftime("%Y%m%d%H%M%S") if value else ""


class PortalConnector(Connector):
    """Each status change is one outbox item sent as two calls, as OpenCPS does: DongBoHoSoMC (the dossier
    record, an upsert by MaHoSo) and then, once accepted, CapNhatTienDoHoSoMC (the progress line).
    Sources: VietOpenCPS/opencps-v2 DVCQGIntegrationActionImpl.java (syncDossierAndDossierStatus, getAccessToken,
    syncData) and HuanVu201/DichVuCong_KhoaLuan_PASETO SyncLocalDataToDVCQGService.cs (commits above)."""

    def open(self, *, timeout: float) -> tuple[dict, Answer | None]:
        context = {"madonvi": _setting("TINHSO_DVCQG_MADONVI")}
        auth_url = _setting("TINHSO_DVCQG_AUTH_URL")
        if not auth_url:  # a session issued out of band (or by the province's LGSP)
            context["session"] = _setting("TINHSO_DVCQG_TOKEN")
            return context, None
        answer = post_json(auth_url, canonical_json({"username": _setting("TINHSO_DVCQG_USERNAME"),
                                                     "password": _setting("TINHSO_DVCQG_PASSWORD")}),
                           headers={}, timeout=timeout)
        data = _json(answer)
        if answer.ok and _code_is_zero(data.get("error_code")) and data.get("session"):
            context["session"] = str(data["session"])
            return context, None
        # never keep the login answer's body beyond a short error: it is the portal's, not ours
        return context, Answer(answer.status, "", answer.error or f"Đăng nhập Cổng DVCQG không thành công "
                                                                  f"(error_code={data.get('error_code')!r})")

    def requests(self, item: OutboxItem, context: dict) -> list[tuple[str, str, dict]]:
        base = {"session": context.get("session", ""), "madonvi": context.get("madonvi", "")}
        calls = []
        for service in ("DongBoHoSoMC", "CapNhatTienDoHoSoMC"):
            part = item.payload.get(service)
            if part is not None:
                key = item.key if service == "DongBoHoSoMC" else f"{item.key}:tien-do"
                calls.append((self.url(), key, {**base, "service": service, **part}))
        return calls

    def accepted(self, answer: Answer) -> bool:
        return answer.ok and _code_is_zero(_json(answer).get("error_code", "missing"))


def _progress_note(event) -> str:
    from tinhso.dossiers.workflow import EVENT_LABELS

    return (event.note or EVENT_LABELS.get(event.action, event.action))[:500]


def dossier_status_payload(event, *, is_update: bool) -> dict:
    """The two records for one status change, taken as they are when it happens (field sources: docs)."""
    dossier = event.dossier
    procedure = dossier.procedure
    status = PORTAL_STATUS.get(event.to_status, "")
    ended = dossier.resolved_at or dossier.stopped_at or dossier.withdrawn_at
    holder = dossier.applicant_citizen_id
    record = {
        "MaHoSo": dossier.code, "MaTTHC": procedure.code, "TenTTHC": procedure.name[:500],
        "MaLinhVuc": procedure.field.code, "TenLinhVuc": procedure.field.name,
        "KenhThucHien": PORTAL_CHANNEL.get(dossier.channel, ""), "ChuHoSo": dossier.applicant_name,
        "LoaiDoiTuong": "1", "MaDoiTuong": "", "ThongTinKhac": "", "Email": dossier.applicant_email, "Fax": "",
        "SoDienThoai": dossier.applicant_phone, "TrichYeuHoSo": procedure.name[:1000],
        "NgayNopHoSo": portal_stamp(dossier.submitted_at), "NgayTiepNhan": portal_stamp(dossier.received_at),
        "NgayHenTra": portal_stamp(dossier.due_at), "TrangThaiHoSo": status,
        "NgayTra": portal_stamp(dossier.returned_at), "ThongTinTra": "",
        "HinhThuc": "1" if dossier.channel == "postal" else "0",
        "NgayKetThucXuLy": portal_stamp(ended), "NgayTuChoi": portal_stamp(dossier.refused_at),
        "DonViXuLy": dossier.handling_agency.name, "GhiChu": "",
        "DinhDanhCHS": [{"LoaiDinhDanh": "1", "SoDinhDanh": holder}] if len(holder) == 12 else [],
        "TaiLieuNop": [], "DanhSachLePhi": [], "DanhSachTepDinhKemKhac": [], "DanhSachHoSoBoSung": [],
        "DanhSachGiayToKetQua": [],
    }
    actor = event.actor_label or (event.actor.get_full_name() if event.actor_id else "") or "Cán bộ"
    progress = {
        "MaHoSo": dossier.code, "NguoiXuLy": actor[:50], "ChucDanh": "",
        "ThoiDiemXuLy": portal_stamp(event.at), "PhongBanXuLy": event.agency.name if event.agency_id else "",
        "NoiDungXuLy": _progress_note(event), "TrangThai": status, "NgayBatDau": "", "NgayKetThucTheoQuyDinh": "",
    }
    return {"DongBoHoSoMC": {"isUpdating": "True" if is_update else "False", "data": [record]},
            "CapNhatTienDoHoSoMC": {"data": [progress]}}


# --- Agency identifier codes to the national registry (VXP) ---------------------------------------------

XROAD_VERSION = "3.0.201608"


def xroad_timestamp(now: datetime | None = None) -> str:
    """ddMMyyyy'T'HHmmss+SSSS as VnptService formats it (SimpleDateFormat pads the milliseconds to four)."""
    now = timezone.localtime(now or timezone.now(), PORTAL_TZ)
    return now.strftime("%d%m%YT%H%M%S") + f"+{now.microsecond // 1000:04d}"


def xroad_vnpt_headers(*, system_id: str, secret: str, extra: dict[str, str] | None = None,
                       now: datetime | None = None) -> dict[str, str]:
    """The VXP SDK's signed headers: each header h is sent as XroadVnpt-h, their names joined by ';' in
    XroadVnpt-sign-header-key, the JSON object of them in XroadVnpt-sign-header, and HMAC-SHA256 (key: the
    secret) of that JSON, hex, in XroadVnpt-hash-header. The body is not covered by the hash."""
    signed = {"timestamp": xroad_timestamp(now), "systemid": system_id, "Content-Type": "application/json",
              **(extra or {})}
    prefixed = {f"XroadVnpt-{name}": value for name, value in signed.items()}
    sign_header = json.dumps(prefixed, separators=(",", ":"))
    digest = hmac.new(secret.encode(), sign_header.encode(), hashlib.sha256).hexdigest()
    return {"Content-Type": "application/json", **prefixed, "XroadVnpt-sign-header-key": ";".join(signed),
            "XroadVnpt-sign-header": sign_header, "XroadVnpt-hash-header": digest,
            "XroadVnpt-version": XROAD_VERSION}


class CatalogueConnector(Connector):
    """registerAgency / deleteAgency of VNPT's VXP SDK (PVN-Organization/API-Gateway-iOffice ServiceTest.java,
    AgencyRequest.java; SDKVXP-2.0.1 AgencyServiceImp, VnptService). The shared catalogue itself is only seen
    read in public code (ledinhluongstd/2020-dmdc-craw-nodejs: NGSP dmdc/1.0/AllCategory); [to check]."""

    def requests(self, item: OutboxItem, context: dict) -> list[tuple[str, str, dict]]:
        base = self.url().rstrip("/")
        if item.payload.get("service") == "deleteAgency":
            return [(f"{base}/deleteAgency", item.key, {})]
        return [(f"{base}/registerAgency", item.key, item.payload["data"])]

    def send(self, item: OutboxItem, context: dict, *, timeout: float) -> Answer:
        [(url, key, body)] = self.requests(item, context)
        extra = {"AgencyCode": item.payload["code"]} if item.payload.get("service") == "deleteAgency" else None
        headers = xroad_vnpt_headers(system_id=_setting("TINHSO_CATALOGUE_SYSTEM_ID"),
                                     secret=_setting("TINHSO_CATALOGUE_TOKEN"), extra=extra)
        return post_json(url, canonical_json(body), timeout=timeout, headers={"Idempotency-Key": key, **headers})

    def accepted(self, answer: Answer) -> bool:
        return answer.ok and str(_json(answer).get("ErrorCode", "missing")).strip() == "0"


DVCQG = PortalConnector("dvcqg_dossier_status", "Đồng bộ trạng thái hồ sơ lên Cổng Dịch vụ công quốc gia",
                        "TINHSO_DVCQG_URL")
CATALOGUE = CatalogueConnector("catalogue_agency_codes",
                               "Mã định danh cơ quan lên Hệ thống danh mục dùng chung quốc gia",
                               "TINHSO_CATALOGUE_URL")
CONNECTORS = {c.key: c for c in (DVCQG, CATALOGUE)}


def agency_payload(agency) -> dict:
    """registerAgency's body (an upsert by code); an agency that is no longer active is unregistered."""
    if not agency.is_active:
        return {"service": "deleteAgency", "code": agency.identifier_code}
    return {"service": "registerAgency", "code": agency.identifier_code,
            "data": {"id": "", "pcode": agency.parent.identifier_code if agency.parent_id else "",
                     "code": agency.identifier_code, "name": agency.name, "mail": agency.email or "",
                     "mobile": agency.phone or "", "fax": ""}}


def outbox_enqueue(*, connector: Connector, key: str, payload: dict) -> OutboxItem | None:
    """Queue one message (idempotent by key); the run starts after the caller's transaction commits."""
    try:
        with transaction.atomic():
            item, created = OutboxItem.objects.get_or_create(connector=connector.key, key=key[:120],
                                                             defaults={"payload": payload})
    except IntegrityError:
        return None
    if created:
        transaction.on_commit(lambda: schedule(connector.key))
    return item


def on_dossier_event_saved(sender, instance, created: bool, raw: bool = False, **kwargs) -> None:
    if not created or raw or instance.from_status == instance.to_status or not DVCQG.url():
        return
    # isUpdating: "False" for the first record of this dossier the portal gets from us, "True" after it (looked
    # up by the earlier events' keys, so the outbox's unique (connector, key) index answers it)
    earlier = instance.dossier.events.filter(pk__lt=instance.pk).values_list("pk", flat=True)
    synced = OutboxItem.objects.filter(connector=DVCQG.key,
                                       key__in=[f"dossier-event-{pk}" for pk in earlier]).exists()
    outbox_enqueue(connector=DVCQG, key=f"dossier-event-{instance.pk}",
                   payload=dossier_status_payload(instance, is_update=synced))


def _agency_key(payload: dict) -> str:
    digest = hashlib.sha256(canonical_json(payload)).hexdigest()[:20]
    return f"{payload['code']}:{digest}"  # a change of content is a new message, a re-save is not


def on_agency_saved(sender, instance, raw: bool = False, **kwargs) -> None:
    if raw or not CATALOGUE.url():
        return
    payload = agency_payload(instance)
    outbox_enqueue(connector=CATALOGUE, key=_agency_key(payload), payload=payload)


@transaction.atomic
def catalogue_sync_all(*, actor) -> int:
    """Queue every agency's current identifier record (those already taken with this content are skipped)."""
    from tinhso.audit.services import audit_record
    from tinhso.core.exceptions import PermissionDenied, ValidationError
    from tinhso.org.models import Agency

    from .selectors import is_gateway_admin

    if not is_gateway_admin(actor):
        raise PermissionDenied("Chỉ quản trị cấp tỉnh được đồng bộ danh mục mã định danh.")
    if not CATALOGUE.url():
        raise ValidationError.for_field("connector", "Chưa cấu hình địa chỉ Hệ thống danh mục dùng chung "
                                                     "(TINHSO_CATALOGUE_URL).")
    queued = 0
    for agency in Agency.objects.select_related("parent", "unit").order_by("identifier_code").iterator():
        payload = agency_payload(agency)
        key = _agency_key(payload)
        if not OutboxItem.objects.filter(connector=CATALOGUE.key, key=key).exists():
            outbox_enqueue(connector=CATALOGUE, key=key, payload=payload)
            queued += 1
    audit_record(actor=actor, action="gateway.connector.catalogue_sync", object_type="gateway.outboxitem",
                 summary=f"Đưa {queued} mã định danh cơ quan vào hàng đợi gửi Hệ thống danh mục dùng chung",
                 changes={"queued": [0, queued]})
    return queued


def schedule(connector_key: str, *, run_after: datetime | None = None) -> None:
    from .tasks import run_outbox

    try:
        task = run_outbox
        if run_after is not None:
            if not task.get_backend().supports_defer:
                return
            task = task.using(run_after=run_after)
        task.enqueue(connector_key)
    except Exception:  # the items stay pending; the sweep picks them up
        log.exception("could not enqueue connector %s", connector_key)


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def _claim(connector_key: str, worker: str, now: datetime) -> OutboxItem | None:
    due = (Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)) & \
        (Q(lease_until__isnull=True) | Q(lease_until__lt=now))
    for pk in OutboxItem.objects.filter(due, connector=connector_key, status=DeliveryStatus.PENDING) \
            .order_by("id").values_list("pk", flat=True)[:20]:
        # compare-and-set: of two workers, only the one whose update matched holds the lease
        if OutboxItem.objects.filter(due, pk=pk, status=DeliveryStatus.PENDING).update(
                lease_until=now + LEASE, leased_by=worker, attempts=F("attempts") + 1):
            return OutboxItem.objects.get(pk=pk)
    return None


def _acknowledge(item: OutboxItem, answer: Answer, connector: Connector) -> None:
    OutboxItem.objects.filter(pk=item.pk).update(status=DeliveryStatus.DELIVERED, delivered_at=timezone.now(),
                                                 receipt=connector.receipt(answer), lease_until=None,
                                                 next_attempt_at=None, last_error="")


def backoff(attempt: int) -> timedelta:
    base = float(getattr(settings, "TINHSO_WEBHOOK_BACKOFF_SECONDS", 30))
    return timedelta(seconds=min(base * 2 ** max(0, attempt - 1), 6 * 3600))


def outbox_run(*, connector: str, worker: str | None = None, now: datetime | None = None,
               limit: int = 200) -> dict:
    """Send due items of one connector, oldest first; returns what happened."""
    spec = CONNECTORS[connector]
    worker = worker or worker_id()
    now = now or timezone.now()
    timeout = float(getattr(settings, "TINHSO_WEBHOOK_TIMEOUT_SECONDS", 5))
    max_attempts = int(getattr(settings, "TINHSO_WEBHOOK_MAX_ATTEMPTS", 8))
    counts = {"delivered": 0, "retry": 0, "failed": 0}
    if not spec.url():
        return counts
    context: dict | None = None
    for _ in range(limit):
        item = _claim(spec.key, worker, now)
        if item is None:
            break
        refused_login = None
        if context is None:
            context, refused_login = spec.open(timeout=timeout)
        answer = refused_login or spec.send(item, context, timeout=timeout)
        accepted = refused_login is None and spec.accepted(answer)
        OutboxAttempt.objects.create(item=item, worker=worker[:64], status_code=answer.status, ok=accepted,
                                     error="" if accepted else (answer.error or answer.body)[:500])
        if accepted:
            _acknowledge(item, answer, spec)
            counts["delivered"] += 1
            continue
        # 4xx other than 408/409/425/429 means the receiver refuses the content: trying again cannot help. A 2xx
        # whose body reports an error (error_code, ErrorCode) is retried: the codes' meanings are [to check].
        permanent = answer.status is not None and 400 <= answer.status < 500 and answer.status not in {
            408, 409, 425, 429}
        error = (answer.error or answer.body or "Bên nhận báo lỗi")[:500]
        if permanent or item.attempts >= max_attempts:
            OutboxItem.objects.filter(pk=item.pk).update(status=DeliveryStatus.FAILED, lease_until=None,
                                                         last_error=error)
            counts["failed"] += 1
        else:
            retry_at = now + backoff(item.attempts)
            OutboxItem.objects.filter(pk=item.pk).update(lease_until=None, next_attempt_at=retry_at,
                                                         last_error=error)
            counts["retry"] += 1
            schedule(spec.key, run_after=retry_at)
        if refused_login is not None:
            break  # without a session every other item would fail the same way
    return counts


def outbox_sweep() -> int:
    """Enqueue a run of every connector with due items (after a restart, or items whose lease ran out)."""
    now = timezone.now()
    due = [key for key in CONNECTORS if OutboxItem.objects.filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now),
        Q(lease_until__isnull=True) | Q(lease_until__lt=now),
        connector=key, status=DeliveryStatus.PENDING).exists()]
    for key in due:
        schedule(key)
    return len(due)
