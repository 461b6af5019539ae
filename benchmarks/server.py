"""The server under test: gunicorn, two sync workers, DEBUG off, plain HTTP on loopback."""

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

from .database import REPO

HOST = "127.0.0.1"
WORKERS = 2


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def environment(*, database_url: str, redis_url: str, tmp: Path) -> dict[str, str]:
    """What the app runs with: production settings, except that cookies and redirects
    allow plain HTTP on loopback, and everything it writes goes to a temporary folder."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "benchmarks.settings",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "DEBUG": "0",
        # Throw-away: sessions and signed links live only as long as the run.
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": HOST,
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "SECURE_HSTS_SECONDS": "0",
        # Staff log in through the login form alone: no authenticator app to read a code
        # from (the second step's pages are measured on their own).
        "STAFF_MFA_REQUIRED": "0",
        "STATIC_ROOT": str(tmp / "static"),
        "REFRAIN_VAR_DIR": str(tmp / "var"),
        "LOG_LEVEL": "WARNING",
    }


@contextmanager
def gunicorn(env: dict[str, str], tmp: Path):
    """A running server for the duration of the block: yields its port."""
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=REPO,
        env=env,
        check=True,
    )
    port = free_port()
    log = (tmp / "gunicorn.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi:application"]
        + ["-w", str(WORKERS), "-b", f"{HOST}:{port}", "--timeout", "120"],
        cwd=REPO,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        _wait_until_listening(port, process, tmp / "gunicorn.log")
        yield port
    finally:
        _stop(process)
        log.close()


def _wait_until_listening(port: int, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"bench: gunicorn exited at start:\n{log.read_text()[-2000:]}")
        try:
            with socket.create_connection((HOST, port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("bench: gunicorn did not listen within 60 s")


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
