"""Throughput of the reminder outbox through a real Celery worker and Redis.

    .venv/bin/python benchmarks/reminders.py [--count 10000] [--concurrency N]

Creates a throw-away PostgreSQL database (`<name>_bench` on the server of DATABASE_URL,
default postgres://postgres@127.0.0.1:5432/refrain), starts a private redis-server on a
free port and one Celery worker (prefork, N processes; default: CPU count), then:

1. reminders: COUNT reminder rows due now; one dispatch tick (which chains itself while
   batches are full) claims them and queues their sends, and the worker sends each by
   SMTP to a local sink (benchmarks/smtp_sink.py: a real SMTP conversation per message
   over real TCP connections, so opening a connection costs what it costs). Timed until
   every row is `sent`; the sink must have received each row exactly once.
2. no-op: COUNT tasks that only increment a Redis counter, through the same worker (the
   same processes, so the same concurrency). Timed from the first publish until the
   counter reaches COUNT.

It prints both rates and their ratio, and the CPU time the worker's processes spent
per reminder and per no-op task (on a shared machine the rates follow the neighbours'
load; the CPU time much less), then removes the database, Redis and temporary files.
Nothing here touches the database or Redis of `make run` or `make test`.
"""

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from benchmarks.smtp_sink import SmtpSink  # noqa: E402 - needs the path above


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(condition, timeout: float, what: str, every: float = 0.1) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(every)
    raise SystemExit(f"timed out after {timeout} s waiting for {what}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=os.cpu_count() or 2)
    args = parser.parse_args()

    base = os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/refrain"
    parts = urlsplit(base)
    if parts.scheme not in ("postgres", "postgresql"):
        raise SystemExit("DATABASE_URL must be PostgreSQL for the benchmark")
    bench_db = f"{parts.path.strip('/') or 'refrain'}_bench"
    db_url = urlunsplit(parts._replace(path=f"/{bench_db}"))
    port = _free_port()
    redis_url = f"redis://127.0.0.1:{port}/0"
    tmp = Path(tempfile.mkdtemp(prefix="refrain-bench-"))
    sink = SmtpSink().__enter__()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": db_url,
        "REDIS_URL": redis_url,
        "REFRAIN_VAR_DIR": str(tmp / "var"),
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(sink.port),
        "LOG_LEVEL": "WARNING",
    }
    os.environ.update(env)

    import django
    import psycopg

    admin_url = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{bench_db}"')
        conn.execute(f'CREATE DATABASE "{bench_db}"')

    redis_proc = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", ""]
        + ["--appendonly", "no", "--daemonize", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    worker = None
    try:
        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        import redis

        from benchmarks.noop import noop
        from config import celery_app
        from sessions_app.models import Reminder
        from sessions_app.tasks import reminders_dispatch

        rows = _make_reminders(args.count)
        client = redis.Redis.from_url(redis_url)
        _wait(lambda: _ping(client), 10, "redis-server")

        log = (tmp / "worker.log").open("w")
        worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "worker", "-l", "warning"]
            + [f"--concurrency={args.concurrency}", "-I", "benchmarks.noop"]
            + ["--without-gossip", "--without-mingle", "--without-heartbeat"],
            cwd=REPO,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        _wait(lambda: client.exists("_kombu.binding.celery"), 30, "the worker")
        time.sleep(1)

        # 1. Reminders: one tick; it chains itself while its batches are full.
        with celery_app.connection_for_write(redis_url) as conn:
            cpu = _cpu_seconds(worker.pid)
            began = time.monotonic()
            reminders_dispatch.apply_async(connection=conn)
            sent = Reminder.objects.filter(status="sent")
            _wait(lambda: sent.count() >= rows, 1800, "every reminder to be sent", every=0.25)
            reminder_seconds = time.monotonic() - began
            reminder_cpu = _cpu_seconds(worker.pid) - cpu
        _wait(lambda: sink.messages >= rows, 30, "the last messages to reach the sink")
        copies = sink.reminders
        if len(copies) != rows or max(copies.values()) != 1 or sink.messages != rows:
            raise SystemExit(
                f"the sink got {sink.messages} messages for {len(copies)} of {rows} "
                f"reminders (most copies of one: {max(copies.values(), default=0)})"
            )

        # 2. No-op tasks through the same worker.
        key = f"bench:{uuid.uuid4().hex}"
        with celery_app.connection_for_write(redis_url) as conn:
            cpu = _cpu_seconds(worker.pid)
            began = time.monotonic()
            for _ in range(args.count):
                noop.apply_async((key,), connection=conn)
            published = time.monotonic() - began
            _wait(
                lambda: int(client.get(key) or 0) >= args.count, 1800, "the no-op tasks", every=0.05
            )
            noop_seconds = time.monotonic() - began
            noop_cpu = _cpu_seconds(worker.pid) - cpu
    finally:
        if worker is not None:
            os.killpg(worker.pid, signal.SIGTERM)
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(worker.pid, signal.SIGKILL)
        redis_proc.terminate()
        redis_proc.wait()
        from django.db import connections

        connections.close_all()
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{bench_db}"')
        shutil.rmtree(tmp, ignore_errors=True)
        sink.__exit__(None, None, None)

    reminder_rate = rows / reminder_seconds
    noop_rate = args.count / noop_seconds
    print(f"worker: prefork, {args.concurrency} processes, {os.cpu_count()} CPUs")
    print(
        f"reminders: {rows} sent in {reminder_seconds:.1f} s = {reminder_rate:,.0f}/s "
        f"over {sink.connections} SMTP connections"
    )
    print(
        f"no-op:     {args.count} run in {noop_seconds:.1f} s = {noop_rate:,.0f}/s "
        f"(publishing took {published:.1f} s of it)"
    )
    print(
        f"worker CPU: {reminder_cpu / rows * 1000:.2f} ms a reminder, "
        f"{noop_cpu / args.count * 1000:.2f} ms a no-op task"
    )
    print(
        f"ratio:     a reminder costs {noop_rate / reminder_rate:.1f}x a no-op task "
        f"(reminders run at {reminder_rate / noop_rate:.0%} of the no-op rate)"
    )


