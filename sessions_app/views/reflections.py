"""Staff pages for reflections and participants' links: a therapist entering a
reflection on someone's behalf, a participant's chart, revoking links, resetting a
participant's calendar URL."""

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from .. import charts, links
from ..forms.reflections import ReflectionForm
from ..models import Reflection
from ..permissions import (
    get_participant_for_user,
    get_session_for_user,
    get_session_participant_for_user,
    may_enter_reflection_for,
)
from ..selectors import participants as selectors_participants
from ..services import calendar_feeds as feed_services
from ..services import reflections as reflection_services
from .submit import submit

log = logging.getLogger("refrain.access")


def _deny(request: HttpRequest, what: str) -> Http404:
    log.info("denied %s for user %s at %s", what, getattr(request.user, "pk", None), request.path)
    return Http404("Nothing here.")


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def reflection_enter(request: HttpRequest, session_id: int, participant_id: int) -> HttpResponse:
    """A therapist of the group enters a participant's reflection on their behalf."""
    session = get_session_for_user(request, session_id)
    if not may_enter_reflection_for(request.user, session.group):
        # Administrators may see the session, but never a reflection's words.
        raise _deny(request, "reflection entry")
    participant = get_session_participant_for_user(request, session, participant_id)
    existing = Reflection.objects.filter(session=session, participant=participant).exists()
    form = None
    if not existing:
        form = ReflectionForm(
            request.POST if request.method == "POST" else None,
            songs=selectors_participants.session_plan_songs(session=session),
        )
        if submit(
            request,
            form,
            lambda data: reflection_services.reflection_enter_for(
                session=session, participant=participant, entered_by=request.user, **data
            ),
        ):
            messages.success(
                request, f"Reflection saved, as entered by you for {participant.short_name}."
            )
            return redirect(reverse("session_detail", args=[session.pk]) + "#reflections")
    ctx = {"session": session, "participant": participant, "form": form, "existing": existing}
    return render(request, "reflections/enter.html", ctx)


@never_cache
@login_required
def participant_chart(request: HttpRequest, participant_id: int) -> HttpResponse:
    """Mood before and after, and connection, over time: for the participant's
    therapists, from the reflections in the groups they facilitate."""
    participant = get_participant_for_user(request, participant_id)
    if not request.user.is_therapist:
        # Administrators learn that reflections exist (on the participant page), no more.
        raise _deny(request, "reflection chart")
    reflections = selectors_participants.participant_reflection_history(
        user=request.user, participant=participant
    )
    ctx = {
        "participant": participant,
        "reflections": reflections,
        "chart": charts.reflection_chart(reflections),
    }
    return render(request, "reflections/chart.html", ctx)


@login_required
@require_POST
def participant_links_revoke(request: HttpRequest, participant_id: int) -> HttpResponse:
    """Every link sent to the participant so far stops working, and so do the link
    sessions opened with them (a lost phone, a forwarded message)."""
    participant = get_participant_for_user(request, participant_id)
    links.links_revoke(participant=participant)
    messages.success(
        request,
        f"Every link sent to {participant.short_name} so far has stopped working. New "
        "reminders will carry new links.",
    )
    return redirect("participant_detail", participant_id=participant.pk)


@login_required
@require_POST
def participant_feed_reset(request: HttpRequest, participant_id: int) -> HttpResponse:
    participant = get_participant_for_user(request, participant_id)
    feed_services.participant_calendar_reset(participant=participant)
    messages.success(
        request,
        f"{participant.short_name}'s old calendar link has stopped working. They find the "
        "new one on their own page.",
    )
    return redirect("participant_detail", participant_id=participant.pk)
