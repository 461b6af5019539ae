"""The demo's treatment records: the thread from assessment to plan to note to report.

- Tess (the demo participant): assessed, a first plan, then a revision three weeks ago
  at which one objective was met; progress on every signed note since; her goals in
  plain words on her own page.
- Angie: a plan whose review falls due in four days (on the therapist's home).
- Marcus: a plan whose review is three days overdue.
- Danny: a plan built around cravings, no progress report yet (due).
- Jess: an assessment still in draft.
- Tess: a signed progress report over the last 30 days, drafted from her notes,
  measures and the reflections she let her therapist quote.

Written through the services as a therapist would, then dated back; progress goes onto
the signed notes the demo already has. Seeding again leaves anyone who already has an
assessment or a plan as they are.
"""

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sessions_app.models import (
    Assessment,
    Attendance,
    GoalArea,
    Objective,
    ObjectiveProgress,
    Participant,
    ProgressReport,
    Reflection,
    SessionNote,
    TreatmentPlan,
    User,
)
from sessions_app.services import plans as plan_services
from sessions_app.services import progress_reports as report_services
from sessions_app.services.plans import GoalDraft, ObjectiveDraft, PlanDraft

ASSESSMENT = {
    "referral": "Referred by the residential team to rebuild connection after detox.",
    "music_background": "Sang in a church choir as a teenager; listens to 90s R&B and "
    "country. Songs from before treatment can bring back using memories.",
    "social": "Quiet in groups, warms up one-to-one; misses her sister.",
    "emotional": "Names feelings with difficulty; evenings are hardest.",
    "cognitive": "Follows a structured session well; good recall of lyrics.",
    "communication": "Speaks softly; expressive when singing.",
    "physical": "No limitations; a little breathless when singing long phrases.",
    "strengths": "Musical memory, humour, a daughter she wants to write for.",
    "summary": "Group music therapy for connection and emotional expression, with "
    "songwriting toward a lullaby for her daughter.",
}


@dataclass(frozen=True)
class DemoObjective:
    behaviour: str
    criterion: str
    weeks: int  # target: this many weeks after the plan starts


@dataclass(frozen=True)
class DemoGoal:
    area: str
    need: str
    statement: str
    plain: str
    objectives: tuple[DemoObjective, ...]


CONNECTION = DemoGoal(
    "Social connection",
    "Isolated since entering treatment; rarely speaks in the group.",
    "Build trusting connections with peers through shared music-making.",
    "Feel more connected to the people in my group.",
    (
        DemoObjective("sing a verse with a peer", "in 3 of 4 sessions", 8),
        DemoObjective("offer one song suggestion to the group", "in 2 of 4 sessions", 10),
    ),
)
EXPRESSION = DemoGoal(
    "Emotional expression",
    "Finds it hard to name feelings, especially in the evenings.",
    "Express feelings through songwriting and lyric discussion.",
    "Put my feelings into words and songs.",
    (
        DemoObjective(
            "write or choose one lyric line that names a feeling", "in 3 of 4 sessions", 10
        ),
    ),
)
CRAVING = DemoGoal(
    "Coping with craving",
    "Cravings peak after phone calls home and at night.",
    "Use music to ride out cravings.",
    "Have songs that help me through a craving.",
    (
        DemoObjective("build a three-song coping playlist", "and name when to use it", 6),
        DemoObjective("rate craving before and after the group", "in 4 of 4 sessions", 8),
    ),
)
PLANS = {
    "tess": (CONNECTION, EXPRESSION),
    "angie": (CONNECTION, CRAVING),
    "marcus": (CRAVING,),
    "danny": (CRAVING, EXPRESSION),
}
# Days from today to each plan's review: Angie's is on the therapist's home this week.
REVIEW_IN = {"tess": 60, "angie": 4, "marcus": -3, "danny": 40}
METHODS = ("receptive", "recreative", "compositional")
LEVEL_STEPS = ("minimal", "minimal", "moderate", "moderate", "significant", "significant")
OBSERVATIONS = (
    "Joined the chorus without prompting.",
    "Chose the song and said why it mattered.",
    "Named feeling 'tired but hopeful' in the lyric.",
    "Held the rhythm for the whole improvisation.",
    "",
    "",
)


def seed_plans(
    *, therapists: dict[str, User], participants: dict[str, Participant], now: datetime
) -> None:
    today = now.date()
    therapist = therapists["therapist"]
    for key, goals in PLANS.items():
        person = participants[key]
        if TreatmentPlan.objects.filter(participant=person).exists():
            continue
        started = _first_session_day(person) or today - timedelta(days=35)
        _assessment(person, therapist, on=started)
        # A plan a week after the assessment; one whose review is overdue began long ago.
        starts_on = min(started + timedelta(days=7), today + timedelta(days=REVIEW_IN[key] - 30))
        plan = _plan(person, therapist, goals, starts_on=starts_on)
        if key == "tess":
            plan = _revision(person, therapist, today=today, starts_on=today - timedelta(days=21))
        TreatmentPlan.objects.filter(pk=plan.pk).update(
            review_on=today + timedelta(days=REVIEW_IN[key])
        )
        _progress(person, since=starts_on)
    _report(participants["tess"], therapist, today=today)
    jess = participants["jess"]
    if not Assessment.objects.filter(participant=jess).exists():
        plan_services.assessment_save(
            participant=jess,
            by=therapist,
            assessed_on=today - timedelta(days=2),
            texts={"referral": "Referred after a hard week on the unit.", "social": "Guarded."},
        )


