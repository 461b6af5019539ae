"""Which questionnaires are due from whom: a group's measure schedule, the requests it
makes for each enrolment, and the invitations that tell participants about them.

- A schedule row says which instrument a group gives, and when: at enrolment (due the
  enrolment's start date), every N weeks from the start while enrolled, at discharge
  (due the end date). The check-in goes with every session and needs no schedule.
- `measure_requests_plan` makes the requests idempotently (one per participant,
  instrument and due date: the database's constraint), from the enrolment and
  discharge services and from a daily beat task. It only makes requests still worth
  asking: one due more than REQUEST_OPEN_DAYS ago would expire at once.
- A request left open REQUEST_OPEN_DAYS expires (`measure_requests_expire`).
- Invitations are rows in the reminders outbox (kind "measure", one per participant
  and due date, whatever number of questionnaires fell due that day), sent by the same
  machinery as reminders: opt-in, stop, channel, quiet hours and retries all apply.
"""

from collections import defaultdict
from datetime import date, datetime, time, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from .. import instruments, languages
from ..broker import enqueue_after_commit
from ..messaging.timing import quiet_fit, wall_clock
from ..models import (
    Enrollment,
    Group,
    MeasureRequest,
    MeasureSchedule,
    Participant,
    Reminder,
    User,
)
from .errors import ServiceError
from .reminders import DISPATCH_TASK, participant_channel

# A request unanswered this long lapses: answers given weeks late say little about
# the weeks they were meant for.
REQUEST_OPEN_DAYS = 14
# Invitations go at this local hour on the day the questions fall due (or at once, if
# they fall due later in the day), outside the participant's quiet hours.
INVITE_HOUR = 10

When = MeasureSchedule.When


# --- Schedules --------------------------------------------------------------------------


def measure_schedule_add(
    *, group: Group, instrument: str, when: str, every_weeks: int | None, by: User
) -> MeasureSchedule:
    """Give `instrument` to the group's participants at enrolment, every few weeks or
    at discharge; requests for those already enrolled follow from today."""
    if instrument not in instruments.SCHEDULABLE:
        raise ServiceError({"instrument": "Choose one of the questionnaires listed."})
    if when not in When.values:
        raise ServiceError({"when": "Choose at enrolment, every few weeks or at discharge."})
    if when == When.EVERY_WEEKS:
        if every_weeks is None or not 1 <= every_weeks <= 52:
            raise ServiceError({"every_weeks": "Give a number of weeks from 1 to 52."})
    else:
        every_weeks = None
    try:
        with transaction.atomic():
            schedule = MeasureSchedule.objects.create(
                group=group,
                instrument=instrument,
                when=when,
                every_weeks=every_weeks,
                created_by=by,
            )
            measure_requests_plan_for_group(group=group)
    except IntegrityError:
        raise ServiceError(
            "The group already gives this questionnaire at that time: remove that one "
            "first to change how often."
        ) from None
    return schedule


def measure_schedule_remove(*, schedule: MeasureSchedule) -> None:
    """Stop giving a questionnaire; requests already made stay (answered or open)."""
    schedule.delete()


# --- Requests ---------------------------------------------------------------------------


def _due_dates(schedule: MeasureSchedule, enrollment: Enrollment, today: date) -> list[date]:
    """The due dates this schedule gives this enrolment that are still worth asking:
    none more than REQUEST_OPEN_DAYS past, none later than today (but an enrolment's
    own, known ahead)."""
    oldest = today - timedelta(days=REQUEST_OPEN_DAYS - 1)
    start, end = enrollment.start_date, enrollment.end_date
    if schedule.when == When.ENROLMENT:
        dates = [start]
    elif schedule.when == When.DISCHARGE:
        # Only an enrolment that has ended (not one merely given an end date) is a
        # discharge.
        ended = enrollment.status != Enrollment.Status.ACTIVE
        dates = [end] if ended and end is not None and end <= today else []
    else:
        step = timedelta(weeks=schedule.every_weeks)
        last = min(today, end) if end is not None else today
        dates = []
        due = start + step
        while due <= last:
            if due >= oldest:
                dates.append(due)
            due += step
    return [d for d in dates if d >= oldest]


def measure_requests_plan(
    *, enrollments: list[Enrollment], today: date | None = None, now: datetime | None = None
) -> int:
    """Make the requests these enrolments' groups' schedules call for (safe to run
    again: the participant, instrument and due date are unique), and plan their
    invitations. Returns how many requests it asked for (new or already there)."""
    now = now or timezone.now()
    if not enrollments:
        return 0
    schedules: dict[int, list[MeasureSchedule]] = defaultdict(list)
    for schedule in MeasureSchedule.objects.filter(
        group__in={e.group_id for e in enrollments}
    ).select_related("group__site"):
        schedules[schedule.group_id].append(schedule)
    rows = []
    for enrollment in enrollments:
        for schedule in schedules[enrollment.group_id]:
            day = today or timezone.localdate(now, schedule.group.site.tz)
            reason = {
                When.ENROLMENT: MeasureRequest.Reason.ENROLMENT,
                When.EVERY_WEEKS: MeasureRequest.Reason.PERIODIC,
                When.DISCHARGE: MeasureRequest.Reason.DISCHARGE,
            }[schedule.when]
            for due_on in _due_dates(schedule, enrollment, day):
                rows.append(
                    MeasureRequest(
                        participant_id=enrollment.participant_id,
                        instrument=schedule.instrument,
                        schedule=schedule,
                        reason=reason,
                        due_on=due_on,
                    )
                )
    rows = _offered(rows)
    MeasureRequest.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
    measure_invitations_plan(
        participant_ids={e.participant_id for e in enrollments}, today=today, now=now
    )
    return len(rows)


