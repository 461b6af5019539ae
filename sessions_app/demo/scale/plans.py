"""Treatment planning over the same years: an assessment as each person starts, plan
versions revised about every ninety days of continued care, progress on the plan's
objectives in the notes of the sessions they came to, and progress reports and
discharge summaries drafted from that record.

Everything is decided in memory first (`_Plans`), then written table by table; ids
follow the order a live system would have handed them out in.
"""

import bisect
import itertools
import json
import random
import time as time_
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from ...models import GoalArea
from . import names
from .loader import Loader
from .records import ATTENDED, Record
from .world import Person, Stint, World

NO_PLAN_SHARE = 0.03  # never assessed: in and out before anyone got to it
# Referred to music therapy proper only after some groups: their planning starts with a
# later enrollment, often the one they are in now (so some first plans are still drafts:
# hardly anyone's first enrollment is recent).
LATE_REFERRAL_SHARE = 0.1
DRAFT_ONLY_SHARE = 0.5  # of those whose first plan is under four weeks old
REVIEW_DAYS = (84, 98)  # a plan's review date after its start
TARGET_DAYS = (90, 120)  # an objective's target date after its plan's start
LATE_REVIEW_SHARE = 0.25  # reviews fallen due in the last weeks and not done yet
NEXT_DRAFT_SHARE = 0.3  # of those, how many have the next version drafted
OUTCOMES = (("continued", 50), ("revised", 20), ("met", 20), ("discontinued", 10))
PROGRESS_SHARE = 0.8  # of the sessions attended, how often progress is recorded
NOTED_PROGRESS_SHARE = 0.95  # ...when the note says something about the participant
OBSERVATION_SHARE = 0.2
REPORTING_SHARE = 0.5  # participants whose programme asks for monthly reports
REPORT_EVERY_DAYS = 30  # Site.progress_report_every_days' default
DISCHARGE_SUMMARY_SHARE = 0.7
ADDENDUM_SHARE = 0.02
ASSESSMENT_AREAS = (
    "referral",
    "music_background",
    "social",
    "emotional",
    "cognitive",
    "communication",
    "physical",
    "strengths",
    "summary",
)
SIGNED_COLUMNS = ("status", "author_id", "signed_by_id", "signed_at", "created_at", "updated_at")


@dataclass(slots=True, eq=False)
class ObjectiveRow:
    behaviour: str
    criterion: str
    target_on: date
    since: date  # when this objective was first set, whichever version it is in now
    origin: "ObjectiveRow | None" = None
    outcome: str = ""
    id: int = 0

    @property
    def active(self) -> bool:
        return self.outcome in ("", "continued", "revised")

    @property
    def thread(self) -> "ObjectiveRow":
        return self.origin or self


@dataclass(slots=True, eq=False)
class GoalRow:
    area: str
    need: str
    statement: str
    plain_words: str
    objectives: list[ObjectiveRow]
    id: int = 0


@dataclass(slots=True, eq=False)
class PlanRow:
    person: Person
    version: int
    previous: "PlanRow | None"
    starts_on: date
    review_on: date
    author: int
    created_at: datetime
    signed_at: datetime | None
    methods: list[str]
    goals: list[GoalRow]
    superseded_at: datetime | None = None
    id: int = 0

    @property
    def active_objectives(self) -> list[ObjectiveRow]:
        return [o for g in self.goals for o in g.objectives if o.active]


@dataclass
class _Plans:
    """Everyone's assessment and plan versions, before they are written."""

    world: World
    rng: random.Random
    stints: dict[int, list[Stint]] = field(default_factory=dict)
    # (created_at, row without its id)
    assessments: list[tuple] = field(default_factory=list)
    versions: list[PlanRow] = field(default_factory=list)
    # person id -> their signed versions, oldest first
    signed: dict[int, list[PlanRow]] = field(default_factory=dict)

    @property
    def today(self) -> date:
        return self.world.now.date()

    def at(self, day: date, clock: time, person: Person) -> datetime | None:
        """That wall-clock moment at the person's site, or None if it is still ahead."""
        moment = datetime.combine(day, clock, tzinfo=person.site.tz)
        return moment if moment <= self.world.now else None

    def author(self, person: Person, day: date) -> int:
        """One of the facilitators of the group the person was in that day."""
        stints = self.stints[person.id]
        stint = in_care(stints, day) or stints[0]
        group = stint.group
        if group.co_ids and self.rng.random() < 0.15:
            return self.rng.choice(group.co_ids)
        return group.lead_id