def _report(person: Participant, by: User, *, today: date) -> None:
    if ProgressReport.objects.filter(participant=person).exists():
        return
    # Two of her reflections she agreed her therapist may quote.
    quotable = (
        Reflection.objects.filter(participant=person)
        .exclude(text="")
        .order_by("-session__starts_at")
    )
    Reflection.objects.filter(pk__in=list(quotable.values_list("pk", flat=True)[:2])).update(
        quotable=True
    )
    report = report_services.report_draft(
        participant=person,
        by=by,
        kind=ProgressReport.Kind.PROGRESS,
        period_start=today - timedelta(days=30),
        period_end=today - timedelta(days=1),
    )
    report_services.report_save(
        report=report,
        by=by,
        texts={
            "recommendations": "Continue weekly group music therapy. Keep writing toward "
            "the lullaby for her daughter; review the plan by its date."
        },
    )
    report_services.report_sign(report=report, by=by)


def _first_session_day(person: Participant) -> date | None:
    row = (
        Attendance.objects.filter(participant=person)
        .order_by("session__starts_at")
        .values_list("session__starts_at", flat=True)
        .first()
    )
    return row.date() if row else None


def _assessment(person: Participant, by: User, *, on: date) -> None:
    assessment = plan_services.assessment_save(
        participant=person, by=by, assessed_on=on, texts=ASSESSMENT
    )
    plan_services.assessment_sign(assessment=assessment, by=by)


def _plan(
    person: Participant, by: User, goals: tuple[DemoGoal, ...], *, starts_on: date
) -> TreatmentPlan:
    areas = {a.name: a.pk for a in GoalArea.objects.all()}
    plan = plan_services.plan_start(participant=person, by=by)
    draft = PlanDraft(
        starts_on=starts_on,
        review_on=starts_on + timedelta(days=90),
        methods=METHODS,
        goals=[
            GoalDraft(
                need=g.need,
                area_id=areas[g.area],
                statement=g.statement,
                plain_words=g.plain,
                objectives=[
                    ObjectiveDraft(o.behaviour, o.criterion, starts_on + timedelta(weeks=o.weeks))
                    for o in g.objectives
                ],
            )
            for g in goals
        ],
    )
    plan_services.plan_save(plan=plan, by=by, draft=draft)
    plan = plan_services.plan_sign(plan=plan, by=by)
    return plan


def _revision(person: Participant, by: User, *, today: date, starts_on: date) -> TreatmentPlan:
    """Tess's review: her first objective met, the rest continued."""
    plan = plan_services.plan_start(participant=person, by=by, today=starts_on)
    goals = list(plan.goals.prefetch_related("objectives"))
    draft = PlanDraft(
        starts_on=starts_on,
        review_on=today + timedelta(days=60),
        methods=plan.methods,
        goals=[
            GoalDraft(
                need=g.need,
                area_id=g.area_id,
                statement=g.statement,
                plain_words=g.plain_words,
                objectives=[
                    ObjectiveDraft(
                        o.behaviour,
                        o.criterion,
                        o.target_on,
                        outcome="met" if (g.position, o.position) == (1, 1) else "continued",
                        carried_from=o.pk,
                    )
                    for o in g.objectives.all()
                ],
            )
            for g in goals
        ],
    )
    plan_services.plan_save(plan=plan, by=by, draft=draft)
    return plan_services.plan_sign(plan=plan, by=by)


def _progress(person: Participant, *, since: date) -> None:
    """Progress on the signed notes of sessions they attended since the plan began,
    against the version in force each day, rising week by week."""
    rng = random.Random(f"plans-{person.pk}")
    versions = list(
        TreatmentPlan.objects.filter(participant=person, status="signed").order_by("version")
    )
    notes = (
        SessionNote.objects.filter(
            status=SessionNote.Status.SIGNED,
            session__attendance__participant=person,
            session__attendance__status__in=Attendance.ATTENDED,
            session__starts_at__date__gte=since,
        )
        .select_related("session")
        .order_by("session__starts_at")
    )
    rows = []
    for step, note in enumerate(notes):
        day = note.session.starts_at.date()
        in_force = [v for v in versions if v.starts_on <= day] or versions[:1]
        objectives = Objective.objects.filter(
            goal__plan=in_force[-1], outcome__in=Objective.ACTIVE_OUTCOMES
        )
        for objective in objectives:
            level = LEVEL_STEPS[min(step, len(LEVEL_STEPS) - 1)]
            if rng.random() < 0.15:
                level = "not_addressed"
            rows.append(
                ObjectiveProgress(
                    note=note,
                    participant=person,
                    objective=objective,
                    level=level,
                    observation=rng.choice(OBSERVATIONS) if level != "not_addressed" else "",
                )
            )
    ObjectiveProgress.objects.bulk_create(rows, ignore_conflicts=True)
    # Dates the services stamped "now" go back to when it happened.
    for version in versions:
        signed = datetime.combine(
            version.starts_on, datetime.min.time(), tzinfo=version.signed_at.tzinfo
        )
        TreatmentPlan.objects.filter(pk=version.pk).update(signed_at=signed + timedelta(hours=15))