def _offered(rows: list[MeasureRequest]) -> list[MeasureRequest]:
    """Leave out requests for a questionnaire that has no wording in the participant's
    language: a validated questionnaire is never asked in a translation of our own. (One
    query, and only when such a questionnaire is scheduled.)"""
    partial = {
        r.instrument
        for r in rows
        if set(instruments.get(r.instrument).languages) != languages.CODES
    }
    if not partial:
        return rows
    read = dict(
        Participant.objects.filter(
            pk__in={r.participant_id for r in rows if r.instrument in partial}
        ).values_list("pk", "language")
    )
    return [
        r
        for r in rows
        if r.instrument not in partial
        or instruments.get(r.instrument).offered_in(read[r.participant_id])
    ]


def measure_requests_plan_for_enrollment(
    *, enrollment: Enrollment, today: date | None = None, now: datetime | None = None
) -> int:
    """After an enrolment or a discharge, in its transaction."""
    return measure_requests_plan(enrollments=[enrollment], today=today, now=now)


def measure_requests_plan_for_group(*, group: Group, now: datetime | None = None) -> int:
    """After a schedule is added: everyone enrolled now, or lately discharged."""
    now = now or timezone.now()
    today = timezone.localdate(now, group.site.tz)
    return measure_requests_plan(enrollments=list(_current(today).filter(group=group)), now=now)


def _current(today: date):
    recent = today - timedelta(days=REQUEST_OPEN_DAYS)
    return Enrollment.objects.filter(Q(end_date__isnull=True) | Q(end_date__gte=recent))


def measure_requests_plan_all(*, now: datetime | None = None) -> int:
    """The daily run: every enrolment of a group with a schedule, current or ended in
    the last REQUEST_OPEN_DAYS; then lapse what has been open too long."""
    now = now or timezone.now()
    # A generous UTC date: each schedule reads its own site's date.
    enrollments = list(
        _current(timezone.localdate(now) - timedelta(days=1))
        .filter(group__measure_schedules__isnull=False)
        .distinct()
    )
    made = 0
    for i in range(0, len(enrollments), 500):
        with transaction.atomic():
            made += measure_requests_plan(enrollments=enrollments[i : i + 500], now=now)
    measure_requests_expire(now=now)
    return made


def measure_requests_expire(*, now: datetime | None = None) -> int:
    """Open requests due REQUEST_OPEN_DAYS ago or earlier lapse. Dates compared in UTC:
    a day's difference at the edge of a zone does not matter for a fortnight."""
    now = now or timezone.now()
    cutoff = timezone.localdate(now) - timedelta(days=REQUEST_OPEN_DAYS)
    return MeasureRequest.objects.filter(
        status=MeasureRequest.Status.OPEN, due_on__lte=cutoff
    ).update(status=MeasureRequest.Status.EXPIRED)


# --- Invitations ------------------------------------------------------------------------


def measure_invitations_plan(
    *, participant_ids: set[int], today: date | None = None, now: datetime | None = None
) -> int:
    """One invitation per participant and due date of their open requests, due at
    INVITE_HOUR that day (at once if that has passed), outside quiet hours; safe to run
    again. A participant without reminders gets none. Returns how many it asked for."""
    now = now or timezone.now()
    people = Participant.objects.filter(pk__in=participant_ids).select_related("site")
    rows = []
    for person in people:
        channel = participant_channel(person)
        if channel is None:
            continue
        day = today or timezone.localdate(now, person.tz)
        due_days = set(
            MeasureRequest.objects.filter(
                participant=person,
                status=MeasureRequest.Status.OPEN,
                due_on__lte=day,
                due_on__gt=day - timedelta(days=REQUEST_OPEN_DAYS),
            ).values_list("due_on", flat=True)
        )
        for due_on in due_days:
            planned = max(now, wall_clock(due_on, time(hour=INVITE_HOUR), person.tz))
            rows.append(
                Reminder(
                    kind=Reminder.Kind.MEASURE,
                    channel=channel,
                    participant=person,
                    slot=int(f"{due_on:%Y%m%d}"),
                    due_at=quiet_fit(planned, participant=person),
                )
            )
    # Two planners at once, or a second run: the constraint keeps one row.
    Reminder.objects.bulk_create(rows, ignore_conflicts=True)
    if any(r.due_at <= now + timedelta(minutes=1) for r in rows):
        enqueue_after_commit(DISPATCH_TASK, what="reminder dispatch")
    return len(rows)
