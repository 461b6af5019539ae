"""A participant's reminder settings, as they (or staff) change them.

Any change replans their reminders in the same transaction, through
`services.reminders.reminders_plan_for_participant` (the reminder outbox), so that
a stop is honoured by the very next dispatch.
"""

import re
from datetime import datetime, time

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import languages
from ..models import Participant
from .errors import ServiceError

# E.164: a plus, a country code and up to 15 digits in all.
PHONE = re.compile(r"^\+[1-9]\d{6,14}$")


def _replan_reminders(participant: Participant) -> None:
    """Replan the participant's reminders, if the reminder outbox is installed."""
    try:
        from . import reminders
    except ImportError:
        return
    plan = getattr(reminders, "reminders_plan_for_participant", None)
    if plan is not None:
        plan(participant=participant)


def phone_normalise(phone: str) -> str:
    """“+1 (555) 123-4567” → “+15551234567”; anything else is left for the check."""
    phone = (phone or "").strip()
    if phone.startswith("+"):
        return "+" + re.sub(r"[\s().-]", "", phone[1:])
    return phone


@transaction.atomic
def participant_reminders_update(
    *,
    participant: Participant,
    reminder_channel: str,
    reminders_opt_in: bool,
    email: str,
    phone: str,
    quiet_hours_start: time | None,
    quiet_hours_end: time | None,
    language: str = "",
    now: datetime | None = None,
) -> Participant:
    """Change how (and whether) the participant is reminded, and in which language ("": as
    it is), then replan reminders. Reminders are worded when they are sent, so the next
    one is in the new language."""
    now = now or timezone.now()
    email, phone = (email or "").strip(), phone_normalise(phone)
    problems: dict[str, str] = {}
    if reminder_channel not in Participant.Channel.values:
        problems["reminder_channel"] = _("Choose email, text message or no reminders.")
    elif reminder_channel == Participant.Channel.EMAIL and not email:
        problems["email"] = _(
            "Email reminders need an email address: add one, or choose another way."
        )
    elif reminder_channel == Participant.Channel.SMS and not phone:
        problems["phone"] = _("Text reminders need a phone number: add one, or choose another way.")
    elif reminders_opt_in and reminder_channel == Participant.Channel.NONE:
        problems["reminder_channel"] = _(
            "Choose email or text message to get reminders, or untick “Send me reminders”."
        )
    if phone and not PHONE.match(phone):
        problems["phone"] = _("Write the number with its country code, e.g. +15551234567.")
    if (quiet_hours_start is None) != (quiet_hours_end is None):
        field = "quiet_hours_end" if quiet_hours_end is None else "quiet_hours_start"
        problems[field] = _("Give both ends of the quiet hours, or neither.")
    elif quiet_hours_start is not None and quiet_hours_start == quiet_hours_end:
        problems["quiet_hours_end"] = _("Quiet hours start and end at the same time: change one.")
    if language and language not in languages.CODES:
        problems["language"] = _("Choose one of the languages listed.")
    if problems:
        raise ServiceError(problems)

    participant = Participant.objects.select_for_update().get(pk=participant.pk)
    was_opted_in = participant.reminders_opt_in
    if language:
        participant.language = language
    participant.reminder_channel = reminder_channel
    participant.reminders_opt_in = reminders_opt_in
    participant.email, participant.phone = email, phone
    participant.quiet_hours_start, participant.quiet_hours_end = quiet_hours_start, quiet_hours_end
    if reminders_opt_in and not was_opted_in:
        participant.reminders_stopped_at = None  # they asked for reminders again
    participant.save(
        update_fields=[
            "reminder_channel",
            "reminders_opt_in",
            "email",
            "phone",
            "quiet_hours_start",
            "quiet_hours_end",
            "reminders_stopped_at",
            "language",
        ]
    )
    _replan_reminders(participant)
    return participant


@transaction.atomic
def participant_reminders_stop(
    *, participant: Participant, now: datetime | None = None
) -> Participant:
    """“Stop reminders”: no more reminders of any kind, recorded with when it was asked."""
    now = now or timezone.now()
    participant = Participant.objects.select_for_update().get(pk=participant.pk)
    participant.reminders_opt_in = False
    participant.reminders_stopped_at = now
    participant.save(update_fields=["reminders_opt_in", "reminders_stopped_at"])
    _replan_reminders(participant)
    return participant
