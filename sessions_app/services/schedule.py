"""A group's weekly schedule: generating its sessions ahead, and moving, cancelling or
restoring one session, with the history of every change kept.

Slots are computed in the site's zone, so 10:00 stays 10:00 across DST. A generated
session remembers its slot (`occurrence_date`), which is what makes generation
idempotent: a slot that has a session, in whatever state and at whatever time, is never
filled again, so a skipped holiday or a moved session does not come back.
"""

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import DatabaseError, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from ..models import (
    Attendance,
    Group,
    PlanItem,
    Reminder,
    Session,
    SessionChange,
    SessionNote,
    User,
)
from ..timeutil import local_to_utc
from .errors import ServiceError
from .reminders import reminders_plan_for_group, reminders_plan_for_session

log = logging.getLogger("refrain.schedule")


@dataclass
class ScheduleResult:
    """What one generation did to a group's sessions."""

    created: int = 0
    # Untouched future sessions brought in line with an edited schedule.
    updated: int = 0
    # Untouched future sessions whose slot the edited schedule no longer has.
    removed: int = 0
    # Future sessions that keep their old time: planned, documented, moved or past due.
    left_alone: list[Session] = field(default_factory=list)
    # Slots whose wall-clock time does not exist that day (a DST gap).
    skipped: list[date] = field(default_factory=list)


@dataclass
class GenerationSummary:
    groups: int = 0
    created: int = 0
    skipped: int = 0
    failed: list[int] = field(default_factory=list)


# --- Slots -----------------------------------------------------------------------------


def _slot_dates(group: Group, start: date, end: date) -> Iterator[date]:
    first = max(group.first_date, start)
    if group.last_date is not None:
        end = min(end, group.last_date)
    day = first + timedelta(days=(group.weekday - first.weekday()) % 7)
    while day <= end:
        yield day
        day += timedelta(weeks=1)


def _is_slot(group: Group, day: date) -> bool:
    return (
        day.weekday() == group.weekday
        and day >= group.first_date
        and (group.last_date is None or day <= group.last_date)
    )


def _slot_times(group: Group, day: date) -> tuple[datetime, datetime]:
    """UTC start and end of the slot on `day`; ServiceError if its time does not exist."""
    starts = local_to_utc(day, group.start_time, group.site.tz)
    return starts, starts + timedelta(minutes=group.duration_minutes)


def _log_gap(group: Group, day: date) -> None:
    # Ids and dates only: a group's name can say what it treats.
    log.warning(
        "group %s: no session on %s, %s does not exist in %s that day (DST change)",
        group.pk,
        day.isoformat(),
        group.start_time.strftime("%H:%M"),
        group.site.time_zone,
    )


def untouched(sessions: QuerySet[Session]) -> QuerySet[Session]:
    """Generated sessions nobody has done anything with yet: still scheduled, no plan,
    attendance or note, never moved, cancelled or restored. Only these follow an
    edited schedule; anything else has been prepared or promised at its time."""
    same = OuterRef("pk")
    return (
        sessions.filter(status=Session.Status.SCHEDULED, occurrence_date__isnull=False)
        .exclude(Exists(PlanItem.objects.filter(session=same)))
        .exclude(Exists(Attendance.objects.filter(session=same)))
        .exclude(Exists(SessionNote.objects.filter(session=same)))
        .exclude(Exists(SessionChange.objects.filter(session=same)))
        # Reminders: once a reminder has gone out (or may have), the session
        # has been promised at its time; moving it is a change people are told about.
        .exclude(
            Exists(
                Reminder.objects.filter(
                    session=same,
                    status__in=(Reminder.Status.SENT, Reminder.Status.INTERRUPTED),
                )
            )
        )
    )


# --- Generation ------------------------------------------------------------------------


def group_sessions_generate(
    *,
    group: Group,
    now: datetime | None = None,
    weeks: int | None = None,
    reschedule: bool = False,
) -> ScheduleResult:
    """Create the sessions of the group's missing slots from now to `weeks` ahead.

    With `reschedule` (the schedule was edited), untouched future sessions are first
    brought to the new time and room, re-used for new slots, or removed when the new
    schedule has no slot for them; other future sessions keep their time and are
    listed in the result.
    """
    now = now or timezone.now()
    weeks = settings.SESSIONS_GENERATE_WEEKS_AHEAD if weeks is None else weeks
    with transaction.atomic():
        # One generation per group at a time: the daily task and a schedule edit must
        # not both fill the same slot.
        group = (
            Group.objects.select_for_update(of=("self",)).select_related("site").get(pk=group.pk)
        )
        result = ScheduleResult()
        today = now.astimezone(group.site.tz).date()
        wanted: dict[date, tuple[datetime, datetime]] = {}
        for day in _slot_dates(group, today, today + timedelta(weeks=weeks)):
            try:
                starts, ends = _slot_times(group, day)
            except ServiceError:
                _log_gap(group, day)
                result.skipped.append(day)
                continue
            if starts > now:
                wanted[day] = (starts, ends)

        taken: dict[date, Session] = {
            s.occurrence_date: s for s in group.sessions.filter(occurrence_date__gte=today)
        }
        if reschedule:
            _reschedule(group, now, wanted, taken, result)

        missing = [
            Session(group=group, occurrence_date=day, starts_at=s, ends_at=e, room=group.room)
            for day, (s, e) in sorted(wanted.items())
            if day not in taken
        ]
        Session.objects.bulk_create(missing)
        result.created = len(missing)
        # Reminders: the new and re-timed sessions' rows, in this transaction.
        reminders_plan_for_group(group=group, now=now)
        return result