def in_care(stints: list[Stint], day: date) -> Stint | None:
    for stint in stints:
        if stint.start_date <= day and (stint.end_date is None or day <= stint.end_date):
            return stint
    return None


def write_treatment_plans(loader: Loader, world: World, record: Record, rng: random.Random) -> None:
    """1. decide everyone's assessment and plan versions, 2. make sure the fixed logins
    show each kind of review date, 3. write them, 4. progress in the notes, 5. reports."""
    started = time_.monotonic()
    plans = _Plans(world, rng)
    for stint in sorted(world.stints, key=lambda s: (s.start_date, s.id)):
        plans.stints.setdefault(stint.person.id, []).append(stint)
    for person in world.people:
        if person.id in plans.stints:
            _person_plans(plans, person)
    _fixed_logins_reviews(plans)
    loader.progress(
        f"decided {len(plans.versions):,} plan versions in {time_.monotonic() - started:.1f} s"
    )
    _write_assessments(loader, plans, record)
    _write_versions(loader, plans, record)
    _write_progress(loader, plans, record)
    _write_reports(loader, plans, record)


# --- Deciding ------------------------------------------------------------------------------


def _person_plans(plans: _Plans, person: Person) -> None:
    """An assessment as the first enrollment starts (or a later one, for a late
    referral), then plan versions while in care."""
    rng, world = plans.rng, plans.world
    scale = person is world.scale_person
    if not scale and rng.random() < NO_PLAN_SHARE:
        return
    stints = plans.stints[person.id]
    first = stints[0]
    if not scale and len(stints) > 1 and rng.random() < LATE_REFERRAL_SHARE:
        first = stints[-1] if rng.random() < 0.5 else rng.choice(stints[1:])
    assessed_on = first.start_date + timedelta(days=rng.randint(0, 2))
    created = plans.at(assessed_on, time(11), person)
    if created is None:
        return  # starts in the days ahead
    author = plans.author(person, assessed_on)
    signed_at = plans.at(assessed_on + timedelta(days=rng.randint(0, 2)), time(16), person)
    plans.assessments.append((created, _assessment(plans, person, assessed_on, author, signed_at)))
    if signed_at is None:
        return
    starts_on = assessed_on + timedelta(days=7 + rng.randint(0, 3))
    recent = starts_on > plans.today - timedelta(days=28)
    signed = starts_on <= plans.today and (scale or not recent or rng.random() > DRAFT_ONLY_SHARE)
    plan = _first_version(plans, person, min(starts_on, plans.today), signed=signed)
    plan.created_at = max(plan.created_at, signed_at)
    plans.versions.append(plan)
    if signed:
        plans.signed[person.id] = [plan]
        _revisions(plans, person, plan)


def _assessment(
    plans: _Plans, person: Person, day: date, author: int, signed_at: datetime | None
) -> tuple:
    rng = plans.rng
    texts = [rng.choice(names.ASSESSMENT_LINES[area]) for area in ASSESSMENT_AREAS]
    created = plans.at(day, time(11), person)
    return (
        "signed" if signed_at else "draft",
        author,
        author if signed_at else None,
        signed_at,
        created,
        signed_at or created,
        person.id,
        day,
        *texts,
    )


def _revisions(plans: _Plans, person: Person, plan: PlanRow) -> None:
    """A new version at each review while the person is still coming (or when they come
    back after a break); some reviews fallen due lately are not done yet."""
    rng, today = plans.rng, plans.today
    stints = plans.stints[person.id]
    late_ok = person is not plans.world.scale_person
    while plan.review_on <= today:
        if in_care(stints, plan.review_on):
            next_on = plan.review_on + timedelta(days=rng.randint(-7, 5))
        else:
            back = next((s.start_date for s in stints if s.start_date > plan.review_on), None)
            if back is None:
                return  # left: the last version stays as it was
            next_on = back + timedelta(days=7)
        late = late_ok and (today - plan.review_on).days < 45 and rng.random() < LATE_REVIEW_SHARE
        if next_on > today or late:
            if late_ok and rng.random() < NEXT_DRAFT_SHARE:
                plans.versions.append(_revision(plans, plan, today, signed=False))
            return
        plan = _revision(plans, plan, next_on, signed=True)
        plans.versions.append(plan)
        plans.signed[person.id].append(plan)


