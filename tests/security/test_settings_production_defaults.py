"""Attack surface: a production server started with the demo's secret key, cookies without Secure, no HSTS.

The documented production environment (README, "Chạy thật") passes `check --deploy` with no warning; production
mode refuses the built-in demo key; every SECURE_*/cookie setting is secure by default there and readable from
the environment."""

import json
import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.smoke
PRODUCTION_ENV = {
    "TINHSO_PRODUCTION": "1",
    "TINHSO_SECRET_KEY": "k7Yq2-vR9mXw4Lp8Zt1Nc6Hs3Jd5Fg0Ba7Ue2Io9Pk4Ml1Qx8Wz3Ry6Tv5Sn2Ch7Gb",
    "TINHSO_ALLOWED_HOSTS": "tinhso.example.gov.vn",
    "TINHSO_AUDIT_KEY": "khoa-kiem-toan-luu-ngoai-co-so-du-lieu",
}


def _run(tmp_path, args, **env):
    # A production process starts from the documented environment, not the test run's: the browser fixture sets
    # DJANGO_ALLOW_ASYNC_UNSAFE in this process, which check --deploy rightly refuses.
    base = {k: v for k, v in os.environ.items()
            if not k.startswith("TINHSO_") and k not in ("DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    base.update(DJANGO_SETTINGS_MODULE="tinhso.config.settings", TINHSO_VAR_DIR=str(tmp_path), **env)
    return subprocess.run([sys.executable, *args], env=base, capture_output=True, text=True, timeout=120)


def test_documented_production_environment_passes_check_deploy_without_warnings(tmp_path):
    result = _run(tmp_path, ["-m", "django", "check", "--deploy", "--fail-level", "WARNING"], **PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout and "WARNING" not in result.stdout + result.stderr


def test_production_mode_refuses_to_start_with_the_demo_secret_key(tmp_path):
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "TINHSO_SECRET_KEY"}
    result = _run(tmp_path, ["-m", "django", "check"], **env)
    assert result.returncode != 0 and "khóa mẫu" in result.stderr


def test_production_defaults_are_secure_and_each_is_read_from_the_environment(tmp_path):
    names = ["SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SECURE_HSTS_SECONDS",
             "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD", "SESSION_COOKIE_HTTPONLY",
             "SECURE_CONTENT_TYPE_NOSNIFF", "X_FRAME_OPTIONS"]
    script = ("import django, json; django.setup(); from django.conf import settings; "
              f"print(json.dumps({{n: getattr(settings, n) for n in {names!r}}}))")
    secure = json.loads(_run(tmp_path, ["-c", script], **PRODUCTION_ENV).stdout)
    assert secure == {"SECURE_SSL_REDIRECT": True, "SESSION_COOKIE_SECURE": True, "CSRF_COOKIE_SECURE": True,
                      "SECURE_HSTS_SECONDS": 31536000, "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
                      "SECURE_HSTS_PRELOAD": True, "SESSION_COOKIE_HTTPONLY": True,
                      "SECURE_CONTENT_TYPE_NOSNIFF": True, "X_FRAME_OPTIONS": "DENY"}
    relaxed = json.loads(_run(tmp_path, ["-c", script], **PRODUCTION_ENV, TINHSO_SECURE_SSL_REDIRECT="0",
                              TINHSO_SECURE_HSTS_SECONDS="600").stdout)
    assert relaxed["SECURE_SSL_REDIRECT"] is False and relaxed["SECURE_HSTS_SECONDS"] == 600
