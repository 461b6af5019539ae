"""A therapist's day: today's sessions, what comes next, and what is left to do.

Every list is one query, whatever the number of groups: the home page costs the same
for a therapist with one group and one with twenty-five. Each to-do query starts from
the sessions of the therapist's groups within a window (`TODO_LOOKBACK_DAYS` back, or
the next two days), so PostgreSQL reads them along the (group, starts_at) index and
checks each one's note by its unique session index and its attendance by the covering
index (`attendance_session_cover`); it never reads the whole note or attendance tables.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Exists, OuterRef, Q, QuerySet

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


@dataclass
class TodoList:
    """One kind of thing to do: its items (sessions or notes), and whether there are more
    than those shown."""

    items: list
    more: bool = False


def _shown(qs: QuerySet) -> TodoList:
    rows = list(qs[: TODO_SHOWN + 1])
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


def _recent(user: User, now: datetime) -> QuerySet[Session]:
    """The user's sessions of the look-back window that have ended, not cancelled."""
    return (
        sessions_for(user)
        .filter(starts_at__gte=now - timedelta(days=TODO_LOOKBACK_DAYS), ends_at__lte=now)
        .exclude(status=Session.Status.CANCELLED)
        .select_related("group__site", "note")
    )


def therapist_todo(*, user: User, now: datetime) -> Todo:
    """What the therapist still has to do, each kind newest first (six queries)."""
    recent = _recent(user, now)
    due = now - NOTE_DUE_AFTER
    attendance = Attendance.objects.filter(session=OuterRef("pk"))
    unsigned = Q(note__isnull=True) | Q(note__status=SessionNote.Status.DRAFT)
    sent_back = Q(note__status=SessionNote.Status.DRAFT, note__returned_at__isnull=False)
    return Todo(
        roll_calls=_shown(recent.filter(~Exists(attendance)).order_by("-starts_at")),
        # A roll call makes the session held: one without is on the roll-call list only.
        overdue=_shown(
            recent.filter(unsigned, status=Session.Status.HELD, ends_at__lte=due)
            .exclude(sent_back)
            .order_by("starts_at")
        ),
        drafts=_shown(
            recent.filter(note__status=SessionNote.Status.DRAFT, ends_at__gt=due)
            .exclude(sent_back)
            .order_by("-starts_at")
        ),
        sent_back=_shown(recent.filter(sent_back).order_by("starts_at")),
        to_cosign=_shown(
            notes_awaiting_cosignature_for(user)
            .select_related("session__group__site", "signed_by")
            .order_by("signed_at")
        ),
        unplanned=_shown(
            sessions_for(user)
            .filter(
                status=Session.Status.SCHEDULED,
                starts_at__gte=now,
                starts_at__lt=now + PLAN_AHEAD,
            )
            .filter(~Exists(PlanItem.objects.filter(session=OuterRef("pk"))))
            .select_related("group__site")
            .order_by("starts_at")
        ),
    )


@dataclass
class SessionDay:
    label: str
    sessions: list[Session]


@dataclass
class TherapistDay:
    """Today's sessions, those that ended included, then the next days' by day."""

    today: list[Session]
    later: list[SessionDay]


def therapist_day(*, user: User, now: datetime, days: int = 14) -> TherapistDay:
    """One query: the sessions from a day back to `days` ahead, each with its note.

    "Today" is the day at each session's own site, which is what the therapist walking
    into that room would call today.
    """
    sessions = (
        sessions_for(user)
        .filter(starts_at__gte=now - timedelta(days=1), starts_at__lt=now + timedelta(days=days))
        .select_related("group__site", "note")
        .order_by("starts_at")
    )
    today: list[Session] = []
    by_day: dict[str, list[Session]] = {}
    for session in sessions:
        site_today = now.astimezone(session.group.site.tz).date()
        local_day = session.local_date
        if local_day < site_today:
            continue
        if local_day == site_today:
            today.append(session)
        else:
            by_day.setdefault(f"{local_day:%A %-d %B}", []).append(session)
    return TherapistDay(today, [SessionDay(label, s) for label, s in by_day.items()])
