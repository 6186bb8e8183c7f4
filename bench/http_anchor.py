"""The anchor of bench/bench_http.py: the platform's own WSGI application, with one more route beside it,
GET /bench-anchor/<code>: a minimal Django view sending the plain one-join query of a dossier lookup and returning
its JSON. Same gunicorn, same settings, same middleware, same workers: what is left between the two figures is
the platform's own work (authentication, scope, the selector, the schema)."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tinhso.config.settings")

import django  # noqa: E402
from django.conf import settings  # noqa: E402

django.setup()
settings.ROOT_URLCONF = __name__

from django.core.handlers.wsgi import WSGIHandler  # noqa: E402
from django.db import connection  # noqa: E402
from django.http import Http404, JsonResponse  # noqa: E402
from django.urls import path  # noqa: E402

from tinhso.config.urls import urlpatterns as platform_urls  # noqa: E402

PLAIN_SQL = ("SELECT d.code, d.status, d.channel, d.received_at, d.due_at, d.resolved_at, p.code, p.name, a.name "
             "FROM dossiers_dossier d JOIN procedures_procedure p ON p.id = d.procedure_id "
             "JOIN org_agency a ON a.id = d.receiving_agency_id WHERE d.code = %s")


def anchor(request, code: str):
    with connection.cursor() as cursor:
        cursor.execute(PLAIN_SQL, [code])
        row = cursor.fetchone()
    if row is None:
        raise Http404
    keys = ["code", "status", "channel", "received_at", "due_at", "resolved_at", "procedure_code", "procedure_name",
            "agency_name"]
    return JsonResponse(dict(zip(keys, row, strict=True)), json_dumps_params={"ensure_ascii": False})


urlpatterns = [path("bench-anchor/<str:code>", anchor), *platform_urls]
application = WSGIHandler()
