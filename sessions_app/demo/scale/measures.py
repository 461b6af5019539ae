"""A history of answers to the measures: each group's schedules, what fell due for whom
(answered, lapsed, still open), the session check-ins at the door, and a handful of
safety alerts.

Each participant follows one course over all their enrolments: most grow slowly less
lonely and crave less, with noise from month to month; some stay where they were and
some get worse. Every set of answers is complete and in range for its instrument, and
only the answers picked to raise an alert cross a safety line (PHQ-9 item 9, craving
at or above the site's threshold), so the alerts written are exactly the ones the
answers call for.
"""

import itertools
import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from .loader import Loader
from .records import ATTENDED, Record
from .world import Person, Stint, World

CHECKIN_SHARE = 0.6  # of the sessions someone attended, how often they check in
ANSWERED_SHARE = 0.75  # of the questionnaires that fell due, how many were answered
EVERY_WEEKS = 4
OPEN_DAYS = 14  # a request unanswered this long has lapsed
PHQ9_GROUP_SHARE = 0.3  # groups that also give the PHQ-9 (the scale therapist's first does)
COURSES = (("better", 70), ("flat", 15), ("worse", 15))
# The site's default threshold is 80 on the 0-100 scale; everyone else stays below it.
CRAVING_CEILING = 75
CHECKIN_CRAVING_CEILING = 7
OPEN_ALERTS = 3
FOLLOW_UPS = (
    "Called the same day; talked it through and reviewed the safety plan. No immediate risk.",
    "Met after group; agreed to call the sponsor tonight and check in tomorrow.",
    "Phoned; already with family. Booked an individual session for Friday.",
    "Spoke with them before they left; counsellor informed, plan in place.",
    "Could not reach by phone; reached by text in the evening and met next morning.",
)
RESPONSE_COLUMNS = (
    "id",
    "participant_id",
    "instrument",
    "session_id",
    "phase",
    "request_id",
    "answers",
    "score",
    "answered_at",
    "via",
    "entered_by_id",
)


@dataclass(slots=True)
class Course:
    """Where a participant starts and how fast they move, per week since they first
    enrolled anywhere."""

    origin: date
    loneliness: float  # UCLA-3 total, 3 to 9
    loneliness_slope: float
    craving: float  # 0 to 100
    craving_slope: float
    mood: float  # PHQ-9 total, 0 to 27
    mood_slope: float

    def week(self, day: date) -> float:
        return (day - self.origin).days / 7


@dataclass(slots=True)
class Answer:
    id: int
    person: Person
    stint: Stint
    instrument: str
    answers: dict[str, int]
    score: int | None
    answered_at: datetime
    via: str
    request_id: int | None = None


@dataclass
class _History:
    schedules: list[tuple] = field(default_factory=list)
    # (group id, instrument, when) -> schedule id
    schedule_of: dict[tuple[int, str, str], int] = field(default_factory=dict)
    requests: list[tuple] = field(default_factory=list)
    answers: list[Answer] = field(default_factory=list)
    alerts: list[tuple] = field(default_factory=list)


def write_measures(loader: Loader, world: World, record: Record, rng: random.Random) -> None:
    """1. schedules per group, 2. what fell due and what was answered, 3. the alerts
    (older ones followed up, a few open), 4. the check-ins, streamed with the rest."""
    courses = _courses(world, rng)
    history = _History()
    phq9_groups = _schedules(world, history, rng)
    _questionnaires(world, history, courses, phq9_groups, rng)
    _alerts(world, history, courses, phq9_groups, rng)
    loader.copy(
        "sessions_app_measureschedule",
        ("id", "group_id", "instrument", "when", "every_weeks", "created_by_id", "created_at"),
        history.schedules,
    )
    loader.copy(
        "sessions_app_measurerequest",
        ("id", "participant_id", "instrument", "schedule_id", "reason", "due_on", "status")
        + ("created_at",),
        history.requests,
    )
    first_checkin = len(history.answers) + 1
    loader.copy(
        "sessions_app_measureresponse",
        RESPONSE_COLUMNS,
        itertools.chain(
            (_row(a) for a in history.answers),
            _checkins(world, record, courses, first_checkin, rng),
        ),
    )
    loader.copy(
        "sessions_app_safetyalert",
        (
            "id",
            "participant_id",
            "response_id",
            "reason",
            "raised_at",
            "acknowledged_at",
            "acknowledged_by_id",
            "followed_up_at",
            "followed_up_by_id",
            "follow_up",
            "escalated_at",
        ),
        history.alerts,
    )


