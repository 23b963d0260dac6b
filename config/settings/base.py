"""Settings shared by every environment. Values come from the environment (rule: STYLE 9)."""

import sys
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env("SECRET_KEY")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "django_tables2",
    "django_filters",
    "django_celery_beat",
    "simple_history",
    "rules.apps.AutodiscoverRulesConfig",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "csp",
    "core",
    "careleavers",
    "contacts",
    "pathway",
    "approvals",
    "compliance",
    "oversight",
    "returns",
    "casework",
    "interface",
    "accounts",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "accounts.middleware.AuthenticationMiddleware",  # Django's, reading sessions of the backend it replaces
    "accounts.middleware.OTPMiddleware",  # django-otp's, its device checked with the user (issue 16)
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.middleware.IdleTimeoutMiddleware",
    "accounts.middleware.SecondFactorRequiredMiddleware",
    "accounts.middleware.NoStoreForSignedInMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    # Django's ModelBackend, reading the staff record with the user (issue 16); sessions naming ModelBackend are
    # still read (accounts.middleware.AuthenticationMiddleware).
    "accounts.backends.StaffModelBackend",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.navigation.staff",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = True
# Seconds a process keeps its database connection between requests (0: a new connection per request).
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Covering indexes (Index(include=...), e.g. the engine's contact_yp_date) are PostgreSQL's;
# SQLite builds them without the extra columns, which is fine for development and tests.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "accounts.validators.VarietyValidator", "OPTIONS": {"min_distinct": 6}},
    {"NAME": "accounts.validators.SequenceValidator", "OPTIONS": {"max_run": 4}},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True
DATE_FORMAT = "j M Y"  # British: 24 Nov 2026
SHORT_DATE_FORMAT = "d/m/Y"

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Sessions: an absolute limit (SESSION_COOKIE_AGE) and an idle limit (accounts.middleware.IdleTimeoutMiddleware).
# Both are counted from the sign-in and the last request, whatever refreshes the session cookie.
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 3600)  # seconds
SESSION_IDLE_TIMEOUT = env.int("SESSION_IDLE_TIMEOUT", default=30 * 60)  # seconds
# Django's database sessions, their read (every signed-in request) compiled once per process (issue 16).
SESSION_ENGINE = "accounts.session_engines.db"

# Two-factor sign-in (django-otp: TOTP with backup codes). Production always requires it;
# local and test settings waive it for the demo logins, and the login page says so.
OTP_REQUIRED = env.bool("OTP_REQUIRED", default=True)
OTP_TOTP_ISSUER = env("OTP_TOTP_ISSUER", default="Leaving care")
OTP_BACKUP_CODES = 10

# Content security policy (django-csp 4): every script and style is a static file; no inline script.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"
DJANGO_TABLES2_TEMPLATE = "django_tables2/bootstrap5.html"

# Login throttling (django-axes): lock an account+IP pair after repeated failures. Keyed on the pair, never on the
# username alone, so a stranger elsewhere cannot lock someone out; a Team Leader or an administrator unlocks
# (accounts: the unlock page, the admin action, `manage.py axes_reset_username`).
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=1.0)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_LOCKOUT_TEMPLATE = "lockout.html"
AXES_CLIENT_IP_CALLABLE = "accounts.ip.client_ip"
# True only behind a reverse proxy we run, which sets X-Forwarded-Proto and X-Forwarded-For itself.
TRUSTED_PROXY = env.bool("TRUSTED_PROXY", default=False)
AXES_USERNAME_FORM_FIELD = "username"

EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="leaving-care@localhost")
EMAIL_URL = env.str("EMAIL_URL", default="")
if EMAIL_URL:
    vars().update(environ.Env.email_url_config(EMAIL_URL))

# Celery: the broker is Redis in production; TIME_ZONE keeps beat on London time.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=env("REDIS_URL", default="redis://127.0.0.1:6379/0"))
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=CELERY_BROKER_URL)
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# A task is acknowledged when it has finished, and put back on the queue if its worker dies, so a lost
# worker's nightly run is run again (oversight/tasks.py sets the same per task, with retries and backoff).
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Redis re-delivers a message nobody acknowledged (a machine restart) after this many seconds.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600)}

