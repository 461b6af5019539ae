"""Handing composed messages to their channels, and saying whether a failure is worth
another try.

A batch of reminders goes out through one `Channels`: one SMTP connection (Django's
`get_connection()`, opened once) and one SMS backend (one HTTP session) for the whole
batch, each opened when its first message needs it. Messages go one at a time on the
open connection, so each row's outcome is known.
"""

import contextlib
import smtplib
import uuid
from email.policy import Compat32
from types import TracebackType

from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend

from . import sms
from .compose import Outgoing


class DeliveryError(Exception):
    """The message did not go out. `transient`: trying again later may help."""

    def __init__(self, message: str, *, transient: bool):
        super().__init__(message)
        self.transient = transient


class Channels:
    """The open connections of one batch; `with Channels() as c: c.deliver(message)`."""

    def __init__(self) -> None:
        self._mail: BaseEmailBackend | None = None
        self._sms: sms.BaseBackend | None = None
        # A mail server that could not be reached at all fails the rest of the batch
        # with the same error, rather than each row waiting out its own timeout.
        self._mail_down: DeliveryError | None = None

    def __enter__(self) -> "Channels":
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self._drop_mail()
        if self._sms is not None:
            self._sms.close()
            self._sms = None

    def deliver(self, message: Outgoing) -> None:
        if message.channel == "sms":
            self._deliver_sms(message)
        else:
            self._deliver_email(message)

    def _deliver_sms(self, message: Outgoing) -> None:
        if self._sms is None:
            self._sms = sms.get_backend()
        try:
            self._sms.send(to=message.to, body=message.body, reference=message.reference)
        except sms.SmsError as exc:
            raise DeliveryError(str(exc), transient=exc.transient) from None

    def _mail_connection(self) -> BaseEmailBackend:
        if self._mail_down is not None:
            raise self._mail_down
        if self._mail is None:
            connection = get_connection(fail_silently=False)
            try:
                connection.open()
            except smtplib.SMTPResponseException as exc:  # e.g. a refused login
                self._mail_down = _smtp_error(exc.smtp_code, exc.smtp_error)
                raise self._mail_down from None
            except (TimeoutError, smtplib.SMTPException, OSError) as exc:
                self._mail_down = _unreachable(exc)
                raise self._mail_down from None
            self._mail = connection
        return self._mail

    def _deliver_email(self, message: Outgoing) -> None:
        connection = self._mail_connection()
        email = _Email(
            subject=message.subject,
            body=message.body,
            to=[message.to],
            headers=message.headers,
            connection=connection,
        )
        email.attach_alternative(message.html, "text/html")
        try:
            sent = connection.send_messages([email])
        except smtplib.SMTPRecipientsRefused as exc:
            # {address: (code, reply)}: say the code and reply, not the address again.
            code, reply = next(iter(exc.recipients.values()))
            raise _smtp_error(code, reply) from None
        except smtplib.SMTPServerDisconnected as exc:
            self._drop_mail()
            raise _unreachable(exc) from None
        except smtplib.SMTPResponseException as exc:
            # smtplib resets the conversation after a refusal: the connection goes on.
            raise _smtp_error(exc.smtp_code, exc.smtp_error) from None
        except (TimeoutError, smtplib.SMTPException, OSError) as exc:
            # Disconnected, refused, unreachable, timed out: the server may be back later,
            # but this connection is no use; the next message opens a new one.
            self._drop_mail()
            raise _unreachable(exc) from None
        if sent == 0:
            raise DeliveryError("The mail backend sent nothing (no recipient).", transient=False)

    def _drop_mail(self) -> None:
        mail, self._mail = self._mail, None
        if mail is not None:
            # Closing says QUIT: a server gone already cannot answer it.
            with contextlib.suppress(Exception):
                mail.close()


class _Folding(Compat32):
    """Python's default email policy, with a shortcut for a header of plain ASCII on one
    line that fits: it needs no folding, and `email.header.Header` would give it back as
    it is at many times the cost (most of the cost of turning a message into bytes)."""

    def _fold(self, name: str, value, sanitize: bool) -> str:
        if (
            isinstance(value, str)
            and value.isascii()
            and "\r" not in value
            and "\n" not in value
            and len(name) + 2 + len(value) <= (self.max_line_length or 0)
        ):
            return f"{name}: {value}{self.linesep}"
        return super()._fold(name, value, sanitize)


_FOLDING = _Folding()


class _Email(EmailMultiAlternatives):
    """The same message, in the same bytes, made faster."""

    def message(self):
        msg = super().message()
        msg.policy = _FOLDING
        # Chosen here, the generator need not compile a regular expression per message
        # to check its own choice against the text.
        texts = [self.body, *(content for content, _ in self.alternatives)]
        while True:
            boundary = f"==============={uuid.uuid4().hex}=="
            if not any(boundary in text for text in texts):
                break
        msg.set_boundary(boundary)
        return msg


def deliver(message: Outgoing) -> None:
    """Send one message on connections of its own (outside a batch)."""
    with Channels() as channels:
        channels.deliver(message)


def _unreachable(exc: BaseException) -> DeliveryError:
    return DeliveryError(f"Mail server: {type(exc).__name__}: {exc}", transient=True)


def _smtp_error(code: int, reply: bytes | str) -> DeliveryError:
    return DeliveryError(_smtp_text(code, reply), transient=_smtp_transient(code))


def _smtp_transient(code: int) -> bool:
    # 4xx: try again later. 5xx: refused for good, except a failed login (535, 530),
    # which is fixed in the settings and then worth retrying.
    return code < 500 or code in (530, 535)


def _smtp_text(code: int, reply: bytes | str) -> str:
    if isinstance(reply, bytes):
        reply = reply.decode("utf-8", "replace")
    return f"Mail server answered {code}: {' '.join(str(reply).split())[:300]}"
