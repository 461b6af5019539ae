"""Start the demo's processes (Procfile.dev), print the URL and logins once all are up,
and stop them all on Ctrl-C with a clean exit.

    python scripts/run_demo.py PORT

Up means: the web server takes connections, the worker answers a Celery ping, and beat
is still running by then. Until then a process that stops, or 90 s without all three
answering, ends the demo with exit status 1 and says which.
"""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sessions_app.demo.cast import DEMO_PASSWORD, demo_login_lines  # noqa: E402

START_TIMEOUT = 90
_print_lock = threading.Lock()


def say(line: str) -> None:
    with _print_lock:
        print(line, flush=True)


def procfile(path: Path) -> dict[str, str]:
    commands = {}
    for line in path.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, command = line.partition(":")
            commands[name.strip()] = command.strip()
    return commands


def start(name: str, command: str, env: dict[str, str], width: int) -> subprocess.Popen:
    # Each in a session of its own: Ctrl-C reaches this script only, which stops them in
    # turn (a worker sent SIGINT and SIGTERM at once would cut its tasks short).
    process = subprocess.Popen(  # noqa: S602 (the commands of our own Procfile.dev)
        command,
        shell=True,
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        text=True,
        bufsize=1,
    )

    def relay() -> None:
        for line in process.stdout:
            say(f"{name.ljust(width)} | {line.rstrip()}")

    threading.Thread(target=relay, daemon=True).start()
    return process


def web_answers(port: int) -> bool:
    # runserver listens only once its checks pass; a bare connection leaves no request in
    # its log.
    try:
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
    except OSError:
        return False
    return True


def worker_answers(node: str, env: dict[str, str]) -> bool:
    ping = ["celery", "-A", "config", "inspect", "ping", "--timeout", "2", "-d", node]
    answer = subprocess.run(ping, cwd=ROOT, env=env, capture_output=True)  # noqa: S603
    return answer.returncode == 0


def stop(processes: dict[str, subprocess.Popen]) -> None:
    for process in processes.values():
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
    # Until every process of each group is gone: the worker's pool children finish their
    # shutdown after it has exited.
    deadline = time.monotonic() + 10
    for process in processes.values():
        while _group_alive(process.pid) and time.monotonic() < deadline:
            process.poll()
            time.sleep(0.1)
        if _group_alive(process.pid):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def banner(port: int) -> None:
    lines = [
        "",
        f"  Refrain is running: http://127.0.0.1:{port}/",
        f"  Demo logins (local demo data only), password {DEMO_PASSWORD}:",
        *(f"    {line}" for line in demo_login_lines()),
        "  Ctrl-C stops the web server, the Celery worker and beat together.",
        "",
    ]
    say("\n".join(lines))


class Interrupted(Exception):
    pass


def _interrupt(signum, frame) -> None:
    raise Interrupted


def take_terminal() -> tuple[int, int] | None:
    """Make this script's own process group the terminal's foreground, so Ctrl-C reaches
    it and not `make`, which would end with "Interrupt" and status 130 whatever we do."""
    try:
        tty = os.open("/dev/tty", os.O_RDWR)
    except OSError:
        return None  # no terminal: nothing to take
    try:
        previous = os.tcgetpgrp(tty)
        os.setpgid(0, 0)
        signal.signal(signal.SIGTTOU, signal.SIG_IGN)
        os.tcsetpgrp(tty, os.getpgrp())
    except OSError:
        os.close(tty)
        return None
    return tty, previous


def give_terminal_back(taken: tuple[int, int] | None) -> None:
    if taken is not None:
        tty, previous = taken
        with contextlib.suppress(OSError):
            os.tcsetpgrp(tty, previous)
        os.close(tty)


def run(port: int) -> int:
    env = {**os.environ, "PORT": str(port), "PYTHONUNBUFFERED": "1"}
    commands = procfile(ROOT / "Procfile.dev")
    width = max(len(name) for name in commands)
    node = f"demo-{port}@{socket.gethostname()}"
    env["DEMO_WORKER_NAME"] = node
    processes: dict[str, subprocess.Popen] = {}
    try:
        for name, command in commands.items():
            processes[name] = start(name, command, env, width)
        deadline = time.monotonic() + START_TIMEOUT
        web_up = worker_up = False
        while not (web_up and worker_up):
            for name, process in processes.items():
                if process.poll() is not None:
                    say(f"The {name} process stopped (exit status {process.returncode}).")
                    return 1
            if time.monotonic() > deadline:
                waiting = [n for n, up in (("web", web_up), ("worker", worker_up)) if not up]
                say(f"Not up after {START_TIMEOUT} s: {', '.join(waiting)}.")
                return 1
            web_up = web_up or web_answers(port)
            worker_up = web_up and (worker_up or worker_answers(node, env))
            if not worker_up:
                time.sleep(0.5)
        for name, process in processes.items():
            if process.poll() is not None:
                say(f"The {name} process stopped (exit status {process.returncode}).")
                return 1
        banner(port)
        while True:
            for name, process in processes.items():
                if process.poll() is not None:
                    say(f"The {name} process stopped (exit status {process.returncode}).")
                    return 1
            time.sleep(0.5)
    except Interrupted:
        say("Stopping the web server, the worker and beat.")
        return 0
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        stop(processes)


def main() -> int:
    port = int(sys.argv[1])
    taken = take_terminal()
    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        return run(port)
    finally:
        give_terminal_back(taken)


if __name__ == "__main__":
    sys.exit(main())
