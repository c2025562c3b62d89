"""The one settings module of Centrex Portal, driven by the environment (API.md, `.env.example`)."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit

from django.utils.translation import gettext_lazy as _

from centrex.config.calendar import parse_business_calendar
from centrex.config.database import with_timeouts
from centrex.config.durations import MAX_SMS_VALIDITY, env_duration
from centrex.config.environment import (
    database_from_url,
    email_from_url,
    env_bool,
    env_choice,
    env_int,
    env_str,
    read_dotenv,
    secret_key,
)
from centrex.config.registry import check_registry_url
from centrex.config.sip import check_rpc_address, check_sip_domain, parse_sip_address
from centrex.config.smsc import builtin_record_path, parse_smsc_url

PACKAGE_DIR = Path(__file__).resolve().parent
read_dotenv(Path.cwd() / ".env")

DATA_DIR = Path(env_str("CENTREX_DATA_DIR", "./var")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = secret_key(DATA_DIR)
ALLOWED_HOSTS = [h.strip() for h in env_str("ALLOWED_HOSTS", "localhost,127.0.0.1").split(",")]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("CENTREX_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]
# Where links in e-mails point (invitations, password resets).
CENTREX_BASE_URL = env_str("CENTREX_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

# Our apps first: their translations win over Django admin's for the same words ("Log out").
INSTALLED_APPS = [
    "centrex.core",
    "centrex.customers",
    "centrex.accounts",
    "centrex.aliases",
    "centrex.verification",
    "centrex.senders",
    "centrex.sms",
    "centrex.smsc",
    "centrex.communicator",
    "centrex.support",
    "centrex.backoffice",
    "centrex.devinbox",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "ninja",
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    "centrex.core.middleware.BodySizeLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Every answer's Content-Security-Policy (core/security.py), the intake's as the API's.
    "centrex.core.security.ContentSecurityPolicyMiddleware",
    # The database away: 503 for the API and the pages, from whichever layer below (issue 13);
    # inside the security headers' middlewares (its answer gets them), outside every one that
    # reads the database.
    "centrex.core.outage.DatabaseOutageMiddleware",
    # An API client's POST /api/v1/sms/messages, served before the rest (sms/intake.py).
    "centrex.sms.intake.SmsIntakeMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "centrex.core.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # R-Z3: who must set up two-step verification does that first.
    "centrex.accounts.two_step_pages.TwoStepSetupMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "centrex.urls"
WSGI_APPLICATION = "centrex.wsgi.application"
ASGI_APPLICATION = "centrex.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "centrex.core.context_processors.portal",
                "centrex.navigation.shell",
                "centrex.senders.context_processors.sms_policy_warning",
            ],
        },
    }
]

DATABASES = {
    # PostgreSQL's connect, statement and lock timeouts: config/database.py (issue 13).
    "default": with_timeouts(
        database_from_url(env_str("DATABASE_URL", "sqlite:///"), DATA_DIR),
        connect=env_int("CENTREX_DB_CONNECT_TIMEOUT", 5, minimum=0),
        statement=env_int("CENTREX_DB_STATEMENT_TIMEOUT", 30, minimum=0),
        lock=env_int("CENTREX_DB_LOCK_TIMEOUT", 10, minimum=0),
    ),
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["centrex.accounts.backends.PortalBackend"]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"
# Invitation and password-reset links stay valid three days, and work once (accounts/tokens.py).
PASSWORD_RESET_TIMEOUT = 3 * 24 * 3600

# Login throttling (API.md "Authentication").
CENTREX_LOGIN_WINDOW_SECONDS = 15 * 60
CENTREX_LOGIN_MAX_FAILURES_PER_EMAIL = 10
CENTREX_LOGIN_MAX_FAILURES_PER_ADDRESS = 50
# "Password dimenticata?" requests (issue 13): per e-mail and per client address, as login.
CENTREX_PASSWORD_RESET_WINDOW_SECONDS = 60 * 60
CENTREX_PASSWORD_RESET_MAX_PER_EMAIL = 5
CENTREX_PASSWORD_RESET_MAX_PER_ADDRESS = 50
CENTREX_API_TOKEN_DAYS = env_int("CENTREX_API_TOKEN_DAYS", 30, minimum=1)
# R-Z3: `required` makes every operator set up two-step verification at sign-in.
CENTREX_OPERATOR_MFA = env_choice("CENTREX_OPERATOR_MFA", "optional", ("optional", "required"))
# Number of reverse proxies in front of the web server whose X-Forwarded-For we trust.
CENTREX_TRUSTED_PROXIES = env_int("CENTREX_TRUSTED_PROXIES", 0)
# /metrics: a bearer token Prometheus must send; empty = loopback clients only.
CENTREX_METRICS_TOKEN = env_str("CENTREX_METRICS_TOKEN", "")

# Request bodies over 1 MiB answer 413 (API.md).
CENTREX_MAX_BODY_BYTES = 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = CENTREX_MAX_BODY_BYTES
FILE_UPLOAD_MAX_MEMORY_SIZE = CENTREX_MAX_BODY_BYTES

# Cookies and headers (issue 13, README "Production"). The session and CSRF cookies are
# HttpOnly (no script reads them: htmx sends the token from the page, base.html) and SameSite=Lax
# (Strict would log out whoever follows a link from an e-mail to the portal). Behind a TLS proxy
# Django learns the scheme from X-Forwarded-Proto: set CENTREX_BASE_URL to the https:// address
# and the cookies are Secure; CENTREX_SECURE_COOKIES overrides that.
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool(
    "CENTREX_SECURE_COOKIES", not DEBUG and CENTREX_BASE_URL.startswith("https://")
)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_AGE = 12 * 3600
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if CENTREX_BASE_URL.startswith("https://"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("CENTREX_HSTS_SECONDS", 0)
# core/security.py: everything from this site only, no inline script or style (the pages' few
# behaviours are in static/centrex/portal.js, their looks in portal.css), never framed.
CENTREX_CONTENT_SECURITY_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    # data: for the design system's own small SVG drawings in its stylesheet (the select's arrow,
    # the checkbox's tick, the menu button's bars): images only, never scripts.
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}

LANGUAGE_CODE = "it"
LANGUAGES = [("it", _("Italian")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Europe/Rome"
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

_email = email_from_url(os.environ.get("EMAIL_URL", "").strip(), DATA_DIR)
EMAIL_BACKEND = _email.backend
EMAIL_HOST = _email.host
EMAIL_PORT = _email.port
EMAIL_HOST_USER = _email.user
EMAIL_HOST_PASSWORD = _email.password
EMAIL_USE_TLS = _email.use_tls
EMAIL_USE_SSL = _email.use_ssl
EMAIL_TIMEOUT = 20
CENTREX_OUTBOX_DIR = _email.outbox
DEFAULT_FROM_EMAIL = env_str("CENTREX_FROM_EMAIL", "Centrex Portal <noreply@centrex.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# The developer inbox page lists what the embedded outbox (and simulator) received.
CENTREX_DEV_INBOX = env_bool("CENTREX_DEV_INBOX", CENTREX_OUTBOX_DIR is not None)
# The application shell (issue 14): the provider's logo (an absolute URL, or a path under the
# static files, e.g. "provider/logo.svg") in place of the portal's own, and the product's name.
CENTREX_LOGO_URL = env_str("CENTREX_LOGO_URL", "")
CENTREX_BRAND_NAME = env_str("CENTREX_BRAND_NAME", "Centrex Portal")
FORM_RENDERER = "centrex.core.form_rendering.PortalFormRenderer"
if CENTREX_LOGO_URL.startswith(("http://", "https://")):
    _logo = urlsplit(CENTREX_LOGO_URL)
    CENTREX_CONTENT_SECURITY_POLICY["img-src"] += f" {_logo.scheme}://{_logo.netloc}"

CENTREX_SMSC_URL = env_str("CENTREX_SMSC_URL", "builtin")
CENTREX_BUILTIN_SMSC_PORT = env_int("CENTREX_BUILTIN_SMSC_PORT", 2775, minimum=1)
parse_smsc_url(CENTREX_SMSC_URL, builtin_port=CENTREX_BUILTIN_SMSC_PORT)  # fails loudly
# What the builtin simulator received, for the developer inbox.
CENTREX_SMSC_RECORD_PATH = builtin_record_path(DATA_DIR)
CENTREX_OTP_SENDER = env_str("CENTREX_OTP_SENDER", "Centrex")
CENTREX_ALIAS_REGISTRY = env_str("CENTREX_ALIAS_REGISTRY", f"file://{DATA_DIR / 'registry'}")
check_registry_url(CENTREX_ALIAS_REGISTRY)
# R-A9: seconds to wait for the registry's answer; automatic attempts before giving up to the
# operators' "retry" (1, 5, 15, 60 minutes apart, then hourly).
CENTREX_ALIAS_REGISTRY_TIMEOUT = env_int("CENTREX_ALIAS_REGISTRY_TIMEOUT", 10, minimum=1)
CENTREX_ALIAS_REGISTRY_MAX_ATTEMPTS = env_int("CENTREX_ALIAS_REGISTRY_MAX_ATTEMPTS", 30, minimum=1)
# R-A8: the provider's business calendar (Europe/Rome, Italian national holidays excluded).
CENTREX_BUSINESS_HOURS = env_str("CENTREX_BUSINESS_HOURS", "09:00-18:00")
CENTREX_BUSINESS_DAYS = env_str("CENTREX_BUSINESS_DAYS", "mon-fri")
CENTREX_CLOSED_DATES = os.environ.get("CENTREX_CLOSED_DATES", "").strip()
parse_business_calendar(CENTREX_BUSINESS_HOURS, CENTREX_BUSINESS_DAYS, CENTREX_CLOSED_DATES)
CENTREX_SMS_USER_RATE = env_int("CENTREX_SMS_USER_RATE", 600)
CENTREX_SMS_CUSTOMER_RATE = env_int("CENTREX_SMS_CUSTOMER_RATE", 6000)
# R-T5: the validity period sent with each submit_sm, and how long after it a message still
# without its receipt waits before it is `expired` with `no_receipt` (timedelta values).
CENTREX_SMS_VALIDITY = env_duration(
    "CENTREX_SMS_VALIDITY", "48h", minimum="1s", maximum=MAX_SMS_VALIDITY
)
CENTREX_SMS_RECEIPT_GRACE = env_duration("CENTREX_SMS_RECEIPT_GRACE", "1h")

# Communicator on Kamailio (R-V1–R-V6): the parent of the customers' SIP domains; where
# `centrex sip` listens (UDP and TCP); the registrar address devices are given, if another
# (a public name or NAT address); Kamailio's JSON-RPC, on loopback only.
CENTREX_SIP_DOMAIN = check_sip_domain(env_str("CENTREX_SIP_DOMAIN", "centrex.localhost"))
CENTREX_SIP_LISTEN = env_str("CENTREX_SIP_LISTEN", "127.0.0.1:5060")
parse_sip_address("CENTREX_SIP_LISTEN", CENTREX_SIP_LISTEN)
CENTREX_SIP_PUBLIC = env_str("CENTREX_SIP_PUBLIC", "") or CENTREX_SIP_LISTEN
parse_sip_address("CENTREX_SIP_PUBLIC", CENTREX_SIP_PUBLIC)
CENTREX_SIP_RPC = env_str("CENTREX_SIP_RPC", "127.0.0.1:5059")
check_rpc_address(CENTREX_SIP_RPC)

TASKS = {
    "default": {
        "BACKEND": env_str("CENTREX_TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

NINJA_PAGINATION_PER_PAGE = 50

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("CENTREX_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "django.server": {"level": "WARNING"},
    },
}
