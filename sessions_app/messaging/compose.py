"""What a reminder says, rendered from templates/reminders/ for its channel.

A participant's message says when and where (site, address, room; local time in the
site's zone) with their preferred name and nothing else: never the group's name, its
focus, or anything else that says what the meeting is for. Every one carries the
participant's one-click stop link, and email also as `List-Unsubscribe`.

A batch composes its messages through one `Composer`, which renders each template once
(per language and per shape of context) and fills in each message's own values.
"""

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import conditional_escape

from .. import dates, languages, links
from ..models import Participant, Reminder, Session, User


@dataclass(frozen=True)
class Outgoing:
    channel: str
    to: str
    reference: str
    body: str  # the plain text of an email, or the whole text message
    subject: str = ""
    html: str = ""
    headers: dict[str, str] = field(default_factory=dict)


def site_url(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def participant_link(participant: Participant, action: str, session: Session | None = None) -> str:
    token = links.link_token(
        participant=participant, action=action, session_id=session.pk if session else None
    )
    return site_url(reverse("participant_link", kwargs={"token": token}))


# “Tuesday 3 March, 10:00–11:00 EST”, in the zone `start` is in and the active language.
_when = dates.when_long
_when_short = dates.when_short


def _message_id(reminder: Reminder) -> str:
    # The same on every attempt, so a receiving server can drop a repeat of it.
    host = urlsplit(settings.SITE_URL).hostname or "localhost"
    return f"<reminder-{reminder.pk}@{host}>"


def _session_context(reminder: Reminder, link=participant_link) -> dict:
    session = reminder.session
    participant = reminder.participant
    site = session.group.site
    start, end = session.local_starts_at, session.local_ends_at
    ctx = {
        "name": participant.display_name,
        "when": _when(start, end),
        "when_short": _when_short(start),
        "site_name": site.name,
        "address": site.address,
        "room": session.where,
        "place": ", ".join(part for part in (site.name, session.where) if part),
        "stop_url": link(participant, "stop"),
        "me_url": link(participant, "me"),
    }
    if reminder.kind in (Reminder.Kind.UPCOMING, Reminder.Kind.MOVED):
        ctx["confirm_url"] = link(participant, "confirm", session)
        ctx["decline_url"] = link(participant, "decline", session)
    if reminder.kind == Reminder.Kind.UPCOMING:
        ctx["hours_before"] = round(reminder.slot / 60)
        # The check-in rides on the last reminder before the session: one message,
        # never a second ping.
        from ..services.reminders import reminder_minutes  # it imports this module

        if reminder.slot == min(reminder_minutes(session.group), default=None):
            ctx["checkin_url"] = link(participant, "checkin", session)
    if reminder.kind == Reminder.Kind.MOVED:
        # The slot is the number of the change this notice is about (1 for the first).
        changes = list(session.changes.order_by("changed_at", "pk"))
        change = changes[reminder.slot - 1] if 0 < reminder.slot <= len(changes) else None
        ctx["restored"] = bool(change and change.kind == "restored")
        if change and change.kind == "moved":
            tz = site.tz
            ctx["old_when"] = _when(change.old_starts_at.astimezone(tz))
    if reminder.kind == Reminder.Kind.REFLECTION:
        ctx["reflect_url"] = link(participant, "reflect", session)
    return ctx


def _measure_context(reminder: Reminder, link=participant_link) -> dict:
    participant = reminder.participant
    return {
        "name": participant.display_name,
        "questions_url": link(participant, "questions"),
        "stop_url": link(participant, "stop"),
        "me_url": link(participant, "me"),
    }


def _alert_context(reminder: Reminder) -> dict:
    # The alert's id and nothing else: who it is about and why are behind the login.
    user = reminder.staff_user
    return {
        "name": user.first_name or user.username,
        "alert_url": site_url(reverse("safety_alert", kwargs={"alert_id": reminder.slot})),
    }


def _family_context(reminder: Reminder) -> dict:
    # The first name, the link and how long it works: not who made the song, where, or
    # with whom. Imported here: the family link service imports the reminders service.
    from ..services.family_links import family_link_url

    link = reminder.family_link
    return {
        "name": link.recipient_name,
        "song_url": site_url(family_link_url(link)),
        "until": dates.day_full(timezone.localtime(link.expires_at)),
        "until_short": dates.day_month(timezone.localtime(link.expires_at)),
    }


def agenda_sessions(user: User, day) -> list[Session]:
    """The sessions a therapist facilitates on `day`, a local date at each session's site."""
    # A generous UTC window, then the exact local date: sites may be in several zones.
    start = datetime.combine(day, time(), tzinfo=UTC)
    window = (start - timedelta(days=1), start + timedelta(days=2))
    sessions = (
        Session.objects.filter(
            group__facilitations__therapist=user,
            status=Session.Status.SCHEDULED,
            starts_at__range=window,
        )
        .select_related("group__site")
        .order_by("starts_at")
        .distinct()
    )
    return [s for s in sessions if s.local_date == day]


def _agenda_context(reminder: Reminder) -> dict:
    user = reminder.staff_user
    day = agenda_day(reminder)
    items = [
        {
            "when": f"{s.local_starts_at:%H:%M}–{s.local_ends_at:%H:%M} {s.local_starts_at:%Z}",
            "site_name": s.group.site.name,
            "address": s.group.site.address,
            "room": s.where,
            "url": site_url(reverse("session_detail", kwargs={"session_id": s.pk})),
        }
        for s in agenda_sessions(user, day)
    ]
    return {
        "name": user.first_name or user.username,
        "day": dates.day_long(day),
        "day_short": dates.day_short(day),
        "items": items,
        "home_url": site_url(reverse("home")),
    }


def agenda_day(reminder: Reminder) -> date:
    slot = reminder.slot
    return date(slot // 10000, slot // 100 % 100, slot % 100)


def _tidy(text: str) -> str:
    """Template includes leave runs of blank lines: one blank line is enough."""
    return re.sub(r"\n{3,}", "\n\n", text.strip()) + "\n"


def compose(reminder: Reminder) -> Outgoing:
    """The message of one reminder row (its related rows loaded or loadable), in its
    reader's language as it is now: a participant who switched language gets the next
    reminder in the new one."""
    with translation.override(languages.language_of(_reader(reminder))):
        return _compose(reminder)


class Composer:
    """Composes the messages of one batch.

    Rendering a template for each message was most of what composing cost. Here each
    template is rendered once per language and per shape of context (which values are
    empty, and any value that is not text), with a marker where each value goes; each
    message then puts its own values in at the markers, escaped where the template
    escaped them. The text is the same as rendering the template with the values; a
    template that does more with a value than show it (a filter, a comparison) is
    rendered whole for each message, as is a context with a list in it (an agenda).
    """

    def __init__(self) -> None:
        self._stencils: dict[tuple, list[str] | None] = {}
        self._link_path: tuple[str, str] | None = None

    def compose(self, reminder: Reminder) -> Outgoing:
        """The same message as `compose(reminder)`."""
        with translation.override(languages.language_of(_reader(reminder))):
            return _compose(reminder, self._render, self._link)

    def _link(self, participant: Participant, action: str, session: Session | None = None) -> str:
        """`participant_link`, with the path around the token worked out once."""
        token = links.link_token(
            participant=participant, action=action, session_id=session.pk if session else None
        )
        if self._link_path is None:
            path = reverse("participant_link", kwargs={"token": _PLACEHOLDER})
            before, _, after = path.rpartition(_PLACEHOLDER)
            self._link_path = (site_url(before), after)
        before, after = self._link_path
        return f"{before}{token}{after}"

    def _render(self, name: str, ctx: dict) -> str:
        shape = _shape(ctx)
        if shape is None:
            return render_to_string(name, ctx)
        key = (name, translation.get_language(), shape)
        if key in self._stencils:
            pieces = self._stencils[key]
            return render_to_string(name, ctx) if pieces is None else _fill(pieces, ctx)
        # The first message of a shape is rendered whole as well: a stencil that does
        # not give the same text (the template filters or compares a value) is not used.
        text = render_to_string(name, ctx)
        pieces = _stencil(name, ctx)
        if pieces is not None and _fill(pieces, ctx) != text:
            pieces = None
        self._stencils[key] = pieces
        return text


# Where a value goes in a stencil: a private-use character no message has, the value's
# name, and a quote, which comes out as `&#x27;` where the template escapes the value.
_MARK = "\ue000"
_SLOT = re.compile(f"{_MARK}(\\w+)('|&#x27;){_MARK}")
_FILLED = object()  # in a shape: a value that goes in at its markers
# Stands for a token in a link's path: tokens are URL-safe (base64 and colons), so
# reverse() would put any of them there as it is.
_PLACEHOLDER = "placeholder"


def _fillable(value: object) -> bool:
    return isinstance(value, str) and value != ""


def _shape(ctx: dict) -> frozenset | None:
    """What a stencil depends on: every value that is not filled in at its markers
    (empty text, True/False, numbers), or None to render the template whole (a list, a
    value with the marker in it)."""
    if any(isinstance(v, str) and _MARK in v for v in ctx.values()):
        return None
    try:
        return frozenset((k, _FILLED if _fillable(v) else v) for k, v in ctx.items())
    except TypeError:
        return None


def _stencil(name: str, ctx: dict) -> list[str] | None:
    """The template rendered with markers for values, split at them: text, name, quote,
    text... None if the template does more with a value than show it (a filter that
    changed the marker)."""
    marked = {k: f"{_MARK}{k}'{_MARK}" if _fillable(v) else v for k, v in ctx.items()}
    pieces = _SLOT.split(render_to_string(name, marked))
    if any(_MARK in text for text in pieces[::3]) or any(
        not _fillable(ctx.get(k)) for k in pieces[1::3]
    ):
        return None
    return pieces


def _fill(pieces: list[str], ctx: dict) -> str:
    out = [pieces[0]]
    for i in range(1, len(pieces), 3):
        value = ctx[pieces[i]]
        out.append(value if pieces[i + 1] == "'" else conditional_escape(value))
        out.append(pieces[i + 2])
    return "".join(out)


def _reader(reminder: Reminder) -> object:
    """Whose language the message is in: the participant's, the staff member's, or for
    a family's song, the participant's who made it (their family most likely reads it)."""
    if reminder.participant_id:
        return reminder.participant
    if reminder.family_link_id:
        return reminder.family_link.project.participant
    return reminder.staff_user


def _compose(reminder: Reminder, render=render_to_string, link=participant_link) -> Outgoing:
    kind = reminder.kind
    if kind == Reminder.Kind.AGENDA:
        ctx = _agenda_context(reminder)
        to = reminder.staff_user.email
    elif kind in (Reminder.Kind.ALERT, Reminder.Kind.ESCALATED):
        ctx = _alert_context(reminder)
        to = reminder.staff_user.email
    elif kind == Reminder.Kind.FAMILY:
        ctx = _family_context(reminder)
        to = reminder.family_link.sent_to
    elif kind == Reminder.Kind.MEASURE:
        ctx = _measure_context(reminder, link)
        participant = reminder.participant
        to = participant.email if reminder.channel == Reminder.Channel.EMAIL else participant.phone
    else:
        ctx = _session_context(reminder, link)
        participant = reminder.participant
        to = participant.email if reminder.channel == Reminder.Channel.EMAIL else participant.phone
    reference = f"reminder-{reminder.pk}"
    if reminder.channel == Reminder.Channel.SMS:
        body = render(f"reminders/sms/{kind}.txt", ctx)
        return Outgoing(channel="sms", to=to, reference=reference, body=" ".join(body.split()))
    subject = " ".join(render(f"reminders/email/{kind}_subject.txt", ctx).split())
    headers = {"Message-ID": _message_id(reminder), "X-Auto-Response-Suppress": "All"}
    if "stop_url" in ctx:
        # RFC 8058 one-click: mail apps show "unsubscribe" and POST to the stop link.
        headers["List-Unsubscribe"] = f"<{ctx['stop_url']}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    return Outgoing(
        channel="email",
        to=to,
        reference=reference,
        subject=subject,
        body=_tidy(render(f"reminders/email/{kind}.txt", ctx)),
        html=render(f"reminders/email/{kind}.html", ctx),
        headers=headers,
    )