def _cpu_seconds(session: int) -> float:
    """CPU time (user and system) of every live process of the worker's session."""
    ticks = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # gone meanwhile
        if int(fields[3]) == session:  # the fields after the name: state, ppid, pgrp, sid
            ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def _ping(client) -> bool:
    try:
        return client.ping()
    except Exception:  # noqa: BLE001 - not up yet
        return False


def _make_reminders(count: int) -> int:
    """COUNT upcoming reminders due now: one participant, one session next week, the
    slot (minutes before) telling them apart."""
    from datetime import date, time, timedelta

    from django.utils import timezone

    from sessions_app.models import Enrollment, Group, Participant, Reminder, Session, Site

    site = Site.objects.create(name="Bench Site", address="1 Main St", time_zone="UTC")
    group = Group.objects.create(
        site=site, name="Bench", weekday=0, start_time=time(10), first_date=date(2026, 1, 5)
    )
    person = Participant.objects.create(
        site=site,
        first_name="Bench",
        last_name="Person",
        email="bench@example.org",
        reminder_channel="email",
        reminders_opt_in=True,
    )
    Enrollment.objects.create(group=group, participant=person, start_date=date(2026, 1, 1))
    start = timezone.now() + timedelta(days=8)
    session = Session.objects.create(
        group=group, starts_at=start, ends_at=start + timedelta(hours=1)
    )
    now = timezone.now()
    Reminder.objects.bulk_create(
        (
            Reminder(
                kind="upcoming",
                channel="email",
                participant=person,
                session=session,
                slot=slot,
                due_at=now,
            )
            for slot in range(1, count + 1)
        ),
        batch_size=2000,
    )
    return count


if __name__ == "__main__":
    main()
