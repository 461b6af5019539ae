"""Text-message backends, chosen by `settings.SMS_BACKEND` like Django's email backends.

Each backend's `send(to=, body=, reference=)` returns the provider's message id or
raises `SmsError`, saying whether trying again later could help (`transient`). The
`reference` ("reminder-123") lets a provider or a log tie a message to its row; it
says nothing about the person.
"""

import base64
import http.client
import json
import os
import sys
import threading
import urllib.parse
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.utils.module_loading import import_string

# What the locmem backend sent, like `django.core.mail.outbox`.
outbox: list[dict] = []


class SmsError(Exception):
    def __init__(self, message: str, *, transient: bool):
        super().__init__(message)
        self.transient = transient


class BaseBackend:
    """One instance serves a batch of messages; `close()` ends it."""

    def send(self, *, to: str, body: str, reference: str) -> str:
        raise NotImplementedError

    def close(self) -> None:
        """Let go of any connection kept between messages."""


def _record(to: str, body: str, reference: str) -> dict:
    return {"at": datetime.now(UTC).isoformat(), "to": to, "reference": reference, "body": body}


class ConsoleBackend(BaseBackend):
    def send(self, *, to: str, body: str, reference: str) -> str:
        sys.stdout.write(json.dumps(_record(to, body, reference)) + "\n")
        sys.stdout.flush()
        return reference


class FileBackend(BaseBackend):
    """One JSON line per message in SMS_FILE_PATH/sms.log (for development and demos).

    Each line is written by one `write` on a file opened for appending, so several
    worker processes can share the file without interleaving their lines.
    """

    def send(self, *, to: str, body: str, reference: str) -> str:
        folder = Path(settings.SMS_FILE_PATH)
        folder.mkdir(parents=True, exist_ok=True)
        line = (json.dumps(_record(to, body, reference)) + "\n").encode()
        fd = os.open(folder / "sms.log", os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, line)
        finally:
            os.close(fd)
        return reference


_lock = threading.Lock()


class LocmemBackend(BaseBackend):
    """Keeps messages in `sessions_app.messaging.sms.outbox`, for tests."""

    def send(self, *, to: str, body: str, reference: str) -> str:
        with _lock:
            outbox.append(_record(to, body, reference))
        return reference


class HttpBackend(BaseBackend):
    """A Twilio-compatible HTTP API: a form POST of To, From and Body to SMS_HTTP_URL
    (which may contain `{account}`), with HTTP basic auth SMS_HTTP_ACCOUNT:SMS_HTTP_TOKEN.

    One instance keeps one HTTP(S) connection open across the messages of a batch (the
    provider may still close it after each answer; it is then opened again). Network
    errors, 429 and 5xx answers are transient (tried again later); any other 4xx is not
    (a bad number or a refused account will not fix itself). The reference goes in an
    `Idempotency-Key` header for providers that deduplicate on it.
    """

    def __init__(self) -> None:
        self._connection: http.client.HTTPConnection | None = None
        self._reused = False

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def _target(self) -> urllib.parse.SplitResult:
        if not settings.SMS_HTTP_URL:
            raise SmsError("SMS_HTTP_URL is not set", transient=False)
        url = settings.SMS_HTTP_URL.replace(
            "{account}", urllib.parse.quote(settings.SMS_HTTP_ACCOUNT, safe="")
        )
        target = urllib.parse.urlsplit(url)
        if target.scheme not in ("http", "https") or not target.hostname:
            raise SmsError("SMS_HTTP_URL must be an http(s) URL", transient=False)
        return target

    def _open(self, target: urllib.parse.SplitResult) -> http.client.HTTPConnection:
        if self._connection is None:
            https = target.scheme == "https"
            kind = http.client.HTTPSConnection if https else http.client.HTTPConnection
            self._connection = kind(target.hostname, target.port, timeout=settings.SMS_HTTP_TIMEOUT)
            self._reused = False
        return self._connection

    def send(self, *, to: str, body: str, reference: str) -> str:
        target = self._target()
        path = target.path or "/"
        if target.query:
            path += "?" + target.query
        data = urllib.parse.urlencode({"To": to, "From": settings.SMS_FROM, "Body": body})
        credentials = f"{settings.SMS_HTTP_ACCOUNT}:{settings.SMS_HTTP_TOKEN}".encode()
        headers = {
            "Authorization": "Basic " + base64.b64encode(credentials).decode(),
            "Content-Type": "application/x-www-form-urlencoded",
            "Accept": "application/json",
            "Idempotency-Key": reference,
        }
        try:
            status, raw = self._post(target, path, data.encode(), headers)
        except (http.client.HTTPException, TimeoutError, OSError) as exc:
            self.close()
            raise SmsError(f"SMS provider unreachable: {exc}", transient=True) from None
        if status >= 400:
            transient = status == 429 or status >= 500
            raise SmsError(
                f"SMS provider answered {status}{_provider_message(raw[:4096])}",
                transient=transient,
            )
        try:
            return str(json.loads(raw).get("sid") or reference)
        except (ValueError, AttributeError):
            return reference

    def _post(self, target, path: str, data: bytes, headers: dict) -> tuple[int, bytes]:
        """POST on the kept connection. A kept connection the provider closed while idle
        fails before any answer: that one request is made again on a fresh connection
        (with the same Idempotency-Key), never one that got an answer."""
        for last_try in (False, True):
            connection = self._open(target)
            reused = self._reused
            try:
                connection.request("POST", path, body=data, headers=headers)
                response = connection.getresponse()
                raw = response.read(64 * 1024)
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                self.close()
                if last_try or not reused:
                    raise
                continue
            self._reused = True
            if response.will_close:
                self.close()
            return response.status, raw
        raise AssertionError("unreachable")  # pragma: no cover


def _provider_message(raw: bytes) -> str:
    try:
        message = json.loads(raw).get("message")
    except (ValueError, AttributeError):
        return ""
    return f": {str(message)[:200]}" if message else ""


def get_backend() -> BaseBackend:
    return import_string(settings.SMS_BACKEND)()
