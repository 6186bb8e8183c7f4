from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render

from tinhso.org import selectors as org_selectors


def home(request):
    province = org_selectors.home_province()
    return render(request, "core/home.html", {"province": province})


def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def csrf_failure(request, reason=""):
    """CSRF refusals in Vietnamese, in the site's layout (settings.CSRF_FAILURE_VIEW)."""
    return render(request, "403.html", {
        "reason": "Phiên làm việc đã hết hạn hoặc biểu mẫu không hợp lệ. Hãy tải lại trang rồi gửi lại."},
        status=403)
