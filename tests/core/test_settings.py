"""Configuration picks the mode from the environment; code never asks which mode it is in."""

import json
import subprocess
import sys

from tests.support.processes import ROOT


def settings_under(env: dict[str, str]) -> dict:
    code = (
        "import json, django; from django.conf import settings as s; django.setup();"
        "print(json.dumps({'db': s.DATABASES['default']['ENGINE'], 'huey': s.HUEY['huey_class'],"
        "'layer': s.CHANNEL_LAYERS['default']['BACKEND'], 'files': s.STORAGES['default']['BACKEND'],"
        "'journal': s.DATABASES['default'].get('OPTIONS', {}).get('init_command', ''),"
        "'tasks': s.TASKS['default']}))"
    )
    clean = {"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "kontora.settings", **env}
    done = subprocess.run([sys.executable, "-c", code], env=clean, cwd=ROOT, capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def test_embedded_mode_is_the_default(tmp_path):
    found = settings_under({"KONTORA_VAR_DIR": str(tmp_path)})

    assert found["db"] == "django.db.backends.sqlite3"
    assert "journal_mode=WAL" in found["journal"]
    assert found["huey"] == "huey.SqliteHuey"
    assert found["layer"] == "channels.layers.InMemoryChannelLayer"
    assert found["files"] == "django.core.files.storage.FileSystemStorage"
    assert found["tasks"]["BACKEND"] == "huey.contrib.djhuey.tasks_backend.HueyBackend"
    assert found["tasks"]["OPTIONS"] == {"enqueue_on_commit": True}
    assert (tmp_path / "secret_key").exists()


def test_distributed_mode_comes_from_the_environment(tmp_path):
    found = settings_under(
        {
            "KONTORA_VAR_DIR": str(tmp_path),
            "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/kontora",
            "REDIS_URL": "redis://127.0.0.1:6379/0",
            "KONTORA_S3_BUCKET": "kontora-files",
        }
    )

    assert found["db"] == "django.db.backends.postgresql"
    assert found["huey"] == "huey.RedisHuey"
    assert found["layer"] == "channels_redis.core.RedisChannelLayer"
    assert found["files"] == "storages.backends.s3.S3Storage"
