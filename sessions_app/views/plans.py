"""A participant's treatment record: assessments and treatment plans.

The participant's therapists read and write; a therapist with emergency access reads.
Administrators reach the record's page and see only that a plan exists, its status and
dates; every document answers them 404, like anyone else who may not read it.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from ..forms.plans import AssessmentForm, PlanForm
from ..models import Assessment, Enrollment, Participant, TreatmentPlan
from ..permissions import (
    check_admin_pages,
    get_assessment_for_user,
    get_participant_for_user,
    get_plan_for_user,
    get_treatment_participant_for_user,
    may_write_treatment_record,
    report_sites_for,
)
from ..selectors import plans as selectors_plans
from ..services import plans as plan_services
from ..services.errors import ServiceError
from .submit import submit


@never_cache
@login_required
def treatment_record(request: HttpRequest, participant_id: int) -> HttpResponse:
    participant = get_participant_for_user(request, participant_id)
    if not request.user.is_therapist:
        # An administrator: the plan's existence, status and dates, no clinical text.
        return render(
            request,
            "plans/status.html",
            {
                "participant": participant,
                "status": selectors_plans.plan_status(participant=participant),
                "versions": selectors_plans.plan_versions(participant=participant),
            },
        )
    record = selectors_plans.treatment_record(participant=participant)
    current = record.current
    plan = selectors_plans.plan_with_goals(current.pk) if current else None
    if plan is not None:
        _attach_history(participant, plan)
    ctx = {
        "participant": participant,
        "record": record,
        "plan": plan,
        "may_write": may_write_treatment_record(request.user, participant),
        "today": timezone.localdate(),
        # Discharged from every group and no summary yet: the record asks for one.
        "summary_due": not any(r.kind == "discharge" for r in record.reports)
        and (record.plans or record.assessments)
        and not participant.enrollments.filter(status=Enrollment.Status.ACTIVE).exists(),
    }
    return render(request, "plans/record.html", ctx)


def _attach_history(participant: Participant, plan: TreatmentPlan) -> None:
    """Give each objective of the plan its latest progress from signed notes (`points`)."""
    objectives = [o for g in plan.goals.all() for o in g.objectives.all()]
    history = selectors_plans.objective_history(participant=participant, objectives=objectives)
    for objective in objectives:
        objective.points = history.get(objective.thread, [])


# --- Assessment ---------------------------------------------------------------------------


def _assessment_page(
    request: HttpRequest,
    participant: Participant,
    assessment: Assessment | None,
    form: AssessmentForm | None,
    missing: list[str] | None = None,
) -> HttpResponse:
    return render(
        request,
        "plans/assessment.html",
        {
            "participant": participant,
            "assessment": assessment,
            "form": form,
            "missing": missing
            if missing is not None
            else (
                plan_services.assessment_missing_for_signing(assessment)
                if assessment and not assessment.is_signed
                else []
            ),
        },
    )


def _save_assessment(
    request: HttpRequest, participant: Participant, assessment: Assessment | None
) -> HttpResponse:
    form = AssessmentForm(request.POST)
    done = submit(
        request,
        form,
        lambda data: plan_services.assessment_save(
            participant=participant,
            by=request.user,
            assessed_on=data["assessed_on"],
            texts=form.texts(),
            assessment=assessment,
        ),
    )
    if not done:
        return _assessment_page(request, participant, assessment, form)
    saved = done.value
    if request.POST.get("action") == "sign":
        try:
            plan_services.assessment_sign(assessment=saved, by=request.user)
        except ServiceError as exc:
            form = AssessmentForm(initial=AssessmentForm.initial_for(saved))
            messages.warning(request, "Draft saved, but not signed yet.")
            return _assessment_page(request, participant, saved, form, missing=exc.messages)
        messages.success(request, "Assessment signed. It can no longer change.")
    else:
        messages.success(request, "Draft saved.")
    return redirect("assessment", participant.pk, saved.pk)


@never_cache
@login_required
def assessment_new(request: HttpRequest, participant_id: int) -> HttpResponse:
    participant = get_treatment_participant_for_user(request, participant_id, write=True)
    if request.method == "POST":
        return _save_assessment(request, participant, None)
    form = AssessmentForm(initial={"assessed_on": timezone.localdate()})
    return _assessment_page(request, participant, None, form)


@never_cache
@login_required
def assessment_detail(
    request: HttpRequest, participant_id: int, assessment_id: int
) -> HttpResponse:
    write = request.method == "POST"
    participant = get_treatment_participant_for_user(request, participant_id, write=write)
    assessment = get_assessment_for_user(request, participant, assessment_id)
    if write:
        if assessment.is_signed:
            messages.error(request, plan_services.SIGNED_ASSESSMENT)
            return redirect("assessment", participant.pk, assessment.pk)
        return _save_assessment(request, participant, assessment)
    editable = not assessment.is_signed and may_write_treatment_record(request.user, participant)
    form = AssessmentForm(initial=AssessmentForm.initial_for(assessment)) if editable else None
    return _assessment_page(request, participant, assessment, form)


# --- Treatment plan -----------------------------------------------------------------------


@login_required
def plan_start(request: HttpRequest, participant_id: int) -> HttpResponse:
    """POST: open the participant's draft plan (a first plan, or the revision of the one
    in force)."""
    participant = get_treatment_participant_for_user(
        request, participant_id, write=request.method == "POST"
    )
    if request.method != "POST":
        return redirect("treatment_record", participant.pk)
    plan = plan_services.plan_start(participant=participant, by=request.user)
    return redirect("treatment_plan", participant.pk, plan.pk)


def _plan_page(
    request: HttpRequest,
    participant: Participant,
    plan: TreatmentPlan,
    *,
    form: PlanForm | None = None,
    missing: list[str] | None = None,
) -> HttpResponse:
    plan = selectors_plans.plan_with_goals(plan.pk)
    goals = list(plan.goals.all())
    editable = not plan.is_signed and may_write_treatment_record(request.user, participant)
    if editable and form is None:
        form = PlanForm(plan=plan, goals=goals)
    if plan.is_signed:
        _attach_history(participant, plan)
    ctx = {
        "participant": participant,
        "plan": plan,
        "goals": goals,
        "form": form if editable else None,
        "missing": missing
        if missing is not None
        else ([] if plan.is_signed else plan_services.plan_missing_for_signing(plan)),
        "versions": selectors_plans.plan_versions(participant=participant),
    }
    return render(request, "plans/plan.html", ctx)


@never_cache
@login_required
def plan_detail(request: HttpRequest, participant_id: int, plan_id: int) -> HttpResponse:
    write = request.method == "POST"
    participant = get_treatment_participant_for_user(request, participant_id, write=write)
    plan = get_plan_for_user(request, participant, plan_id)
    if not write:
        return _plan_page(request, participant, plan)
    if plan.is_signed:
        messages.error(request, plan_services.SIGNED_PLAN)
        return redirect("treatment_plan", participant.pk, plan.pk)
    goals = list(selectors_plans.plan_with_goals(plan.pk).goals.all())
    form = PlanForm(request.POST, plan=plan, goals=goals)
    done = submit(
        request,
        form,
        lambda _: plan_services.plan_save(plan=plan, by=request.user, draft=form.draft()),
    )
    if not done:
        return _plan_page(request, participant, plan, form=form)
    if request.POST.get("action") == "sign":
        try:
            plan_services.plan_sign(plan=plan, by=request.user)
        except ServiceError as exc:
            messages.warning(request, "Draft saved, but not signed yet.")
            return _plan_page(request, participant, plan, missing=exc.messages)
        messages.success(request, f"Plan version {plan.version} signed: it is the plan in force.")
        return redirect("treatment_record", participant.pk)
    messages.success(request, "Draft saved.")
    return redirect("treatment_plan", participant.pk, plan.pk)


@login_required
def plan_discard(request: HttpRequest, participant_id: int, plan_id: int) -> HttpResponse:
    participant = get_treatment_participant_for_user(
        request, participant_id, write=request.method == "POST"
    )
    plan = get_plan_for_user(request, participant, plan_id)
    if request.method != "POST":
        return redirect("treatment_plan", participant.pk, plan.pk)
    try:
        plan_services.plan_discard(plan=plan, by=request.user)
    except ServiceError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("treatment_plan", participant.pk, plan.pk)
    messages.success(request, "Draft thrown away.")
    return redirect("treatment_record", participant.pk)


# --- Administrators: plans in place and reviewed on time --------------------------------


@never_cache
@login_required
def report_plans(request: HttpRequest) -> HttpResponse:
    """Per site: who in care has a plan in force, reviews overdue, plans missing, reports
    overdue; the longest-overdue reviews by name. No plan's words."""
    check_admin_pages(request)
    sites = list(report_sites_for(request.user))
    today = timezone.now().astimezone(sites[0].tz).date() if sites else timezone.localdate()
    ctx = {
        "report": selectors_plans.plan_compliance(sites=sites, today=today),
        "today": today,
        "plan_within_days": selectors_plans.PLAN_WITHIN_DAYS,
    }
    return render(request, "reports/plans.html", ctx)
