"""Text messages: a backend chosen by SMS_BACKEND; the HTTP one is tried against a stub
provider on 127.0.0.1 (a Twilio-compatible form POST), never a real one."""

import base64
import json
import socket
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest
from django.utils import timezone

from sessions_app.messaging import sms
from sessions_app.models import Participant, Reminder
from sessions_app.services import reminders
from tests import factories as f


class StubProvider:
    """A local HTTP server answering like an SMS provider: `replies` are (status, body)
    pairs used in turn (the last one repeats); `requests` are what it was sent."""

    def __init__(self, *, keep_alive: bool = False):
        self.replies: list[tuple[int, dict]] = [(201, {"sid": "SM123"})]
        self.requests: list[dict] = []
        self.connections: set[tuple[str, int]] = set()
        self.delay = 0.0
        stub = self

        class Handler(BaseHTTPRequestHandler):
            # HTTP/1.1 keeps the connection open between requests; 1.0 closes it.
            protocol_version = "HTTP/1.1" if keep_alive else "HTTP/1.0"

            def do_POST(self):  # noqa: N802
                stub.connections.add(self.client_address)
                length = int(self.headers["Content-Length"])
                stub.requests.append(
                    {
                        "path": self.path,
                        "headers": dict(self.headers),
                        "form": parse_qs(self.rfile.read(length).decode()),
                    }
                )
                time.sleep(stub.delay)
                status, body = stub.replies[min(len(stub.requests), len(stub.replies)) - 1]
                raw = json.dumps(body).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(raw)))
                    self.end_headers()
                    self.wfile.write(raw)
                except BrokenPipeError:
                    pass  # the client gave up waiting (the timeout test)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def provider(settings):
    with StubProvider() as stub:
        settings.SMS_BACKEND = "sessions_app.messaging.sms.HttpBackend"
        settings.SMS_HTTP_URL = stub.url + "/2010-04-01/Accounts/{account}/Messages.json"
        settings.SMS_HTTP_ACCOUNT = "AC42"
        settings.SMS_HTTP_TOKEN = "s3cret"
        settings.SMS_FROM = "+15555550100"
        settings.SMS_HTTP_TIMEOUT = 2
        yield stub


def _send(**kwargs) -> str:
    return sms.get_backend().send(
        to="+15555550123", body="Hi Dee", reference="reminder-7", **kwargs
    )


def test_it_posts_a_twilio_style_form_with_basic_auth(provider):
    assert _send() == "SM123"

    (request,) = provider.requests
    assert request["path"] == "/2010-04-01/Accounts/AC42/Messages.json"
    assert request["form"] == {"To": ["+15555550123"], "From": ["+15555550100"], "Body": ["Hi Dee"]}
    auth = request["headers"]["Authorization"]
    assert base64.b64decode(auth.removeprefix("Basic ")) == b"AC42:s3cret"
    assert request["headers"]["Idempotency-Key"] == "reminder-7"


@pytest.mark.parametrize(
    ("status", "transient"),
    [(500, True), (503, True), (429, True), (400, False), (401, False), (404, False)],
)
def test_it_says_whether_a_provider_error_is_worth_retrying(provider, status, transient):
    provider.replies = [(status, {"message": "The 'To' number is not valid"})]
    with pytest.raises(sms.SmsError) as exc:
        _send()
    assert exc.value.transient is transient
    assert str(exc.value) == f"SMS provider answered {status}: The 'To' number is not valid"


def test_an_unreachable_provider_is_transient(settings, provider):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    settings.SMS_HTTP_URL = f"http://127.0.0.1:{port}/send"
    with pytest.raises(sms.SmsError) as exc:
        _send()
    assert exc.value.transient
    assert str(exc.value).startswith("SMS provider unreachable")


def test_a_provider_too_slow_to_answer_is_transient(settings, provider):
    settings.SMS_HTTP_TIMEOUT = 1
    provider.delay = 1.5
    with pytest.raises(sms.SmsError) as exc:
        _send()
    assert exc.value.transient


