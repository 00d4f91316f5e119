"""Test settings: Kontora's own, plus the test-only app and fast, inline defaults."""

import os
import tempfile

os.environ.setdefault("KONTORA_VAR_DIR", tempfile.mkdtemp(prefix="kontora-test-"))
os.environ.setdefault("KONTORA_JOBS_IMMEDIATE", "1")
os.environ.setdefault("KONTORA_EXTRA_APPS", "tests.support")

from kontora.settings import *  # noqa: E402,F403
from kontora.settings import ALLOWED_HOSTS, DATABASES, PASSWORD_HASHERS, STORAGES, VAR_DIR  # noqa: E402

STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
ALLOWED_HOSTS = [*ALLOWED_HOSTS, "testserver"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]  # speed only
if "KONTORA_EMAIL_BACKEND" not in os.environ:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # A file, not memory: worker and web processes started by tests must see the same database.
    DATABASES["default"]["TEST"] = {"NAME": os.environ.get("KONTORA_TEST_DB_NAME", str(VAR_DIR / "test.sqlite3"))}