def _signature(
    plans: _Plans, person: Person, starts_on: date, *, signed: bool
) -> tuple[datetime, datetime | None]:
    """(created_at, signed_at) of a version: signed early on its first day, so the
    sessions of that day (even one moved an hour earlier) fall under it."""
    if not signed:
        hours = plans.rng.randint(1, 72)
        return plans.world.now - timedelta(hours=hours), None
    signed_at = plans.at(starts_on, time(7, 30), person) or plans.world.now
    return signed_at - timedelta(hours=plans.rng.randint(2, 48)), signed_at


def _first_version(plans: _Plans, person: Person, starts_on: date, *, signed: bool) -> PlanRow:
    rng = plans.rng
    count = 3 if person is plans.world.scale_person else rng.choice((1, 2, 2, 3, 3))
    goals = [_goal(plans, person, area, starts_on) for area in _areas(rng, count, ())]
    created, signed_at = _signature(plans, person, starts_on, signed=signed)
    return PlanRow(
        person=person,
        version=1,
        previous=None,
        starts_on=starts_on,
        review_on=starts_on + timedelta(days=rng.randint(*REVIEW_DAYS)),
        author=plans.author(person, starts_on),
        created_at=created,
        signed_at=signed_at,
        methods=_methods(rng),
        goals=goals,
    )


def _revision(plans: _Plans, previous: PlanRow, starts_on: date, *, signed: bool) -> PlanRow:
    """The next version: each active objective carried with what the review found,
    a fresh objective where a goal's are all met or dropped, a new goal (within three)
    if none is left."""
    rng, person = plans.rng, previous.person
    goals = []
    for goal in previous.goals:
        objectives = [_carried(plans, o, starts_on) for o in goal.objectives if o.active]
        # The scale participant keeps every goal, so their page shows all three.
        fresh = person is plans.world.scale_person or rng.random() < 0.6
        if fresh and not any(o.active for o in objectives):
            objectives.append(_objective(plans, goal.area, starts_on, objectives))
        if objectives:
            kept = GoalRow(goal.area, goal.need, goal.statement, goal.plain_words, objectives)
            goals.append(kept)
    if not any(o.active for g in goals for o in g.objectives):
        if len(goals) < 3:
            area = _areas(rng, 1, [g.area for g in goals])[0]
            goals.append(_goal(plans, person, area, starts_on))
        else:
            goals[0].objectives.append(_objective(plans, goals[0].area, starts_on, []))
    created, signed_at = _signature(plans, person, starts_on, signed=signed)
    created = max(created, previous.signed_at or created)
    plan = PlanRow(
        person=person,
        version=previous.version + 1,
        previous=previous,
        starts_on=max(starts_on, previous.starts_on),
        review_on=starts_on + timedelta(days=rng.randint(*REVIEW_DAYS)),
        author=plans.author(person, min(starts_on, plans.today)),
        created_at=created,
        signed_at=signed_at,
        methods=previous.methods if rng.random() < 0.8 else _methods(rng),
        goals=goals,
    )
    if signed:
        previous.superseded_at = signed_at
    return plan


def _carried(plans: _Plans, objective: ObjectiveRow, starts_on: date) -> ObjectiveRow:
    rng = plans.rng
    outcome = rng.choices([o for o, _ in OUTCOMES], [w for _, w in OUTCOMES])[0]
    criterion, target_on = objective.criterion, objective.target_on
    if outcome in ("continued", "revised"):
        target_on = starts_on + timedelta(days=rng.randint(*TARGET_DAYS))
    if outcome == "revised":
        criterion = rng.choice([c for c in names.CRITERIA if c != criterion])
    return ObjectiveRow(
        objective.behaviour,
        criterion,
        target_on,
        objective.since,
        origin=objective.thread,
        outcome=outcome,
    )


def _goal(plans: _Plans, person: Person, area: str, starts_on: date) -> GoalRow:
    rng = plans.rng
    needs, statements, plain, _ = names.GOAL_TEXT[area]
    shown = person is plans.world.scale_person or rng.random() < 0.8
    objectives: list[ObjectiveRow] = []
    for _ in range(rng.choice((1, 2, 2))):
        objectives.append(_objective(plans, area, starts_on, objectives))
    return GoalRow(
        area,
        rng.choice(needs),
        rng.choice(statements),
        rng.choice(plain) if shown else "",
        objectives,
    )


