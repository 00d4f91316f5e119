"""Django settings. Every value comes from kontora.core.env; the defaults are the embedded mode."""

from pathlib import Path

import dj_database_url

from kontora.core import env

BASE_DIR = Path(__file__).resolve().parent
VAR_DIR = env.var_dir()
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env.flag("KONTORA_DEBUG")
SECRET_KEY = env.text("KONTORA_SECRET_KEY") or ""
if not SECRET_KEY:
    _key_file = VAR_DIR / "secret_key"
    if not _key_file.exists():
        import secrets

        _key_file.write_text(secrets.token_urlsafe(50))
        _key_file.chmod(0o600)
    SECRET_KEY = _key_file.read_text().strip()

ALLOWED_HOSTS = env.listing("KONTORA_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env.listing("KONTORA_CSRF_TRUSTED_ORIGINS")
SITE_URL = env.text("KONTORA_SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "kontora.core",
    "kontora.accounts",
    "kontora.events",
    "kontora.crm",
    "kontora.tasks",
    "kontora.timeman",
    "kontora.lists",
    "kontora.rest",
    "kontora.automation",
    "kontora.automation.processes",
    "kontora.analytics",
    "kontora.web",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "channels",
    "huey.contrib.djhuey",
    *env.listing("KONTORA_EXTRA_APPS"),
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "kontora.accounts.middleware.UserPreferencesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "kontora.urls"
WSGI_APPLICATION = "kontora.wsgi.application"
ASGI_APPLICATION = "kontora.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "kontora.web.context_processors.shell",
            ],
        },
    }
]

# Database: SQLite in WAL mode under ./var/ unless DATABASE_URL names another one.
if env.database_url():
    DATABASES = {"default": dj_database_url.parse(env.database_url(), conn_max_age=60)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": env.text("KONTORA_SQLITE_PATH") or str(VAR_DIR / "kontora.sqlite3"),
            "OPTIONS": {
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
        }
    }
if env.text("KONTORA_TEST_DB_NAME"):
    DATABASES["default"]["TEST"] = {"NAME": env.text("KONTORA_TEST_DB_NAME")}
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
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "accounts:login"

LANGUAGE_CODE = "ru"
LANGUAGES = [("ru", "Русский"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.text("KONTORA_TIME_ZONE", "Europe/Moscow")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
MEDIA_URL = "media/"
MEDIA_ROOT = VAR_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Hashed names, so that granian may let browsers cache static files for a day.
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
if env.text("KONTORA_S3_BUCKET"):
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env.text("KONTORA_S3_BUCKET"),
            "endpoint_url": env.text("KONTORA_S3_ENDPOINT_URL") or None,
            "access_key": env.text("KONTORA_S3_ACCESS_KEY") or None,
            "secret_key": env.text("KONTORA_S3_SECRET_KEY") or None,
            "region_name": env.text("KONTORA_S3_REGION") or None,
        },
    }
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# Background jobs: Huey (SQLite file embedded, Redis distributed) behind Django's @task API.
JOBS_IMMEDIATE = env.flag("KONTORA_JOBS_IMMEDIATE")
HUEY_NAME = env.text("KONTORA_HUEY_NAME", "kontora")
if env.redis_url():
    HUEY = {
        "huey_class": "huey.RedisHuey",
        "name": HUEY_NAME,
        "url": env.redis_url(),
        "immediate": JOBS_IMMEDIATE,
        "consumer": {"workers": int(env.number("KONTORA_WORKERS", 4)), "worker_type": "thread"},
    }
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": HUEY_NAME,
        "filename": env.text("KONTORA_HUEY_PATH") or str(VAR_DIR / "huey.sqlite3"),
        "immediate": JOBS_IMMEDIATE,
        "consumer": {"workers": int(env.number("KONTORA_WORKERS", 2)), "worker_type": "thread"},
    }
TASKS = {
    "default": {
        "BACKEND": "huey.contrib.djhuey.tasks_backend.HueyBackend",
        "OPTIONS": {"enqueue_on_commit": True},
    }
}
# Durable work: how long a claimed item is leased before the sweeper may hand it to another worker.
JOB_LEASE_SECONDS = env.number("KONTORA_JOB_LEASE_SECONDS", 300)

# REST: a leaky bucket per caller, off by default on self-hosted (Bitrix24's cloud: 2 a second, bursts of 50).
KONTORA_REST_RATE = env.number("KONTORA_REST_RATE", 0)
KONTORA_REST_BURST = env.number("KONTORA_REST_BURST", 50)
# Outgoing webhooks and app event handlers: attempts per delivery before it is marked failed (back-off 30 s · 2^n).
KONTORA_REST_DELIVERY_ATTEMPTS = int(env.number("KONTORA_REST_DELIVERY_ATTEMPTS", 8))

# Realtime: Channels. Embedded: in-memory layer fed by the outbox poller; distributed: Redis, its keys named
# after the installation (HUEY_NAME) so that two installations on one Redis do not hear each other's groups.
if env.redis_url():
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [env.redis_url()], "prefix": f"{HUEY_NAME}:asgi"},
        }
    }
    REALTIME_DIRECT = True
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    REALTIME_DIRECT = False
# Where browsers open the WebSocket; empty means /ws/ on the page's own host.
WEBSOCKET_URL = env.text("KONTORA_WS_URL")
REALTIME_POLL_SECONDS = env.number("KONTORA_REALTIME_POLL_SECONDS", 0.5)

# Email: the console in embedded mode; SMTP or files when configured.
EMAIL_BACKEND_PATH = env.text("KONTORA_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
_mail_options: dict = {}
if "smtp" in EMAIL_BACKEND_PATH:
    _mail_options = {
        "host": env.text("KONTORA_EMAIL_HOST", "localhost"),
        "port": int(env.number("KONTORA_EMAIL_PORT", 25)),
        "username": env.text("KONTORA_EMAIL_USER"),
        "password": env.text("KONTORA_EMAIL_PASSWORD"),
        "use_tls": env.flag("KONTORA_EMAIL_TLS"),
    }
elif "File" in EMAIL_BACKEND_PATH or "filebased" in EMAIL_BACKEND_PATH:
    _mail_options = {"file_path": env.text("KONTORA_EMAIL_FILE_PATH") or str(VAR_DIR / "mail")}
MAILERS = {"default": {"BACKEND": EMAIL_BACKEND_PATH, "OPTIONS": _mail_options}}
DEFAULT_FROM_EMAIL = env.text("KONTORA_EMAIL_FROM", "Kontora <noreply@kontora.local>")

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env.flag("KONTORA_SECURE_COOKIES")
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
# W040: covering indexes (INCLUDE) are a PostgreSQL tuning; on SQLite Django leaves them out, as intended.
SILENCED_SYSTEM_CHECKS: list[str] = ["models.W040"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "loggers": {
        "kontora": {"handlers": ["console"], "level": env.text("KONTORA_LOG_LEVEL", "INFO")},
        "huey": {"handlers": ["console"], "level": "WARNING"},
    },
}
