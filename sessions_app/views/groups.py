from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from ..forms.groups import (
    DischargeForm,
    EnrollForm,
    FacilitatorAddForm,
    FacilitatorRemoveForm,
    GroupFilterForm,
    GroupForm,
    RosterDateForm,
    SkipDateForm,
)
from ..models import Group, Therapist
from ..permissions import (
    check_group_pages_access,
    enrollable_participants,
    get_enrollment_for_user,
    get_group_for_user,
    may_run_group,
    sites_for,
    sites_for_new_group,
)
from ..selectors import groups as selectors_groups
from ..selectors import meetings as selectors_meetings
from ..services import groups as group_services
from ..services import schedule
from ..services.errors import ServiceError
from ..services.schedule import ScheduleResult
from .paging import page_links
from .submit import submit

# "lead" sorts after "co": descending puts the lead first.
LEAD_FIRST = ("-role", "therapist__last_name", "therapist__first_name")

# A network has hundreds of groups: the list is paged and can be narrowed by site or name.
GROUPS_PER_PAGE = 50


def _site_today(group: Group):
    return timezone.now().astimezone(group.site.tz).date()


def _when(session) -> str:
    return f"{session.local_starts_at:%a %-d %b %Y, %H:%M}"


def _lead_choices():
    return Therapist.objects.filter(is_active=True).order_by("last_name", "first_name")


@login_required
def group_list(request: HttpRequest) -> HttpResponse:
    check_group_pages_access(request)
    sites = list(sites_for(request.user).order_by("name"))
    form = GroupFilterForm(request.GET or None, sites=sites)
    if form.is_bound:
        form.is_valid()  # invalid filters are shown as errors and ignored
    site_id, name = form.chosen()
    groups = selectors_groups.groups_overview(user=request.user, site_id=site_id, name=name)
    # Ids are small: one query gives the count and every page, and the details are
    # loaded for the shown page only.
    ids = list(groups.values_list("pk", flat=True))
    page = Paginator(ids, GROUPS_PER_PAGE).get_page(request.GET.get("page"))
    ctx = {
        "form": form,
        "show_sites": len(sites) > 1,
        "filtered": bool(site_id or name),
        "page": page,
        "page_links": page_links(page.number, page.paginator.num_pages),
        "groups": selectors_groups.groups_with_details(
            group_ids=list(page.object_list), today=timezone.localdate()
        ),
        "may_create": sites_for_new_group(request.user).exists(),
    }
    return render(request, "groups/list.html", ctx)


@login_required
def group_create(request: HttpRequest) -> HttpResponse:
    check_group_pages_access(request)
    user = request.user
    # A therapist who starts a group leads it; an administrator says who leads.
    leads = None if user.is_therapist else _lead_choices()
    form = GroupForm(
        request.POST or None,
        sites=sites_for_new_group(user),
        leads=leads,
        initial={"enrollment": Group.Enrollment.OPEN, "capacity": 10},
    )
    if done := submit(request, form, lambda data: group_services.group_create(user=user, **data)):
        group = done.value
        count = group.sessions.count()
        messages.success(request, f"{group.name} created, with {_sessions(count)} scheduled ahead.")
        return redirect("group_detail", group_id=group.pk)
    ctx = {"form": form, "group": None, "weeks_ahead": settings.SESSIONS_GENERATE_WEEKS_AHEAD}
    return render(request, "groups/form.html", ctx)


@login_required
def group_edit(request: HttpRequest, group_id: int) -> HttpResponse:
    group = get_group_for_user(request, group_id)
    form = GroupForm(
        request.POST or None, initial=GroupForm.initial_for(group), time_zone=group.site.time_zone
    )
    if done := submit(request, form, lambda data: group_services.group_update(group=group, **data)):
        _report_schedule(request, done.value)
        return redirect("group_detail", group_id=group.pk)
    return render(request, "groups/form.html", {"form": form, "group": group})


def _sessions(count: int) -> str:
    return f"{count} session{'s' if count != 1 else ''}"


def _report_schedule(request: HttpRequest, result: ScheduleResult) -> None:
    done = ["Group saved."]
    if result.updated:
        done.append(f"Moved {_sessions(result.updated)} to the new schedule.")
    if result.created:
        done.append(f"Added {_sessions(result.created)}.")
    if result.removed:
        done.append(f"Removed {_sessions(result.removed)} the new schedule no longer has.")
    messages.success(request, " ".join(done))
    if result.left_alone:
        listed = "; ".join(_when(s) for s in result.left_alone)
        messages.warning(
            request,
            "These sessions already have a plan, attendance or a note, or were moved by "
            f"hand, so they keep their time: {listed}. Move them one by one if needed.",
        )
    if result.skipped:
        days = ", ".join(f"{d:%a %-d %b %Y}" for d in result.skipped)
        messages.warning(
            request, f"No session on {days}: the start time does not exist then (clocks change)."
        )


