"""The one Ninja API of Tỉnh Số: mounts every app's router under /api/v1/."""

from ninja import NinjaAPI

from tinhso.accounts.api import router as accounts_router
from tinhso.accounts.auth import session_or_token
from tinhso.audit.api import router as audit_router
from tinhso.org.api import router as org_router
from tinhso.procedures.api import router as procedures_router

from .errors import install_error_handlers
from .renderers import Utf8JSONRenderer

api = NinjaAPI(
    title="Tỉnh Số API",
    version="1",
    description="API của nền tảng Tỉnh Số: danh mục đơn vị hành chính, cơ quan, tài khoản và nhật ký. "
                "Xác thực bằng phiên đăng nhập (cookie) hoặc mã truy cập `Authorization: Bearer tso_…`.",
    auth=session_or_token,
    urls_namespace="api",
    renderer=Utf8JSONRenderer(),
)
install_error_handlers(api)
api.add_router("/", org_router, tags=["Đơn vị, cơ quan"])
api.add_router("/", accounts_router, tags=["Tài khoản, phân quyền"])
api.add_router("/audit", audit_router, tags=["Nhật ký kiểm toán"])
api.add_router("/", procedures_router, tags=["Thủ tục hành chính"])
api.add_router("/", "tinhso.dossiers.api.router", tags=["Hồ sơ một cửa"])
api.add_router("/", "tinhso.documents.api.router", tags=["Văn bản điện tử"])
api.add_router("/statistics", "tinhso.dossiers.stats_api.router", tags=["Thống kê"])
api.add_router("/indicators", "tinhso.indicators.api.router", tags=["Chỉ số chuyển đổi số"])
api.add_router("/notifications", "tinhso.notifications.api.router", tags=["Thông báo"])
api.add_router("/assistant", "tinhso.assistant.api.router", tags=["Hỏi đáp thủ tục"])
api.add_router("/feedback", "tinhso.feedback.api.router", tags=["Phản ánh, kiến nghị"])
api.add_router("/payments", "tinhso.payments.api.router", tags=["Phí, lệ phí, thanh toán"])
api.add_router("/opendata", "tinhso.opendata.api.router", tags=["Dữ liệu mở"])
api.add_router("/gateway", "tinhso.gateway.api.router", tags=["Trục liên thông (LGSP)"])