# --- Courses -------------------------------------------------------------------------------


def _courses(world: World, rng: random.Random) -> dict[int, Course]:
    origins: dict[int, date] = {}
    for stint in world.stints:
        origin = origins.get(stint.person.id)
        if origin is None or stint.start_date < origin:
            origins[stint.person.id] = stint.start_date
    kinds, weights = zip(*COURSES, strict=True)
    courses = {}
    for person in world.people:
        if person.id not in origins:
            continue
        course = "better" if person is world.scale_person else rng.choices(kinds, weights)[0]
        sign = {"better": -1, "flat": 0, "worse": 1}[course]
        courses[person.id] = Course(
            origin=origins[person.id],
            loneliness=rng.uniform(5.5, 8.5),
            loneliness_slope=sign * rng.uniform(0.03, 0.08),
            craving=rng.uniform(30, 70),
            craving_slope=sign * rng.uniform(0.4, 1.2),
            mood=rng.uniform(6, 19),
            mood_slope=sign * rng.uniform(0.08, 0.25),
        )
    return courses


def _clip(value: float, low: int, high: int) -> int:
    return max(low, min(high, round(value)))


def _spread(total: int, items: int, low: int, high: int, rng: random.Random) -> list[int]:
    """Item answers from `low` to `high` adding up to `total` (within what they can)."""
    values = [low] * items
    for _ in range(min(total - low * items, (high - low) * items)):
        values[rng.choice([n for n, v in enumerate(values) if v < high])] += 1
    return values


def _ucla3(course: Course, day: date, rng: random.Random) -> tuple[dict[str, int], int]:
    level = course.loneliness + course.loneliness_slope * course.week(day)
    total = _clip(rng.gauss(level, 0.6), 3, 9)
    q1, q2, q3 = _spread(total, 3, 1, 3, rng)
    return {"q1": q1, "q2": q2, "q3": q3}, total


def _craving(course: Course, day: date, rng: random.Random) -> tuple[dict[str, int], int]:
    level = course.craving + course.craving_slope * course.week(day)
    value = _clip(rng.gauss(level, 8), 0, CRAVING_CEILING)
    return {"craving": value}, value


def _phq9(course: Course, day: date, rng: random.Random) -> tuple[dict[str, int], int]:
    level = course.mood + course.mood_slope * course.week(day)
    # Item 9 stays at zero: only the answers picked for an alert say otherwise.
    total = _clip(rng.gauss(level, 1.5), 0, 24)
    values = _spread(total, 8, 0, 3, rng) + [0]
    return {f"q{n}": v for n, v in enumerate(values, start=1)}, total


ANSWER = {"ucla3": _ucla3, "craving_vas": _craving, "phq9": _phq9}


# --- Schedules and questionnaires ----------------------------------------------------------


def _schedules(world: World, history: _History, rng: random.Random) -> set[int]:
    """Every group gives the UCLA-3 and the craving scale at enrolment and every four
    weeks; some give the PHQ-9 too. Returns the ids of those groups."""
    phq9_groups = {g.id for g in world.groups if g.id == 1 or rng.random() < PHQ9_GROUP_SHARE}
    for group in world.groups:
        codes = ("ucla3", "craving_vas") + (("phq9",) if group.id in phq9_groups else ())
        for code in codes:
            for when, weeks in (("enrolment", None), ("every_weeks", EVERY_WEEKS)):
                schedule_id = len(history.schedules) + 1
                history.schedule_of[group.id, code, when] = schedule_id
                history.schedules.append(
                    (schedule_id, group.id, code, when, weeks, group.lead_id, group.created_at)
                )
    return phq9_groups


def _questionnaires(
    world: World,
    history: _History,
    courses: dict[int, Course],
    phq9_groups: set[int],
    rng: random.Random,
) -> None:
    """What fell due in each enrolment, every four weeks from its start, and what
    became of it: answered within a few days, still open, or lapsed."""
    today = world.now.date()
    due: set[tuple[int, str, date]] = set()
    for stint in world.stints:
        person, group = stint.person, stint.group
        course = courses[person.id]
        codes = ("ucla3", "craving_vas") + (("phq9",) if group.id in phq9_groups else ())
        until = min(stint.end_date or today, today)
        for n, day in enumerate(_due_days(stint.start_date, until)):
            when = "enrolment" if n == 0 else "every_weeks"
            for code in codes:
                if (person.id, code, day) in due:
                    continue  # in two groups at once: one request answers both
                due.add((person.id, code, day))
                _one_due(world, history, stint, course, code, day, when, rng)
    _something_due_for_the_scale_participant(world, history, due)


