"""A group's measure schedule: which questionnaires its participants are asked, when."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from .. import instruments, languages
from ..forms.measure_schedules import MeasureScheduleForm
from ..models import Enrollment, Participant
from ..permissions import get_group_for_measures, get_schedule_for_manager
from ..services import measure_requests
from .submit import submit


@login_required
def group_measures(request: HttpRequest, group_id: int) -> HttpResponse:
    group = get_group_for_measures(request, group_id)
    form = MeasureScheduleForm(request.POST or None)
    if submit(
        request,
        form,
        lambda data: measure_requests.measure_schedule_add(group=group, by=request.user, **data),
    ):
        messages.success(request, "Added to the group's questionnaires.")
        return redirect("group_measures", group_id=group.pk)
    schedules = list(group.measure_schedules.order_by("instrument", "when"))
    _mark_not_asked(group, schedules)
    return render(
        request,
        "measure_schedules/group_measures.html",
        {"group": group, "schedules": schedules, "form": form},
    )


def _mark_not_asked(group, schedules: list) -> None:
    """Name, on each schedule, who on the roster is never asked it: a questionnaire with
    no validated wording in their language is not offered to them (one query, only when
    such a questionnaire is scheduled)."""
    partial = [
        s for s in schedules if set(instruments.get(s.instrument).languages) != languages.CODES
    ]
    for schedule in schedules:
        schedule.not_asked = []
    if not partial:
        return
    readers = list(
        Participant.objects.filter(
            enrollments__group=group, enrollments__status=Enrollment.Status.ACTIVE
        )
        .exclude(language="en")
        .distinct()
    )
    for schedule in partial:
        instrument = instruments.get(schedule.instrument)
        schedule.not_asked = [p for p in readers if not instrument.offered_in(p.language)]


@login_required
@require_POST
def group_measure_remove(request: HttpRequest, group_id: int, schedule_id: int) -> HttpResponse:
    group = get_group_for_measures(request, group_id)
    schedule = get_schedule_for_manager(request, group, schedule_id)
    if request.POST.get("remove") != "yes":
        return HttpResponseBadRequest("Say which action: remove=yes.")
    measure_requests.measure_schedule_remove(schedule=schedule)
    messages.success(request, "Removed: no new requests for it. Those already made stay.")
    return redirect("group_measures", group_id=group.pk)