def _objective(
    plans: _Plans, area: str, starts_on: date, others: list[ObjectiveRow]
) -> ObjectiveRow:
    rng = plans.rng
    taken = {o.behaviour for o in others}
    behaviours = [b for b in names.GOAL_TEXT[area][3] if b not in taken]
    return ObjectiveRow(
        rng.choice(behaviours or names.GOAL_TEXT[area][3]),
        rng.choice(names.CRITERIA),
        starts_on + timedelta(days=rng.randint(*TARGET_DAYS)),
        starts_on,
    )


def _areas(rng: random.Random, count: int, taken) -> list[str]:
    weights = {a: w for a, w in names.GOAL_AREA_WEIGHTS.items() if a not in taken}
    chosen: list[str] = []
    while weights and len(chosen) < count:
        area = rng.choices(list(weights), list(weights.values()))[0]
        chosen.append(area)
        del weights[area]
    return chosen


def _methods(rng: random.Random) -> list[str]:
    return sorted(rng.sample(names.PLAN_METHODS, rng.randint(1, 3)), key=names.PLAN_METHODS.index)


def _fixed_logins_reviews(plans: _Plans) -> None:
    """The scale therapist's caseload has reviews due this week and overdue ones (the
    natural spread may leave none at a small size); the scale participant's plan is in
    force and not overdue."""
    rng, today, world = plans.rng, plans.today, plans.world
    therapist, participant = world.logins["scale-therapist"].id, world.scale_person
    current = {
        person_id: versions[-1]
        for person_id, versions in plans.signed.items()
        if versions[-1].superseded_at is None
    }
    caseload = {
        s.person.id
        for s in world.stints
        if s.group.lead_id == therapist and s.end_date is None and s.person is not participant
    }
    mine = [current[p] for p in sorted(caseload) if p in current]
    due = [p for p in mine if today < p.review_on <= today + timedelta(days=6)]
    overdue = [p for p in mine if p.review_on < today]
    spare = [p for p in mine if p not in due and p not in overdue]
    rng.shuffle(spare)
    for plan in spare[: max(0, 3 - len(due))]:
        plan.review_on = today + timedelta(days=rng.randint(1, 6))
    for plan in [p for p in spare[3:] if p.starts_on < today - timedelta(days=21)][
        : max(0, 3 - len(overdue))
    ]:
        plan.review_on = max(plan.starts_on, today - timedelta(days=rng.randint(2, 20)))
    scale = current.get(participant.id)
    if scale and scale.review_on < today + timedelta(days=14):
        scale.review_on = today + timedelta(days=rng.randint(14, 40))


# --- Writing -------------------------------------------------------------------------------


def _write_assessments(loader: Loader, plans: _Plans, record: Record) -> None:
    plans.assessments.sort(key=lambda a: a[0])
    rows = [(n, *row) for n, (_, row) in enumerate(plans.assessments, start=1)]
    # (id, person id, author, created_at, signed_at)
    record.assessments = [(row[0], row[7], row[2], row[5], row[4]) for row in rows]
    loader.copy(
        "sessions_app_assessment",
        ("id", *SIGNED_COLUMNS, "participant_id", "assessed_on", *ASSESSMENT_AREAS),
        rows,
    )


def _write_versions(loader: Loader, plans: _Plans, record: Record) -> None:
    """Plan versions in the order they were drafted, then their goals and objectives."""
    plans.versions.sort(key=lambda v: v.created_at)
    goal_ids, objective_ids = itertools.count(1), itertools.count(1)
    for n, plan in enumerate(plans.versions, start=1):
        plan.id = n
        for goal in plan.goals:
            goal.id = next(goal_ids)
            for objective in goal.objectives:
                objective.id = next(objective_ids)
    record.treatment_plans = [
        (v.id, v.person.id, v.version, v.author, v.created_at, v.signed_at, v.superseded_at)
        for v in plans.versions
    ]
    loader.copy(
        "sessions_app_treatmentplan",
        (
            "id",
            *SIGNED_COLUMNS,
            "participant_id",
            "version",
            "previous_id",
            "starts_on",
            "review_on",
            "methods",
            "superseded_at",
        ),
        (
            (
                v.id,
                "signed" if v.signed_at else "draft",
                v.author,
                v.author if v.signed_at else None,
                v.signed_at,
                v.created_at,
                v.superseded_at or v.signed_at or v.created_at,
                v.person.id,
                v.version,
                v.previous.id if v.previous else None,
                v.starts_on,
                v.review_on,
                json.dumps(v.methods),
                v.superseded_at,
            )
            for v in plans.versions
        ),
    )
    areas = _goal_area_ids()
    loader.copy(
        "sessions_app_goal",
        ("id", "plan_id", "position", "need", "area_id", "statement", "plain_words"),
        (
            (g.id, v.id, n, g.need, areas[g.area], g.statement, g.plain_words)
            for v in plans.versions
            for n, g in enumerate(v.goals, start=1)
        ),
    )
    loader.copy(
        "sessions_app_objective",
        (
            "id",
            "goal_id",
            "position",
            "behaviour",
            "criterion",
            "target_on",
            "origin_id",
            "outcome",
        ),
        (
            (
                o.id,
                g.id,
                n,
                o.behaviour,
                o.criterion,
                o.target_on,
                o.origin.id if o.origin else None,
                o.outcome,
            )
            for v in plans.versions
            for g in v.goals
            for n, o in enumerate(g.objectives, start=1)
        ),
    )


