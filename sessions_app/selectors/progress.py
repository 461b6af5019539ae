"""What a progress report or discharge summary is drafted from: one participant's record
over a period, read in a fixed number of queries however long their history.

- attendance: the sessions of their groups in the period, each with their status;
- progress: each objective thread's levels from signed notes, under the objective's
  latest wording (a thread is one objective across the plan's versions);
- measures: each scored questionnaire's first and last answer in the period;
- own words: the reflections the participant said may be quoted.

Everything is narrowed to what `user` may see (their sessions, their reflections and
answers), so the panel beside a report shows a reader only their part of the record.
Dates are the site's.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone

from .. import instruments
from ..instruments import Instrument
from ..models import (
    Attendance,
    Enrollment,
    Objective,
    ObjectiveProgress,
    Participant,
    Session,
    SessionNote,
    TreatmentPlan,
    User,
)
from ..permissions import reflections_for, responses_for, sessions_for

# Instruments with a total; the check-in is read item by item and has no first → last.
SCORED = tuple(code for code, i in instruments.CATALOGUE.items() if i.totals)
NOT_RECORDED = "not_recorded"


@dataclass(frozen=True)
class SessionLine:
    day: date
    group: str
    status: str  # an Attendance.Status value, or NOT_RECORDED
    status_label: str

    @property
    def attended(self) -> bool:
        return self.status in Attendance.ATTENDED


@dataclass
class AttendanceSummary:
    sessions: list[SessionLine] = field(default_factory=list)

    def _count(self, *statuses: str) -> int:
        return sum(1 for s in self.sessions if s.status in statuses)

    @property
    def held(self) -> int:
        return len(self.sessions)

    @property
    def attended(self) -> int:
        return sum(1 for s in self.sessions if s.attended)

    @property
    def late(self) -> int:
        return self._count(Attendance.Status.LATE, Attendance.Status.LEFT_EARLY)

    @property
    def excused(self) -> int:
        return self._count(Attendance.Status.EXCUSED)

    @property
    def absent(self) -> int:
        return self._count(Attendance.Status.ABSENT)

    @property
    def not_recorded(self) -> int:
        return self._count(NOT_RECORDED)

    @property
    def rate(self) -> int | None:
        """Percentage of the sessions held that they attended, rounded."""
        return round(100 * self.attended / self.held) if self.held else None


@dataclass(frozen=True)
class ProgressEntry:
    day: date
    level: str
    level_label: str
    observation: str


@dataclass
class ThreadProgress:
    """One objective across the plan's versions, as its latest version words it."""

    objective: Objective
    entries: list[ProgressEntry] = field(default_factory=list)

    @property
    def goal(self):
        return self.objective.goal

    @property
    def area(self) -> str:
        return self.objective.goal.area.name


@dataclass(frozen=True)
class MeasureChange:
    instrument: Instrument
    first: int
    last: int
    first_on: date
    last_on: date
    answers: int

    @property
    def change(self) -> int:
        return self.last - self.first

    @property
    def improved(self) -> bool:
        return self.last < self.first if self.instrument.higher_is_worse else self.last > self.first

    @property
    def direction(self) -> str:
        return "lower is better" if self.instrument.higher_is_worse else "higher is better"

    @property
    def improved_reliably(self) -> bool | None:
        return self.instrument.improved_reliably(self.first, self.last)


@dataclass(frozen=True)
class Quote:
    day: date
    text: str


@dataclass
class PeriodRecord:
    participant: Participant
    start: date
    end: date
    plan: TreatmentPlan | None  # the plan in force
    attendance: AttendanceSummary
    progress: list[ThreadProgress]
    measures: list[MeasureChange]
    quotes: list[Quote]