def _something_due_for_the_scale_participant(
    world: World, history: _History, due: set[tuple[int, str, date]]
) -> None:
    """Their page has questions to answer: the UCLA-3 falls due today if nothing is open."""
    person = world.scale_person
    if any(r[1] == person.id and r[6] == "open" for r in history.requests):
        return
    today = world.now.astimezone(person.site.tz).date()
    if (person.id, "ucla3", today) in due:
        return
    schedule = history.schedule_of[1, "ucla3", "every_weeks"]
    history.requests.append(
        (len(history.requests) + 1, person.id, "ucla3", schedule, "periodic", today, "open")
        + (world.now,)
    )


def _due_days(start: date, until: date):
    day = start
    while day <= until:
        yield day
        day += timedelta(weeks=EVERY_WEEKS)


def _one_due(
    world: World,
    history: _History,
    stint: Stint,
    course: Course,
    code: str,
    day: date,
    when: str,
    rng: random.Random,
) -> None:
    person, tz = stint.person, stint.group.site.tz
    age = (world.now.date() - day).days
    request_id = len(history.requests) + 1
    created = datetime.combine(day, time(6), tzinfo=tz)
    answered_at = None
    # The scale participant answers everything, and has what is still due to answer.
    scale = person is world.scale_person
    if (scale and age >= OPEN_DAYS) or (not scale and rng.random() < ANSWERED_SHARE):
        lag = timedelta(
            days=rng.randint(0, min(5, age)), hours=rng.randint(8, 20), minutes=rng.randint(0, 59)
        )
        answered_at = datetime.combine(day, time(0), tzinfo=tz) + lag
        if answered_at > world.now:
            answered_at = None
    if answered_at is not None:
        status = "answered"
        answers, score = ANSWER[code](course, day, rng)
        via = rng.choices(("link", "own_page", "kiosk", "staff"), (45, 25, 20, 10))[0]
        history.answers.append(
            Answer(
                len(history.answers) + 1,
                person,
                stint,
                code,
                answers,
                score,
                answered_at,
                via,
                request_id,
            )
        )
    else:
        status = "open" if age < OPEN_DAYS else "expired"
    reason = "enrolment" if when == "enrolment" else "periodic"
    schedule = history.schedule_of[stint.group.id, code, when]
    history.requests.append(
        (request_id, person.id, code, schedule, reason, day, status, min(created, world.now))
    )


def _row(a: Answer) -> tuple:
    entered_by = a.stint.group.lead_id if a.via == "staff" else None
    return (
        a.id,
        a.person.id,
        a.instrument,
        None,
        "",
        a.request_id,
        _json(a.answers),
        a.score,
        a.answered_at,
        a.via,
        entered_by,
    )


def _json(answers: dict[str, int]) -> str:
    # Formatted by hand: a few hundred thousand small objects, all str keys and ints.
    return "{" + ", ".join(f'"{k}": {v}' for k, v in answers.items()) + "}"


# --- Safety alerts -------------------------------------------------------------------------


