from django.http import JsonResponse
from django.shortcuts import render

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
