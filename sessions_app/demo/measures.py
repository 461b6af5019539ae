"""The demo's measures: schedules on every group, a few months of monthly questionnaires
and session check-ins, one participant clearly improving, one getting worse, one open
safety alert, and a questionnaire waiting for the demo participant.

Found by natural keys like the rest of the demo (a schedule by group, instrument and
when; a request by participant, instrument and due date; a check-in by participant,
session and phase; an answer by the request it answers), so seeding again adds only
what the weeks since have brought. History goes in with bulk_create; the open alert is
recorded through `response_record`, as an answer by link would be.
"""

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sessions_app import instruments
from sessions_app.models import (
    Attendance,
    Enrollment,
    Group,
    MeasureRequest,
    MeasureResponse,
    MeasureSchedule,
    Participant,
    SafetyAlert,
    Session,
)
from sessions_app.services.measures import response_record

from . import cast

EVERY_WEEKS = 4
OPEN_DAYS = 14  # an open request older than this has lapsed
CHECKIN_SHARE = 0.65
ANSWERED_SHARE = 0.85
MONTHLY = ("ucla3", "craving_vas")
# The one group that also gives the PHQ-9: the demo therapist's Mesa group.
PHQ9_GROUP = cast.SINGERS


@dataclass(frozen=True)
class Course:
    """Where someone starts on each measure and how far they move a week (UCLA-3 total,
    craving 0-100, PHQ-9 total), with how much it wobbles from one answer to the next."""

    loneliness: float = 7
    loneliness_slope: float = -0.05
    craving: float = 50
    craving_slope: float = -0.8
    mood: float = 12
    mood_slope: float = -0.2
    noise: float = 1


# Angie's loneliness and craving fall month by month; Danny's rise (below the craving
# threshold: his chart worsens, no alert); Jess answered a PHQ-9 by link a few hours ago
# with item 9 above zero, and nobody has acknowledged it yet.
IMPROVING = "angie"
WORSENING = "danny"
ALERT = "jess"
COURSES = {
    IMPROVING: Course(8.5, -0.3, 75, -3.5, 14, -0.5, 0.2),
    WORSENING: Course(4.5, 0.45, 25, 4.5, 7, 0.8, 0.2),
    ALERT: Course(7, 0.05, 55, 0, 15, 0.2, 0.5),
}
ALERT_HOURS_AGO = 3
CRAVING_CEILING = 75  # the site's threshold is 80: only the alert crosses a line
CHECKIN_CRAVING_CEILING = 7


@dataclass(frozen=True)
class _People:
    """Who follows a course of their own, and who always answers."""

    courses: dict[int, Course]
    demo: int

    def course(self, participant: Participant) -> Course:
        return self.courses.get(participant.pk, Course())

    def always_answers(self, participant: Participant) -> bool:
        return participant.pk == self.demo or participant.pk in self.courses


def seed_measures(*, participants: dict[str, Participant], now: datetime) -> None:
    """1. schedules, 2. monthly questionnaires due and answered, 3. check-ins at held
    sessions, 4. the demo participant's open request, 5. the open alert."""
    people = _People(
        courses={participants[key].pk: course for key, course in COURSES.items()},
        demo=participants[cast.DEMO_PARTICIPANT].pk,
    )
    names = [g.name for g in cast.GROUPS]
    groups = list(Group.objects.filter(name__in=names).select_related("site"))
    schedules = _seed_schedules(groups)
    _seed_questionnaires(groups, schedules, people, now=now)
    _seed_checkins(groups, people, now=now)
    _seed_open_request(participants[cast.DEMO_PARTICIPANT], schedules, now=now)
    _seed_alert(participants[ALERT], schedules, now=now)


def _rng(*parts: object) -> random.Random:
    return random.Random("|".join(str(p) for p in ("measures", *parts)))


# --- Schedules and questionnaires ----------------------------------------------------------


def _codes(group: Group) -> tuple[str, ...]:
    return MONTHLY + (("phq9",) if group.name == PHQ9_GROUP else ())


def _seed_schedules(groups: list[Group]) -> dict[tuple[int, str, str], MeasureSchedule]:
    """At enrolment and every four weeks, set by each group's lead."""
    schedules = {}
    for group in groups:
        lead = group.facilitations.get(role="lead").therapist
        for code in _codes(group):
            for when, weeks in (
                (MeasureSchedule.When.ENROLMENT, None),
                (MeasureSchedule.When.EVERY_WEEKS, EVERY_WEEKS),
            ):
                schedule, _ = MeasureSchedule.objects.get_or_create(
                    group=group,
                    instrument=code,
                    when=when,
                    defaults={"every_weeks": weeks, "created_by": lead},
                )
                schedules[group.pk, code, when] = schedule
    return schedules