def _reschedule(
    group: Group,
    now: datetime,
    wanted: dict[date, tuple[datetime, datetime]],
    taken: dict[date, Session],
    result: ScheduleResult,
) -> None:
    future = group.sessions.filter(starts_at__gt=now)
    free = list(untouched(future).order_by("occurrence_date"))
    free_ids = {s.pk for s in free}
    homeless: list[Session] = []
    for session in free:
        day = session.occurrence_date
        try:
            slot = _slot_times(group, day) if _is_slot(group, day) else None
        except ServiceError:
            slot = None
        if slot is None:
            homeless.append(session)
        elif slot[0] <= now:
            result.left_alone.append(session)  # the new time today has already passed
        elif _set_slot(session, day, *slot, group.room):
            result.updated += 1

    # A session whose slot is gone (say the weekday changed) takes the first open new
    # slot rather than being deleted and re-created: links to it keep working.
    open_days = [day for day in sorted(wanted) if day not in taken]
    for session, day in zip(homeless, open_days, strict=False):
        del taken[session.occurrence_date]
        _set_slot(session, day, *wanted[day], group.room)
        taken[day] = session
        result.updated += 1
    for session in homeless[len(open_days) :]:
        del taken[session.occurrence_date]
        session.delete()
        result.removed += 1

    for session in future.exclude(pk__in=free_ids).exclude(status=Session.Status.CANCELLED):
        day = session.occurrence_date
        slot = wanted.get(day) if day else None
        if slot != (session.starts_at, session.ends_at) or session.room != group.room:
            result.left_alone.append(session)
    result.left_alone.sort(key=lambda s: s.starts_at)


def _set_slot(session: Session, day: date, starts: datetime, ends: datetime, room: str) -> bool:
    if (session.occurrence_date, session.starts_at, session.ends_at, session.room) == (
        day,
        starts,
        ends,
        room,
    ):
        return False
    session.occurrence_date, session.starts_at, session.ends_at, session.room = (
        day,
        starts,
        ends,
        room,
    )
    session.save(update_fields=["occurrence_date", "starts_at", "ends_at", "room", "updated_at"])
    return True


def sessions_generate_ahead(
    *, now: datetime | None = None, weeks: int | None = None
) -> GenerationSummary:
    """Top up every running group's sessions; run daily by beat and by `generate_sessions`.

    Each group is its own transaction, so one group's failure (logged, and reported in
    the summary) does not hold back every other group's schedule.
    """
    now = now or timezone.now()
    summary = GenerationSummary()
    # A day of slack: "today" at a site west of UTC can still be yesterday in UTC.
    running = Q(last_date__isnull=True) | Q(last_date__gte=now.date() - timedelta(days=1))
    for group in Group.objects.filter(running).select_related("site").order_by("pk"):
        try:
            result = group_sessions_generate(group=group, now=now, weeks=weeks)
        except DatabaseError:
            log.exception("group %s: generating sessions failed", group.pk)
            summary.failed.append(group.pk)
            continue
        summary.groups += 1
        summary.created += result.created
        summary.skipped += len(result.skipped)
    return summary


# --- One session -----------------------------------------------------------------------


def move_refusal(session: Session, *, now: datetime) -> str | None:
    """Why this session cannot be moved, or None if it can."""
    if session.status == Session.Status.HELD:
        return "This session has been held; a held session cannot be moved."
    if session.status == Session.Status.CANCELLED:
        return "This session is cancelled; restore it before moving it."
    if session.starts_at <= now:
        return "This session has already started or is past; past sessions cannot be moved."
    return None


def cancel_refusal(session: Session, *, has_attendance: bool = False) -> str | None:
    """Why this session cannot be cancelled, or None if it can."""
    if session.status == Session.Status.HELD:
        return "This session has been held; a held session cannot be cancelled."
    if session.status == Session.Status.CANCELLED:
        return "This session is already cancelled."
    if has_attendance:
        return (
            "Attendance has been recorded for this session, so it took place: "
            "it cannot be cancelled."
        )
    return None


def restore_refusal(session: Session) -> str | None:
    if session.status != Session.Status.CANCELLED:
        return "Only a cancelled session can be restored."
    return None


def _locked(session: Session) -> Session:
    return (
        Session.objects.select_for_update(of=("self",))
        .select_related("group__site")
        .get(pk=session.pk)
    )


