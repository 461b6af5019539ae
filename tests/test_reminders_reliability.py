"""Reminders against a real Celery worker, real beat and a real Redis that these tests
kill and restart: a private redis-server on a free port per test, never the shared one.

The worker reaches the test database (this is why the tests use `transactional_db`),
writes email into files (one Message-ID per message: `<reminder-ID@…>`) and runs with
short timeouts so that what a dead worker left behind is settled within seconds. Each
test prints its figure and states it in its assertion message.
"""

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from config import celery_app
from sessions_app.models import Reminder
from tests import factories as f

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

REPO = Path(__file__).resolve().parent.parent
# Short enough to watch a dead worker's rows settle; see settings.py for production.
FAST = {
    "REMINDER_TICK_SECONDS": "1",
    "REMINDER_SENDING_TIMEOUT_SECONDS": "4",
    "REMINDER_REQUEUE_AFTER_SECONDS": "3",
    "REMINDER_RETRY_SECONDS": "1",
    "REMINDER_RETRY_MAX_SECONDS": "2",
}
MESSAGE_ID = re.compile(rb"^Message-ID: <reminder-(\d+)@", re.MULTILINE)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(condition, *, timeout: float, what: str, every: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


class PrivateRedis:
    """A redis-server of this test's own, which it may stop and start at will."""

    def __init__(self, tmp_path: Path):
        self.port = _free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.log = tmp_path / f"redis-{self.port}.log"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        with self.log.open("a") as log:
            self.process = subprocess.Popen(
                [
                    "redis-server",
                    "--port",
                    str(self.port),
                    "--bind",
                    "127.0.0.1",
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                    "--daemonize",
                    "no",
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        _wait(self._answers, timeout=10, what="redis-server to answer")

    def _answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as s:
                s.sendall(b"PING\r\n")
                return s.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.kill()  # as a crash would: nothing saved, every queue gone
            self.process.wait()


@pytest.fixture
def redis(tmp_path):
    server = PrivateRedis(tmp_path)
    server.start()
    yield server
    server.stop()


def _test_database_url() -> str:
    """DATABASE_URL with the test database's name, for processes started by tests."""
    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/refrain")
    return urlunsplit(urlsplit(base)._replace(path="/" + settings.DATABASES["default"]["NAME"]))


class Services:
    """Worker and beat processes of one test, with their output folders."""

    def __init__(self, tmp_path: Path, redis: PrivateRedis):
        self.tmp, self.redis = tmp_path, redis
        self.mail = tmp_path / "mail"
        self.processes: list[tuple[subprocess.Popen, Path]] = []

    def env(self, **extra: str) -> dict[str, str]:
        return {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DATABASE_URL": _test_database_url(),
            "REDIS_URL": self.redis.url,
            "REFRAIN_VAR_DIR": str(self.tmp / "var"),
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": str(self.mail),
            "SMS_BACKEND": "sessions_app.messaging.sms.FileBackend",
            "SMS_FILE_PATH": str(self.tmp / "sms"),
            "LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
            **FAST,
            **extra,
        }

    def _start(self, args: list[str], name: str, **env: str) -> subprocess.Popen:
        log_path = self.tmp / f"{name}-{len(self.processes)}.log"
        with log_path.open("w") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "config", *args],
                cwd=REPO,
                env=self.env(**env),
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group, to kill -9 as a whole
            )
        self.processes.append((process, log_path))
        return process

    def worker(self, *, beat: bool = True, concurrency: int = 2, **env: str) -> subprocess.Popen:
        args = [
            "worker",
            "-l",
            "info",
            f"--concurrency={concurrency}",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ]
        if beat:
            args += ["-B", "-s", str(self.tmp / f"beat-{len(self.processes)}")]
        process = self._start(args, "worker", **env)
        log_path = self.processes[-1][1]
        _wait(
            lambda: b"ready." in log_path.read_bytes() or process.poll() is not None,
            timeout=30,
            what="the worker to be ready",
        )
        assert process.poll() is None, self.logs()
        return process

    def beat(self) -> subprocess.Popen:
        n = len(self.processes)
        return self._start(["beat", "-l", "info", "-s", str(self.tmp / f"beat-{n}")], "beat")

    @staticmethod
    def kill(process: subprocess.Popen) -> None:
        """kill -9 the process and its children (pool processes, embedded beat)."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()

    def stop_all(self) -> None:
        for process, _ in self.processes:
            if process.poll() is None:
                try:
                    os.killpg(process.pid, signal.SIGTERM)
                    process.wait(timeout=10)
                except (ProcessLookupError, subprocess.TimeoutExpired):
                    self.kill(process)

    def logs(self) -> str:
        return "\n".join(
            f"--- {path.name}\n{path.read_text(errors='replace')[-3000:]}"
            for _, path in self.processes
        )

    def sent_copies(self) -> Counter:
        """How many messages each reminder id has in the email files."""
        copies: Counter = Counter()
        for path in self.mail.glob("*.log") if self.mail.exists() else []:
            copies.update(int(m) for m in MESSAGE_ID.findall(path.read_bytes()))
        return copies


@pytest.fixture
def services(tmp_path, redis):
    running = Services(tmp_path, redis)
    yield running
    running.stop_all()
    connection.close()


def _due_reminders(count: int, *, group=None) -> list[int]:
    """`count` reminders due now for one participant's session tomorrow (slots differ)."""
    site = f.SiteFactory(time_zone="America/New_York")
    group = group or f.GroupFactory(site=site, lead=f.TherapistFactory())
    person = f.ParticipantFactory(site=group.site, email="dee@example.org")
    f.EnrollmentFactory(group=group, participant=person)
    start = timezone.now() + timedelta(hours=20)
    session = f.SessionFactory(group=group, starts_at=start, ends_at=start + timedelta(hours=1))
    now = timezone.now()
    rows = Reminder.objects.bulk_create(
        Reminder(
            kind="upcoming",
            channel="email",
            participant=person,
            session=session,
            slot=slot,
            due_at=now,
        )
        for slot in range(1, count + 1)
    )
    return [r.pk for r in rows]


def _statuses() -> Counter:
    return Counter(Reminder.objects.values_list("status", flat=True))


def _settled(expected: set[str]):
    def check():
        counts = _statuses()
        return counts if set(counts) <= expected else None

    return check


# --- 1. A worker killed mid-batch -------------------------------------------------------


def test_it_loses_nothing_when_the_worker_is_killed_mid_batch(services):
    ids = _due_reminders(1000)
    worker = services.worker()
    _wait(
        lambda: Reminder.objects.filter(status="sent").count() >= 250,
        timeout=60,
        what="a quarter of the batch to be sent",
        every=0.05,
    )
    # Aim for the worst moment: a row claimed by a worker and not yet recorded sent.
    in_flight = Reminder.objects.filter(status="sending", claimed_at__isnull=False)
    with contextlib.suppress(AssertionError):
        _wait(in_flight.exists, timeout=5, what="a send in flight", every=0.002)
    services.kill(worker)
    at_kill = _statuses()
    # Rows of batches the dead worker had taken but not reached: only queued, never
    # claimed, so they must go out once each after REQUEUE_AFTER.
    untouched = list(
        Reminder.objects.filter(status="sending", claimed_at__isnull=True).values_list(
            "pk", flat=True
        )
    )

    services.worker()
    counts = _wait(_settled({"sent", "interrupted"}), timeout=60, what="every row to settle")
    copies = services.sent_copies()

    statuses = dict(Reminder.objects.values_list("pk", "status"))
    lost = [pk for pk in ids if statuses[pk] == "sent" and copies[pk] == 0]
    duplicated = [pk for pk in ids if copies[pk] > 1]
    interrupted = [pk for pk in ids if statuses[pk] == "interrupted"]
    figure = (
        f"killed with {dict(at_kill)} ({len(untouched)} queued in batches, unclaimed); "
        f"after restart {dict(counts)}: "
        f"{len(interrupted)} interrupted ({sum(copies[pk] for pk in interrupted)} of them "
        f"in the mail files), {len(duplicated)} duplicated, {len(lost)} lost"
    )
    print(f"\n[reliability 1] 1,000 reminders, worker kill -9 mid-batch: {figure}")
    assert sum(counts.values()) == 1000, figure
    assert not lost, figure
    assert all(statuses[pk] == "interrupted" for pk in duplicated), figure
    assert all(copies[pk] == 1 for pk in ids if statuses[pk] == "sent"), figure
    # At most one row per pool process can be caught mid-send.
    assert len(interrupted) <= 2, figure
    assert untouched, figure  # the kill did land in the middle of batches
    assert all(statuses[pk] == "sent" and copies[pk] == 1 for pk in untouched), figure


# --- 2. Redis restarted mid-batch -------------------------------------------------------


def test_it_sends_everything_when_redis_restarts_mid_batch(services, redis):
    ids = _due_reminders(200)
    services.worker()
    _wait(
        lambda: Reminder.objects.filter(status="sent").count() >= 50,
        timeout=60,
        what="the batch to be under way",
        every=0.05,
    )
    redis.stop()  # every queued send task is lost with it
    lost_with_redis = Reminder.objects.filter(status="sending", claimed_at__isnull=True).count()
    time.sleep(1)
    redis.start()

    counts = _wait(_settled({"sent"}), timeout=60, what="every row to be sent")
    copies = services.sent_copies()
    figure = (
        f"{lost_with_redis} queued sends lost with Redis, then {dict(counts)}; "
        f"{sum(1 for pk in ids if copies[pk] == 1)} of 200 in the mail files exactly once"
    )
    print(f"\n[reliability 2] Redis restarted mid-batch: {figure}")
    assert counts == {"sent": 200}, figure
    assert all(copies[pk] == 1 for pk in ids), figure


# --- 3. Redis down while a therapist moves a session ------------------------------------


@pytest.fixture
def web_broker():
    """Point this (web) process's Celery at another broker for the test, then back."""
    old = celery_app.conf.broker_url

    def use(url: str) -> None:
        celery_app.conf.broker_url = url
        celery_app.pool.force_close_all()
        celery_app._pool = None

    yield use
    use(old)


def test_a_move_saves_with_redis_down_and_its_notice_goes_once_redis_is_back(
    services, redis, web_broker, client, therapist, group, participant, caplog
):
    start = timezone.now() + timedelta(days=3)
    session = f.SessionFactory(group=group, starts_at=start, ends_at=start + timedelta(hours=1))
    redis.stop()
    web_broker(redis.url)
    local = session.local_starts_at + timedelta(hours=2)
    client.force_login(therapist)

    began = time.monotonic()
    with caplog.at_level("WARNING", logger="refrain.broker"):
        response = client.post(
            reverse("session_move", args=[session.pk]),
            {
                "day": local.date().isoformat(),
                "start_time": local.strftime("%H:%M"),
                "room": "Studio B",
                "reason": "Room booked",
            },
        )
    took = time.monotonic() - began

    assert response.status_code == 302, response.content.decode()[:2000]
    notice = Reminder.objects.get(session=session, kind="moved")
    assert notice.status == "pending"
    assert "could not queue 1 reminder dispatch" in caplog.text

    redis.start()
    services.worker()
    _wait(
        lambda: Reminder.objects.filter(pk=notice.pk, status="sent").exists(),
        timeout=30,
        what="the moved notice to go out",
    )
    copies = services.sent_copies()
    figure = f"page answered in {took:.2f} s with Redis down; notice sent {copies[notice.pk]}x"
    print(f"\n[reliability 3] Redis down during a move: {figure}")
    assert took < 3, figure
    assert copies[notice.pk] == 1, figure


# --- 4. Two beats at once ---------------------------------------------------------------


def test_two_beats_at_once_send_nothing_twice(services):
    ids = _due_reminders(200)
    services.worker(beat=False)
    services.beat()
    services.beat()

    counts = _wait(_settled({"sent"}), timeout=60, what="every row to be sent")
    copies = services.sent_copies()
    twice = [pk for pk in ids if copies[pk] > 1]
    logs = services.logs()
    ticks = len(re.findall(r"Scheduler: Sending due task dispatch-reminders", logs))
    figure = f"{ticks} ticks from 2 beats; {dict(counts)}; {len(twice)} sent twice"
    print(f"\n[reliability 4] two beat processes: {figure}")
    assert counts == {"sent": 200}, figure
    assert not twice, figure
    assert all(copies[pk] == 1 for pk in ids), figure


# --- 5. A mail server that keeps saying "try again later" --------------------------------


class StubSmtp:
    """A mail server on 127.0.0.1 that greets, then answers MAIL FROM with 451."""

    def __init__(self):
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.sessions = 0
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while True:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            self.sessions += 1
            threading.Thread(target=self._talk, args=(conn,), daemon=True).start()

    def _talk(self, conn):
        with conn, conn.makefile("rb") as lines:
            conn.sendall(b"220 stub.example ESMTP\r\n")
            for line in lines:
                verb = line[:4].upper()
                if verb in (b"EHLO", b"HELO"):
                    conn.sendall(b"250 stub.example\r\n")
                elif verb == b"MAIL":
                    conn.sendall(b"451 4.3.0 Mailbox temporarily unavailable, try later\r\n")
                elif verb == b"RSET" or verb == b"NOOP":
                    conn.sendall(b"250 OK\r\n")
                elif verb == b"QUIT":
                    conn.sendall(b"221 Bye\r\n")
                    return
                else:
                    conn.sendall(b"502 Not implemented\r\n")

    def close(self):
        self.server.close()


def test_a_mail_server_error_is_retried_then_shown_failed_to_staff(services, client, admin, group):
    smtp = StubSmtp()
    try:
        (pk,) = _due_reminders(1, group=group)
        services.worker(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=str(smtp.port),
            EMAIL_TIMEOUT="5",
            REMINDER_MAX_ATTEMPTS="3",
        )
        _wait(
            lambda: Reminder.objects.filter(pk=pk, status="failed").exists(),
            timeout=40,
            what="the reminder to fail",
        )
    finally:
        smtp.close()
    reminder = Reminder.objects.get(pk=pk)

    client.force_login(admin)
    page = client.get(reverse("reminder_failures")).content.decode()
    figure = f"{reminder.attempts} attempts over {smtp.sessions} SMTP sessions, then failed"
    print(f"\n[reliability 5] SMTP 451: {figure}: {reminder.last_error}")
    assert reminder.attempts == 3, figure
    assert smtp.sessions == 3, figure
    assert reminder.last_error == (
        "Mail server answered 451: 4.3.0 Mailbox temporarily unavailable, try later"
    )
    assert reminder.last_error in page
    assert reverse("reminder_retry", args=[pk]) in page


def test_the_worker_only_ever_gets_ids(redis, web_broker):
    """What travels through Redis: task names and integer ids, nothing about anyone."""
    import base64
    import json

    import redis as redis_client

    from sessions_app.services import reminders

    ids = _due_reminders(3)
    web_broker(redis.url)
    reminders.reminders_dispatch_due()

    raw = redis_client.Redis.from_url(redis.url).lrange("celery", 0, -1)
    bodies = [json.loads(m) for m in raw]
    assert len(bodies) == 1
    (message,) = bodies
    args = json.loads(base64.b64decode(message["body"]))[0]
    assert args == [sorted(ids)]
    assert message["headers"]["task"] == "sessions_app.tasks.reminders_send"
    assert "dee@example.org" not in json.dumps(message)
