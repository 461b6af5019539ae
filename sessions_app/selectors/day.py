"""A therapist's day: today's sessions, what comes next, and what is left to do.

The day and the sessions on the to-do list are one query, whatever the number of
groups: the home page costs the same for a therapist with one group and one with
twenty-five. It reads the sessions of the therapist's groups within two windows (the
next days, and `TODO_LOOKBACK_DAYS` back for those still to do) along the (group,
starts_at) index, and checks each one's note by its unique session index, its
attendance by the covering index (`attendance_session_cover`) and its plan by the
plan item's session index; it never reads the whole note or attendance tables. The
notes waiting for the therapist's co-signature are the one other query.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Exists, OuterRef, Q

from ..models import Attendance, PlanItem, Session, SessionNote, User
from ..permissions import notes_awaiting_cosignature_for, sessions_for

# How far back the to-do list looks: older gaps are for the administrators' reports,
# not for a therapist's day.
TODO_LOOKBACK_DAYS = 60
# A note is overdue once the session ended this long ago and it is still unsigned.
NOTE_DUE_AFTER = timedelta(days=1)
# Sessions this close without a plan are on the list.
PLAN_AHEAD = timedelta(days=2)
# Items shown per kind; "and more" beyond.
TODO_SHOWN = 8
# The fields of a session (and its group, site and note) that the day and the to-do list
# show or sort by.
SESSION_SHOWN = (
    "group",
    "starts_at",
    "ends_at",
    "room",
    "status",
    "group__name",
    "group__room",
    "group__site__name",
    "group__site__time_zone",
    "note__status",
    "note__returned_at",
)


@dataclass
class TodoList:
    """One kind of thing to do: its items (sessions or notes), and whether there are more
    than those shown."""

    items: list
    more: bool = False


def _shown(rows: list) -> TodoList:
    return TodoList(rows[:TODO_SHOWN], more=len(rows) > TODO_SHOWN)


@dataclass
class Todo:
    roll_calls: TodoList = field(default_factory=lambda: TodoList([]))
    drafts: TodoList = field(default_factory=lambda: TodoList([]))
    overdue: TodoList = field(default_factory=lambda: TodoList([]))
    sent_back: TodoList = field(default_factory=lambda: TodoList([]))
    to_cosign: TodoList = field(default_factory=lambda: TodoList([]))
    unplanned: TodoList = field(default_factory=lambda: TodoList([]))

    @property
    def empty(self) -> bool:
        return not any(
            kind.items
            for kind in (
                self.roll_calls,
                self.drafts,
                self.overdue,
                self.sent_back,
                self.to_cosign,
                self.unplanned,
            )
        )


@dataclass
class SessionDay:
    label: str
    sessions: list[Session]


@dataclass
class TherapistDay:
    """Today's sessions, those that ended included, then the next days' by day, and
    what is left to do."""

    today: list[Session]
    later: list[SessionDay]
    todo: Todo


def _sessions(user: User, now: datetime, until: datetime) -> list[Session]:
    """The sessions from a day back to `until`, and those of the look-back window that
    may be on the to-do list, oldest first, each with its note, whether it has a roll
    call (`attended`) and whether it has a plan (`planned`).

    The look-back rows are a superset of the to-do kinds (those without a roll call, or
    whose note is missing on a held session or is a draft), bounded by the window:
    `_todo` sorts them into kinds.
    """
    lookback = now - timedelta(days=TODO_LOOKBACK_DAYS)
    may_be_to_do = (
        Q(ends_at__lte=now)
        & ~Q(status=Session.Status.CANCELLED)
        & (
            Q(attended=False)
            | Q(note__isnull=True, status=Session.Status.HELD)
            | Q(note__status=SessionNote.Status.DRAFT)
        )
    )
    coming = Q(starts_at__gte=now - timedelta(days=1), starts_at__lt=until)
    return list(
        sessions_for(user)
        .annotate(
            attended=Exists(Attendance.objects.filter(session=OuterRef("pk"))),
            planned=Exists(PlanItem.objects.filter(session=OuterRef("pk"))),
        )
        # The outer range lets PostgreSQL read each group's sessions along the (group,
        # starts_at) index rather than all of them.
        .filter(coming | may_be_to_do, starts_at__gte=lookback, starts_at__lt=until)
        .select_related("group__site", "note")
        # What the day and the to-do list show of each: the notes' text stays unread.
        .only(*SESSION_SHOWN)
        .order_by("starts_at", "pk")
    )


def _note(session: Session) -> SessionNote | None:
    # A reverse one-to-one that select_related found missing raises, as it would unloaded.
    try:
        return session.note
    except SessionNote.DoesNotExist:
        return None


def _todo(user: User, sessions: list[Session], now: datetime) -> Todo:
    """The to-do kinds from the sessions `_sessions` read (oldest first), each newest
    first or oldest first as the list shows it, and the notes to co-sign (one query)."""
    lookback = now - timedelta(days=TODO_LOOKBACK_DAYS)
    due = now - NOTE_DUE_AFTER
    recent = [
        s
        for s in sessions
        if s.starts_at >= lookback and s.ends_at <= now and s.status != Session.Status.CANCELLED
    ]
    roll_calls: list[Session] = []
    overdue: list[Session] = []
    drafts: list[Session] = []
    sent_back: list[Session] = []
    for s in recent:
        note = _note(s)
        note_status = note.status if note is not None else None
        returned = note is not None and note.returned_at is not None
        if not s.attended:
            roll_calls.append(s)
        if note_status == SessionNote.Status.DRAFT and returned:
            sent_back.append(s)
        elif note_status in (None, SessionNote.Status.DRAFT):
            if s.status == Session.Status.HELD and s.ends_at <= due:
                overdue.append(s)
            elif note_status == SessionNote.Status.DRAFT and s.ends_at > due:
                drafts.append(s)
    unplanned = [
        s
        for s in sessions
        if s.status == Session.Status.SCHEDULED
        and now <= s.starts_at < now + PLAN_AHEAD
        and not s.planned
    ]
    return Todo(
        roll_calls=_shown(roll_calls[::-1]),
        overdue=_shown(overdue),
        drafts=_shown(drafts[::-1]),
        sent_back=_shown(sent_back),
        to_cosign=_shown(
            list(
                notes_awaiting_cosignature_for(user)
                .select_related("session__group__site", "signed_by")
                .only(
                    "session__starts_at",
                    "session__group__name",
                    "session__group__site__time_zone",
                    "signed_by__username",
                    "signed_by__first_name",
                    "signed_by__last_name",
                )
                .order_by("signed_at")[: TODO_SHOWN + 1]
            )
        ),
        unplanned=_shown(unplanned),
    )


def therapist_day(*, user: User, now: datetime, days: int = 14) -> TherapistDay:
    """Two queries: the sessions from a day back to `days` ahead with those still to do,
    and the notes to co-sign.

    "Today" is the day at each session's own site, which is what the therapist walking
    into that room would call today.
    """
    until = now + timedelta(days=days)
    sessions = _sessions(user, now, max(until, now + PLAN_AHEAD))
    today: list[Session] = []
    by_day: dict[str, list[Session]] = {}
    for session in sessions:
        if not now - timedelta(days=1) <= session.starts_at < until:
            continue
        site_today = now.astimezone(session.group.site.tz).date()
        local_day = session.local_date
        if local_day < site_today:
            continue
        if local_day == site_today:
            today.append(session)
        else:
            by_day.setdefault(f"{local_day:%A %-d %B}", []).append(session)
    return TherapistDay(
        today,
        [SessionDay(label, s) for label, s in by_day.items()],
        todo=_todo(user, sessions, now),
    )


def therapist_todo(*, user: User, now: datetime) -> Todo:
    """What the therapist still has to do, each kind newest first or oldest first."""
    return therapist_day(user=user, now=now).todo
