"""Reminders: an outbox of rows, planned with the change that causes them, then sent.

Planning (`reminders_plan_*`) runs inside the caller's transaction (scheduling,
enrolling, discharging, moving, cancelling, restoring, saving attendance, changing a
participant's preferences): the rows are written or updated with the change itself, so
a reminder can never be promised by a change that rolled back, nor lost by one that
committed. Planning is idempotent: it (re)computes what should be pending, creates what
is missing, moves the due time of what is still pending, cancels pending rows nobody
wants any more, and never touches a row already sent, failed, interrupted or being sent.

Dispatch, a row's life:

    pending ──tick──▶ sending (queued) ──worker──▶ sending (claimed_at set) ──▶ sent
       ▲                     │                               │            └──▶ failed
       └── lost task, after ─┘                               └── worker died ──▶ interrupted
           REQUEUE_AFTER: nothing                                (after SENDING_TIMEOUT;
           was sent, so safe                                     shown to staff, retried
                                                                 only by hand)

- The minute tick (`reminders_dispatch_due`) claims due rows under
  `select_for_update(skip_locked=True)` in one short transaction, marks them `sending`
  and, after commit, queues one `reminders_send` task per REMINDER_SEND_BATCH_SIZE row
  ids (through `broker.enqueue_after_commit`, by task name: services never import the
  tasks module).
- `reminders_send` checks its rows at once under lock (quiet hours, opt-out, roster,
  status) and records skips and deferrals in bulk. It opens one connection per channel
  for the batch, then, row by row, commits the row's claim (`claimed_at`, the attempt)
  together with the previous row's outcome *before* handing the message to the
  channel. A task Celery delivers twice finds its rows claimed or sent and stops: a row
  is never sent twice. A worker that dies mid-batch leaves one row at most with
  `claimed_at` set; the sweep marks it interrupted, since it may or may not have gone
  out. The batch's rows it had not reached are still only queued.
- A row queued whose task never ran (Redis restarted, a killed worker held it, a batch
  cut short by a crash) still has no `claimed_at`: the sweep puts it back to pending and
  it is queued again.
- Failures: transient ones push `due_at` back exponentially (the tick picks the row up
  again; no long Celery countdowns, which Redis would redeliver after its visibility
  timeout) up to REMINDER_MAX_ATTEMPTS; permanent ones fail at once. `last_error` says
  why, for staff.
"""

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from time import monotonic

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Case, Q, QuerySet, Value, When
from django.utils import timezone

from ..broker import enqueue_after_commit
from ..messaging import delivery
from ..messaging.compose import Composer, agenda_day, agenda_sessions
from ..messaging.timing import is_quiet, quiet_end_after, quiet_fit, wall_clock
from ..models import (
    Attendance,
    Enrollment,
    Group,
    MeasureRequest,
    Participant,
    Reminder,
    SafetyAlert,
    Session,
    SessionChange,
    User,
)
from .errors import ServiceError

log = logging.getLogger("refrain.reminders")

Kind, Status, Channel = Reminder.Kind, Reminder.Status, Reminder.Channel
# Key of a participant's row: (kind, session id, participant id, channel, slot).
Key = tuple[str, int, int, str, int]

# Change notices (moved, cancelled) are written for a change this recent only: a
# participant who turns reminders on next week is not told about last week's move.
NOTICE_WINDOW = timedelta(hours=24)
# A change notice or retry due this soon is queued at once rather than at the next tick.
NUDGE_WITHIN = timedelta(minutes=1)
SESSION_KINDS = (Kind.UPCOMING, Kind.MOVED, Kind.CANCELLED, Kind.REFLECTION)
# Rows planning may bring back: nothing was sent for them.
REVIVABLE = (Status.CANCELLED, Status.SKIPPED)


# --- Who wants what ---------------------------------------------------------------------


def participant_channel(participant: Participant) -> str | None:
    """The channel the participant wants reminders by, or None for no reminders."""
    if not participant.reminders_opt_in or participant.reminders_stopped_at is not None:
        return None
    if participant.reminder_channel == Participant.Channel.EMAIL and participant.email:
        return Channel.EMAIL
    if participant.reminder_channel == Participant.Channel.SMS and participant.phone:
        return Channel.SMS
    return None