# Office details printed on letters (the S2 "door is always open" letter).
SERVICE_NAME = env("SERVICE_NAME", default="Leaving Care Service")
SERVICE_OFFICE_ADDRESS = env("SERVICE_OFFICE_ADDRESS", default="Civic Centre, High Street")
SERVICE_OFFICE_PHONE = env("SERVICE_OFFICE_PHONE", default="0300 000 0000")
SERVICE_OFFICE_EMAIL = env("SERVICE_OFFICE_EMAIL", default="leavingcare@example.gov.uk")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
}

# --- issue 11 (items 1, 6, 8, 9): registration, allocation and cover, closing and reopening ---

# --- issue 11 (items 2-5, 7, 10): identity and contact details, accommodation, EET, legal status, flags ---

# --- issue 12 (items 1-3): case notes, management oversight, supervision ---

# --- issue 12 (items 4-7): documents, contact corrections, chronology, duty ---
# Documents on a young person's record go through Django's storage API (STORAGES["default"]): local files under
# MEDIA_ROOT, or an S3-compatible store through django-storages, chosen by DOCUMENT_STORAGE. There is no MEDIA_URL
# route: every download goes through casework.documents, which checks permission and writes an audit event.
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
DOCUMENT_STORAGE = env.str("DOCUMENT_STORAGE", default="local")
if DOCUMENT_STORAGE == "local":
    DOCUMENT_STORAGE_BACKEND: dict = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
elif DOCUMENT_STORAGE == "s3":
    DOCUMENT_STORAGE_BACKEND = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env.str("DOCUMENT_S3_BUCKET"),
            "endpoint_url": env.str("DOCUMENT_S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("DOCUMENT_S3_REGION", default="") or None,
            "access_key": env.str("DOCUMENT_S3_ACCESS_KEY_ID", default="") or None,
            "secret_key": env.str("DOCUMENT_S3_SECRET_ACCESS_KEY", default="") or None,
            "location": env.str("DOCUMENT_S3_PREFIX", default=""),
            "default_acl": "private",
            "file_overwrite": False,
            "querystring_auth": True,
        },
    }
else:
    raise environ.ImproperlyConfigured(f"DOCUMENT_STORAGE must be 'local' or 's3', not {DOCUMENT_STORAGE!r}")
STORAGES = {
    "default": DOCUMENT_STORAGE_BACKEND,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
#: Item 4: the largest document accepted, in bytes (10 MB by default).
DOCUMENT_MAX_BYTES = env.int("DOCUMENT_MAX_BYTES", default=10 * 1024 * 1024)

# --- issue 13: the pathway plan as a document ---

# --- issue 15: pages as their users want them ---

# --- issue 16: performance at national scale ---
# Growing past one machine without code changes (README "Scaling"): a read replica for dashboards and
# exports (core.replicas), and sessions and cache in Redis (Django's own backend) when a URL is given.
if env("DATABASE_REPLICA_URL", default=""):
    DATABASES["replica"] = env.db("DATABASE_REPLICA_URL")
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["core.replicas.ReplicaRouter"]
# Server-side prepared statements for the queries core.prepared compiles once per process (core/prepared.py): on
# unless DATABASE_PREPARED=false, which a pooler in transaction mode (pgbouncer) needs, as it does not keep a session's
# statements. They save PostgreSQL's planning only on a connection kept between requests (CONN_MAX_AGE > 0). psycopg
# prepares the statements core.prepared asks for (prepare=True) and, with this threshold, no other by how often it runs.
DATABASE_PREPARED = env.bool("DATABASE_PREPARED", default=True)
if DATABASE_PREPARED:
    for _database in DATABASES.values():
        if _database["ENGINE"] == "django.db.backends.postgresql":
            _database.setdefault("OPTIONS", {}).setdefault("prepare_threshold", sys.maxsize)
if CACHE_URL := env("CACHE_URL", default=env("REDIS_URL", default="")):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}}
    # Sessions read from the cache and written through to the database, so a restart signs nobody out.
    SESSION_ENGINE = "accounts.session_engines.cached_db"  # Django's cached_db (accounts.session_engines)