def _answers(code: str, course: Course, weeks: float, rng: random.Random) -> dict[str, int]:
    """Complete, in-range answers near where the course has reached by `weeks`."""
    if code == "ucla3":
        level = course.loneliness + course.loneliness_slope * weeks
        return _spread(_clip(rng.gauss(level, 0.5 * course.noise), 3, 9), 3, 1, 3, rng)
    if code == "craving_vas":
        level = course.craving + course.craving_slope * weeks
        return {"craving": _clip(rng.gauss(level, 6 * course.noise), 0, CRAVING_CEILING)}
    level = course.mood + course.mood_slope * weeks
    # Item 9 stays at zero here: the one alert is recorded on its own.
    answers = _spread(_clip(rng.gauss(level, course.noise), 0, 24), 8, 0, 3, rng)
    return {**answers, "q9": 0}


def _clip(value: float, low: int, high: int) -> int:
    return max(low, min(high, round(value)))


def _spread(total: int, items: int, low: int, high: int, rng: random.Random) -> dict[str, int]:
    values = [low] * items
    for _ in range(min(total - low * items, (high - low) * items)):
        values[rng.choice([n for n, v in enumerate(values) if v < high])] += 1
    return {f"q{n}": v for n, v in enumerate(values, start=1)}


def _seed_questionnaires(
    groups: list[Group],
    schedules: dict[tuple[int, str, str], MeasureSchedule],
    people: _People,
    *,
    now: datetime,
) -> None:
    """What fell due from each enrolment's start, every four weeks: answered within a
    few days (most of it), open for two weeks, then lapsed."""
    for group in groups:
        today = now.astimezone(group.site.tz).date()
        enrollments = Enrollment.objects.filter(group=group).select_related("participant__site")
        for enrollment in enrollments:
            until = min(enrollment.end_date or today, today)
            day, n = enrollment.start_date, 0
            while day <= until:
                when = "enrolment" if n == 0 else "every_weeks"
                for code in _codes(group):
                    schedule = schedules[group.pk, code, when]
                    _one_due(enrollment, code, day, schedule, people, now=now)
                day, n = day + timedelta(weeks=EVERY_WEEKS), n + 1
    MeasureRequest.objects.filter(
        status=MeasureRequest.Status.OPEN, due_on__lt=now.date() - timedelta(days=OPEN_DAYS)
    ).update(status=MeasureRequest.Status.EXPIRED)


def _one_due(
    enrollment: Enrollment,
    code: str,
    day: date,
    schedule: MeasureSchedule,
    people: _People,
    *,
    now: datetime,
) -> None:
    participant = enrollment.participant
    request, created = MeasureRequest.objects.get_or_create(
        participant=participant,
        instrument=code,
        due_on=day,
        defaults={
            "schedule": schedule,
            "reason": "enrolment" if schedule.when == "enrolment" else "periodic",
        },
    )
    if not created:
        return  # decided on an earlier run (or due from another group the same day)
    rng = _rng(participant.pk, code, day)
    tz = participant.site.tz
    answered_at = datetime.combine(
        day + timedelta(days=rng.randint(0, 4)), time(rng.randint(9, 20), rng.randint(0, 59)), tz
    )
    age = (now.astimezone(tz).date() - day).days
    # The demo participant answers everything but what fell due lately (their page
    # asks for it); those with a course of their own answer everything.
    demo = participant.pk == people.demo
    lapsed = not people.always_answers(participant) and rng.random() > ANSWERED_SHARE
    if answered_at > now or (demo and age < OPEN_DAYS) or lapsed:
        if age >= OPEN_DAYS:
            request.status = MeasureRequest.Status.EXPIRED
            request.save(update_fields=["status"])
        return
    course = people.course(participant)
    weeks = (day - enrollment.start_date).days / 7
    answers = _answers(code, course, weeks, rng)
    MeasureResponse.objects.create(
        participant=participant,
        instrument=code,
        request=request,
        answers=answers,
        score=instruments.get(code).score(answers),
        answered_at=answered_at,
        via=rng.choice(("link", "link", "own_page")),
    )
    request.status = MeasureRequest.Status.ANSWERED
    request.save(update_fields=["status"])


# --- Check-ins -----------------------------------------------------------------------------