@pytest.mark.parametrize("url", ["", "file:///etc/passwd", "ftp://example.org/x"])
def test_it_refuses_a_url_that_is_not_http(settings, provider, url):
    settings.SMS_HTTP_URL = url
    with pytest.raises(sms.SmsError) as exc:
        _send()
    assert not exc.value.transient
    assert provider.requests == []


def test_the_file_backend_writes_one_json_line_per_message(settings, tmp_path):
    settings.SMS_BACKEND = "sessions_app.messaging.sms.FileBackend"
    settings.SMS_FILE_PATH = str(tmp_path / "sms")
    _send()
    sms.get_backend().send(to="+15555550124", body="Hi Sam", reference="reminder-8")

    lines = (tmp_path / "sms" / "sms.log").read_text().splitlines()
    assert [json.loads(line)["reference"] for line in lines] == ["reminder-7", "reminder-8"]
    assert json.loads(lines[1])["body"] == "Hi Sam"


def test_the_console_backend_prints(settings, capsys):
    settings.SMS_BACKEND = "sessions_app.messaging.sms.ConsoleBackend"
    _send()
    assert json.loads(capsys.readouterr().out)["to"] == "+15555550123"


def test_the_default_backend_writes_files_under_var():
    from config import settings as project_settings

    assert project_settings.SMS_BACKEND == "sessions_app.messaging.sms.FileBackend"
    assert project_settings.SMS_FILE_PATH.endswith("sms")


def _sms_reminder(group, participant) -> Reminder:
    Participant.objects.filter(pk=participant.pk).update(
        reminder_channel="sms", phone="+15555550123"
    )
    start = timezone.now() + timedelta(hours=3)
    session = f.SessionFactory(group=group, starts_at=start, ends_at=start + timedelta(hours=1))
    return f.ReminderFactory(
        session=session, participant=participant, channel="sms", due_at=timezone.now()
    )


def test_a_reminder_goes_out_through_the_provider(provider, group, participant):
    reminder = _sms_reminder(group, participant)

    assert reminders.reminder_send(reminder_id=reminder.pk) == "sent"

    reminder.refresh_from_db()
    assert reminder.status == "sent"
    body = provider.requests[0]["form"]["Body"][0]
    assert body.startswith("Hi Dee, reminder: ")
    assert group.name not in body


def test_a_provider_outage_is_retried_then_the_message_goes_out(
    provider, group, participant, settings
):
    provider.replies = [(503, {"message": "Service unavailable"}), (201, {"sid": "SM9"})]
    reminder = _sms_reminder(group, participant)

    assert reminders.reminder_send(reminder_id=reminder.pk) == "retry"
    reminder.refresh_from_db()
    assert reminder.last_error == "Attempt 1 of 5: SMS provider answered 503: Service unavailable"
    later = reminder.due_at
    assert reminders.reminder_send(reminder_id=reminder.pk, now=later) == "sent"
    reminder.refresh_from_db()
    assert (reminder.status, reminder.attempts) == ("sent", 2)
    assert len(provider.requests) == 2


def test_a_refused_number_fails_at_once(provider, group, participant):
    provider.replies = [(400, {"message": "The 'To' number is not a valid phone number."})]
    reminder = _sms_reminder(group, participant)
    assert reminders.reminder_send(reminder_id=reminder.pk) == "failed"
    reminder.refresh_from_db()
    assert reminder.last_error.startswith("SMS provider answered 400: The 'To' number")


def test_a_batch_of_text_messages_shares_one_http_connection(settings, group, participant):
    with StubProvider(keep_alive=True) as stub:
        settings.SMS_BACKEND = "sessions_app.messaging.sms.HttpBackend"
        settings.SMS_HTTP_URL = stub.url + "/Messages.json"
        settings.SMS_HTTP_TIMEOUT = 2
        first = _sms_reminder(group, participant)
        second = f.ReminderFactory(
            session=first.session,
            participant=participant,
            channel="sms",
            slot=60,
            due_at=timezone.now(),
        )
        outcomes = reminders.reminders_send(reminder_ids=[first.pk, second.pk])

    assert outcomes == {first.pk: "sent", second.pk: "sent"}
    assert len(stub.requests) == 2
    assert len(stub.connections) == 1
