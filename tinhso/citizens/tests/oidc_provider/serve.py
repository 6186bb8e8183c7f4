"""python -m tinhso.citizens.tests.oidc_provider.serve PORT RP_REDIRECT_URI

Prepares the provider's database (one citizen, one relying party) and serves it on 127.0.0.1:PORT until killed.
OIDC_PROVIDER_DIR must name a folder holding oidc.key (an RSA private key, PEM)."""

import os
import sys
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

CITIZEN = {"username": "nguyen.thi.dan", "password": "vneid-thu-2026", "name": "Nguyễn Thị Dân",
           "citizen_id": "038190000001"}
CLIENT = {"client_id": "tinhso-rp", "client_secret": "bi-mat-cua-rp"}


class _Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _Quiet(WSGIRequestHandler):
    def log_message(self, *args):
        pass


def main() -> None:
    port, redirect_uri = int(sys.argv[1]), sys.argv[2]
    os.environ["DJANGO_SETTINGS_MODULE"] = "tinhso.citizens.tests.oidc_provider.settings"
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.core.wsgi import get_wsgi_application
    from oauth2_provider.models import Application

    call_command("migrate", verbosity=0, interactive=False)
    user = User.objects.create_user(CITIZEN["username"], password=CITIZEN["password"],
                                    first_name=CITIZEN["name"], last_name=CITIZEN["citizen_id"])
    Application.objects.create(
        name="Tỉnh Số", user=user, client_id=CLIENT["client_id"], client_secret=CLIENT["client_secret"],
        client_type=Application.CLIENT_CONFIDENTIAL, authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris=redirect_uri, algorithm=Application.RS256_ALGORITHM, skip_authorization=True)
    server = make_server("127.0.0.1", port, get_wsgi_application(), server_class=_Server, handler_class=_Quiet)
    print("ready", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
