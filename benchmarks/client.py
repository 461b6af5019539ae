"""HTTP as a browser and as a load tool: log in through the real form, time single
requests, and run wrk for throughput."""

import http.client
import re
import shutil
import statistics
import subprocess
import time
from dataclasses import dataclass
from http.cookies import SimpleCookie
from urllib.parse import urlencode

from .middleware import QUERY_HEADER, SQL_TIME_HEADER

WARM_UP = 2


@dataclass
class Answer:
    status: int
    queries: int | None
    seconds: float
    location: str = ""
    sql_seconds: float | None = None  # the database's part of `seconds`


class Client:
    """Requests to the server under test, one connection each (gunicorn's sync workers
    close the connection after every response anyway)."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port

    def get(self, path: str, cookie: str = "") -> Answer:
        headers = {"Cookie": cookie} if cookie else {}
        began = time.perf_counter()
        conn = http.client.HTTPConnection(self.host, self.port, timeout=120)
        try:
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            response.read()
        finally:
            conn.close()
        seconds = time.perf_counter() - began
        queries = response.getheader(QUERY_HEADER)
        sql_ms = response.getheader(SQL_TIME_HEADER)
        return Answer(
            status=response.status,
            queries=int(queries) if queries is not None else None,
            seconds=seconds,
            location=response.getheader("Location") or "",
            sql_seconds=float(sql_ms) / 1000 if sql_ms is not None else None,
        )

    def login(self, username: str, password: str) -> str:
        """The Cookie header of a session opened through the login form."""
        conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
        conn.request("GET", "/login/")
        page = conn.getresponse()
        body = page.read().decode()
        cookies = SimpleCookie(page.getheader("Set-Cookie") or "")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body)
        if token is None or "csrftoken" not in cookies:
            raise SystemExit("bench: the login page has no CSRF token")
        form = {"username": username, "password": password, "csrfmiddlewaretoken": token[1]}
        conn.close()
        conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
        conn.request(
            "POST",
            "/login/",
            body=urlencode(form),
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": f"csrftoken={cookies['csrftoken'].value}",
            },
        )
        answer = conn.getresponse()
        answer.read()
        conn.close()
        session = SimpleCookie(answer.getheader("Set-Cookie") or "").get("sessionid")
        if answer.status != 302 or session is None:
            raise SystemExit(
                f"bench: logging in as {username} answered {answer.status} (is the password "
                "the one seed_scale was given?)"
            )
        return f"sessionid={session.value}"

    def link_session(self, path: str) -> str:
        """The Cookie header of the browser session a participant's signed link opens."""
        conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
        conn.request("GET", path)
        answer = conn.getresponse()
        answer.read()
        conn.close()
        session = SimpleCookie(answer.getheader("Set-Cookie") or "").get("sessionid")
        if session is None:
            raise SystemExit(f"bench: the signed link answered {answer.status} and no session")
        return f"sessionid={session.value}"

    def latency(self, path: str, cookie: str, repeat: int) -> tuple[Answer, float, float | None]:
        """The last answer, the median seconds of `repeat` sequential requests after a
        warm-up, and the median seconds of their SQL (None without the header)."""
        for _ in range(WARM_UP):
            self.get(path, cookie)
        answers = [self.get(path, cookie) for _ in range(repeat)]
        sql = [a.sql_seconds for a in answers if a.sql_seconds is not None]
        return (
            answers[-1],
            statistics.median(a.seconds for a in answers),
            statistics.median(sql) if sql else None,
        )


@dataclass
class Load:
    rate: float  # requests per second
    bad: int  # answers that were not 2xx/3xx, and socket errors


def wrk(url: str, cookie: str, *, seconds: int, connections: int = 4) -> Load:
    """Throughput under `connections` concurrent clients for `seconds`."""
    command = [shutil.which("wrk") or "wrk", "-t2", f"-c{connections}", f"-d{seconds}s"]
    command += ["--timeout", "30s"]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    out = subprocess.run(command + [url], capture_output=True, text=True, check=True).stdout
    rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
    if rate is None:
        raise SystemExit(f"bench: cannot read wrk's output:\n{out}")
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    return Load(
        rate=float(rate[1]),
        bad=(int(bad[1]) if bad else 0) + (sum(map(int, errors.groups())) if errors else 0),
    )