def reminder_minutes(group: Group) -> list[int]:
    """Minutes before a session that its participants are reminded, from the group's
    `reminder_hours` (whole or fractional hours, up to two weeks)."""
    minutes = set()
    for hours in group.reminder_hours or []:
        if (
            isinstance(hours, int | float)
            and not isinstance(hours, bool)
            and 0 < hours <= MAX_REMINDER_HOURS
        ):
            minutes.add(round(hours * 60))
    return sorted(minutes, reverse=True)


MAX_REMINDER_HOURS = 336  # two weeks: signed links in a reminder last that long


def valid_reminder_hours(hours: list[int | float]) -> list[int | float]:
    """A group's reminder hours checked and in order (furthest first); ServiceError
    naming the field when one is not a number of hours up to two weeks."""
    clean = set()
    for value in hours:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ServiceError({"reminder_hours": f"“{value}” is not a number of hours."})
        if not 0 < value <= MAX_REMINDER_HOURS:
            raise ServiceError(
                {
                    "reminder_hours": "Reminders go between 0 and "
                    f"{MAX_REMINDER_HOURS} hours (two weeks) before a session."
                }
            )
        clean.add(int(value) if float(value).is_integer() else value)
    return sorted(clean, reverse=True)


def _on_roster(enrollments: list[Enrollment], day: date) -> bool:
    return any(e.is_active_on(day) for e in enrollments)


def _key(kind: str, base: tuple[int, int, str], slot: int) -> Key:
    session_id, participant_id, channel = base
    return (kind, session_id, participant_id, channel, slot)


# --- Planning ---------------------------------------------------------------------------


@dataclass
class PlanResult:
    created: int = 0
    updated: int = 0
    revived: int = 0
    cancelled: int = 0


def reminders_plan_for_session(*, session: Session, now: datetime | None = None) -> None:
    """(Re)plan every reminder of one session for everyone on its roster."""
    _plan(Session.objects.filter(pk=session.pk), participant=None, now=now or timezone.now())


def reminders_plan_for_group(*, group: Group, now: datetime | None = None) -> None:
    """(Re)plan the reminders of the group's sessions still ahead (and of those just held,
    for reflection invitations)."""
    now = now or timezone.now()
    window = timedelta(hours=settings.REMINDER_REFLECTION_WINDOW_HOURS)
    sessions = Session.objects.filter(group=group, ends_at__gt=now - window)
    _plan(sessions, participant=None, now=now)


def reminders_plan_for_participant(
    *, participant: Participant, now: datetime | None = None
) -> None:
    """(Re)plan every reminder of one participant still ahead, e.g. after they change
    their preferences, press stop, or are enrolled or discharged."""
    now = now or timezone.now()
    window = timedelta(hours=settings.REMINDER_REFLECTION_WINDOW_HOURS)
    groups = Enrollment.objects.filter(participant=participant).values("group")
    pending = Reminder.objects.filter(participant=participant, status=Status.PENDING)
    sessions = Session.objects.filter(
        Q(group__in=groups, ends_at__gt=now - window) | Q(pk__in=pending.values("session"))
    )
    _plan(sessions, participant=participant, now=now)