def _seed_checkins(groups: list[Group], people: _People, *, now: datetime) -> None:
    """Before and after check-ins at most held sessions (the demo participant's every
    one): most leave a little brighter and less craving than they came."""
    attended = (
        Attendance.objects.filter(
            session__group__in=groups,
            status__in=Attendance.ATTENDED,
            session__status=Session.Status.HELD,
            session__ends_at__lte=now,
        )
        .select_related("session__group__site", "participant")
        .order_by("session__starts_at", "participant_id")
    )
    have = set(
        MeasureResponse.objects.filter(session__isnull=False).values_list(
            "session_id", "participant_id"
        )
    )
    starts = {
        (group, participant): start
        for group, participant, start in Enrollment.objects.filter(group__in=groups).values_list(
            "group_id", "participant_id", "start_date"
        )
    }
    rows = []
    for row in attended:
        session, participant = row.session, row.participant
        if (session.pk, participant.pk) in have:
            continue
        rng = _rng("checkin", session.pk, participant.pk)
        if participant.pk != people.demo and rng.random() > CHECKIN_SHARE:
            continue
        course = people.course(participant)
        start = starts.get((session.group_id, participant.pk), session.local_date)
        weeks = (session.local_date - start).days / 7
        loneliness = course.loneliness + course.loneliness_slope * weeks
        craving = (course.craving + course.craving_slope * weeks) / 10
        mood = _clip(rng.gauss(9 - 0.75 * loneliness, 0.8), 1, 10)
        want = _clip(rng.gauss(craving * 0.8, 0.8), 0, CHECKIN_CRAVING_CEILING)
        before = {"mood": mood, "craving": want}
        after = {
            "mood": _clip(mood + rng.choice((0, 1, 1, 2, 2, 3)), 1, 10),
            "craving": _clip(want - rng.choice((0, 0, 1, 1, 2)), 0, CHECKIN_CRAVING_CEILING),
            "connection": _clip(rng.gauss(2.8 + min(1.6, 0.15 * weeks), 0.6), 1, 5),
        }
        via = MeasureResponse.Via.KIOSK if rng.random() < 0.8 else MeasureResponse.Via.OWN_PAGE
        for code, phase, answers, at in (
            ("checkin_before", "before", before, session.starts_at - timedelta(minutes=5)),
            ("checkin_after", "after", after, session.ends_at + timedelta(minutes=3)),
        ):
            rows.append(
                MeasureResponse(
                    participant=participant,
                    instrument=code,
                    session=session,
                    phase=phase,
                    answers=answers,
                    answered_at=min(at, now),
                    via=via,
                )
            )
    MeasureResponse.objects.bulk_create(rows)


# --- What is waiting ----------------------------------------------------------------------


def _seed_open_request(
    participant: Participant,
    schedules: dict[tuple[int, str, str], MeasureSchedule],
    *,
    now: datetime,
) -> None:
    """The demo participant's page always has questions to answer."""
    if participant.measure_requests.filter(status=MeasureRequest.Status.OPEN).exists():
        return
    enrollment = participant.enrollments.filter(status="active").select_related("group").first()
    if enrollment is None:
        return
    MeasureRequest.objects.get_or_create(
        participant=participant,
        instrument="ucla3",
        due_on=now.astimezone(participant.tz).date(),
        defaults={
            "schedule": schedules.get((enrollment.group_id, "ucla3", "every_weeks")),
            "reason": MeasureRequest.Reason.PERIODIC,
        },
    )


def _seed_alert(
    participant: Participant,
    schedules: dict[tuple[int, str, str], MeasureSchedule],
    *,
    now: datetime,
) -> None:
    """A PHQ-9 answered by link a few hours ago with item 9 above zero: the alert is
    open on the therapists' home and session pages until someone acknowledges it."""
    if SafetyAlert.objects.filter(participant=participant).exists():
        return
    answered_at = now - timedelta(hours=ALERT_HOURS_AGO)
    enrollment = participant.enrollments.filter(group__name=PHQ9_GROUP).first()
    if enrollment is None:
        return
    # The invitation the link came from: this month's PHQ-9, due today.
    MeasureRequest.objects.get_or_create(
        participant=participant,
        instrument="phq9",
        due_on=answered_at.astimezone(participant.tz).date(),
        defaults={
            "schedule": schedules[enrollment.group_id, "phq9", "every_weeks"],
            "reason": MeasureRequest.Reason.PERIODIC,
        },
    )
    course = COURSES[ALERT]
    answers = _answers("phq9", course, 6, _rng("alert", participant.pk))
    answers["q9"] = 1
    response_record(
        participant=participant, instrument="phq9", answers=answers, via="link", now=answered_at
    )