@login_required
def group_detail(request: HttpRequest, group_id: int) -> HttpResponse:
    group = get_group_for_user(request, group_id)
    now = timezone.now()
    today = now.astimezone(group.site.tz).date()
    sessions = selectors_meetings.group_sessions_with_counts(group=group)
    ctx = {
        "group": group,
        "facilitations": group.facilitations.select_related("therapist").order_by(*LEAD_FIRST),
        "roster": selectors_meetings.group_roster(group=group, day=today),
        "upcoming": sessions.filter(ends_at__gte=now).order_by("starts_at")[:8],
        "past": sessions.filter(ends_at__lt=now).order_by("-starts_at")[:8],
        "today": today,
    }
    return render(request, "groups/detail.html", ctx)


@login_required
def group_roster(request: HttpRequest, group_id: int) -> HttpResponse:
    group = get_group_for_user(request, group_id)
    today = _site_today(group)
    form = RosterDateForm(request.GET or None, initial={"date": today})
    day = form.cleaned_data["date"] if form.is_bound and form.is_valid() else today
    roster = list(selectors_meetings.group_roster(group=group, day=day))
    ctx = {
        "group": group,
        "form": form,
        "day": day,
        "today": today,
        "roster": roster,
        "enrollments": group.enrollments.select_related("participant").order_by(
            "-start_date", "participant__last_name"
        ),
    }
    return render(request, "groups/roster.html", ctx)


@login_required
def group_enroll(request: HttpRequest, group_id: int) -> HttpResponse:
    group = get_group_for_user(request, group_id)
    today = _site_today(group)
    participants = enrollable_participants(request.user, group)
    offered = participants.exclude(
        pk__in=group.enrollments.exclude(end_date__lt=today).values("participant")
    ).order_by("last_name", "first_name")
    form = EnrollForm(
        request.POST or None,
        participants=participants,
        offered=offered,
        initial={"start_date": today},
    )
    if done := submit(
        request,
        form,
        lambda data: group_services.participant_enroll(group=group, by=request.user, **data),
    ):
        enrollment = done.value
        messages.success(
            request,
            f"{enrollment.participant.short_name} enrolled from {enrollment.start_date:%-d %B %Y}.",
        )
        return redirect("group_roster", group_id=group.pk)
    closed = group.enrollment == Group.Enrollment.CLOSED and today > group.first_date
    ctx = {"group": group, "form": form, "closed": closed}
    return render(request, "groups/enroll.html", ctx)


@login_required
def enrollment_discharge(request: HttpRequest, group_id: int, enrollment_id: int) -> HttpResponse:
    group = get_group_for_user(request, group_id)
    enrollment = get_enrollment_for_user(request, group, enrollment_id)
    form = DischargeForm(request.POST or None, initial={"end_date": _site_today(group)})
    if done := submit(
        request,
        form,
        lambda data: group_services.enrollment_discharge(enrollment=enrollment, **data),
    ):
        discharged = done.value
        messages.success(
            request,
            f"{discharged.participant.short_name}: {discharged.get_status_display().lower()} "
            f"as of {discharged.end_date:%-d %B %Y}.",
        )
        return redirect("group_roster", group_id=group.pk)
    ctx = {"group": group, "enrollment": enrollment, "form": form}
    return render(request, "groups/discharge.html", ctx)


@login_required
def group_facilitators(request: HttpRequest, group_id: int) -> HttpResponse:
    group = get_group_for_user(request, group_id)
    facilitations = list(group.facilitations.select_related("therapist").order_by(*LEAD_FIRST))
    therapists = _lead_choices().exclude(pk__in=[f.therapist_id for f in facilitations])
    form = FacilitatorAddForm(request.POST or None, therapists=therapists)
    if done := submit(
        request, form, lambda data: group_services.facilitator_add(group=group, **data)
    ):
        messages.success(request, f"{done.value.therapist} now co-facilitates {group.name}.")
        return redirect("group_facilitators", group_id=group.pk)
    ctx = {"group": group, "facilitations": facilitations, "form": form}
    return render(request, "groups/facilitators.html", ctx)


@login_required
@require_POST
def group_facilitator_remove(request: HttpRequest, group_id: int) -> HttpResponse:
    group = get_group_for_user(request, group_id)
    form = FacilitatorRemoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose whom to remove.")
        return redirect("group_facilitators", group_id=group.pk)
    therapist = form.cleaned_data["therapist"]
    try:
        group_services.facilitator_remove(group=group, therapist=therapist)
    except ServiceError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("group_facilitators", group_id=group.pk)
    messages.success(request, f"{therapist} no longer facilitates {group.name}.")
    if not may_run_group(request.user, group):  # they removed themselves
        return redirect("home")
    return redirect("group_facilitators", group_id=group.pk)


@login_required
def group_skip_date(request: HttpRequest, group_id: int) -> HttpResponse:
    group = get_group_for_user(request, group_id)
    form = SkipDateForm(request.POST or None)
    if done := submit(
        request,
        form,
        lambda data: schedule.occurrence_skip(group=group, user=request.user, **data),
    ):
        session = done.value
        messages.success(request, f"{_when(session)} is cancelled: {session.cancel_reason}.")
        return redirect("group_detail", group_id=group.pk)
    return render(request, "groups/skip.html", {"group": group, "form": form})