def _plan(
    sessions: QuerySet[Session], *, participant: Participant | None, now: datetime
) -> PlanResult:
    sessions = list(sessions.select_related("group__site"))
    result = PlanResult()
    if not sessions:
        return result
    session_ids = [s.pk for s in sessions]
    only = {"participant": participant} if participant else {}

    enrollments: dict[tuple[int, int], list[Enrollment]] = defaultdict(list)
    people: dict[int, Participant] = {}
    for e in Enrollment.objects.filter(
        group__in={s.group_id for s in sessions}, **only
    ).select_related("participant__site"):
        enrollments[e.group_id, e.participant_id].append(e)
        people[e.participant_id] = e.participant
    # Change notices are only for sessions still ahead, reflections only for those
    # begun: a roll call or a new schedule reads just what it can need.
    ahead = [s.pk for s in sessions if s.starts_at > now]
    begun = [s.pk for s in sessions if s.starts_at <= now]
    changes: dict[int, list[SessionChange]] = defaultdict(list)
    if ahead:
        for change in SessionChange.objects.filter(session__in=ahead).order_by("changed_at", "pk"):
            changes[change.session_id].append(change)
    attended = {}
    if begun:
        attended = {
            (a.session_id, a.participant_id): a
            for a in Attendance.objects.filter(
                session__in=begun, status__in=Attendance.ATTENDED, **only
            )
        }
    existing: dict[Key, Reminder] = {
        (r.kind, r.session_id, r.participant_id, r.channel, r.slot): r
        for r in Reminder.objects.filter(
            session__in=session_ids, participant__isnull=False, **only
        ).only("pk", "kind", "session_id", "participant_id", "channel", "slot", "status", "due_at")
    }
    told_cancelled = {
        (key[1], key[2])
        for key, r in existing.items()
        if key[0] == Kind.CANCELLED and r.status in (Status.SENT, Status.INTERRUPTED)
    }

    wanted: dict[Key, datetime] = {}
    for session in sessions:
        history = changes[session.pk]
        day = session.local_date
        for (group_id, pid), their in enrollments.items():
            if group_id != session.group_id:
                continue
            person = people[pid]
            channel = participant_channel(person)
            if channel is None or not _on_roster(their, day):
                continue
            plan = _Wants(wanted, existing, (session.pk, pid, channel), session, person, now)
            plan.upcoming()
            if history:
                plan.notice(history, their, told_cancelled)
            if (session.pk, pid) in attended:
                plan.reflection(attended[session.pk, pid])

    to_create, to_move, to_revive = [], {}, {}
    for key, due in wanted.items():
        row = existing.get(key)
        if row is None:
            kind, session_id, pid, channel, slot = key
            to_create.append(
                Reminder(
                    kind=kind,
                    session_id=session_id,
                    participant_id=pid,
                    channel=channel,
                    slot=slot,
                    due_at=due,
                )
            )
        elif row.status == Status.PENDING and row.due_at != due:
            to_move[row.pk] = due
        elif row.status in REVIVABLE:
            to_revive[row.pk] = due
    unwanted = [r.pk for k, r in existing.items() if r.status == Status.PENDING and k not in wanted]

    # Every write is conditional on the status read above: the dispatcher may have
    # claimed a row meanwhile, and a row being sent is left alone.
    if to_create:
        result.created = len(
            Reminder.objects.bulk_create(to_create, ignore_conflicts=True, batch_size=500)
        )
    if to_move:
        result.updated = Reminder.objects.filter(pk__in=to_move, status=Status.PENDING).update(
            due_at=_case(to_move), updated_at=now
        )
    if to_revive:
        result.revived = Reminder.objects.filter(pk__in=to_revive, status__in=REVIVABLE).update(
            status=Status.PENDING,
            due_at=_case(to_revive),
            attempts=0,
            last_error="",
            claimed_at=None,
            updated_at=now,
        )
    if unwanted:
        result.cancelled = Reminder.objects.filter(pk__in=unwanted, status=Status.PENDING).update(
            status=Status.CANCELLED, updated_at=now
        )
    soon = now + NUDGE_WITHIN
    if any(r.due_at <= soon for r in to_create) or any(
        due <= soon for due in (*to_move.values(), *to_revive.values())
    ):
        _nudge()
    return result


def _case(dues: dict[int, datetime]) -> Case:
    return Case(*(When(pk=pk, then=Value(due)) for pk, due in dues.items()))


@dataclass
class _Wants:
    """What one participant should have pending for one session."""

    wanted: dict[Key, datetime]
    existing: dict[Key, Reminder]
    base: tuple[int, int, str]  # session id, participant id, channel
    session: Session
    person: Participant
    now: datetime

    def _pending(self, key: Key) -> Reminder | None:
        row = self.existing.get(key)
        return row if row is not None and row.status == Status.PENDING else None

    def upcoming(self) -> None:
        session = self.session
        if session.status != Session.Status.SCHEDULED or session.starts_at <= self.now:
            return
        for minutes in reminder_minutes(session.group):
            key = _key(Kind.UPCOMING, self.base, minutes)
            planned = session.starts_at - timedelta(minutes=minutes)
            if planned <= self.now:
                # Too late to plan now; one already pending is overdue, not unwanted.
                if row := self._pending(key):
                    self.wanted[key] = row.due_at
                continue
            due = quiet_fit(planned, participant=self.person, deadline=session.starts_at)
            if due is not None:
                self.wanted[key] = due

    def notice(self, history: list[SessionChange], their: list[Enrollment], told_cancelled) -> None:
        """A notice of the session's latest change (slot: its number, 1 for the first),
        if that change is what the session is now."""
        session, change = self.session, history[-1]
        if session.starts_at <= max(change.changed_at, self.now):
            return
        # Someone enrolled after the change never knew the old arrangement.
        if not any(e.created_at <= change.changed_at for e in their):
            return
        if change.kind == SessionChange.Kind.CANCELLED:
            if session.status != Session.Status.CANCELLED:
                return
            kind = Kind.CANCELLED
        else:
            if session.status != Session.Status.SCHEDULED:
                return
            if change.kind == SessionChange.Kind.RESTORED and (
                (session.pk, self.person.pk) not in told_cancelled
            ):
                return  # never told it was off: nothing to take back
            kind = Kind.MOVED
        key = _key(kind, self.base, len(history))
        if change.changed_at < self.now - NOTICE_WINDOW and key not in self.existing:
            return
        due = quiet_fit(change.changed_at, participant=self.person, deadline=session.starts_at)
        if due is not None:
            self.wanted[key] = due

    def reflection(self, attendance: Attendance) -> None:
        session = self.session
        if session.status == Session.Status.CANCELLED:
            return
        key = _key(Kind.REFLECTION, self.base, 0)
        window = timedelta(hours=settings.REMINDER_REFLECTION_WINDOW_HOURS)
        if session.ends_at <= self.now - window and key not in self.existing:
            return
        delay = timedelta(minutes=settings.REMINDER_REFLECTION_DELAY_MINUTES)
        planned = max(session.ends_at + delay, attendance.recorded_at)
        self.wanted[key] = quiet_fit(planned, participant=self.person)


