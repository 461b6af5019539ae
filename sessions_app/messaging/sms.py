"""Text-message backends, chosen by `settings.SMS_BACKEND` like Django's email backends.

Each backend's `send(to=, body=, reference=)` returns the provider's message id or
raises `SmsError`, saying whether trying again later could help (`transient`). The
`reference` ("reminder-123") lets a provider or a log tie a message to its row; it
says nothing about the person.
"""

import base64
import json
import os
import sys
import threading
import urllib.error
import urllib.parse
import urllib.request
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
    def send(self, *, to: str, body: str, reference: str) -> str:
        raise NotImplementedError


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

    Network errors, 429 and 5xx answers are transient (tried again later); any other
    4xx is not (a bad number or a refused account will not fix itself). The reference
    goes in an `Idempotency-Key` header for providers that deduplicate on it.
    """

    def send(self, *, to: str, body: str, reference: str) -> str:
        if not settings.SMS_HTTP_URL:
            raise SmsError("SMS_HTTP_URL is not set", transient=False)
        url = settings.SMS_HTTP_URL.replace(
            "{account}", urllib.parse.quote(settings.SMS_HTTP_ACCOUNT, safe="")
        )
        if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
            raise SmsError("SMS_HTTP_URL must be an http(s) URL", transient=False)
        data = urllib.parse.urlencode({"To": to, "From": settings.SMS_FROM, "Body": body})
        credentials = f"{settings.SMS_HTTP_ACCOUNT}:{settings.SMS_HTTP_TOKEN}".encode()
        request = urllib.request.Request(  # noqa: S310 - scheme checked above
            url,
            data=data.encode(),
            method="POST",
            headers={
                "Authorization": "Basic " + base64.b64encode(credentials).decode(),
                "Content-Type": "application/x-www-form-urlencoded",
                "Accept": "application/json",
                "Idempotency-Key": reference,
            },
        )
        try:
            with urllib.request.urlopen(  # noqa: S310 - scheme checked above
                request, timeout=settings.SMS_HTTP_TIMEOUT
            ) as response:
                raw = response.read(64 * 1024)
        except urllib.error.HTTPError as exc:
            detail = _provider_message(exc.read(4096))
            transient = exc.code == 429 or exc.code >= 500
            raise SmsError(
                f"SMS provider answered {exc.code}{detail}", transient=transient
            ) from None
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise SmsError(f"SMS provider unreachable: {reason}", transient=True) from None
        try:
            return str(json.loads(raw).get("sid") or reference)
        except (ValueError, AttributeError):
            return reference


def _provider_message(raw: bytes) -> str:
    try:
        message = json.loads(raw).get("message")
    except (ValueError, AttributeError):
        return ""
    return f": {str(message)[:200]}" if message else ""


def get_backend() -> BaseBackend:
    return import_string(settings.SMS_BACKEND)()
