"""Emergency ("break-glass") access to a participant's record, and the administrators'
review of it and of enrolments that gave a therapist a first look at someone."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from .. import audit
from ..forms.access import EmergencyAccessForm, EmergencyFindForm, FirstLookForm, ReviewForm
from ..permissions import (
    break_glass_candidates,
    check_admin_pages,
    check_break_glass_access,
    emergency_accesses_for_review,
    first_looks_for_review,
    get_break_glass_participant,
    get_emergency_access_for_review,
    get_first_look_for_review,
    get_own_emergency_access,
)
from ..services import access as access_services
from ..services.errors import ServiceError
from .submit import submit

FOUND_AT_MOST = 20
REVIEW_PER_PAGE = 50


@never_cache
@login_required
def emergency_access_find(request: HttpRequest) -> HttpResponse:
    """A therapist looks for a participant outside their groups, by name."""
    check_break_glass_access(request)
    form = EmergencyFindForm(request.GET or None)
    found = None
    if form.is_bound and form.is_valid():
        words = form.cleaned_data["q"].split()
        matches = Q()
        for word in words[:3]:
            matches &= (
                Q(first_name__icontains=word)
                | Q(last_name__icontains=word)
                | Q(preferred_name__icontains=word)
            )
        found = list(
            break_glass_candidates(request.user)
            .filter(matches)
            .select_related("site")
            .order_by("last_name", "first_name", "pk")[:FOUND_AT_MOST]
        )
    ctx = {
        "form": form,
        "found": found,
        "at_most": FOUND_AT_MOST,
        "hours": settings.EMERGENCY_ACCESS_HOURS,
    }
    return render(request, "access/find.html", ctx)


@never_cache
@login_required
def emergency_access_open(request: HttpRequest, participant_id: int) -> HttpResponse:
    """State why, then open the record for EMERGENCY_ACCESS_HOURS."""
    participant = get_break_glass_participant(request, participant_id)
    form = EmergencyAccessForm(request.POST or None)
    if done := submit(
        request,
        form,
        lambda data: access_services.emergency_access_open(
            therapist=request.user, participant=participant, reason=data["reason"]
        ),
    ):
        access = done.value
        audit.log_emergency_access(request=request, access=access)
        until = timezone.localtime(access.expires_at, participant.site.tz)
        messages.warning(
            request,
            f"Emergency access to {participant.full_name} is open until "
            f"{until:%-d %b, %H:%M}. Every page you open is recorded.",
        )
        return redirect("participant_detail", participant_id=participant.pk)
    ctx = {"participant": participant, "form": form, "hours": settings.EMERGENCY_ACCESS_HOURS}
    return render(request, "access/open.html", ctx)


@login_required
@require_POST
def emergency_access_end(request: HttpRequest, access_id: int) -> HttpResponse:
    """The therapist is done with the record before the access lapses."""
    access = get_own_emergency_access(request, access_id)
    access_services.emergency_access_end(access=access, by=request.user)
    messages.success(request, f"Emergency access to {access.participant.full_name} ended.")
    return redirect("home")


@never_cache
@login_required
def emergency_access_review(request: HttpRequest) -> HttpResponse:
    """Administrators: every emergency access at their sites, those to review first."""
    check_admin_pages(request)
    accesses = (
        emergency_accesses_for_review(request.user)
        .select_related("therapist", "participant__site", "reviewed_by", "ended_by")
        .order_by("-started_at", "-pk")
    )
    waiting = accesses.filter(reviewed_at__isnull=True)
    show = request.GET.get("show") == "all"
    page = Paginator(accesses if show else waiting, REVIEW_PER_PAGE).get_page(
        request.GET.get("page")
    )
    ctx = {"page": page, "show_all": show, "now": timezone.now(), "review_form": ReviewForm()}
    return render(request, "access/review.html", ctx)


@login_required
@require_POST
def emergency_access_reviewed(request: HttpRequest, access_id: int) -> HttpResponse:
    access = get_emergency_access_for_review(request, access_id)
    form = ReviewForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    access_services.emergency_access_review(access=access, by=request.user, note=note)
    messages.success(
        request,
        f"Emergency access by {access.therapist} to {access.participant.full_name} reviewed.",
    )
    return redirect("emergency_access_review")


@never_cache
@login_required
def first_look_review(request: HttpRequest) -> HttpResponse:
    """Administrators: enrolments that gave a therapist a first look at someone."""
    check_admin_pages(request)
    enrollments = (
        first_looks_for_review(request.user)
        .select_related("participant", "group__site", "enrolled_by")
        .order_by("-created_at", "-pk")
    )
    page = Paginator(enrollments, REVIEW_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "access/first_looks.html", {"page": page})


@login_required
@require_POST
def first_look_decide(request: HttpRequest, enrollment_id: int) -> HttpResponse:
    enrollment = get_first_look_for_review(request, enrollment_id)
    form = FirstLookForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose to confirm or to undo the enrolment.")
        return redirect("first_look_review")
    who = f"{enrollment.participant.full_name} in {enrollment.group.name}"
    if form.cleaned_data["decision"] == "confirm":
        access_services.first_look_confirm(enrollment=enrollment, by=request.user)
        messages.success(request, f"Enrolment of {who} confirmed.")
        return redirect("first_look_review")
    try:
        access_services.first_look_undo(enrollment=enrollment, by=request.user)
    except ServiceError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Enrolment of {who} undone.")
    return redirect("first_look_review")