def _record(
    session: Session,
    kind: str,
    *,
    reason: str,
    user: User | None,
    new: tuple[datetime, datetime, str] | None = None,
) -> SessionChange:
    new_starts, new_ends, new_room = new or (session.starts_at, session.ends_at, session.room)
    return SessionChange.objects.create(
        session=session,
        kind=kind,
        old_starts_at=session.starts_at,
        old_ends_at=session.ends_at,
        old_room=session.room,
        new_starts_at=new_starts,
        new_ends_at=new_ends,
        new_room=new_room,
        reason=reason,
        changed_by=user,
    )


def session_move(
    *,
    session: Session,
    day: date,
    start_time: time,
    room: str,
    reason: str,
    user: User | None,
    now: datetime | None = None,
) -> Session:
    """Move one session to another local date, time or room; its length stays."""
    now = now or timezone.now()
    with transaction.atomic():
        session = _locked(session)
        refusal = move_refusal(session, now=now)
        if refusal:
            raise ServiceError(refusal)
        reason, room = reason.strip(), room.strip()
        if not reason:
            raise ServiceError({"reason": "Say why the session moves; it is kept in its history."})
        try:
            starts = local_to_utc(day, start_time, session.group.site.tz)
        except ServiceError as exc:
            raise ServiceError({"start_time": exc.messages}) from None
        if starts <= now:
            raise ServiceError({"day": "Choose a date and time in the future."})
        ends = starts + (session.ends_at - session.starts_at)
        if (starts, room) == (session.starts_at, session.room):
            raise ServiceError("That is already when and where the session is.")
        clash = (
            session.group.sessions.exclude(pk=session.pk)
            .exclude(status=Session.Status.CANCELLED)
            .filter(starts_at__lt=ends, ends_at__gt=starts)
            .select_related("group__site")
            .first()
        )
        if clash:
            local = clash.local_starts_at
            raise ServiceError(
                {"start_time": f"The group already meets then ({local:%a %-d %b, %H:%M})."}
            )
        _record(
            session, SessionChange.Kind.MOVED, reason=reason, user=user, new=(starts, ends, room)
        )
        session.starts_at, session.ends_at, session.room = starts, ends, room
        session.save(update_fields=["starts_at", "ends_at", "room", "updated_at"])
        reminders_plan_for_session(session=session, now=now)  # reminders
        return session


def session_cancel(*, session: Session, reason: str, user: User | None) -> Session:
    """Cancel one session, e.g. for a holiday ("Holiday: Thanksgiving")."""
    with transaction.atomic():
        session = _locked(session)
        refusal = cancel_refusal(session, has_attendance=session.attendance.exists())
        if refusal:
            raise ServiceError(refusal)
        reason = reason.strip()
        if not reason:
            raise ServiceError(
                {"reason": "Say why the session is cancelled (e.g. “Holiday: Thanksgiving”)."}
            )
        _record(session, SessionChange.Kind.CANCELLED, reason=reason, user=user)
        session.status, session.cancel_reason = Session.Status.CANCELLED, reason
        session.save(update_fields=["status", "cancel_reason", "updated_at"])
        reminders_plan_for_session(session=session)  # reminders
        return session


def session_restore(*, session: Session, reason: str = "", user: User | None) -> Session:
    """Put a cancelled session back on, at the time and room it had."""
    with transaction.atomic():
        session = _locked(session)
        refusal = restore_refusal(session)
        if refusal:
            raise ServiceError(refusal)
        _record(session, SessionChange.Kind.RESTORED, reason=reason.strip(), user=user)
        session.status, session.cancel_reason = Session.Status.SCHEDULED, ""
        session.save(update_fields=["status", "cancel_reason", "updated_at"])
        reminders_plan_for_session(session=session)  # reminders
        return session


def occurrence_skip(
    *, group: Group, day: date, reason: str, user: User | None, now: datetime | None = None
) -> Session:
    """Skip the group's meeting on `day` (a holiday), even one not generated yet.

    The slot's session is cancelled; if it is further ahead than generation reaches, it
    is created cancelled, so that generation later finds the slot taken.
    """
    now = now or timezone.now()
    with transaction.atomic():
        group = (
            Group.objects.select_for_update(of=("self",)).select_related("site").get(pk=group.pk)
        )
        existing = group.sessions.filter(occurrence_date=day).first()
        if existing is not None:
            return session_cancel(session=existing, reason=reason, user=user)
        if not _is_slot(group, day):
            raise ServiceError(
                {"day": f"{group.name} does not meet on {day:%A %-d %B %Y}; pick one of its dates."}
            )
        try:
            starts, ends = _slot_times(group, day)
        except ServiceError as exc:
            raise ServiceError({"day": exc.messages}) from None
        if starts <= now:
            raise ServiceError({"day": "That date has passed."})
        if not reason.strip():
            raise ServiceError(
                {"reason": "Say why the session is skipped (e.g. “Holiday: Thanksgiving”)."}
            )
        session = Session.objects.create(
            group=group, occurrence_date=day, starts_at=starts, ends_at=ends, room=group.room
        )
        return session_cancel(session=session, reason=reason, user=user)
