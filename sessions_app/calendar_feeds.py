"""iCalendar feeds: subscription URLs for a therapist's and a participant's sessions.

A feed is fetched by a calendar app (often a provider's server), with no login: the
secret token in its URL is the only key, so resetting the token revokes it. What a feed
says leaves Refrain for good, so a participant's feed says when and where only: every
event is a neutral "Group session", never the group's name or focus (either can reveal
treatment), and carries no link that would let its reader in.

Each session keeps one UID for life, and its SEQUENCE is its number of changes (moves,
cancellations, restorations), so calendar apps update the event they already have.
"""

from collections.abc import Callable, Iterable
from datetime import UTC, datetime

from django.utils import timezone
from django.utils.translation import gettext_lazy
from icalendar import Calendar, Event

from .models import Session

PRODID = "-//Refrain//Session calendar//EN"
PARTICIPANT_SUMMARY = gettext_lazy("Group session")
CONTENT_TYPE = "text/calendar; charset=utf-8"


def session_uid(session: Session, *, domain: str) -> str:
    return f"session-{session.pk}@{domain}"


def session_location(session: Session) -> str:
    """“Harbor Street Center, 12 Harbor St, Music room”: the site and room only."""
    site = session.group.site
    return ", ".join(part for part in (site.name, site.address, session.where) if part)


def _event(
    session: Session, *, domain: str, summary: str, description: str, stamp: datetime
) -> Event:
    event = Event()
    event.add("uid", session_uid(session, domain=domain))
    event.add("dtstamp", stamp)
    # UTC: unambiguous, and every calendar app shows it in the reader's own zone.
    event.add("dtstart", session.starts_at.astimezone(UTC))
    event.add("dtend", session.ends_at.astimezone(UTC))
    event.add("summary", summary)
    event.add("location", session_location(session))
    if description:
        event.add("description", description)
    event.add("sequence", getattr(session, "sequence", 0))
    event.add("last-modified", session.updated_at.astimezone(UTC))
    cancelled = session.status == Session.Status.CANCELLED
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    return event


def feed_render(
    *,
    name: str,
    sessions: Iterable[Session],
    domain: str,
    summary: Callable[[Session], str],
    description: Callable[[Session], str] = lambda session: "",
    now: datetime | None = None,
) -> bytes:
    stamp = (now or timezone.now()).astimezone(UTC).replace(microsecond=0)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("name", name)
    # Ask calendar apps to look again every hour (the ones that listen).
    calendar.add("x-published-ttl", "PT1H")
    for session in sessions:
        calendar.add_component(
            _event(
                session,
                domain=domain,
                summary=summary(session),
                description=description(session),
                stamp=stamp,
            )
        )
    return calendar.to_ical()
