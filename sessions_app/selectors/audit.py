"""Reads for the audit trail's review screen: its filters and its pages.

The trail holds millions of entries, so both are shaped for the indexes of migration
0006_audit_indexes: every filter compares a column or expression one of them holds, and
pages are read by position in (timestamp, id) order rather than by number, so a page
costs the same on the first screen and a year back, and nothing counts the whole trail.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from auditlog.models import LogEntry
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet
from django.db.models.fields.json import KT

from ..audit import ACCESS_KINDS, abouts_of_kind
from ..models import Session, SessionNote, User

CHANGE_ACTIONS = {
    "create": LogEntry.Action.CREATE,
    "update": LogEntry.Action.UPDATE,
    "delete": LogEntry.Action.DELETE,
}


# --- Filters ----------------------------------------------------------------------------


def audit_entries_filter(
    entries: QuerySet[LogEntry], *, data: dict[str, Any], tz: ZoneInfo
) -> QuerySet[LogEntry]:
    """Narrow `entries` by the review screen's cleaned filters (see AuditFilterForm)."""
    if data.get("user"):
        entries = entries.filter(_by_user(data["user"].strip()))
    if data.get("record_type"):
        # ->> again: the index of pages' `about`s holds the text.
        entries = entries.alias(page_about=KT("additional_data__about"))
        entries = entries.filter(_about_record(data["record_type"], data.get("record_id")))
    action = data.get("action")
    if action in CHANGE_ACTIONS:
        entries = entries.filter(action=CHANGE_ACTIONS[action])
    elif action in ACCESS_KINDS:
        # ->> rather than Django's jsonb comparison: the index holds the text.
        entries = entries.filter(action=LogEntry.Action.ACCESS).alias(
            what=KT("additional_data__what")
        )
        entries = entries.filter(what=action)
    if data.get("start"):
        entries = entries.filter(timestamp__gte=_midnight(data["start"], tz))
    if data.get("end"):
        entries = entries.filter(timestamp__lt=_midnight(data["end"] + timedelta(days=1), tz))
    return entries


def _by_user(name: str) -> Q:
    """Entries by the accounts of that name (any case), and failed logins that typed it.

    The name is turned into account ids first, so the trail is read along its actor
    index, newest first, rather than by comparing every entry's actor name in upper
    case. Usernames are unique only as typed ("Sam" and "sam" may both exist), hence a
    list. Failed logins keep what was typed, whether or not an account has that name.
    They are few, so they too are turned into ids first (through a small index of typed
    names): PostgreSQL then knows how few they are, where a guess of thousands made it
    read the whole trail for them (seconds); past TYPED_IDS_AT_MOST it is asked as is.
    """
    actors = list(User.objects.filter(username__iexact=name).values_list("pk", flat=True))
    typed = Q(additional_data__username__iexact=name)
    # No LIMIT here: with one, and no statistics on the expression, PostgreSQL expects
    # to find the rows soon by reading the table rather than the index of typed names.
    typed_ids = list(LogEntry.objects.filter(typed).order_by().values_list("pk", flat=True))
    if len(typed_ids) <= TYPED_IDS_AT_MOST:
        typed = Q(pk__in=typed_ids)
    if not actors:
        return typed
    if not typed_ids:
        return Q(actor_id__in=actors)
    return Q(actor_id__in=actors) | typed


TYPED_IDS_AT_MOST = 1000


def _about_record(label: str, record_id: int | None) -> Q:
    """Entries about records of that kind (or that one record), and the pages filed
    under it though they name another record (audit.ABOUT_KINDS): "Session note" finds
    the note pages, which name the session. Pages about a kind are found by their
    `about` alone, whichever record they name: a print of a participant's notes is a
    note page too. With an id, only the note's own session's pages are added."""
    model = apps.get_model(label)
    about = Q(content_type=ContentType.objects.get_for_model(model))
    if not record_id:
        abouts = abouts_of_kind(model)
        if abouts:
            about |= Q(action=LogEntry.Action.ACCESS, page_about__in=abouts)
        return about
    about &= Q(object_id=record_id)
    if model is SessionNote:
        session_id = SessionNote.objects.filter(pk=record_id).values_list("session_id", flat=True)
        sessions = list(session_id)
        if sessions:
            about |= Q(
                content_type=ContentType.objects.get_for_model(Session),
                object_id__in=sessions,
                page_about="note",
            )
    return about


def _midnight(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time.min, tz)


# --- Pages -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Position:
    """Where an entry stands in the trail's order: its time, then its id for ties."""

    timestamp: datetime
    pk: int

    def __str__(self) -> str:
        micro = (self.timestamp - _EPOCH) // timedelta(microseconds=1)
        return f"{micro}_{self.pk}"

    @classmethod
    def parse(cls, text: str | None) -> "Position | None":
        """A position from a link, or None for anything that is not one."""
        micro, _, pk = (text or "").partition("_")
        try:
            moment = _EPOCH + timedelta(microseconds=int(micro))
            return cls(moment, int(pk))
        except (ValueError, OverflowError):
            return None

    @classmethod
    def of(cls, entry: LogEntry) -> "Position":
        return cls(entry.timestamp, entry.pk)


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass
class AuditPage:
    """One screen of entries, newest first, and where the screens beside it start."""

    entries: list[LogEntry]
    # The newer screen is read after `newer`, the older one before `older`; None where
    # there is no such screen (the newest one has no newer).
    newer: Position | None
    older: Position | None

    @property
    def is_newest(self) -> bool:
        return self.newer is None


def audit_page(
    entries: QuerySet[LogEntry],
    *,
    older_than: Position | None = None,
    newer_than: Position | None = None,
    per_page: int = 50,
    as_row: Callable[[Any], Any] | None = None,
) -> AuditPage:
    """A screen of `entries` newest first: the newest, or the one just older (or newer)
    than a position. One query, of per_page + 1 rows, whatever the size of the trail;
    ties on time are broken by id, so walking either way never skips or repeats.

    `entries` may be a values_list() of the entries, with `as_row` making each tuple an
    object with `timestamp` and `pk` (the export reads rows, not models)."""

    def read(query: QuerySet) -> list:
        return list(map(as_row, query) if as_row else query)

    if newer_than is not None:
        rows = read(entries.filter(_after(newer_than)).order_by("timestamp", "pk")[: per_page + 1])
        if len(rows) > per_page:
            shown = rows[:per_page][::-1]
            return AuditPage(shown, newer=Position.of(shown[0]), older=Position.of(shown[-1]))
        # Back at the newest entries: show a full newest screen.
        older_than = None
    if older_than is not None:
        entries = entries.filter(_before(older_than))
    rows = read(entries.order_by("-timestamp", "-pk")[: per_page + 1])
    shown = rows[:per_page]
    return AuditPage(
        shown,
        newer=Position.of(shown[0]) if older_than is not None and shown else None,
        older=Position.of(shown[-1]) if len(rows) > per_page else None,
    )


def _before(at: Position) -> Q:
    # The first condition is implied by the second; it is there so that PostgreSQL can
    # start its index scan at the position instead of filtering its way down to it.
    return Q(timestamp__lte=at.timestamp) & (
        Q(timestamp__lt=at.timestamp) | Q(timestamp=at.timestamp, pk__lt=at.pk)
    )


def _after(at: Position) -> Q:
    return Q(timestamp__gte=at.timestamp) & (
        Q(timestamp__gt=at.timestamp) | Q(timestamp=at.timestamp, pk__gt=at.pk)
    )
