"""The services of the gateway: named groups of existing /api/v1 operations (by OpenAPI operation id).

A client is granted services, never single routes; a route in no service (accounts, tokens, audit, the gateway's
own administration) is never open to a client system. `tests/test_catalogue.py` checks every operation id below
exists in the schema, so a renamed route cannot silently fall out of a service.
"""

from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True)
class Service:
    key: str
    name: str
    description: str
    operations: tuple[str, ...]


_OP = "tinhso_{}_api_{}".format

SERVICES: tuple[Service, ...] = (
    Service("dossier-status", "Tra cứu trạng thái hồ sơ",
            "Trạng thái, ngày hẹn trả và quá trình xử lý của một hồ sơ một cửa theo mã hồ sơ.",
            (_OP("dossiers", "get_dossier"), _OP("dossiers", "dossier_events"), _OP("dossiers", "track_dossier"))),
    Service("dossier-submit", "Nộp hồ sơ thay người dân, doanh nghiệp",
            "Nộp hồ sơ trực tuyến từ hệ thống khác (ví dụ Cổng Dịch vụ công quốc gia) thay cho người nộp.",
            (_OP("dossiers", "submit_dossier"),)),
    Service("registry", "Danh mục đơn vị hành chính và cơ quan",
            "Đơn vị hành chính hiện hành và trước sáp nhập, cơ quan và mã định danh điện tử, tổ công nghệ số.",
            (_OP("org", "list_units"), _OP("org", "convert_unit"), _OP("org", "get_unit"),
             _OP("org", "unit_digital_teams"), _OP("org", "list_agencies"), _OP("org", "get_agency"),
             _OP("org", "export_agencies"))),
    Service("procedures", "Danh mục thủ tục hành chính",
            "Thủ tục hành chính, lĩnh vực, từ đồng nghĩa dùng khi tìm kiếm.",
            (_OP("procedures", "list_procedures"), _OP("procedures", "get_procedure"),
             _OP("procedures", "export_procedures"), _OP("procedures", "list_fields"),
             _OP("procedures", "list_synonyms"))),
    Service("statistics", "Thống kê hồ sơ (Biểu II.06a)",
            "Số liệu tiếp nhận, giải quyết hồ sơ theo cơ quan và kỳ.",
            ("tinhso_dossiers_stats_api_dossier_statistics_api",)),
    Service("indicators", "Chỉ số chuyển đổi số",
            "Định nghĩa, giá trị, lịch sử, chỉ tiêu và xếp hạng các chỉ số.",
            (_OP("indicators", "list_indicators"), _OP("indicators", "get_indicator"),
             _OP("indicators", "indicator_history"), _OP("indicators", "indicator_breakdown"),
             _OP("indicators", "list_values"), _OP("indicators", "overview"), _OP("indicators", "statuses"),
             _OP("indicators", "list_targets"), _OP("indicators", "list_frameworks"),
             _OP("indicators", "get_framework"), _OP("indicators", "get_ranking"))),
)
BY_KEY = {s.key: s for s in SERVICES}
SERVICE_CHOICES = [(s.key, s.name) for s in SERVICES]


def service_of_operation(operation_id: str) -> Service | None:
    return _operation_index().get(operation_id)


@lru_cache(maxsize=1)
def _operation_index() -> dict[str, Service]:
    return {op: service for service in SERVICES for op in service.operations}


def service_name(key: str) -> str:
    service = BY_KEY.get(key)
    return service.name if service else key
