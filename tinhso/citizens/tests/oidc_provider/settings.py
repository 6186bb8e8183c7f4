"""A real OpenID Connect provider for the e-ID login tests: django-oauth-toolkit with OIDC enabled, standing in
for the national SSO. Run by `serve.py` as its own process with its own SQLite database."""

import os
from pathlib import Path

BASE = Path(os.environ["OIDC_PROVIDER_DIR"])
SECRET_KEY = "oidc-test-provider-only"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
INSTALLED_APPS = ["django.contrib.auth", "django.contrib.contenttypes", "django.contrib.sessions",
                  "oauth2_provider"]
MIDDLEWARE = ["django.contrib.sessions.middleware.SessionMiddleware", "django.middleware.csrf.CsrfViewMiddleware",
              "django.contrib.auth.middleware.AuthenticationMiddleware"]
ROOT_URLCONF = "tinhso.citizens.tests.oidc_provider.urls"
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": str(BASE / "provider.sqlite3")}}
TEMPLATES = [{"BACKEND": "django.template.backends.django.DjangoTemplates", "APP_DIRS": True,
              "DIRS": [str(Path(__file__).parent / "templates")],
              "OPTIONS": {"context_processors": ["django.template.context_processors.request"]}}]
USE_TZ = True
LOGIN_URL = "/accounts/login/"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
OAUTH2_PROVIDER = {
    "OIDC_ENABLED": True,
    "OIDC_RSA_PRIVATE_KEY": (BASE / "oidc.key").read_text(),
    "SCOPES": {"openid": "OpenID Connect", "profile": "Họ tên và số định danh"},
    "OAUTH2_VALIDATOR_CLASS": "tinhso.citizens.tests.oidc_provider.validator.CitizenValidator",
    "PKCE_REQUIRED": True,
}