def reminders_plan_agendas(*, now: datetime | None = None) -> int:
    """Write each therapist's daily agenda rows for the next day and a half: one email
    per therapist and local date with sessions, due at REMINDER_AGENDA_HOUR at the site
    of their first session that day. Run by beat; safe to run again."""
    now = now or timezone.now()
    sessions = (
        Session.objects.filter(
            status=Session.Status.SCHEDULED,
            starts_at__gt=now,
            starts_at__lt=now + timedelta(hours=36),
        )
        .select_related("group__site")
        .prefetch_related("group__facilitations__therapist")
        .order_by("starts_at")
    )
    firsts: dict[tuple[int, date], Session] = {}
    for session in sessions:
        for facilitation in session.group.facilitations.all():
            therapist = facilitation.therapist
            if therapist.is_active and therapist.email:
                firsts.setdefault((therapist.pk, session.local_date), session)
    slots = {int(f"{day:%Y%m%d}") for _, day in firsts}
    planned = set(
        Reminder.objects.filter(kind=Kind.AGENDA, slot__in=slots).values_list("staff_user", "slot")
    )
    rows = []
    for (user_id, day), first in firsts.items():
        if (user_id, int(f"{day:%Y%m%d}")) in planned:
            continue
        at = time(hour=settings.REMINDER_AGENDA_HOUR)
        due = min(wall_clock(day, at, first.group.site.tz), first.starts_at - timedelta(hours=1))
        rows.append(
            Reminder(
                kind=Kind.AGENDA,
                channel=Channel.EMAIL,
                staff_user_id=user_id,
                slot=int(f"{day:%Y%m%d}"),
                due_at=due,
            )
        )
    # Two planners at once (beat runs it twice by mistake): the constraint keeps one.
    Reminder.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


# --- Dispatch ---------------------------------------------------------------------------

# Queued by task name through the broker helper: services never import tasks.py.
SEND_TASK = "sessions_app.tasks.reminders_send"
DISPATCH_TASK = "sessions_app.tasks.reminders_dispatch"


@dataclass
class DispatchResult:
    claimed: int = 0
    interrupted: int = 0
    requeued: int = 0

    @property
    def more(self) -> bool:
        """A full batch was claimed: there may be more due right now."""
        return self.claimed >= settings.REMINDER_BATCH_SIZE


def reminders_sweep(*, now: datetime | None = None) -> tuple[int, int]:
    """Settle rows left in `sending`: (interrupted, requeued)."""
    now = now or timezone.now()
    dead = now - timedelta(seconds=settings.REMINDER_SENDING_TIMEOUT_SECONDS)
    interrupted = Reminder.objects.filter(
        status=Status.SENDING, claimed_at__isnull=False, claimed_at__lt=dead
    ).update(
        status=Status.INTERRUPTED,
        last_error=(
            "The worker stopped while sending this reminder, so it may or may not have "
            "gone out. It is not resent automatically: retry it if it should go."
        ),
        updated_at=now,
    )
    lost = now - timedelta(seconds=settings.REMINDER_REQUEUE_AFTER_SECONDS)
    requeued = Reminder.objects.filter(
        status=Status.SENDING, claimed_at__isnull=True, updated_at__lt=lost
    ).update(status=Status.PENDING, updated_at=now)
    if interrupted:
        log.warning("%s reminders interrupted mid-send; staff can retry them", interrupted)
    if requeued:
        log.warning("%s queued reminders were never picked up; queued again", requeued)
    return interrupted, requeued