def _goal_area_ids() -> dict[str, int]:
    """The areas migration 0016 creates (again, if a test emptied the table)."""
    ids = {}
    for position, name in enumerate(names.GOAL_AREA_WEIGHTS, start=1):
        area, _ = GoalArea.objects.get_or_create(name=name, defaults={"position": position})
        ids[name] = area.id
    return ids


def _write_progress(loader: Loader, plans: _Plans, record: Record) -> None:
    """Progress on each active objective of the plan in force, in the note of most
    sessions attended: slow at first, better with the weeks, at each person's pace."""
    rng, world = plans.rng, plans.world
    note_of = {row[1].id: row[0] for row in record.notes}
    noted = {(row[2].id, row[3].id) for row in record.participant_notes}
    starts = {p: [v.starts_on for v in versions] for p, versions in plans.signed.items()}
    active = {p: [v.active_objectives for v in versions] for p, versions in plans.signed.items()}
    pace: dict[int, float] = {}

    def rows():
        next_id = itertools.count(1)
        for _, session, person, status, *_ in record.attendance:
            if status not in ATTENDED or person.id not in starts:
                continue
            index = bisect.bisect_right(starts[person.id], session.day) - 1
            if index < 0:
                continue
            if person is world.scale_person:
                share = 1.0
            elif (session.id, person.id) in noted:
                share = NOTED_PROGRESS_SHARE
            else:
                share = PROGRESS_SHARE
            if rng.random() > share:
                continue
            speed = pace.setdefault(person.id, rng.uniform(0.5, 1.4))
            for objective in active[person.id][index]:
                level = _level(rng, (session.day - objective.since).days / 7 * speed)
                seen = rng.random() < OBSERVATION_SHARE
                observation = rng.choice(names.PROGRESS_OBSERVATIONS[level]) if seen else ""
                yield (
                    next(next_id),
                    note_of[session.id],
                    person.id,
                    objective.id,
                    level,
                    observation,
                )

    loader.copy(
        "sessions_app_objectiveprogress",
        ("id", "note_id", "participant_id", "objective_id", "level", "observation"),
        rows(),
    )


def _level(rng: random.Random, weeks: float) -> str:
    """Minimal in the first two months, moderate after, significant after about half a
    year; sometimes not addressed that day, now and then met."""
    if rng.random() < 0.07:
        return "not_addressed"
    score = weeks / 14 + rng.gauss(0, 0.35)
    if score > 2.0 and rng.random() < 0.15:
        return "met"
    if score < 0.6:
        return "minimal"
    return "moderate" if score < 1.6 else "significant"


