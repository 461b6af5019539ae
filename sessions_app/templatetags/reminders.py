from datetime import datetime, timedelta
from functools import lru_cache

from django import template
from django.utils import dateformat
from django.utils.timezone import template_localtime
from django.utils.translation import get_language

from ..messaging.compose import agenda_day
from ..models import Reminder
from ..timeutil import at_site

register = template.Library()

BADGES = {
    Reminder.Status.PENDING: "secondary",
    Reminder.Status.SENDING: "info",
    Reminder.Status.SENT: "success",
    Reminder.Status.FAILED: "danger",
    Reminder.Status.INTERRUPTED: "warning",
    Reminder.Status.CANCELLED: "light",
    Reminder.Status.SKIPPED: "light",
}


@register.filter
def reminder_what(reminder: Reminder) -> str:
    """“Upcoming session, 24 h before”, “Session moved (change 2)”, “Agenda for 3 Mar”."""
    label = reminder.get_kind_display()
    slot = reminder.slot
    if reminder.kind == Reminder.Kind.UPCOMING:
        hours, minutes = divmod(slot, 60)
        before = f"{hours} h" if not minutes else f"{hours} h {minutes} min"
        return f"{label}, {before} before"
    if reminder.kind in (Reminder.Kind.MOVED, Reminder.Kind.CANCELLED) and slot:
        return f"{label} (change {slot})"
    if reminder.kind == Reminder.Kind.AGENDA:
        return f"Daily agenda for {agenda_day(reminder):%a %-d %b %Y}"
    return label


@register.filter
def reminder_badge(reminder: Reminder) -> str:
    return BADGES.get(reminder.status, "secondary")


@register.filter
def reminder_retryable(reminder: Reminder) -> bool:
    return reminder.status in (Reminder.Status.FAILED, Reminder.Status.INTERRUPTED)


@register.filter
def reminder_local(reminder: Reminder, field: str):
    """The reminder's `field` (due_at, sent_at) on the clock of its session's site, or
    as it is (the server's zone) for an agenda, which has no session. A filter rather
    than a `{% timezone %}` block per row: the block costs more than the rest of a row."""
    moment = getattr(reminder, field)
    if moment is None or reminder.session_id is None:
        return moment
    return at_site(moment, reminder.session.group.site.tz)


@register.filter
def reminder_time(reminder: Reminder, field: str) -> str:
    """`reminder|reminder_local:field|date:"D j M, H:i T"` (“Tue 3 Mar, 10:00 EST”), the
    tables' columns of times. A session's reminders fall due, and are sent, within the same
    minutes: each minute is written out once, not once a row."""
    moment = reminder_local(reminder, field)
    if moment is None:
        return ""
    moment = template_localtime(moment)  # as the `date` filter: an agenda's, in the server's zone
    minute = moment.replace(second=0, microsecond=0)
    return _minute_text(minute, str(minute.tzinfo), minute.utcoffset(), get_language())


@lru_cache(maxsize=1024)
def _minute_text(minute: datetime, zone: str, offset: timedelta | None, language: str) -> str:
    # The zone, its offset and the language are in the key: equal instants in two zones
    # compare equal, as do the two 01:30s of the night the clocks go back, and the day and
    # month names follow the language.
    return dateformat.format(minute, "D j M, H:i T")
