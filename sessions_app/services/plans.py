"""Assessments and treatment plans: drafted by the participant's therapists, signed once.

A signed plan never changes. Revising it starts a new draft version carrying its goals
and active objectives forward, each with its outcome at this review (continued, revised,
met, discontinued) and its `origin`, so that progress recorded against any version reads
as one line. Signing the new version supersedes the old one, which stays readable.

Writes lock the participant's row, so two tablets cannot sign two versions at once.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db import transaction
from django.utils import timezone

from ..models import Assessment, Goal, GoalArea, Objective, Participant, TreatmentPlan, User
from ..permissions import may_write_treatment_record
from .errors import ServiceError

WRITERS_ONLY = "Only the participant's therapists write and sign their treatment record."
SIGNED_ASSESSMENT = "This assessment is signed and can no longer change. Write a new one."
SIGNED_PLAN = "This plan is signed and can no longer change. Revise it to make a new version."
# A first plan is reviewed after this long unless the therapist says otherwise.
DEFAULT_REVIEW_DAYS = 90


def check_treatment_writer(by: User, participant: Participant) -> None:
    """Refuse anyone but the participant's therapists (plans and reports alike)."""
    if not may_write_treatment_record(by, participant):
        raise ServiceError(WRITERS_ONLY)


def lock_participant(participant: Participant) -> Participant:
    """Lock the participant's row: writes to their treatment record take turns."""
    return Participant.objects.select_for_update().get(pk=participant.pk)


# --- Assessment -------------------------------------------------------------------------

ASSESSMENT_FIELDS = tuple(name for name, _, _ in Assessment.AREAS)
# What an assessment needs before it is signed: what music therapy should address, and
# the music the therapist will work with.
ASSESSMENT_REQUIRED = ("music_background", "summary")


@transaction.atomic
def assessment_save(
    *,
    participant: Participant,
    by: User,
    assessed_on: date,
    texts: Mapping[str, str],
    assessment: Assessment | None = None,
) -> Assessment:
    """Create or update a draft assessment."""
    lock_participant(participant)
    check_treatment_writer(by, participant)
    unknown = set(texts) - set(ASSESSMENT_FIELDS)
    if unknown:
        raise ServiceError(f"An assessment has no area called {', '.join(sorted(unknown))}.")
    if assessment is None:
        assessment = Assessment(participant=participant, author=by)
    else:
        assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
        if assessment.is_signed:
            raise ServiceError(SIGNED_ASSESSMENT)
    if assessed_on > timezone.localdate():
        raise ServiceError({"assessed_on": "An assessment is dated on or before today."})
    assessment.assessed_on = assessed_on
    for name, text in texts.items():
        setattr(assessment, name, text.strip())
    assessment.save()
    return assessment


def assessment_missing_for_signing(assessment: Assessment) -> list[str]:
    labels = {name: label for name, label, _ in Assessment.AREAS}
    empty = [labels[name] for name in ASSESSMENT_REQUIRED if not getattr(assessment, name)]
    return [f"Not written yet: {', '.join(empty)}."] if empty else []


@transaction.atomic
def assessment_sign(*, assessment: Assessment, by: User, now: datetime | None = None) -> Assessment:
    lock_participant(assessment.participant)
    check_treatment_writer(by, assessment.participant)
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if assessment.is_signed:
        raise ServiceError("This assessment is already signed.")
    missing = assessment_missing_for_signing(assessment)
    if missing:
        raise ServiceError(missing)
    assessment.status = Assessment.Status.SIGNED
    assessment.signed_by, assessment.signed_at = by, now or timezone.now()
    assessment.save(update_fields=["status", "signed_by", "signed_at", "updated_at"])
    return assessment


# --- Treatment plan -----------------------------------------------------------------------


@dataclass(frozen=True)
class ObjectiveDraft:
    behaviour: str
    criterion: str
    target_on: date
    # For an objective carried from the previous version: its outcome at this review and
    # the objective it continues (any version's; its origin is followed).
    outcome: str = ""
    carried_from: int | None = None


@dataclass(frozen=True)
class GoalDraft:
    need: str
    area_id: int
    statement: str
    plain_words: str = ""
    objectives: Sequence[ObjectiveDraft] = field(default_factory=tuple)


@dataclass(frozen=True)
class PlanDraft:
    starts_on: date
    review_on: date
    methods: Sequence[str]
    goals: Sequence[GoalDraft]


def current_plan(participant: Participant) -> TreatmentPlan | None:
    return TreatmentPlan.objects.filter(
        participant=participant, status=TreatmentPlan.Status.SIGNED, superseded_at__isnull=True
    ).first()


def draft_plan(participant: Participant) -> TreatmentPlan | None:
    return TreatmentPlan.objects.filter(
        participant=participant, status=TreatmentPlan.Status.DRAFT
    ).first()


@transaction.atomic
def plan_start(*, participant: Participant, by: User, today: date | None = None) -> TreatmentPlan:
    """The participant's draft plan: the one already open, or a new version.

    A new version after a signed one is its revision: it carries every goal with an
    active objective, and those objectives as "continued", for the therapist to mark at
    the review. The first version starts empty.
    """
    participant = lock_participant(participant)
    check_treatment_writer(by, participant)
    existing = draft_plan(participant)
    if existing is not None:
        return existing
    today = today or timezone.localdate()
    previous = current_plan(participant)
    if previous is None:
        return TreatmentPlan.objects.create(
            participant=participant,
            author=by,
            version=1,
            starts_on=today,
            review_on=today + timedelta(days=DEFAULT_REVIEW_DAYS),
        )
    length = max((previous.review_on - previous.starts_on).days, 30)
    plan = TreatmentPlan.objects.create(
        participant=participant,
        author=by,
        version=previous.version + 1,
        previous=previous,
        starts_on=today,
        review_on=today + timedelta(days=length),
        methods=list(previous.methods),
    )
    _carry_forward(previous, plan)
    return plan


