"""Progress reports and discharge summaries: the participant's therapists draft them from
the record, edit, sign, print and add to them. Anyone else (administrators included:
the text is clinical) never gets past `get_treatment_participant_for_user` (404)."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from ..forms.progress_reports import ReportAddendumForm, ReportForm, ReportNewForm
from ..models import Participant, ProgressReport
from ..permissions import (
    get_report_for_user,
    get_treatment_participant_for_user,
    may_write_treatment_record,
)
from ..selectors.progress import period_record
from ..services import progress_reports as services
from ..services.errors import ServiceError
from .submit import submit

# A new report covers this many days up to today unless the therapist says otherwise.
DEFAULT_PERIOD_DAYS = 30


def _today(participant: Participant):
    return timezone.now().astimezone(participant.site.tz).date()


@never_cache
@login_required
def progress_report_new(request: HttpRequest, participant_id: int) -> HttpResponse:
    participant = get_treatment_participant_for_user(request, participant_id, write=True)
    today = _today(participant)
    form = ReportNewForm(
        request.POST or None,
        initial={
            "period_start": today - timedelta(days=DEFAULT_PERIOD_DAYS - 1),
            "period_end": today,
            "kind": request.GET.get("kind", ProgressReport.Kind.PROGRESS),
        },
    )
    if done := submit(
        request,
        form,
        lambda data: services.report_draft(participant=participant, by=request.user, **data),
    ):
        messages.success(
            request, "Draft written from the record. Check it against the record beside it."
        )
        return redirect("progress_report", participant.pk, done.value.pk)
    return render(request, "progress_reports/new.html", {"participant": participant, "form": form})


def _report_page(
    request: HttpRequest,
    participant: Participant,
    report: ProgressReport,
    *,
    form: ReportForm | None = None,
    addendum_form: ReportAddendumForm | None = None,
) -> HttpResponse:
    may_write = may_write_treatment_record(request.user, participant)
    ctx = {
        "participant": participant,
        "report": report,
        "may_write": may_write,
        "form": None,
        "record": None,
        "addendum_form": None,
        "addenda": list(report.addenda.select_related("author")) if report.is_signed else [],
    }
    if report.is_signed:
        if may_write:
            ctx["addendum_form"] = addendum_form or ReportAddendumForm()
    else:
        ctx["record"] = period_record(
            participant=participant,
            start=report.period_start,
            end=report.period_end,
            user=request.user,
        )
        ctx["missing"] = services.report_missing_for_signing(report)
        if may_write:
            ctx["form"] = form or ReportForm(report=report)
    return render(request, "progress_reports/report.html", ctx)


@never_cache
@login_required
def progress_report(request: HttpRequest, participant_id: int, report_id: int) -> HttpResponse:
    """GET: a draft with the record beside it, or the signed report. POST: save a draft."""
    write = request.method == "POST"
    participant = get_treatment_participant_for_user(request, participant_id, write=write)
    report = get_report_for_user(request, participant, report_id)
    if not write:
        return _report_page(request, participant, report)
    if report.is_signed:
        messages.error(request, services.SIGNED_REPORT)
        return redirect("progress_report", participant.pk, report.pk)
    form = ReportForm(request.POST, report=report)
    if submit(
        request,
        form,
        lambda _: services.report_save(report=report, by=request.user, texts=form.texts()),
    ):
        if request.POST.get("action") == "sign":
            return redirect("progress_report_sign", participant.pk, report.pk)
        messages.success(request, "Draft saved.")
        return redirect("progress_report", participant.pk, report.pk)
    return _report_page(request, participant, report, form=form)


@never_cache
@login_required
def progress_report_sign(request: HttpRequest, participant_id: int, report_id: int) -> HttpResponse:
    """GET: what is missing, or the confirmation. POST: sign."""
    write = request.method == "POST"
    participant = get_treatment_participant_for_user(request, participant_id, write=write)
    report = get_report_for_user(request, participant, report_id)
    errors: list[str] = []
    if write:
        try:
            services.report_sign(report=report, by=request.user)
        except ServiceError as exc:
            errors = exc.messages
            report.refresh_from_db()
        else:
            messages.success(request, "Report signed. It can no longer change; add addenda below.")
            return redirect("progress_report", participant.pk, report.pk)
    missing = [] if report.is_signed else services.report_missing_for_signing(report)
    ctx = {
        "participant": participant,
        "report": report,
        "may_write": may_write_treatment_record(request.user, participant),
        "missing": missing + [e for e in errors if e not in missing],
    }
    return render(request, "progress_reports/sign.html", ctx)


@never_cache
@login_required
def progress_report_print(
    request: HttpRequest, participant_id: int, report_id: int
) -> HttpResponse:
    participant = get_treatment_participant_for_user(request, participant_id)
    report = get_report_for_user(request, participant, report_id)
    ctx = {
        "participant": participant,
        "report": report,
        "addenda": list(report.addenda.select_related("author")),
        "printed_at": timezone.now(),
    }
    return render(request, "progress_reports/print.html", ctx)


@require_POST
@login_required
def progress_report_addendum(
    request: HttpRequest, participant_id: int, report_id: int
) -> HttpResponse:
    participant = get_treatment_participant_for_user(request, participant_id, write=True)
    report = get_report_for_user(request, participant, report_id)
    form = ReportAddendumForm(request.POST)
    if not report.is_signed:
        messages.error(request, "Addenda are for signed reports; edit the draft instead.")
        return redirect("progress_report", participant.pk, report.pk)
    if submit(
        request,
        form,
        lambda data: services.report_addendum_add(report=report, by=request.user, **data),
    ):
        messages.success(request, "Addendum added.")
        return redirect(reverse("progress_report", args=[participant.pk, report.pk]) + "#addenda")
    return _report_page(request, participant, report, addendum_form=form)


@require_POST
@login_required
def progress_report_discard(
    request: HttpRequest, participant_id: int, report_id: int
) -> HttpResponse:
    participant = get_treatment_participant_for_user(request, participant_id, write=True)
    report = get_report_for_user(request, participant, report_id)
    try:
        services.report_discard_draft(report=report, by=request.user)
    except ServiceError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("progress_report", participant.pk, report.pk)
    messages.success(request, "Draft report discarded.")
    return redirect("participant_detail", participant.pk)
