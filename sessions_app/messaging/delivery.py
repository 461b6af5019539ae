"""Handing a composed message to its channel, and saying whether a failure is worth
another try."""

import smtplib

from django.core.mail import EmailMultiAlternatives, get_connection

from . import sms
from .compose import Outgoing


class DeliveryError(Exception):
    """The message did not go out. `transient`: trying again later may help."""

    def __init__(self, message: str, *, transient: bool):
        super().__init__(message)
        self.transient = transient


def deliver(message: Outgoing) -> None:
    if message.channel == "sms":
        _deliver_sms(message)
    else:
        _deliver_email(message)


def _deliver_sms(message: Outgoing) -> None:
    try:
        sms.get_backend().send(to=message.to, body=message.body, reference=message.reference)
    except sms.SmsError as exc:
        raise DeliveryError(str(exc), transient=exc.transient) from None


def _deliver_email(message: Outgoing) -> None:
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.body,
        to=[message.to],
        headers=message.headers,
        connection=get_connection(fail_silently=False),
    )
    email.attach_alternative(message.html, "text/html")
    try:
        email.send()
    except smtplib.SMTPRecipientsRefused as exc:
        # {address: (code, reply)}: say the code and reply, not the address again.
        code, reply = next(iter(exc.recipients.values()))
        raise DeliveryError(_smtp_text(code, reply), transient=_smtp_transient(code)) from None
    except smtplib.SMTPResponseException as exc:
        raise DeliveryError(
            _smtp_text(exc.smtp_code, exc.smtp_error), transient=_smtp_transient(exc.smtp_code)
        ) from None
    except (TimeoutError, smtplib.SMTPException, OSError) as exc:
        # Disconnected, refused, unreachable, timed out: the server may be back later.
        raise DeliveryError(f"Mail server: {type(exc).__name__}: {exc}", transient=True) from None


def _smtp_transient(code: int) -> bool:
    # 4xx: try again later. 5xx: refused for good, except a failed login (535, 530),
    # which is fixed in the settings and then worth retrying.
    return code < 500 or code in (530, 535)


def _smtp_text(code: int, reply: bytes | str) -> str:
    if isinstance(reply, bytes):
        reply = reply.decode("utf-8", "replace")
    return f"Mail server answered {code}: {' '.join(str(reply).split())[:300]}"