def _carry_forward(previous: TreatmentPlan, plan: TreatmentPlan) -> None:
    goals = previous.goals.prefetch_related("objectives")
    position = 0
    for goal in goals:
        active = [o for o in goal.objectives.all() if o.is_active]
        if not active:
            continue
        position += 1
        new_goal = Goal.objects.create(
            plan=plan,
            position=position,
            need=goal.need,
            area_id=goal.area_id,
            statement=goal.statement,
            plain_words=goal.plain_words,
        )
        Objective.objects.bulk_create(
            Objective(
                goal=new_goal,
                position=n,
                behaviour=o.behaviour,
                criterion=o.criterion,
                target_on=o.target_on,
                origin_id=o.thread,
                outcome=Objective.Outcome.CONTINUED,
            )
            for n, o in enumerate(active, start=1)
        )


def _lock_draft(plan: TreatmentPlan, by: User) -> TreatmentPlan:
    lock_participant(plan.participant)
    check_treatment_writer(by, plan.participant)
    plan = TreatmentPlan.objects.select_for_update().select_related("participant").get(pk=plan.pk)
    if plan.is_signed:
        raise ServiceError(SIGNED_PLAN)
    return plan


def _carried_origins(plan: TreatmentPlan) -> dict[int, int]:
    """Objective id → its thread, for the objectives a draft may say it carries: those
    of the version it revises."""
    if plan.previous_id is None:
        return {}
    return {o.pk: o.thread for o in Objective.objects.filter(goal__plan_id=plan.previous_id)} | {
        o.pk: o.thread for o in Objective.objects.filter(goal__plan=plan, origin__isnull=False)
    }


@transaction.atomic
def plan_save(*, plan: TreatmentPlan, by: User, draft: PlanDraft) -> TreatmentPlan:
    """Write a draft plan's dates, methods, goals and objectives as given (replacing
    what the draft had: a draft has no progress recorded against it)."""
    plan = _lock_draft(plan, by)
    if draft.review_on < draft.starts_on:
        raise ServiceError({"review_on": "The review date is on or after the plan's start."})
    known_methods = set(TreatmentPlan.Method.values)
    if set(draft.methods) - known_methods:
        raise ServiceError({"methods": "Choose methods from the list."})
    areas = set(GoalArea.objects.values_list("pk", flat=True))
    if any(goal.area_id not in areas for goal in draft.goals):
        raise ServiceError("Choose each goal's area from the list.")
    carried = _carried_origins(plan)
    outcomes = set(Objective.Outcome.values)
    for goal in draft.goals:
        for objective in goal.objectives:
            if objective.carried_from is not None and objective.carried_from not in carried:
                raise ServiceError("An objective says it continues one this plan never had.")
            if objective.outcome and (
                objective.outcome not in outcomes or objective.carried_from is None
            ):
                raise ServiceError("Only a carried objective has an outcome at review.")

    plan.starts_on, plan.review_on = draft.starts_on, draft.review_on
    plan.methods = [m for m in TreatmentPlan.Method.values if m in draft.methods]
    plan.save(update_fields=["starts_on", "review_on", "methods", "updated_at"])
    Objective.objects.filter(goal__plan=plan).delete()
    plan.goals.all().delete()
    for g_pos, goal in enumerate(draft.goals, start=1):
        row = Goal.objects.create(
            plan=plan,
            position=g_pos,
            need=goal.need.strip(),
            area_id=goal.area_id,
            statement=goal.statement.strip(),
            plain_words=goal.plain_words.strip(),
        )
        Objective.objects.bulk_create(
            Objective(
                goal=row,
                position=o_pos,
                behaviour=o.behaviour.strip(),
                criterion=o.criterion.strip(),
                target_on=o.target_on,
                origin_id=carried.get(o.carried_from) if o.carried_from else None,
                outcome=o.outcome if o.carried_from else "",
            )
            for o_pos, o in enumerate(goal.objectives, start=1)
        )
    return plan


def plan_missing_for_signing(plan: TreatmentPlan) -> list[str]:
    goals = list(plan.goals.prefetch_related("objectives"))
    missing = []
    if not goals:
        missing.append("The plan has no goals yet.")
    bare = [str(g.position) for g in goals if not any(o.is_active for o in g.objectives.all())]
    if bare:
        missing.append(
            f"Goal {', '.join(bare)} has no objective to work on: add a measurable objective."
        )
    if not plan.methods:
        missing.append("Choose the music-therapy methods the plan uses.")
    return missing


@transaction.atomic
def plan_sign(*, plan: TreatmentPlan, by: User, now: datetime | None = None) -> TreatmentPlan:
    """Sign a draft plan: it becomes the plan in force, the version before it superseded."""
    now = now or timezone.now()
    plan = _lock_draft(plan, by)
    missing = plan_missing_for_signing(plan)
    if missing:
        raise ServiceError(missing)
    previous = current_plan(plan.participant)
    if previous is not None:
        previous.superseded_at = now
        previous.save(update_fields=["superseded_at", "updated_at"])
    plan.status = TreatmentPlan.Status.SIGNED
    plan.signed_by, plan.signed_at = by, now
    plan.save(update_fields=["status", "signed_by", "signed_at", "updated_at"])
    return plan


@transaction.atomic
def plan_discard(*, plan: TreatmentPlan, by: User) -> None:
    """Throw away a draft version (a signed one is part of the record)."""
    plan = _lock_draft(plan, by)
    Objective.objects.filter(goal__plan=plan).delete()
    plan.goals.all().delete()
    plan.delete()
