import json
import logging
import math

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import JsonResponse
from django.shortcuts import render

logger = logging.getLogger("tinhso.api")

NUL = "\x00"


class RejectNullCharactersMiddleware:
    """NUL characters cannot be stored (PostgreSQL refuses them) and never carry meaning in a request.

    A request carrying one (in the path, a query value or a JSON body) is refused with a Vietnamese error instead
    of failing deep inside a query.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if NUL in request.path:
            return self._refuse(request, "Không tìm thấy.", 404)
        if any(NUL in k or any(NUL in v for v in vs) for k, vs in request.GET.lists()):
            return self._refuse(request, "Tham số truy vấn chứa ký tự không hợp lệ (NUL).", 400)
        if request.content_type == "application/json" and b"\\u0000" in request.body:
            return self._refuse(request, "Dữ liệu gửi lên chứa ký tự không hợp lệ (NUL).", 422)
        if request.content_type in ("multipart/form-data", "application/x-www-form-urlencoded") and \
                any(NUL in k or any(NUL in v for v in vs) for k, vs in request.POST.lists()):
            return self._refuse(request, "Dữ liệu gửi lên chứa ký tự không hợp lệ (NUL).", 422)
        return self.get_response(request)

    @staticmethod
    def _refuse(request, message: str, status: int):
        if request.path.startswith("/api/"):
            code = {404: "not_found", 400: "invalid"}.get(status, "validation_error")
            return JsonResponse({"code": code, "message": message, "errors": {}}, status=status)
        return render(request, "core/error.html", {"message": message}, status=status)


# --- the API answers JSON, whatever goes wrong -----------------------------------------------------------------

API_PREFIX = "/api/"
MAX_JSON_DEPTH = 64
_API_STATUS = {
    400: ("invalid", "Yêu cầu không hợp lệ."),
    403: ("permission_denied", "Bạn không có quyền thực hiện thao tác này."),
    404: ("not_found", "Không tìm thấy."),
    405: ("method_not_allowed", "Phương thức HTTP này không được hỗ trợ cho địa chỉ này."),
    413: ("payload_too_large", "Dữ liệu gửi lên quá lớn."),
    500: ("server_error", "Máy chủ gặp lỗi khi xử lý yêu cầu. Vui lòng thử lại sau."),
}


def api_error(status: int, message: str = "", code: str = "") -> JsonResponse:
    default_code, default_message = _API_STATUS.get(status, ("error", "Yêu cầu không thực hiện được."))
    return JsonResponse({"code": code or default_code, "message": message or default_message, "errors": {}},
                        status=status, json_dumps_params={"ensure_ascii": False})


class _BadJson(ValueError):
    pass


def _reject_constant(name: str):
    raise _BadJson(f"Giá trị {name} không được chấp nhận; hãy gửi một số hữu hạn.")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _BadJson(f"Số {text[:20]} vượt quá giới hạn; hãy gửi một số hữu hạn.")
    return value


def json_problem(text: str | bytes) -> str | None:
    """Why a JSON text must be refused before any view parses it (too deep, NaN, Infinity, 1e999), or None.

    Text that is not JSON at all is left to the view, which answers with its own field-level message."""
    try:
        value = json.loads(text, parse_constant=_reject_constant, parse_float=_finite_float)
    except RecursionError:
        return "Dữ liệu JSON lồng nhau quá sâu."
    except _BadJson as exc:
        return str(exc)
    except ValueError:
        return None
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            return f"Dữ liệu JSON lồng nhau quá sâu (tối đa {MAX_JSON_DEPTH} cấp)."
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else ()
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return None


def api_max_body_bytes() -> int:
    """The largest request body the API reads: every allowed attachment at its largest, plus the form."""
    return (int(getattr(settings, "TINHSO_MAX_ATTACHMENT_MB", 10)) * 10 + 2) * 1024 * 1024


class ApiErrorsMiddleware:
    """Under /api/: bodies too large → 413, JSON too deep or with NaN/Infinity → 400/422, and every error
    Django itself would answer in HTML (unknown path, wrong method, an unexpected exception) answered in JSON."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith(API_PREFIX):
            return self.get_response(request)
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > api_max_body_bytes():
            return api_error(413)
        try:
            refused = self._check_body(request)
        except RequestDataTooBig:
            return api_error(413)
        if refused:
            return refused
        response = self.get_response(request)
        if response.status_code >= 400 and not response.get("Content-Type", "").startswith("application/json"):
            replacement = api_error(response.status_code)
            if response.has_header("Allow"):
                replacement["Allow"] = response["Allow"]
            return replacement
        return response

    @staticmethod
    def _check_body(request):
        if request.method not in ("POST", "PUT", "PATCH", "DELETE"):
            return None
        if request.content_type == "application/json":
            problem = json_problem(request.body) if request.body else None
        elif request.content_type in ("multipart/form-data", "application/x-www-form-urlencoded"):
            values = [v for _, vs in request.POST.lists() for v in vs if v[:1] in ("{", "[")]
            problem = next((p for p in map(json_problem, values) if p), None)
        else:
            problem = None
        if problem:
            return JsonResponse({"code": "validation_error", "message": problem, "errors": {"__all__": [problem]}},
                                status=422 if "lồng" not in problem else 400,
                                json_dumps_params={"ensure_ascii": False})
        return None

    @staticmethod
    def process_exception(request, exception):
        if not request.path.startswith(API_PREFIX):
            return None
        if isinstance(exception, RequestDataTooBig):
            return api_error(413)
        if isinstance(exception, RecursionError):
            return api_error(400, "Dữ liệu gửi lên lồng nhau quá sâu.")
        logger.exception("Unhandled error under %s", request.path, exc_info=exception)
        return api_error(500)
