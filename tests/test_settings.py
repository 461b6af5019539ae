"""Settings are read from the environment once, at import, so each test imports them
afresh in a subprocess with an environment it controls completely."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

SETUP = (
    "import django, json, os; "
    "os.environ['DJANGO_SETTINGS_MODULE'] = 'config.settings'; "
    "django.setup(); "
    "from django.conf import settings; "
)


def _run(tmp_path: Path, code: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    # Nothing leaks in from the developer's shell or CI: only what the test names.
    base = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "REFRAIN_VAR_DIR": str(tmp_path / "var"),
    }
    return subprocess.run(
        [sys.executable, "-c", SETUP + code],
        env={**base, **env},
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )


def _settings(tmp_path: Path, names: list[str], **env: str) -> dict:
    code = f"print(json.dumps({{n: getattr(settings, n) for n in {names!r}}}, default=str))"
    result = _run(tmp_path, code, env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def _celery_conf(tmp_path: Path, names: list[str], **env: str) -> dict:
    code = (
        "from config import celery_app; "
        f"print(json.dumps({{n: celery_app.conf[n] for n in {names!r}}}, default=str))"
    )
    result = _run(tmp_path, code, env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def _failure(tmp_path: Path, **env: str) -> str:
    """The one line a failed start-up leaves for the operator."""
    result = _run(tmp_path, "print('started')", env)
    assert result.returncode != 0
    assert "started" not in result.stdout
    return result.stderr.strip().splitlines()[-1]


def test_it_runs_for_local_use_with_an_empty_environment(tmp_path):
    s = _settings(tmp_path, ["DEBUG", "DATABASES", "USE_TZ", "TIME_ZONE", "SECRET_KEY"])

    assert s["DEBUG"] is True
    assert s["USE_TZ"] is True
    assert s["TIME_ZONE"] == "UTC"
    assert s["SECRET_KEY"]
    db = s["DATABASES"]["default"]
    assert db["ENGINE"] == "django.db.backends.sqlite3"
    assert Path(db["NAME"]).parent == tmp_path / "var"
    # The var dir is created so that SQLite can open its file there.
    assert (tmp_path / "var").is_dir()


def test_it_refuses_to_start_without_secret_key_when_debug_is_off(tmp_path):
    line = _failure(tmp_path, DEBUG="0")

    assert line.startswith("django.core.exceptions.ImproperlyConfigured: SECRET_KEY")


def test_it_runs_hardened_when_debug_is_off(tmp_path):
    s = _settings(
        tmp_path,
        [
            "DEBUG",
            "ALLOWED_HOSTS",
            "SESSION_COOKIE_SECURE",
            "CSRF_COOKIE_SECURE",
            "SECURE_SSL_REDIRECT",
            "SECURE_HSTS_SECONDS",
            "SECRET_KEY",
        ],
        DEBUG="0",
        SECRET_KEY="k" * 50,
        ALLOWED_HOSTS="refrain.example.org, .clinic.example ,",
    )

    assert s["DEBUG"] is False
    assert s["SECRET_KEY"] == "k" * 50
    assert s["ALLOWED_HOSTS"] == ["refrain.example.org", ".clinic.example"]
    assert s["SESSION_COOKIE_SECURE"] is True
    assert s["CSRF_COOKIE_SECURE"] is True
    assert s["SECURE_SSL_REDIRECT"] is True
    assert s["SECURE_HSTS_SECONDS"] > 0


def test_it_uses_postgresql_with_persistent_connections(tmp_path):
    s = _settings(
        tmp_path,
        ["DATABASES"],
        DATABASE_URL="postgres://refrain:secret@db.internal:6543/refrain_prod",
    )

    db = s["DATABASES"]["default"]
    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert (db["HOST"], db["PORT"], db["NAME"], db["USER"]) == (
        "db.internal",
        6543,
        "refrain_prod",
        "refrain",
    )
    assert db["CONN_MAX_AGE"] > 0
    # A persistent connection the server has dropped is replaced, not handed to a view.
    assert db["CONN_HEALTH_CHECKS"] is True


def test_it_takes_conn_max_age_from_the_environment(tmp_path):
    s = _settings(
        tmp_path,
        ["DATABASES"],
        DATABASE_URL="postgres://refrain@db.internal/refrain",
        CONN_MAX_AGE="0",
    )

    assert s["DATABASES"]["default"]["CONN_MAX_AGE"] == 0


def test_it_gives_postgresql_sorts_room_and_no_jit(tmp_path):
    url = "postgres://refrain@db.internal/refrain"
    default = _settings(tmp_path, ["DATABASES"], DATABASE_URL=url)
    chosen = _settings(tmp_path, ["DATABASES"], DATABASE_URL=url, PG_WORK_MEM="64MB")

    assert default["DATABASES"]["default"]["OPTIONS"]["options"] == "-c jit=off -c work_mem=16MB"
    assert chosen["DATABASES"]["default"]["OPTIONS"]["options"].endswith("-c work_mem=64MB")


def test_it_refuses_a_work_mem_postgresql_would_not_take(tmp_path):
    line = _failure(
        tmp_path, DATABASE_URL="postgres://refrain@db.internal/refrain", PG_WORK_MEM="lots"
    )

    assert line.startswith("django.core.exceptions.ImproperlyConfigured: PG_WORK_MEM ")
    assert "'lots'" in line


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DEBUG", "maybe"),
        ("CONN_MAX_AGE", "abc"),
        ("TIME_ZONE", "Mars/Olympus_Mons"),
        ("SESSION_COOKIE_SECURE", "sometimes"),
        ("EMAIL_PORT", "twenty-five"),
    ],
)
def test_it_refuses_a_value_it_cannot_understand(tmp_path, name, value):
    line = _failure(tmp_path, **{name: value})

    assert line.startswith(f"django.core.exceptions.ImproperlyConfigured: {name} ")
    # The variable is named and so is the bad value, quoted as given.
    assert value in line


def test_it_refuses_a_bad_database_url_without_echoing_its_password(tmp_path):
    result = _run(
        tmp_path, "print('started')", {"DATABASE_URL": "mysqlx://refrain:hunter2@db/refrain"}
    )

    assert result.returncode != 0
    last_line = result.stderr.strip().splitlines()[-1]
    assert last_line.startswith("django.core.exceptions.ImproperlyConfigured: DATABASE_URL ")
    assert "hunter2" not in result.stderr


def test_it_configures_celery_for_json_over_redis(tmp_path):
    conf = _celery_conf(
        tmp_path,
        [
            "broker_url",
            "accept_content",
            "task_serializer",
            "result_serializer",
            "task_acks_late",
            "task_reject_on_worker_lost",
            "worker_prefetch_multiplier",
        ],
        REDIS_URL="redis://redis.internal:6379/3",
    )

    assert conf["broker_url"] == "redis://redis.internal:6379/3"
    assert conf["accept_content"] == ["json"]
    assert conf["task_serializer"] == "json"
    assert conf["result_serializer"] == "json"
    assert conf["task_acks_late"] is True
    assert conf["task_reject_on_worker_lost"] is True
    assert conf["worker_prefetch_multiplier"] == 1


def test_it_keeps_task_time_limits_below_the_visibility_timeout(tmp_path):
    conf = _celery_conf(
        tmp_path,
        ["task_soft_time_limit", "task_time_limit", "broker_transport_options"],
    )

    visibility_timeout = conf["broker_transport_options"]["visibility_timeout"]
    # Otherwise Redis hands a still-running task to a second worker.
    assert 0 < conf["task_soft_time_limit"] < conf["task_time_limit"] < visibility_timeout


def test_it_refuses_to_start_without_allowed_hosts_when_debug_is_off(tmp_path):
    line = _failure(tmp_path, DEBUG="0", SECRET_KEY="k" * 50)
    assert "ALLOWED_HOSTS" in line


def test_it_treats_an_empty_database_url_as_unset(tmp_path):
    s = _settings(tmp_path, ["DATABASES"], DATABASE_URL="")
    assert s["DATABASES"]["default"]["ENGINE"] == "django.db.backends.sqlite3"
