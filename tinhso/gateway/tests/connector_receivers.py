"""Local HTTP servers the connector tests start, speaking the public shapes the connectors follow (sources:
docs/connectors.md). Like tests/receiver.py they record what arrives, can be down (not listening) and come back
on the same port, and take each `Idempotency-Key` once; unlike it they check the envelope and the credentials
and answer in the receiver's own words (error_code / ErrorCode in a 200 body), so a wrong shape fails a test.

PortalReceiver: POST /dang-nhap {"username", "password"} -> {"session", "error_code": 0}; POST /tich-hop
{"session", "madonvi", "service": "DongBoHoSoMC"|"CapNhatTienDoHoSoMC", "data": [...]} -> {"error_code": "0"}.
VxpReceiver: POST /registerAgency and /deleteAgency with the XroadVnpt-* headers, HMAC-SHA256 checked.
"""

import hashlib
import hmac
import json
import re
import threading
from http.server import BaseHTTPRequestHandler

from .receiver import free_port, serve, shut

STAMP = re.compile(r"^\d{14}$")  # yyyyMMddHHmmss
RECORD_FIELDS = {"MaHoSo", "MaTTHC", "TenTTHC", "MaLinhVuc", "TenLinhVuc", "KenhThucHien", "ChuHoSo", "LoaiDoiTuong",
                 "MaDoiTuong", "ThongTinKhac", "Email", "Fax", "SoDienThoai", "TrichYeuHoSo", "NgayNopHoSo",
                 "NgayTiepNhan", "NgayHenTra", "TrangThaiHoSo", "NgayTra", "ThongTinTra", "HinhThuc",
                 "NgayKetThucXuLy", "NgayTuChoi", "DonViXuLy", "GhiChu", "DinhDanhCHS", "TaiLieuNop",
                 "DanhSachLePhi", "DanhSachTepDinhKemKhac", "DanhSachHoSoBoSung", "DanhSachGiayToKetQua"}
PROGRESS_FIELDS = {"MaHoSo", "NguoiXuLy", "ChucDanh", "ThoiDiemXuLy", "PhongBanXuLy", "NoiDungXuLy", "TrangThai",
                   "NgayBatDau", "NgayKetThucTheoQuyDinh"}
DATE_FIELDS = {"NgayNopHoSo", "NgayTiepNhan", "NgayHenTra", "NgayTra", "NgayKetThucXuLy", "NgayTuChoi",
               "ThoiDiemXuLy", "NgayBatDau", "NgayKetThucTheoQuyDinh"}
STATUS_CODES = {str(n) for n in range(1, 11)}


class _Server:
    def __init__(self, port: int | None = None):
        self.port = port or free_port()
        self.requests: list[dict] = []  # every request that arrived, in order
        self.taken: dict[str, dict] = {}  # idempotency key -> body, each taken once
        self.refuse_with: str | None = None  # answer the next calls with this error code in a 200 body
        self.server = None
        self._lock = threading.Lock()

    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def handle(self, path: str, headers: dict, body: dict) -> tuple[int, dict]:
        raise NotImplementedError

    def start(self):
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                headers = {k.lower(): v for k, v in self.headers.items()}  # names are case-blind
                try:
                    body = json.loads(raw or b"{}")
                except ValueError:
                    status, answer = 400, {"error": "not JSON"}
                else:
                    with receiver._lock:
                        receiver.requests.append({"path": self.path, "headers": headers, "body": body})
                        status, answer = receiver.handle(self.path, headers, body)
                data = json.dumps(answer, ensure_ascii=False).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = serve(self.port, Handler)
        return self

    def stop(self) -> None:
        shut(self.server)
        self.server = None

    def take(self, headers: dict, body) -> bool:
        """True when this key is new (taken now), False for a repeat."""
        key = headers.get("idempotency-key")
        if not key or key in self.taken:
            return False
        self.taken[key] = body
        return True


