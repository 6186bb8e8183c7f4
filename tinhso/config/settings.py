"""Settings, read from the environment.

DATABASE_URL selects the database: PostgreSQL in production and in the test suite, and an embedded
SQLite file under var/ by default so that `make demo` needs nothing installed.
"""

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent  # the tinhso package
PROJECT_DIR = Path(os.environ.get("TINHSO_HOME", Path.cwd()))
VAR_DIR = Path(os.environ.get("TINHSO_VAR_DIR", PROJECT_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("TINHSO_DEBUG", False)
# Production mode (TINHSO_PRODUCTION=1, behind HTTPS): secure cookies, HSTS and the HTTPS redirect by default,
# and no start with the built-in demo key. Off by default so `make demo` and the tests run on plain HTTP.
PRODUCTION = env_bool("TINHSO_PRODUCTION", False) and not DEBUG
DEMO_SECRET_KEY = "tinhso-insecure-demo-key-change-me-in-production"
SECRET_KEY = os.environ.get("TINHSO_SECRET_KEY") or DEMO_SECRET_KEY
if PRODUCTION and SECRET_KEY == DEMO_SECRET_KEY:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("TINHSO_PRODUCTION=1 cần TINHSO_SECRET_KEY riêng (ít nhất 50 ký tự ngẫu nhiên); "
                               "không chạy máy chủ thật với khóa mẫu của bản demo.")
ALLOWED_HOSTS = [h for h in os.environ.get("TINHSO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("TINHSO_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "tinhso.core",
    "tinhso.audit",
    "tinhso.org",
    "tinhso.accounts",
    "tinhso.procedures",
    "tinhso.notifications",
    "tinhso.dossiers",
    "tinhso.citizens",
    "tinhso.documents",
    "tinhso.feedback",
    "tinhso.payments",
    "tinhso.indicators",
    "tinhso.dashboard",
    "tinhso.assistant",
    "tinhso.opendata",
    "oauth2_provider",
    "tinhso.gateway",
    "tinhso.api",
    "tinhso.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "tinhso.core.middleware.ApiErrorsMiddleware",
    "tinhso.core.middleware.RejectNullCharactersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "tinhso.accounts.middleware.AuthenticationMiddleware",  # the user joined to the session load
    "tinhso.core.replica.ReplicaPinMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
    # Client systems of the data-sharing gateway (/lien-thong/api/, and their credentials on /api/v1/):
    # authenticated, scope-checked, rate-limited and logged in one place (tinhso.gateway.middleware).
    "tinhso.gateway.middleware.GatewayMiddleware",
]

ROOT_URLCONF = "tinhso.config.urls"
WSGI_APPLICATION = "tinhso.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tinhso.core.context_processors.platform",
                "tinhso.notifications.context_processors.notifications",
                "tinhso.citizens.context_processors.citizens",
                "tinhso.accounts.context_processors.nav_roles",
            ],
        },
    },
]

# Connections live TINHSO_DB_CONN_MAX_AGE seconds (`tinhso serve` and `tinhso demo` default to 60, Django's own
# default of 0 opens one per request); a reused one is checked before a request uses it (a restarted database
# costs no failed request).
_CONNECTIONS = {"conn_max_age": int(os.environ.get("TINHSO_DB_CONN_MAX_AGE", "0")), "conn_health_checks": True}
DATABASES = {
    "default": dj_database_url.parse(os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'tinhso.sqlite3'}",
                                     **_CONNECTIONS)
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL + a busy timeout let the demo server and background tasks share the file.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
# A PostgreSQL streaming standby for the heavy read-only selectors (tinhso.core.replica): statistics, indicators,
# the dashboard, open data. Writes and a writer's own next reads stay on the primary; a standby that is down or
# lags more than TINHSO_REPLICA_MAX_LAG seconds is skipped.
if os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = dj_database_url.parse(os.environ["DATABASE_REPLICA_URL"], **_CONNECTIONS)
    DATABASES["replica"].setdefault("OPTIONS", {})["connect_timeout"] = 2
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["tinhso.core.replica.ReplicaRouter"]
# The hot lookups (tinhso.core.prepared) are prepared statements on PostgreSQL; 0 behind a pooler in transaction mode.
TINHSO_DB_PREPARED_STATEMENTS = os.environ.get("TINHSO_DB_PREPARED_STATEMENTS", "1") != "0"
TINHSO_REPLICA_MAX_LAG = float(os.environ.get("TINHSO_REPLICA_MAX_LAG", "10"))
TINHSO_REPLICA_CHECK_SECONDS = float(os.environ.get("TINHSO_REPLICA_CHECK_SECONDS", "1"))

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "tinhso.accounts.backends.RoleBackend",
    # Login with the national e-ID (OpenID Connect); silent unless TINHSO_OIDC_* below are set.
    "tinhso.citizens.oidc.EidBackend",
]