def _alerts(
    world: World,
    history: _History,
    courses: dict[int, Course],
    phq9_groups: set[int],
    rng: random.Random,
) -> None:
    """Older answers picked to cross a safety line, each acknowledged and followed up
    by the group's lead (a few only after it went to the administrators); and a few
    raised in the last hours, not yet followed up."""
    count = OPEN_ALERTS + max(2, world.sizes.participants // 100)
    older = world.now - timedelta(days=3)
    pool = [
        a
        for a in history.answers
        if a.instrument in ("craving_vas", "phq9")
        and a.answered_at < older
        and a.person is not world.scale_person
    ]
    for n, answer in enumerate(rng.sample(pool, min(count - OPEN_ALERTS, len(pool)))):
        reason = _cross_the_line(answer, rng)
        raised = answer.answered_at
        # A tenth went to the administrators first (the first always, so even a small
        # data set has one).
        escalated = raised + timedelta(hours=4) if n == 0 or rng.random() < 0.1 else None
        acknowledged = (escalated or raised) + timedelta(minutes=rng.randint(10, 240))
        followed = acknowledged + timedelta(minutes=rng.randint(15, 600))
        lead = answer.stint.group.lead_id
        history.alerts.append(
            (len(history.alerts) + 1, answer.person.id, answer.id, reason, raised)
            + (acknowledged, lead, followed, lead, rng.choice(FOLLOW_UPS), escalated)
        )
    # The scale therapist's group first (craving), then a PHQ-9 item 9 where a group
    # gives it, then one a therapist has acknowledged but not yet followed up.
    for n, stint in enumerate(_open_alert_stints(world, phq9_groups, rng)):
        code = "phq9" if n == 1 and stint.group.id in phq9_groups else "craving_vas"
        _open_alert(
            world,
            history,
            stint,
            courses[stint.person.id],
            code=code,
            acknowledged=n == OPEN_ALERTS - 1,
            rng=rng,
        )


def _cross_the_line(answer: Answer, rng: random.Random) -> str:
    if answer.instrument == "phq9":
        answer.answers["q9"] = rng.choice((1, 1, 2))
        answer.score = sum(answer.answers.values())
        return "self_harm"
    answer.answers["craving"] = answer.score = rng.randint(80, 97)
    return "craving"


def _open_alert_stints(world: World, phq9_groups: set[int], rng: random.Random) -> list[Stint]:
    """Active enrolments of different people for the open alerts: the first in the
    scale therapist's group, so her home page has one to show."""
    active = [
        s
        for s in world.stints
        if s.status == "active" and s.person is not world.scale_person and s.end_date is None
    ]
    chosen: list[Stint] = []
    for wanted in (
        [s for s in active if s.group.id == 1],
        [s for s in active if s.group.id in phq9_groups],
        active,
    ):
        taken = {c.person.id for c in chosen}
        candidates = [s for s in wanted if s.person.id not in taken]
        if candidates:
            chosen.append(rng.choice(candidates))
    return chosen[:OPEN_ALERTS]


def _open_alert(
    world: World,
    history: _History,
    stint: Stint,
    course: Course,
    *,
    code: str,
    acknowledged: bool,
    rng: random.Random,
) -> None:
    """An answer from the last few hours that crossed a line, not yet followed up."""
    answered_at = world.now - timedelta(hours=rng.randint(1, 6), minutes=rng.randint(0, 59))
    day = answered_at.astimezone(stint.group.site.tz).date()
    answers, score = ANSWER[code](course, day, rng)
    answer = Answer(
        len(history.answers) + 1, stint.person, stint, code, answers, score, answered_at, "own_page"
    )
    reason = _cross_the_line(answer, rng)
    history.answers.append(answer)
    ack = answered_at + timedelta(minutes=20) if acknowledged else None
    history.alerts.append(
        (len(history.alerts) + 1, stint.person.id, answer.id, reason, answered_at)
        + (ack, stint.group.lead_id if ack else None, None, None, "", None)
    )


# --- Check-ins -----------------------------------------------------------------------------


def _checkins(
    world: World,
    record: Record,
    courses: dict[int, Course],
    first_id: int,
    rng: random.Random,
):
    """Before and after check-ins for a share of the sessions each person attended (the
    scale participant checked in at every one): mood follows loneliness, craving the
    person's course, and most leave a little brighter than they came."""
    next_id = itertools.count(first_id)
    scale = world.scale_person
    for _, session, person, status, *_ in record.attendance:
        if status not in ATTENDED or (person is not scale and rng.random() > CHECKIN_SHARE):
            continue
        course = courses[person.id]
        week = course.week(session.day)
        loneliness = course.loneliness + course.loneliness_slope * week
        craving = (course.craving + course.craving_slope * week) / 10
        mood = _clip(rng.gauss(8.5 - 0.7 * loneliness, 1.3), 1, 10)
        mood_after = _clip(mood + rng.choice((-1, 0, 1, 1, 2, 2, 3)), 1, 10)
        want = _clip(rng.gauss(craving * 0.8, 1.2), 0, CHECKIN_CRAVING_CEILING)
        want_after = _clip(want - rng.choice((-1, 0, 0, 1, 1, 2)), 0, CHECKIN_CRAVING_CEILING)
        connected = _clip(rng.gauss(2.6 + min(1.8, 0.06 * (week)), 0.8), 1, 5)
        via = "kiosk" if rng.random() < 0.8 else "own_page"
        before_at = session.starts_at - timedelta(minutes=rng.randint(1, 15))
        after_at = min(session.ends_at + timedelta(minutes=rng.randint(0, 20)), world.now)
        yield (
            next(next_id),
            person.id,
            "checkin_before",
            session.id,
            "before",
            None,
            f'{{"mood": {mood}, "craving": {want}}}',
            None,
            before_at,
            via,
            None,
        )
        yield (
            next(next_id),
            person.id,
            "checkin_after",
            session.id,
            "after",
            None,
            f'{{"mood": {mood_after}, "craving": {want_after}, "connection": {connected}}}',
            None,
            after_at,
            via,
            None,
        )
