"""The consent registry: administrators record and revoke consents and export records
under them; the participant's therapists may read the registry."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from ..forms.consent import ConsentForm, ExportForm, RevokeForm
from ..models import Consent, Participant
from ..permissions import (
    check_admin_pages,
    get_consent_for_manager,
    get_consent_participant_for_user,
    get_report_participant_for_user,
    may_manage_consents,
    participants_for,
    sessions_for,
)
from ..services import consent as consent_services
from .submit import submit


def _today(participant: Participant):
    return timezone.now().astimezone(participant.site.tz).date()


def _consent_lines(participant: Participant) -> list[tuple[Consent, str]]:
    today = _today(participant)
    consents = participant.consents.select_related("recorded_by", "revoked_by").order_by(
        "-signed_on", "-pk"
    )
    return [(c, consent_services.consent_status(c, today=today)) for c in consents]


@never_cache
@login_required
def consent_list(request: HttpRequest) -> HttpResponse:
    """Participants at the administrator's sites, with how many consents are in force."""
    check_admin_pages(request)
    today = timezone.localdate()
    valid = Q(
        consents__revoked_at__isnull=True,
        consents__signed_on__lte=today,
        consents__expires_on__gte=today,
    )
    people = (
        participants_for(request.user)
        .select_related("site")
        .annotate(recorded=Count("consents"), valid=Count("consents", filter=valid))
        .order_by("last_name", "first_name", "pk")
    )
    page = Paginator(people, 50).get_page(request.GET.get("page"))
    return render(request, "consent/list.html", {"page": page})


@never_cache
@login_required
def participant_consents(request: HttpRequest, participant_id: int) -> HttpResponse:
    participant = get_consent_participant_for_user(request, participant_id)
    disclosures = participant.disclosures.select_related("consent", "disclosed_by").order_by(
        "-disclosed_at"
    )[:50]
    ctx = {
        "participant": participant,
        "lines": _consent_lines(participant),
        "disclosures": disclosures,
        "may_manage": may_manage_consents(request.user, participant),
    }
    return render(request, "consent/participant.html", ctx)


@login_required
def consent_record(request: HttpRequest, participant_id: int) -> HttpResponse:
    participant = get_report_participant_for_user(request, participant_id)
    form = ConsentForm(request.POST or None)
    if submit(
        request,
        form,
        lambda data: consent_services.consent_record(
            participant=participant, recorded_by=request.user, **data
        ),
    ):
        messages.success(request, "Consent recorded.")
        return redirect("participant_consents", participant.pk)
    return render(request, "consent/form.html", {"participant": participant, "form": form})


@login_required
def consent_revoke(request: HttpRequest, consent_id: int) -> HttpResponse:
    consent = get_consent_for_manager(request, consent_id)
    participant = consent.participant
    form = RevokeForm(request.POST or None)
    if submit(
        request,
        form,
        lambda data: consent_services.consent_revoke(
            consent=consent, revoked_by=request.user, note=data["note"]
        ),
    ):
        messages.success(request, f"Consent to disclose to {consent.disclose_to} revoked.")
        return redirect("participant_consents", participant.pk)
    status = consent_services.consent_status(consent, today=_today(participant))
    ctx = {"participant": participant, "consent": consent, "form": form, "status": status}
    return render(request, "consent/revoke.html", ctx)


@never_cache
@login_required
def participant_records_export(request: HttpRequest, participant_id: int) -> HttpResponse:
    """GET: the form. POST: the export itself, as a printable document, or the form
    again with why it was refused (status 400, so no export is logged for it)."""
    participant = get_report_participant_for_user(request, participant_id)
    lines = _consent_lines(participant)
    # Only consents in force name someone records may go to; the service checks again
    # under lock, as a consent may be revoked while the form is open.
    recipients = sorted({c.disclose_to for c, s in lines if s == "valid"}, key=str.casefold)
    form = ExportForm(request.POST or None, recipients=recipients)
    if done := submit(
        request,
        form,
        lambda data: consent_services.participant_records_export(
            participant=participant,
            recipient=data["recipient"],
            by=request.user,
            sessions=sessions_for(request.user),
            include_notes=data["include_notes"],
            include_measures=data["include_measures"],
            include_reports=data["include_reports"],
            start=data["start"],
            end=data["end"],
        ),
    ):
        ctx = {"export": done.value, "printed_at": timezone.now()}
        return render(request, "consent/export.html", ctx)
    ctx = {
        "participant": participant,
        "lines": lines,
        "form": form,
        "recipients": recipients,
        "not_in_force": [] if recipients else _why_not_in_force(participant, lines),
    }
    # A POST that comes back to the form was refused.
    status = 400 if request.method == "POST" else 200
    return render(request, "consent/export_form.html", ctx, status=status)


def _why_not_in_force(participant: Participant, lines: list[tuple[Consent, str]]) -> list[str]:
    """Each recorded consent with why it allows no disclosure today, in words."""
    today, tz = _today(participant), participant.site.tz
    return [
        f"The consent to disclose to {consent.disclose_to} "
        f"{consent_services.consent_problem(consent, today=today, tz=tz)}."
        for consent, _ in lines
    ]