def reminders_dispatch_due(*, now: datetime | None = None) -> DispatchResult:
    """The minute tick: settle stale rows, claim the due ones, and after commit queue one
    send task per REMINDER_SEND_BATCH_SIZE of them (ids only), so that every worker
    process gets a share of a large claim."""
    now = now or timezone.now()
    result = DispatchResult()
    result.interrupted, result.requeued = reminders_sweep(now=now)
    with transaction.atomic():
        ids = list(
            Reminder.objects.select_for_update(skip_locked=True)
            .filter(status=Status.PENDING, due_at__lte=now)
            .order_by("due_at")
            .values_list("pk", flat=True)[: settings.REMINDER_BATCH_SIZE]
        )
        if ids:
            Reminder.objects.filter(pk__in=ids).update(
                status=Status.SENDING, claimed_at=None, updated_at=now
            )
            ids.sort()
            size = settings.REMINDER_SEND_BATCH_SIZE
            batches = [[ids[i : i + size]] for i in range(0, len(ids), size)]
            enqueue_after_commit(SEND_TASK, batches, what="reminder batches")
    result.claimed = len(ids)
    return result


def _nudge() -> None:
    """After commit: run a tick now rather than within the minute. If the broker is
    down the rows wait for beat's next tick once it is back; the change itself stands."""
    enqueue_after_commit(DISPATCH_TASK, what="reminder dispatch")


# --- Sending a batch ----------------------------------------------------------------------
#
# A batch goes out over one connection per channel, and each row is claimed just before
# its own send: the claim (`claimed_at`, the attempt) is committed before the message
# leaves, in the same transaction that records the previous row's outcome. So a batch
# costs one statement and one commit per row (a task per row cost two commits and a
# task), and a crash anywhere leaves at most one row ambiguous (claimed, maybe sent: the
# sweep marks it interrupted, never resends it); the rows after it were never claimed
# and are queued again after REQUEUE_AFTER.
# Claiming the whole batch up front would save those commits but turn every unsent row
# of a crashed batch into "may or may not have gone out".


@dataclass
class _Outcome:
    """What happened to one claimed row, written with the next row's claim."""

    reminder: Reminder
    result: str  # sent, retry or failed
    error: str = ""


def _queued_or_due(now: datetime) -> Q:
    return Q(status=Status.SENDING, claimed_at__isnull=True) | Q(
        status=Status.PENDING, due_at__lte=now
    )


def reminders_send(*, reminder_ids: list[int], now: datetime | None = None) -> dict[int, str]:
    """Send a batch of reminders, each only if it is still queued (or pending and due);
    returns what happened to each id: sent, failed, retry, skipped, deferred, put-back
    (no time left in this batch) or not-ours (sent, being sent, cancelled... or a
    redelivered task: never again).

    1. Check the rows at once, under lock: skip or defer those that should not go now.
    2. Open each channel once, then per row in id order: claim, compose, send.
    3. Record the last row's outcome; put back the rows the time budget did not reach.
    """
    now = now or timezone.now()
    outcomes = dict.fromkeys(reminder_ids, "not-ours")
    to_send = _check_batch(reminder_ids, now=now, outcomes=outcomes)
    budget = monotonic() + settings.CELERY_TASK_SOFT_TIME_LIMIT / 2
    previous: _Outcome | None = None
    composer = Composer()
    with delivery.Channels() as channels:
        for index, reminder in enumerate(to_send):
            if monotonic() > budget:
                _release(to_send[index:], now=timezone.now())
                outcomes.update(dict.fromkeys((r.pk for r in to_send[index:]), "put-back"))
                break
            claimed = _commit(previous, claim=reminder, now=now)
            previous = None
            if not claimed:
                continue
            previous = _send_one(reminder, channels, composer)
            outcomes[reminder.pk] = previous.result
    _commit(previous, claim=None, now=now)
    return outcomes