# Lockout after repeated failed logins (django-axes): five failures lock the account for 15 minutes.
AXES_FAILURE_LIMIT = int(os.environ.get("TINHSO_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("TINHSO_LOGIN_COOLOFF_HOURS", "0.25"))
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "tinhso.accounts.views.lockout_response"
AXES_VERBOSE = False
# Lockout is per account on purpose: a one-stop-shop counter or a commune office shares one IP address, and
# locking the address would lock every colleague out (axes.W006 suggests adding the IP).
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

LOGIN_URL = "accounts:login"
# After login: officers land on their queue, citizens on their own dossiers (dossiers:home decides).
LOGIN_REDIRECT_URL = "dossiers:home"
LOGOUT_REDIRECT_URL = "core:home"

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt")]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_ROOT = Path(os.environ.get("TINHSO_MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "/media/"

# Database sessions, loaded by a statement compiled once per process (tinhso.accounts.sessions).
SESSION_ENGINE = "tinhso.accounts.sessions"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 8 * 3600
CSRF_COOKIE_HTTPONLY = False

# Transport and cookie security, each readable from the environment; secure by default in production mode.
SECURE_SSL_REDIRECT = env_bool("TINHSO_SECURE_SSL_REDIRECT", PRODUCTION)
SESSION_COOKIE_SECURE = env_bool("TINHSO_SESSION_COOKIE_SECURE", PRODUCTION)
CSRF_COOKIE_SECURE = env_bool("TINHSO_CSRF_COOKIE_SECURE", PRODUCTION)
SECURE_HSTS_SECONDS = int(os.environ.get("TINHSO_SECURE_HSTS_SECONDS", "31536000" if PRODUCTION else "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("TINHSO_SECURE_HSTS_INCLUDE_SUBDOMAINS", PRODUCTION)
SECURE_HSTS_PRELOAD = env_bool("TINHSO_SECURE_HSTS_PRELOAD", PRODUCTION)
# Behind a reverse proxy that terminates TLS and sets X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("TINHSO_BEHIND_PROXY", False) else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = os.environ.get("TINHSO_SECURE_REFERRER_POLICY", "same-origin")
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_SAMESITE = os.environ.get("TINHSO_SESSION_COOKIE_SAMESITE", "Lax")
CSRF_COOKIE_SAMESITE = os.environ.get("TINHSO_CSRF_COOKIE_SAMESITE", "Lax")
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp): scripts only from our own static files (no inline script, no eval:
# pages declare behaviour in markup, see core/static/js/page-actions.js); inline styles stay allowed because
# ECharts and htmx set style attributes and a few templates carry a <style> block.
CONTENT_SECURITY_POLICY = {"DIRECTIVES": {
    "default-src": ["'self'"], "script-src": ["'self'"], "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:"], "font-src": ["'self'"], "connect-src": ["'self'"],
    "object-src": ["'none'"], "base-uri": ["'self'"], "frame-ancestors": ["'none'"],
}}
CSRF_FAILURE_VIEW = "tinhso.core.views.csrf_failure"

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# One-stop shop: the largest accepted attachment, and office hours for deadlines (tinhso.core.calendar).
TINHSO_MAX_ATTACHMENT_MB = int(os.environ.get("TINHSO_MAX_ATTACHMENT_MB", "10"))

# Public forms: failures allowed per key inside a window before answering 429 (tinhso.core.throttle).
# Tracking a dossier by code + phone: few wrong phones per code (codes are sequential), more per address
# (a commune office shares one address).
TINHSO_THROTTLES = {
    # Self-registration and password reset send an SMS or e-mail per request: few per address and per client.
    "citizens.register.address": {"limit": 3, "window": 3600},
    "citizens.register.ip": {"limit": 20, "window": 3600},
    "citizens.reset.address": {"limit": 3, "window": 3600},
    "citizens.reset.ip": {"limit": 20, "window": 3600},
    "tracking.code": {"limit": int(os.environ.get("TINHSO_TRACKING_FAILURES_PER_CODE", "5")),
                      "window": int(os.environ.get("TINHSO_TRACKING_WINDOW_SECONDS", "900"))},
    "tracking.address": {"limit": int(os.environ.get("TINHSO_TRACKING_FAILURES_PER_ADDRESS", "20")),
                         "window": int(os.environ.get("TINHSO_TRACKING_WINDOW_SECONDS", "900"))},
    # Feedback: every submission counts, per client address (web form) and per Open311 application key;
    # wrong tracking tokens count per address.
    "feedback.submit.address": {"limit": int(os.environ.get("TINHSO_FEEDBACK_SUBMITS_PER_ADDRESS", "20")),
                                "window": 3600},
    "feedback.submit.key": {"limit": int(os.environ.get("TINHSO_FEEDBACK_SUBMITS_PER_KEY", "600")), "window": 3600},
    "feedback.token.address": {"limit": 20, "window": 900},
}
# A citizen may reopen an answered report within this many days of the answer.
TINHSO_FEEDBACK_REOPEN_DAYS = int(os.environ.get("TINHSO_FEEDBACK_REOPEN_DAYS", "7"))

# Notifications (tinhso.notifications): e-mail through Django's mail framework, SMS through a provider adapter.
# The demo writes e-mails and SMS to files under var/ (see `tinhso demo`); production sets SMTP and a provider.
TINHSO_PUBLIC_URL = os.environ.get("TINHSO_PUBLIC_URL", "http://127.0.0.1:8000")
EMAIL_BACKEND = os.environ.get("TINHSO_EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_FILE_PATH = os.environ.get("TINHSO_EMAIL_FILE_PATH", str(VAR_DIR / "mail"))
EMAIL_HOST = os.environ.get("TINHSO_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("TINHSO_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("TINHSO_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("TINHSO_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = os.environ.get("TINHSO_EMAIL_USE_TLS", "") == "1"
EMAIL_TIMEOUT = int(os.environ.get("TINHSO_EMAIL_TIMEOUT", "20"))
DEFAULT_FROM_EMAIL = os.environ.get("TINHSO_EMAIL_FROM", "Tỉnh Số <khong-tra-loi@tinhso.local>")
TINHSO_SMS_PROVIDER = os.environ.get("TINHSO_SMS_PROVIDER", "")   # "esms", "file" or "" (no SMS)
TINHSO_SMS_URL = os.environ.get("TINHSO_SMS_URL", "")
TINHSO_SMS_API_KEY = os.environ.get("TINHSO_SMS_API_KEY", "")
TINHSO_SMS_SECRET_KEY = os.environ.get("TINHSO_SMS_SECRET_KEY", "")
TINHSO_SMS_BRANDNAME = os.environ.get("TINHSO_SMS_BRANDNAME", "")
TINHSO_SMS_DIR = os.environ.get("TINHSO_SMS_DIR", str(VAR_DIR / "sms"))
TINHSO_NOTIFY_MAX_ATTEMPTS = int(os.environ.get("TINHSO_NOTIFY_MAX_ATTEMPTS", "5"))
TINHSO_NOTIFY_BACKOFF_SECONDS = int(os.environ.get("TINHSO_NOTIFY_BACKOFF_SECONDS", "60"))

# Login with the national e-ID (VNeID via the national public-service portal's SSO), an OIDC relying party
# (mozilla-django-oidc). The button appears when the client id and the provider's endpoints are set.
OIDC_RP_CLIENT_ID = os.environ.get("TINHSO_OIDC_CLIENT_ID", "")
OIDC_RP_CLIENT_SECRET = os.environ.get("TINHSO_OIDC_CLIENT_SECRET", "")
OIDC_OP_AUTHORIZATION_ENDPOINT = os.environ.get("TINHSO_OIDC_AUTHORIZATION_ENDPOINT", "")
OIDC_OP_TOKEN_ENDPOINT = os.environ.get("TINHSO_OIDC_TOKEN_ENDPOINT", "")
OIDC_OP_USER_ENDPOINT = os.environ.get("TINHSO_OIDC_USERINFO_ENDPOINT", "")
OIDC_OP_JWKS_ENDPOINT = os.environ.get("TINHSO_OIDC_JWKS_ENDPOINT", "")
OIDC_RP_SIGN_ALGO = os.environ.get("TINHSO_OIDC_SIGN_ALGO", "RS256")
OIDC_RP_SCOPES = os.environ.get("TINHSO_OIDC_SCOPES", "openid profile")
OIDC_USE_PKCE = True
OIDC_AUTHENTICATION_CALLBACK_URL = "citizens:eid_callback"
TINHSO_OIDC_CITIZEN_ID_CLAIM = os.environ.get("TINHSO_OIDC_CITIZEN_ID_CLAIM", "citizen_id")
TINHSO_OTP_MINUTES = int(os.environ.get("TINHSO_OTP_MINUTES", "10"))

# The audit chain is keyed (HMAC) with a secret kept outside the database: TINHSO_AUDIT_KEY, else this file
# (created with a random key when missing, as the demo does).
TINHSO_AUDIT_KEY_FILE = os.environ.get("TINHSO_AUDIT_KEY_FILE", str(VAR_DIR / "audit.key"))

# The province this installation serves (official GSO code); set by `tinhso demo --province`.
TINHSO_PROVINCE_CODE = os.environ.get("TINHSO_PROVINCE_CODE", "")

# Data-sharing gateway (tinhso.gateway): OAuth2 client credentials issued by django-oauth-toolkit at
# /lien-thong/o/token/; which services a client may call is decided by the gateway's grants, not by token scopes.
OAUTH2_PROVIDER = {
    "SCOPES": {"gateway": "Gọi các dịch vụ được cấp trên trục liên thông"},
    "DEFAULT_SCOPES": ["gateway"],
    "ACCESS_TOKEN_EXPIRE_SECONDS": int(os.environ.get("TINHSO_GATEWAY_TOKEN_SECONDS", "3600")),
    # RFC 9700 (OAuth 2.0 Security BCP): only the client-credentials grant is used, so every legacy behaviour is
    # refused and tokens are stored only as checksums (the gateway's door looks them up by `token_checksum`).
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
    "COMPLIANT_BCP_RFC9700_REFRESH_TOKEN": True,
    "COMPLIANT_BCP_RFC9700_REDIRECT_URI_SCHEME": True,
    "COMPLIANT_BCP_RFC9700_REDIRECT_URI_MATCHING": True,
    "COMPLIANT_BCP_RFC9700_PKCE_REQUIRED": True,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
    "REFRESH_TOKEN_GRACE_PERIOD_SECONDS": 0,
    "ALLOWED_REDIRECT_URI_SCHEMES": ["https"],
}
# The gateway's Client points at the OAuth2 application: a swappable model needs its setting named.
OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth2_provider.Application"
# Defaults for a new client system (each client's own limits are edited on its page).
TINHSO_GATEWAY_RATE_PER_MINUTE = int(os.environ.get("TINHSO_GATEWAY_RATE_PER_MINUTE", "600"))
TINHSO_GATEWAY_DAILY_QUOTA = int(os.environ.get("TINHSO_GATEWAY_DAILY_QUOTA", "100000"))
# The access log's rows are chained by a sealer after the response (tinhso.gateway.accesslog): at most this often
# per server process. Public /api/v1 routes look a person's token up in a per-process set of client-token hashes,
# reloaded this often (tinhso.gateway.door.may_be_client_token).
TINHSO_GATEWAY_SEAL_SECONDS = float(os.environ.get("TINHSO_GATEWAY_SEAL_SECONDS", "1"))
TINHSO_GATEWAY_TOKEN_SET_SECONDS = float(os.environ.get("TINHSO_GATEWAY_TOKEN_SET_SECONDS", "30"))
TINHSO_WEBHOOK_TIMEOUT_SECONDS = float(os.environ.get("TINHSO_WEBHOOK_TIMEOUT_SECONDS", "5"))
TINHSO_WEBHOOK_MAX_ATTEMPTS = int(os.environ.get("TINHSO_WEBHOOK_MAX_ATTEMPTS", "8"))
TINHSO_WEBHOOK_BACKOFF_SECONDS = int(os.environ.get("TINHSO_WEBHOOK_BACKOFF_SECONDS", "30"))
# Outbound connectors (tinhso.gateway.connectors): off until their receiver's address is set.
TINHSO_DVCQG_URL = os.environ.get("TINHSO_DVCQG_URL", "")
TINHSO_DVCQG_TOKEN = os.environ.get("TINHSO_DVCQG_TOKEN", "")  # the portal's "session" when not logged in below
TINHSO_DVCQG_AUTH_URL = os.environ.get("TINHSO_DVCQG_AUTH_URL", "")  # login {username, password} -> {session}
TINHSO_DVCQG_USERNAME = os.environ.get("TINHSO_DVCQG_USERNAME", "")
TINHSO_DVCQG_PASSWORD = os.environ.get("TINHSO_DVCQG_PASSWORD", "")
TINHSO_DVCQG_MADONVI = os.environ.get("TINHSO_DVCQG_MADONVI", "")  # the province's code on the portal
TINHSO_CATALOGUE_URL = os.environ.get("TINHSO_CATALOGUE_URL", "")  # the VXP endpoint (…/registerAgency)
TINHSO_CATALOGUE_SYSTEM_ID = os.environ.get("TINHSO_CATALOGUE_SYSTEM_ID", "")
TINHSO_CATALOGUE_TOKEN = os.environ.get("TINHSO_CATALOGUE_TOKEN", "")  # the VXP secret that signs the headers

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("TINHSO_LOG_LEVEL", "WARNING")},
}