def _write_reports(loader: Loader, plans: _Plans, record: Record) -> None:
    """Monthly progress reports for about half, a discharge summary for most who
    completed or were discharged, and an addendum on a few."""
    rng, world = plans.rng, plans.world
    days = _attendance_days(record)
    reports: list[tuple] = []  # (created_at, row without its id)
    for person in world.people:
        versions = plans.signed.get(person.id)
        if not versions:
            continue
        if person is world.scale_person or rng.random() < REPORTING_SHARE:
            reports.extend(_progress_reports(plans, person, versions, days))
        summary = _discharge_summary(plans, person, versions, days)
        if summary:
            reports.append(summary)
    reports.sort(key=lambda r: r[0])
    rows = [(n, *row) for n, (_, row) in enumerate(reports, start=1)]
    # (id, person id, kind, author, created_at, signed_at)
    record.progress_reports = [(r[0], r[7], r[8], r[2], r[5], r[4]) for r in rows]
    loader.copy(
        "sessions_app_progressreport",
        (
            "id",
            *SIGNED_COLUMNS,
            "participant_id",
            "kind",
            "period_start",
            "period_end",
            "plan_id",
            "attendance",
            "progress",
            "measures",
            "own_words",
            "recommendations",
            "discharge_reason",
        ),
        rows,
    )
    addenda = [
        (r[0], r[2], min(r[4] + timedelta(days=rng.randint(1, 10)), world.now))
        for r in rows
        if r[1] == "signed" and rng.random() < ADDENDUM_SHARE
    ]
    loader.copy(
        "sessions_app_reportaddendum",
        ("id", "report_id", "author_id", "created_at", "text"),
        (
            (n, report_id, author, at, rng.choice(names.ADDENDUM_LINES))
            for n, (report_id, author, at) in enumerate(addenda, start=1)
        ),
    )


def _attendance_days(record: Record) -> dict[int, tuple[list[date], list[date]]]:
    """Per person, the days of their roll calls and of those they came to, in order."""
    days: dict[int, tuple[list[date], list[date]]] = {}
    for _, session, person, status, *_ in record.attendance:
        held, came = days.setdefault(person.id, ([], []))
        held.append(session.day)
        if status in ATTENDED:
            came.append(session.day)
    return days


def _attendance_line(days, person: Person, start: date, end: date) -> str:
    held, came = days.get(person.id, ([], []))
    count = bisect.bisect_right(held, end) - bisect.bisect_left(held, start)
    attended = bisect.bisect_right(came, end) - bisect.bisect_left(came, start)
    return f"Attended {attended} of {count} sessions." if count else "No sessions in the period."


def _in_force(versions: list[PlanRow], day: date) -> PlanRow:
    index = bisect.bisect_right([v.starts_on for v in versions], day) - 1
    return versions[max(index, 0)]


def _report(
    plans: _Plans, person: Person, versions, days, kind: str, start: date, end: date
) -> tuple | None:
    """(created_at, row) of a report on the period, signed within a week of its end
    (a draft while that is still ahead); None if the period has not ended."""
    rng = plans.rng
    created = plans.at(end + timedelta(days=1), time(10), person)
    if created is None:
        return None
    signed_at = plans.at(end + timedelta(days=rng.randint(1, 7)), time(15), person)
    author = plans.author(person, end)
    reason = ""
    if kind == "discharge":
        last = max(plans.stints[person.id], key=lambda s: s.end_date or plans.today)
        reason = last.reason or "Completed the programme"
        recommendations = rng.choice(names.DISCHARGE_RECOMMENDATIONS)
    else:
        recommendations = rng.choice(names.REPORT_RECOMMENDATIONS)
    words = rng.choice([w for w in names.REFLECTION_WORDS if w])
    return created, (
        "signed" if signed_at else "draft",
        author,
        author if signed_at else None,
        signed_at,
        created,
        signed_at or created,
        person.id,
        kind,
        start,
        end,
        _in_force(versions, end).id,
        _attendance_line(days, person, start, end),
        rng.choice(names.REPORT_PROGRESS),
        rng.choice(names.REPORT_MEASURES),
        f"“{words}”",
        recommendations,
        reason,
    )


def _progress_reports(plans: _Plans, person: Person, versions, days) -> list[tuple]:
    """One report per month of care from the first plan on, while still coming."""
    stints = plans.stints[person.id]
    care_ends = max(s.end_date or plans.today for s in stints)
    reports = []
    start = versions[0].starts_on
    while True:
        end = start + timedelta(days=REPORT_EVERY_DAYS - 1)
        if end > care_ends or end >= plans.today:
            return reports
        if in_care(stints, end):
            report = _report(plans, person, versions, days, "progress", start, end)
            if report:
                reports.append(report)
        start = end + timedelta(days=1)


def _discharge_summary(plans: _Plans, person: Person, versions, days) -> tuple | None:
    stints = plans.stints[person.id]
    if any(s.end_date is None for s in stints):
        return None
    last = max(stints, key=lambda s: s.end_date)
    if last.status not in ("completed", "discharged") or last.end_date < versions[0].starts_on:
        return None
    if plans.rng.random() > DISCHARGE_SUMMARY_SHARE:
        return None
    return _report(plans, person, versions, days, "discharge", versions[0].starts_on, last.end_date)