def reminder_send(*, reminder_id: int, now: datetime | None = None) -> str:
    """Send one reminder (a batch of one); what happened to it."""
    return reminders_send(reminder_ids=[reminder_id], now=now)[reminder_id]


def _check_batch(ids: list[int], *, now: datetime, outcomes: dict[int, str]) -> list[Reminder]:
    """Lock the batch's rows still to send (in id order, so two batches never deadlock),
    record those that should not go now in bulk, and return the rest."""
    with transaction.atomic():
        rows = list(
            Reminder.objects.select_for_update(of=("self",))
            .select_related("participant__site", "session__group__site", "staff_user")
            .filter(_queued_or_due(now), pk__in=ids)
            .order_by("pk")
        )
        facts = _SendFacts.load(rows)
        skipped: dict[str, list[int]] = defaultdict(list)
        deferred: dict[int, datetime] = {}
        to_send = []
        for reminder in rows:
            problem = delivery_problem(reminder, now=now, facts=facts)
            if isinstance(problem, datetime):
                deferred[reminder.pk] = problem
            elif problem:
                skipped[problem].append(reminder.pk)
            else:
                to_send.append(reminder)
        for problem, pks in skipped.items():
            Reminder.objects.filter(pk__in=pks).update(
                status=Status.SKIPPED, last_error=problem, claimed_at=None, updated_at=now
            )
            outcomes.update(dict.fromkeys(pks, "skipped"))
        if deferred:
            Reminder.objects.filter(pk__in=deferred).update(
                status=Status.PENDING, due_at=_case(deferred), claimed_at=None, updated_at=now
            )
            outcomes.update(dict.fromkeys(deferred, "deferred"))
    return to_send


# The previous row's outcome, only if the row is still the one this worker claimed (the
# sweep may have called it interrupted meanwhile, and a late success still counts).
_OUTCOME = """
UPDATE {table} SET status = %(status)s, sent_at = %(sent_at)s,
    due_at = COALESCE(%(retry_at)s, due_at),
    claimed_at = CASE WHEN %(retry_at)s IS NULL THEN claimed_at END,
    last_error = %(error)s, updated_at = %(at)s
WHERE id = %(previous)s AND claimed_at = %(previous_claimed_at)s
    AND status IN (%(sending)s, %(interrupted)s)
"""
# The next row's claim, only if it is still queued or due (another worker may have taken it).
_CLAIM = """
UPDATE {table} SET status = %(sending)s, claimed_at = %(at)s,
    attempts = attempts + 1, updated_at = %(at)s
WHERE id = %(next)s AND (
    (status = %(sending)s AND claimed_at IS NULL)
    OR (status = %(pending)s AND due_at <= %(now)s)
)
"""
# Both in one statement, so one round trip and one commit per row. Built from the two
# constants above only; values always go as parameters.
_STEP = f"""
WITH outcome AS ({_OUTCOME} RETURNING id), claim AS ({_CLAIM} RETURNING id)
SELECT (SELECT count(*) FROM outcome), (SELECT count(*) FROM claim)
"""  # noqa: S608


def _step_in_one_statement() -> bool:
    # SQLite (the local demo's database) has no UPDATE inside WITH.
    return connection.vendor == "postgresql"


def _commit(previous: _Outcome | None, *, claim: Reminder | None, now: datetime) -> bool:
    """Record the previous row's outcome and claim the next row, in one transaction.
    True if the next row is now this worker's to send."""
    if previous is None and claim is None:
        return False
    at = timezone.now()
    params = {
        "at": at,
        "now": now,
        "next": claim.pk if claim else None,
        "sending": Status.SENDING,
        "pending": Status.PENDING,
        "interrupted": Status.INTERRUPTED,
        **_outcome_params(previous, at),
    }
    table = Reminder._meta.db_table
    if _step_in_one_statement():
        with connection.cursor() as cursor:
            cursor.execute(_STEP.format(table=table), params)
            recorded, claimed = cursor.fetchone()
    else:
        # The same two updates in one transaction; SQLite lets one writer at a time into
        # it, so nobody comes between them.
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(_OUTCOME.format(table=table), params)
            recorded = cursor.rowcount
            cursor.execute(_CLAIM.format(table=table), params)
            claimed = cursor.rowcount
    if previous is not None:
        _log_outcome(previous, recorded=bool(recorded))
    if claim is not None and claimed:
        claim.status, claim.claimed_at = Status.SENDING, at
        claim.attempts += 1
    return bool(claimed)


