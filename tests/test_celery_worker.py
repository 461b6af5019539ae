"""A real Celery worker and beat against the real Redis: the heartbeat round trip."""

import os
import signal
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from celery.schedules import maybe_schedule
from django.conf import settings
from django.utils import timezone

from config import celery_app
from sessions_app.broker import get_redis
from sessions_app.health import BEAT_KEY
from sessions_app.tasks import heartbeat

pytestmark = pytest.mark.worker

REPO = Path(__file__).resolve().parent.parent
WAIT_SECONDS = 30
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/refrain"


@dataclass
class Worker:
    process: subprocess.Popen
    queue: str
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)  # warm shutdown
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _service_env(tmp_path: Path, redis_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "REDIS_URL": redis_url,
        # The heartbeat writes Redis only, but settings are imported all the same.
        "DATABASE_URL": os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL),
        "REFRAIN_VAR_DIR": str(tmp_path / "var"),
        "PYTHONUNBUFFERED": "1",
    }


@pytest.fixture
def worker(tmp_path, redis_url):
    """A worker of its own on a queue of its own, so parallel runs never share tasks."""
    queue = f"refrain-test-{uuid.uuid4().hex}"
    log_path = tmp_path / "worker.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "--pool=solo",
                "-l",
                "info",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-Q",
                queue,
                "-n",
                f"{queue}@%h",
            ],
            cwd=REPO,
            env=_service_env(tmp_path, redis_url),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        yield Worker(process=process, queue=queue, log_path=log_path)
    finally:
        _stop(process)
        # The queue's own keys; nothing else in the test database is touched.
        get_redis().delete(queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")


def _send_heartbeat(redis_url: str, queue: str, **options) -> str:
    task_id = str(uuid.uuid4())
    with celery_app.connection_for_write(redis_url) as connection:
        heartbeat.apply_async(queue=queue, connection=connection, task_id=task_id, **options)
    return task_id


def _wait_for_tick(worker: Worker, *, after: datetime) -> datetime | None:
    client = get_redis()
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline and worker.process.poll() is None:
        raw = client.get(BEAT_KEY)
        if raw is not None:
            tick = datetime.fromisoformat(raw.decode())
            if tick > after:
                return tick
        time.sleep(0.1)
    return None


def test_it_runs_the_heartbeat_through_the_broker(worker, redis_url):
    sent_at = timezone.now()
    task_id = _send_heartbeat(redis_url, worker.queue)

    tick = _wait_for_tick(worker, after=sent_at)

    assert tick is not None, f"no tick within {WAIT_SECONDS} s; worker log:\n{worker.log()}"
    assert tick - sent_at < timedelta(seconds=WAIT_SECONDS)
    assert f"heartbeat[{task_id}] received" in worker.log()


def test_it_refuses_a_pickled_task(worker, redis_url):
    # Unpickling runs arbitrary code: a worker must never accept it off the broker.
    pickled_id = _send_heartbeat(redis_url, worker.queue, serializer="pickle")
    sent_at = timezone.now()
    json_id = _send_heartbeat(redis_url, worker.queue)

    # One worker process takes the queue in order, so once the JSON task has run the
    # pickled one, sent first, has been dealt with.
    tick = _wait_for_tick(worker, after=sent_at)

    log = worker.log()
    assert tick is not None, f"no tick within {WAIT_SECONDS} s; worker log:\n{log}"
    assert f"heartbeat[{json_id}] received" in log
    assert pickled_id not in log
    assert "Refusing to deserialize untrusted content of type pickle" in log


def test_it_schedules_the_heartbeat_every_minute():
    entries = [
        entry for entry in celery_app.conf.beat_schedule.values() if entry["task"] == heartbeat.name
    ]

    assert len(entries) == 1
    assert maybe_schedule(entries[0]["schedule"]).run_every == timedelta(seconds=60)
    # The name beat sends is one the worker knows.
    celery_app.loader.import_default_modules()
    assert heartbeat.name in celery_app.tasks
    # One missed tick is not yet an outage on /healthz.
    assert settings.BEAT_STALE_AFTER_SECONDS >= 2 * 60


def test_it_starts_beat_on_postgresql_in_a_fresh_var_dir(tmp_path, redis_url):
    env = _service_env(tmp_path, redis_url)
    assert not Path(env["REFRAIN_VAR_DIR"]).exists()
    log_path = tmp_path / "beat.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "beat", "-l", "info"],
            cwd=REPO,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + WAIT_SECONDS
        schedule_files: list[Path] = []
        while time.monotonic() < deadline and process.poll() is None and not schedule_files:
            schedule_files = list((tmp_path / "var").glob("celerybeat-schedule*"))
            time.sleep(0.1)
        # Still running a moment after its schedule file appeared.
        time.sleep(1)
        running = process.poll() is None
    finally:
        _stop(process)

    beat_log = log_path.read_text(errors="replace")
    assert schedule_files, f"beat wrote no schedule; beat log:\n{beat_log}"
    assert running, f"beat stopped; beat log:\n{beat_log}"