class PortalReceiver(_Server):
    """The national public-service portal's integration adapter, as OpenCPS and the Tân Dân code call it."""

    def __init__(self, *, username="lgsp-tinh", password="mat-khau", madonvi="000.00.00.H99", port=None):
        super().__init__(port)
        self.username, self.password, self.madonvi = username, password, madonvi
        self.session = "phien-" + hashlib.sha256(password.encode()).hexdigest()[:12]
        self.logins = 0

    @property
    def auth_url(self) -> str:
        return f"{self.base()}/dang-nhap"

    @property
    def url(self) -> str:
        return f"{self.base()}/tich-hop"

    def handle(self, path, headers, body):
        if path == "/dang-nhap":
            self.logins += 1
            if body == {"username": self.username, "password": self.password}:
                return 200, {"session": self.session, "error_code": 0, "message": "Thành công"}
            return 200, {"error_code": -1, "message": "Sai tên đăng nhập hoặc mật khẩu"}
        if path != "/tich-hop":
            return 404, {"error_code": "-404", "message": "Không có dịch vụ"}
        if body.get("session") != self.session:
            return 200, {"error_code": "-2", "message": "Phiên làm việc không hợp lệ"}
        if self.refuse_with is not None:
            return 200, {"error_code": self.refuse_with, "message": "Dữ liệu không hợp lệ"}
        problem = self.problem(body)
        if problem:
            return 200, {"error_code": "-1", "message": problem}
        taken = self.take(headers, body)
        return 200, {"error_code": "0", "message": "Thành công" if taken else "Thành công (đã nhận trước đó)"}

    def problem(self, body: dict) -> str:
        if body.get("madonvi") != self.madonvi:
            return "madonvi không đúng"
        service, data = body.get("service"), body.get("data")
        if not isinstance(data, list) or len(data) != 1:
            return "data phải là danh sách"
        fields = {"DongBoHoSoMC": RECORD_FIELDS, "CapNhatTienDoHoSoMC": PROGRESS_FIELDS}.get(service)
        if fields is None:
            return f"service không hỗ trợ: {service}"
        if service == "DongBoHoSoMC" and body.get("isUpdating") not in ("True", "False"):
            return "isUpdating phải là True hoặc False"
        record = data[0]
        if set(record) != fields:
            return f"trường thiếu/thừa: {sorted(set(record) ^ fields)}"
        for name in DATE_FIELDS & set(record):
            if record[name] and not STAMP.match(record[name]):
                return f"{name} sai định dạng yyyyMMddHHmmss"
        status = record.get("TrangThaiHoSo", record.get("TrangThai"))
        if status not in STATUS_CODES:
            return f"trạng thái không hợp lệ: {status!r}"
        return ""


class VxpReceiver(_Server):
    """The VXP endpoint (national document-exchange axis) that registers agencies by their QĐ 20/2020 code."""

    def __init__(self, *, system_id="tinhso.h99", secret="bi-mat-vxp", port=None):
        super().__init__(port)
        self.system_id, self.secret = system_id, secret
        self.agencies: dict[str, dict] = {}  # code -> current record (registerAgency is an upsert)

    @property
    def url(self) -> str:
        return self.base()

    def handle(self, path, headers, body):
        problem = self.signature_problem(headers, path)
        if problem:
            return 200, {"status": "FAIL", "ErrorCode": "-1", "ErrorDesc": problem}
        if self.refuse_with is not None:
            return 200, {"status": "FAIL", "ErrorCode": self.refuse_with, "ErrorDesc": "Không hợp lệ"}
        if path == "/registerAgency":
            if set(body) != {"id", "pcode", "code", "name", "mail", "mobile", "fax"} or not body["code"]:
                return 200, {"status": "FAIL", "ErrorCode": "-3", "ErrorDesc": "Thiếu trường"}
            if self.take(headers, body):
                self.agencies[body["code"]] = body
        elif path == "/deleteAgency":
            if self.take(headers, {"AgencyCode": headers["xroadvnpt-agencycode"]}):
                self.agencies.pop(headers["xroadvnpt-agencycode"], None)
        else:
            return 404, {"status": "FAIL", "ErrorCode": "-404", "ErrorDesc": "Không có dịch vụ"}
        return 200, {"status": "OK", "ErrorCode": "0", "ErrorDesc": ""}

    def signature_problem(self, headers: dict, path: str) -> str:
        names = headers.get("xroadvnpt-sign-header-key", "").split(";")
        sign_header = headers.get("xroadvnpt-sign-header", "")
        expected = hmac.new(self.secret.encode(), sign_header.encode(), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, headers.get("xroadvnpt-hash-header", "")):
            return "Chữ ký không đúng"
        signed = json.loads(sign_header)
        if set(signed) != {f"XroadVnpt-{n}" for n in names}:
            return "Danh sách tiêu đề ký không khớp"
        if any(headers.get(name.lower()) != value for name, value in signed.items()):
            return "Tiêu đề đã ký không khớp tiêu đề gửi"
        if signed.get("XroadVnpt-systemid") != self.system_id:
            return "systemid không đúng"
        if not re.match(r"^\d{8}T\d{6}\+\d{4}$", signed.get("XroadVnpt-timestamp", "")):
            return "timestamp sai định dạng"
        if path == "/deleteAgency" and "AgencyCode" not in names:
            return "Thiếu AgencyCode"
        return ""