def _outcome_params(outcome: _Outcome | None, at: datetime) -> dict:
    if outcome is None:
        return dict.fromkeys(
            ("previous", "previous_claimed_at", "status", "sent_at", "retry_at", "error")
        )
    reminder = outcome.reminder
    params = {
        "previous": reminder.pk,
        "previous_claimed_at": reminder.claimed_at,
        "status": Status.SENT,
        "sent_at": at,
        "retry_at": None,
        "error": "",
    }
    if outcome.result == "retry":
        params.update(
            status=Status.PENDING,
            sent_at=None,
            retry_at=at + timedelta(seconds=_backoff(reminder.attempts)),
            error=f"Attempt {reminder.attempts} of {settings.REMINDER_MAX_ATTEMPTS}: "
            f"{outcome.error}",
        )
    elif outcome.result == "failed":
        params.update(status=Status.FAILED, sent_at=None, error=outcome.error)
    return params


def _backoff(attempts: int) -> int:
    return min(
        settings.REMINDER_RETRY_SECONDS * 2 ** (attempts - 1),
        settings.REMINDER_RETRY_MAX_SECONDS,
    )


def _send_one(reminder: Reminder, channels: delivery.Channels, composer: Composer) -> _Outcome:
    """Compose and send one claimed row; nothing written here."""
    try:
        channels.deliver(composer.compose(reminder))
    except delivery.DeliveryError as exc:
        return _failure(reminder, str(exc), transient=exc.transient)
    except Exception as exc:  # noqa: BLE001 - a bug or a broken template: keep the row
        log.exception("reminder %s: composing or sending failed", reminder.pk)
        return _failure(reminder, f"{type(exc).__name__}: {exc}", transient=True)
    return _Outcome(reminder, "sent")


def _failure(reminder: Reminder, error: str, *, transient: bool) -> _Outcome:
    if transient and reminder.attempts < settings.REMINDER_MAX_ATTEMPTS:
        return _Outcome(reminder, "retry", error)
    return _Outcome(reminder, "failed", error)


def _log_outcome(outcome: _Outcome, *, recorded: bool) -> None:
    pk, attempts = outcome.reminder.pk, outcome.reminder.attempts
    if outcome.result == "sent" and not recorded:
        log.warning("reminder %s was sent but its row had changed meanwhile", pk)
    elif outcome.result == "retry":
        log.info(
            "reminder %s: attempt %s failed, retrying in %s s", pk, attempts, _backoff(attempts)
        )
    elif outcome.result == "failed":
        log.warning("reminder %s failed after %s attempts", pk, attempts)


def _release(rows: list[Reminder], *, now: datetime) -> None:
    """Rows a batch had no time left for: nothing was sent, so straight back to pending
    for the next tick rather than waiting REQUEUE_AFTER."""
    Reminder.objects.filter(
        pk__in=[r.pk for r in rows], status=Status.SENDING, claimed_at__isnull=True
    ).update(status=Status.PENDING, updated_at=now)
    log.warning("%s reminders put back for the next tick: the batch ran out of time", len(rows))


@dataclass
class _SendFacts:
    """What the send-time checks read, loaded for a whole batch in two queries."""

    roster: dict[tuple[int, int], list[Enrollment]]
    attended: set[tuple[int, int]]

    @classmethod
    def load(cls, rows: list[Reminder]) -> "_SendFacts":
        people = [r for r in rows if r.participant_id is not None and r.session_id is not None]
        roster: dict[tuple[int, int], list[Enrollment]] = defaultdict(list)
        attended: set[tuple[int, int]] = set()
        if people:
            wanted = {(r.session.group_id, r.participant_id) for r in people}
            for e in Enrollment.objects.filter(
                group__in={g for g, _ in wanted}, participant__in={p for _, p in wanted}
            ):
                if (e.group_id, e.participant_id) in wanted:
                    roster[e.group_id, e.participant_id].append(e)
        reflections = [r for r in people if r.kind == Kind.REFLECTION]
        if reflections:
            attended = set(
                Attendance.objects.filter(
                    session__in={r.session_id for r in reflections},
                    participant__in={r.participant_id for r in reflections},
                    status__in=Attendance.ATTENDED,
                ).values_list("session_id", "participant_id")
            )
        return cls(roster, attended)

    @classmethod
    def of_one(cls, reminder: Reminder) -> "_SendFacts":
        return cls.load([reminder])