def _bounds(start: date, end: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """The period as aware datetimes: from the start's midnight to the day after the end."""
    return (
        datetime.combine(start, time.min, tzinfo=tz),
        datetime.combine(end + timedelta(days=1), time.min, tzinfo=tz),
    )


def period_record(*, participant: Participant, start: date, end: date, user: User) -> PeriodRecord:
    """The participant's record from `start` to `end` (inclusive) as `user` may see it,
    in seven queries whatever the number of sessions, notes and answers."""
    tz = participant.site.tz
    since, until = _bounds(start, end, tz)
    plan = (
        TreatmentPlan.objects.filter(
            participant=participant,
            status=TreatmentPlan.Status.SIGNED,
            superseded_at__isnull=True,
        )
        .only("pk", "version", "starts_on", "review_on", "participant_id")
        .first()
    )  # 1
    return PeriodRecord(
        participant=participant,
        start=start,
        end=end,
        plan=plan,
        attendance=_attendance(participant, since, until, user),  # 2, 3
        progress=_progress(participant, since, until, user, plan),  # 4, 5
        measures=_measures(participant, since, until, user),  # 6
        quotes=_quotes(participant, since, until, user),  # 7
    )


def _attendance(
    participant: Participant, since: datetime, until: datetime, user: User
) -> AttendanceSummary:
    """Sessions held (not cancelled, already started) in the period in a group the
    participant belonged to that day, or with their attendance recorded."""
    windows: dict[int, list[tuple[date, date | None]]] = defaultdict(list)
    for group_id, first, last in Enrollment.objects.filter(
        participant=participant, start_date__lt=until.date()
    ).values_list("group_id", "start_date", "end_date"):
        windows[group_id].append((first, last))
    own = Attendance.objects.filter(participant=participant, session=OuterRef("pk"))
    rows = (
        sessions_for(user)
        .filter(starts_at__gte=since, starts_at__lt=min(until, timezone.now()))
        .exclude(status=Session.Status.CANCELLED)
        .filter(
            Q(group_id__in=list(windows))
            | Q(pk__in=Attendance.objects.filter(participant=participant).values("session_id"))
        )
        .annotate(own_status=Subquery(own.values("status")[:1]))
        .order_by("starts_at", "pk")
        .values_list("starts_at", "group_id", "group__name", "group__site__time_zone", "own_status")
    )
    labels = dict(Attendance.Status.choices)
    lines = []
    for starts_at, group_id, group_name, zone, status in rows:
        day = starts_at.astimezone(ZoneInfo(zone)).date()
        enrolled = any(
            first <= day and (last is None or day <= last) for first, last in windows[group_id]
        )
        if status is None and not enrolled:
            continue
        status = status or NOT_RECORDED
        lines.append(SessionLine(day, group_name, status, labels.get(status, "Not recorded")))
    return AttendanceSummary(lines)


def _progress(
    participant: Participant,
    since: datetime,
    until: datetime,
    user: User,
    plan: TreatmentPlan | None,
) -> list[ThreadProgress]:
    """Each objective thread with progress in signed notes of the period, and each active
    objective of the plan in force (with none, so that a gap shows), in plan order."""
    rows = list(
        ObjectiveProgress.objects.filter(
            participant=participant,
            note__status=SessionNote.Status.SIGNED,
            note__session__starts_at__gte=since,
            note__session__starts_at__lt=until,
            note__session__in=sessions_for(user).values("pk"),
        )
        .order_by("note__session__starts_at", "pk")
        .values_list(
            "objective_id",
            "objective__origin_id",
            "level",
            "observation",
            "note__session__starts_at",
            "note__session__group__site__time_zone",
        )
    )
    threads = {origin or objective for objective, origin, *_ in rows}
    # The versions of each thread (its first objective and those that carry it), and
    # the objectives in force.
    wanted = Q(pk__in=threads) | Q(origin_id__in=threads)
    if plan is not None:
        wanted |= Q(goal__plan=plan, outcome__in=Objective.ACTIVE_OUTCOMES)
    versions = (
        Objective.objects.filter(wanted, goal__plan__participant=participant)
        .select_related("goal__area", "goal__plan")
        .order_by("goal__plan__version", "goal__position", "position")
    )
    latest: dict[int, Objective] = {}
    for objective in versions:
        current = latest.get(objective.thread)
        # A signed version's wording over a draft's; else the newest.
        if current is None or objective.goal.plan.is_signed or not current.goal.plan.is_signed:
            latest[objective.thread] = objective
    levels = dict(ObjectiveProgress.Level.choices)
    lines = {thread: ThreadProgress(objective) for thread, objective in latest.items()}
    for objective_id, origin_id, level, observation, starts_at, zone in rows:
        line = lines.get(origin_id or objective_id)
        if line is None:
            continue
        day = starts_at.astimezone(ZoneInfo(zone)).date()
        line.entries.append(ProgressEntry(day, level, levels[level], observation))
    # Plan order of the newest version each thread is in; older threads after.
    return sorted(
        lines.values(),
        key=lambda t: (
            -t.objective.goal.plan.version,
            t.objective.goal.position,
            t.objective.position,
        ),
    )


def _measures(
    participant: Participant, since: datetime, until: datetime, user: User
) -> list[MeasureChange]:
    rows = (
        responses_for(user)
        .filter(
            participant=participant,
            instrument__in=SCORED,
            score__isnull=False,
            answered_at__gte=since,
            answered_at__lt=until,
        )
        .order_by("answered_at", "pk")
        .values_list("instrument", "answered_at", "score")
    )
    tz = participant.site.tz
    by_code: dict[str, list[tuple[date, int]]] = defaultdict(list)
    for code, answered_at, score in rows:
        by_code[code].append((answered_at.astimezone(tz).date(), score))
    changes = []
    for code in SCORED:
        answers = by_code.get(code)
        if not answers:
            continue
        (first_on, first), (last_on, last) = answers[0], answers[-1]
        changes.append(
            MeasureChange(instruments.get(code), first, last, first_on, last_on, len(answers))
        )
    return changes


def _quotes(participant: Participant, since: datetime, until: datetime, user: User) -> list[Quote]:
    """The participant's words from the reflections they allowed to be quoted, only."""
    rows = (
        reflections_for(user)
        .filter(
            participant=participant,
            quotable=True,
            session__starts_at__gte=since,
            session__starts_at__lt=until,
        )
        .exclude(text="")
        .order_by("session__starts_at", "pk")
        .values_list("session__starts_at", "session__group__site__time_zone", "text")
    )
    return [
        Quote(starts_at.astimezone(ZoneInfo(zone)).date(), text.strip())
        for starts_at, zone, text in rows
    ]
