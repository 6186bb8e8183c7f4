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
