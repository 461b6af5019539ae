"""Roll call: attendance recorded at the door, one row per session and participant."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from django.db import connection, transaction
from django.utils import timezone

from ..audit import log_bulk_saves, snapshot
from ..models import Attendance, Session, SessionNote, User
from ..selectors.meetings import group_roster
from .errors import ServiceError
from .reminders import reminders_plan_for_session

# People stay on after the group to put instruments away, and groups run over: minutes
# attended may exceed the planned length by this much before it looks like a typo.
MINUTES_SLACK = 30

_NO_MINUTES = (Attendance.Status.EXCUSED, Attendance.Status.ABSENT)


@dataclass(frozen=True)
class AttendanceEntry:
    status: str
    # None: not given. For someone present that means the whole session.
    minutes: int | None = None


@dataclass(frozen=True)
class RollCallResult:
    created: int
    updated: int
    unchanged: int

    @property
    def changed(self) -> int:
        return self.created + self.updated


def attendance_max_minutes(*, session: Session) -> int:
    """The most minutes anyone can have attended this session."""
    length = session.duration_minutes
    if session.actual_starts_at and session.actual_ends_at:
        actual = int((session.actual_ends_at - session.actual_starts_at).total_seconds() // 60)
        length = max(length, actual)
    return length + MINUTES_SLACK


def attendance_entry_problem(*, status: str, minutes: int | None, max_minutes: int) -> str | None:
    """What is wrong with one row of a roll call, said so a person can fix it; or None."""
    if status not in Attendance.Status.values:
        return "Choose present, late, left early, excused or absent."
    if minutes is None:
        return None
    if status in _NO_MINUTES and minutes > 0:
        label = Attendance.Status(status).label.lower()
        return f"Someone {label} attended no minutes: clear the minutes or change the status."
    if minutes < 0 or minutes > max_minutes:
        return f"Minutes attended are between 0 and {max_minutes}."
    return None


def attendance_roll_call_problem(*, session: Session, now: datetime | None = None) -> str | None:
    """Why roll call cannot be taken for this session now, or None if it can."""
    now = now or timezone.now()
    if session.status == Session.Status.CANCELLED:
        return "This session was cancelled, so there is no attendance to record."
    if now < session.starts_at:
        start = session.local_starts_at
        return (
            f"This session has not started yet: roll call opens at {start:%H:%M} on "
            f"{start:%A %-d %B}."
        )
    return None


def _normalise(
    entry: AttendanceEntry, *, session: Session, before: Attendance | None = None
) -> tuple[str, int | None]:
    """The status and minutes to store.

    Present means the whole session unless minutes were typed for it after choosing
    it: someone switched from "left early, 50 min" to "present" whose minutes still read
    the 50 they had is present for the whole session, not "present, 50 min".
    """
    if entry.status in _NO_MINUTES:
        return entry.status, None
    if entry.status == Attendance.Status.PRESENT:
        stale = (
            before is not None
            and before.status != Attendance.Status.PRESENT
            and entry.minutes == before.minutes_attended
        )
        if entry.minutes is None or stale:
            return entry.status, session.duration_minutes
    return entry.status, entry.minutes


@transaction.atomic
def attendance_record(
    *,
    session: Session,
    entries: Mapping[int, AttendanceEntry],
    recorded_by: User,
    now: datetime | None = None,
) -> RollCallResult:
    """Record a roll call: `entries` maps participant ids to what happened.

    Rows whose status and minutes did not change keep who recorded them and when, so
    saving the same roll call twice changes nothing. Only participants enrolled on the
    session's local date may be recorded. Participants left out of `entries` are left
    as they are.
    """
    now = now or timezone.now()
    # One roll call, note save or signature at a time per session: the session row is
    # the lock, so two tablets saving at once cannot both insert a row or race a signing.
    session = (
        Session.objects.select_for_update(of=("self",))
        .select_related("group__site")
        .get(pk=session.pk)
    )
    problem = attendance_roll_call_problem(session=session, now=now)
    if problem:
        raise ServiceError(problem)

    enrolled = {
        e.participant_id: e.participant
        for e in group_roster(group=session.group, day=session.local_date)
    }
    strangers = [pid for pid in entries if pid not in enrolled]
    if strangers:
        # Never name them: the caller may be probing for who exists.
        raise ServiceError(
            f"Only participants enrolled in this group on {session.local_date:%-d %B %Y} "
            "can be recorded for this session."
        )

    max_minutes = attendance_max_minutes(session=session)
    problems = []
    for pid, entry in entries.items():
        problem = attendance_entry_problem(
            status=entry.status, minutes=entry.minutes, max_minutes=max_minutes
        )
        if problem:
            problems.append(f"{enrolled[pid].short_name}: {problem}")
    if problems:
        raise ServiceError(problems)

    existing = {
        a.participant_id: a
        for a in session.attendance.filter(participant__in=entries).select_related("participant")
    }
    to_create, to_update, before = [], [], []
    for pid, entry in entries.items():
        row = existing.get(pid)
        status, minutes = _normalise(entry, session=session, before=row)
        if row is None:
            to_create.append(
                Attendance(
                    session=session,
                    participant=enrolled[pid],
                    status=status,
                    minutes_attended=minutes,
                    recorded_by=recorded_by,
                    recorded_at=now,
                )
            )
        elif (row.status, row.minutes_attended) != (status, minutes):
            before.append(snapshot(row))
            row.status, row.minutes_attended = status, minutes
            row.recorded_by, row.recorded_at = recorded_by, now
            to_update.append(row)

    if (to_create or to_update) and _note_is_signed(session):
        raise ServiceError(
            "The note for this session is signed, and the attendance is part of it. "
            "Add an addendum to the note to correct the attendance."
        )
    Attendance.objects.bulk_create(to_create)
    Attendance.objects.bulk_update(
        to_update, ["status", "minutes_attended", "recorded_by", "recorded_at"]
    )
    # Bulk writes send no model signals: the audit trail is written here (one INSERT).
    log_bulk_saves(
        created=to_create,
        updated=list(zip(before, to_update, strict=True)),
        actor=recorded_by,
    )
    if session.status == Session.Status.SCHEDULED:
        # Roll call is taken only once the session has started: it is being held.
        session.status = Session.Status.HELD
        session.save(update_fields=["status", "updated_at"])
    # Reminders: reflection invitations to those who attended, with the roll call.
    reminders_plan_for_session(session=session, now=now)
    return RollCallResult(
        created=len(to_create),
        updated=len(to_update),
        unchanged=len(entries) - len(to_create) - len(to_update),
    )


def _note_is_signed(session: Session) -> bool:
    """Signed by its author, final or waiting for co-signature: the attendance is part
    of what was signed."""
    return (
        SessionNote.objects.filter(session=session)
        .exclude(status=SessionNote.Status.DRAFT)
        .exists()
    )


TALLIED = tuple(Attendance.Status.values)


def attendance_tallies_rebuild() -> None:
    """Count every session's attendance by status again, from the attendance rows.

    The database keeps these counts itself, by triggers on the attendance table
    (migration 0008); this is for loads that ran with triggers off (seed_scale's COPY)
    and for checking. Two statements, whatever the number of sessions."""
    session = Session._meta.db_table
    zero = ", ".join(f"tally_{s} = 0" for s in TALLIED)
    nonzero = " OR ".join(f"tally_{s} <> 0" for s in TALLIED)
    counts = ", ".join(f"SUM(CASE WHEN status = '{s}' THEN 1 ELSE 0 END) AS {s}" for s in TALLIED)
    assign = ", ".join(f"tally_{s} = c.{s}" for s in TALLIED)
    # Only table names and the fixed statuses are put into the SQL; nothing typed.
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {session} SET {zero} WHERE {nonzero}")  # noqa: S608
        cursor.execute(
            f"UPDATE {session} SET {assign} FROM (SELECT session_id, {counts}"  # noqa: S608
            f" FROM {Attendance._meta.db_table} GROUP BY session_id) c"
            f" WHERE {session}.id = c.session_id"
        )
