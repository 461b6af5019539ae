from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .. import instruments
from ..models import Attendance, EmergencyAccess
from ..permissions import (
    emergency_accesses_shown_with,
    get_participant_for_user,
    groups_for,
    sessions_for,
)
from ..selectors import participants as selectors_participants
from ..selectors import reminders as selectors_reminders


@login_required
def participant_detail(request: HttpRequest, participant_id: int) -> HttpResponse:
    participant = get_participant_for_user(request, participant_id)
    emergency_id = getattr(request, "emergency_access_id", None)
    if emergency_id:
        # Break-glass: the record is opened for the participant's care in a crisis, so
        # the groups they are in (and who runs them) show, not only the viewer's.
        enrollments = participant.enrollments.select_related("group__site").prefetch_related(
            "group__facilitators"
        )
        attendance = Attendance.objects.none()
    else:
        # Only what happened in groups this user may see: a participant's other groups
        # (another programme, another therapist) stay private.
        visible_groups = groups_for(request.user)
        enrollments = participant.enrollments.filter(group__in=visible_groups).select_related(
            "group__site"
        )
        attendance = (
            Attendance.objects.filter(
                participant=participant, session__in=sessions_for(request.user)
            )
            .select_related("session__group__site")
            .order_by("-session__starts_at")[:20]
        )
    ctx = {
        "participant": participant,
        "enrollments": enrollments,
        "attendance": attendance,
        "emergency": EmergencyAccess.objects.get(pk=emergency_id) if emergency_id else None,
        "emergency_accesses": emergency_accesses_shown_with(request.user, participant)
        .select_related("therapist")
        .order_by("-started_at")[:20],
    }
    # Reflections (participants' pages): how many and when, never what they say.
    ctx["reflection_summary"] = selectors_participants.participant_reflection_summary(
        user=request.user, participant=participant
    )
    # Reminders: the latest about sessions this user may see, with any error.
    ctx["reminders"] = selectors_reminders.participant_reminders(
        user=request.user, participant=participant
    )[:30]
    # Questionnaires with no validated wording in their language are never asked of them.
    ctx["not_offered"] = instruments.not_offered_in(participant.language)
    return render(request, "participants/detail.html", ctx)