def delivery_problem(
    reminder: Reminder, *, now: datetime, facts: _SendFacts | None = None
) -> str | datetime | None:
    """Why this row should not go out now: a reason to skip it (str), a later time to
    send it instead (quiet hours), or None. Checked at send time, whatever planning
    thought: the world may have changed since."""
    if reminder.kind == Kind.AGENDA:
        user = reminder.staff_user
        if not (user.is_active and user.email):
            return "The recipient's account is inactive or has no email address."
        if not any(s.ends_at > now for s in agenda_sessions(user, agenda_day(reminder))):
            return "No sessions left that day."
        return None
    if reminder.kind in (Kind.ALERT, Kind.ESCALATED):
        return _alert_problem(reminder)
    if reminder.kind == Kind.FAMILY:
        return _family_problem(reminder, now=now)
    if reminder.kind == Kind.MEASURE:
        return _measure_problem(reminder, now=now)
    facts = facts or _SendFacts.of_one(reminder)
    person, session = reminder.participant, reminder.session
    if participant_channel(person) != reminder.channel:
        return "The participant no longer wants reminders this way."
    deadline = session.starts_at
    if reminder.kind == Kind.REFLECTION:
        deadline = None
        if (
            session.status == Session.Status.CANCELLED
            or (session.pk, person.pk) not in facts.attended
        ):
            return "The participant is not recorded as attending."
    else:
        wanted_status = (
            Session.Status.CANCELLED
            if reminder.kind == Kind.CANCELLED
            else Session.Status.SCHEDULED
        )
        if session.status != wanted_status:
            return f"The session is {session.get_status_display().lower()} now."
        if session.starts_at <= now:
            return "The session had already started."
        if not _on_roster(facts.roster[session.group_id, person.pk], session.local_date):
            return "The participant is not on the session's roster."
    if person.quiet_hours_start and is_quiet(person, now):
        end = quiet_end_after(person, now)
        if deadline is not None and end >= deadline:
            return "The participant's quiet hours last until the session starts."
        return end
    return None


def _alert_problem(reminder: Reminder) -> str | None:
    user = reminder.staff_user
    if not (user.is_active and user.email):
        return "The recipient's account is inactive or has no email address."
    alert = SafetyAlert.objects.filter(pk=reminder.slot).first()
    if alert is None:
        return "The alert no longer exists."
    if reminder.kind == Kind.ESCALATED and alert.acknowledged_at is not None:
        return "Someone acknowledged the alert meanwhile."
    if alert.followed_up_at is not None:
        return "The alert was followed up meanwhile."
    return None


def _family_problem(reminder: Reminder, *, now: datetime) -> str | None:
    # A link revoked, expired or no longer covered by consent is not sent: the message
    # would lead to "no longer available".
    from .family_links import family_link_problem  # it imports this module

    return family_link_problem(reminder.family_link, now=now)


def _measure_problem(reminder: Reminder, *, now: datetime) -> str | datetime | None:
    person = reminder.participant
    if participant_channel(person) != reminder.channel:
        return "The participant no longer wants reminders this way."
    still_open = MeasureRequest.objects.filter(
        participant=person,
        status=MeasureRequest.Status.OPEN,
        due_on__lte=timezone.localdate(now, person.tz),
    )
    if not still_open.exists():
        return "Nothing is left to answer."
    if person.quiet_hours_start and is_quiet(person, now):
        return quiet_end_after(person, now)
    return None


# --- Staff ------------------------------------------------------------------------------


def reminder_retry(*, reminder: Reminder, user: User, now: datetime | None = None) -> Reminder:
    """Send a failed or interrupted reminder again, now, with a fresh set of attempts.

    An interrupted one may have gone out already: whoever retries it has decided that
    a second copy is better than none.
    """
    now = now or timezone.now()
    with transaction.atomic():
        reminder = Reminder.objects.select_for_update().get(pk=reminder.pk)
        if reminder.status not in (Status.FAILED, Status.INTERRUPTED):
            raise ServiceError(
                f"This reminder is {reminder.get_status_display().lower()}: only a failed "
                "or interrupted reminder can be retried."
            )
        reminder.status, reminder.due_at, reminder.attempts = Status.PENDING, now, 0
        reminder.claimed_at = None
        reminder.save(update_fields=["status", "due_at", "attempts", "claimed_at", "updated_at"])
        log.info("reminder %s retried by user %s", reminder.pk, user.pk)
        _nudge()
    return reminder
