"""Check-in at the door: the therapist starts it on a tablet; participants tap their name
and answer; leaving needs the therapist's password (see sessions_app/kiosk.py).

Nothing here shows anyone's answers: after each person a "Thank you" screen goes back to
the roster by itself, and the answer form does too after a minute without a tap.
"""

import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from .. import instruments, languages
from ..forms.groups import add_service_error
from ..forms.measures import AnswerForm
from ..kiosk import kiosk_end, kiosk_for, kiosk_off, kiosk_on
from ..models import MeasureResponse, Session
from ..permissions import get_kiosk_participant, get_kiosk_session_for_user, kiosk_roster
from ..selectors import answering
from ..services import measures as measure_services
from ..services.errors import ServiceError

log = logging.getLogger("refrain.access")

# The roster and the answer form go back to the roster after this long without a tap.
IDLE_SECONDS = 60
THANKS_SECONDS = 4
# The crisis screen stays long enough to be read, and still clears itself.
CRISIS_SECONDS = 180


@login_required
@require_POST
def kiosk_start(request: HttpRequest, session_id: int) -> HttpResponse:
    session = get_kiosk_session_for_user(request, session_id)
    now = timezone.now()
    phase = request.POST.get("phase")
    if phase not in answering.PHASES:
        phase = answering.checkin_phase(session, now)
    if session.status == Session.Status.CANCELLED:
        messages.error(request, "This session was cancelled, so there is no check-in.")
        return redirect("session_detail", session_id=session.pk)
    kiosk_on(request, session, phase)
    if timezone.now().timestamp() > kiosk_for(request, session)["until"]:
        kiosk_off(request)
        messages.error(
            request,
            "This session ended too long ago for a check-in at the door. Participants can "
            "still answer on their own page.",
        )
        return redirect("session_detail", session_id=session.pk)
    return redirect("kiosk", session_id=session.pk)


def _kiosk_session(request: HttpRequest, session_id: int) -> tuple[Session, dict | None]:
    session = get_kiosk_session_for_user(request, session_id)
    return session, kiosk_for(request, session)


@login_required
@never_cache
def kiosk(request: HttpRequest, session_id: int) -> HttpResponse:
    """The roster: one big button per participant, preferred name and last initial."""
    session, state = _kiosk_session(request, session_id)
    if state is None:
        return redirect("session_detail", session_id=session.pk)
    roster = sorted(kiosk_roster(session), key=lambda p: p.short_name.lower())
    done = set(
        MeasureResponse.objects.filter(session=session, phase=state["phase"]).values_list(
            "participant_id", flat=True
        )
    )
    ctx = {
        "session": session,
        "phase": state["phase"],
        "instrument": instruments.worded(answering.PHASES[state["phase"]]),
        "roster": [(p, p.pk in done) for p in roster],
        "refresh_seconds": IDLE_SECONDS,
    }
    return render(request, "kiosk/roster.html", ctx)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def kiosk_answer(request: HttpRequest, session_id: int, participant_id: int) -> HttpResponse:
    session, state = _kiosk_session(request, session_id)
    if state is None:
        return redirect("session_detail", session_id=session.pk)
    participant = get_kiosk_participant(request, session, participant_id)
    # From here the screens are the participant's: in their language, until the roster.
    languages.activate_for(participant)
    instrument = instruments.worded(answering.PHASES[state["phase"]], participant.language)
    # Never pre-filled: the form shows nobody's earlier answers, theirs included.
    form = AnswerForm(request.POST if request.method == "POST" else None, instrument=instrument)
    if request.method == "POST" and form.is_valid():
        try:
            done = measure_services.response_record(
                participant=participant,
                instrument=instrument.code,
                answers=form.answers,
                via=MeasureResponse.Via.KIOSK,
                session=session,
            )
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            ctx = {"session": session, "participant": participant}
            if done.needs_crisis_resources:
                ctx["therapist_first_name"] = request.user.first_name or gettext("the group leader")
                ctx["refresh_seconds"] = CRISIS_SECONDS
                return render(request, "kiosk/crisis.html", ctx)
            ctx["refresh_seconds"] = THANKS_SECONDS
            return render(request, "kiosk/thanks.html", ctx)
    ctx = {
        "session": session,
        "participant": participant,
        "instrument": instrument,
        "form": form,
        "refresh_seconds": IDLE_SECONDS,
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "kiosk/answer.html", ctx, status=status)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def kiosk_exit(request: HttpRequest, session_id: int) -> HttpResponse:
    """Leave the kiosk, or switch it to the other check-in: the therapist's password.

    Wrong passwords are counted like failed logins; at AXES_FAILURE_LIMIT the therapist
    is signed out, so that guessing at the door ends on the sign-in page, which axes
    throttles in its turn.
    """
    session, state = _kiosk_session(request, session_id)
    if state is None:
        return redirect("session_detail", session_id=session.pk)
    error = None
    if request.method == "POST":
        if request.user.check_password(request.POST.get("password", "")):
            switch = request.POST.get("switch")
            if switch in answering.PHASES:
                kiosk_on(request, session, switch)
                return redirect("kiosk", session_id=session.pk)
            kiosk_off(request)
            messages.success(request, "Check-in at the door is closed.")
            return redirect("session_detail", session_id=session.pk)
        state["failures"] = state.get("failures", 0) + 1
        request.session.modified = True
        log.warning("wrong password to leave the kiosk for user %s", request.user.pk)
        if state["failures"] >= settings.AXES_FAILURE_LIMIT:
            return kiosk_end(
                request,
                "Too many wrong passwords at the door check-in, so you were signed out. "
                "Sign in again to carry on.",
            )
        error = "That password is not right. Ask the group leader to type theirs."
    ctx = {
        "session": session,
        "phase": state["phase"],
        "other_phase": "after" if state["phase"] == "before" else "before",
        "error": error,
    }
    return render(request, "kiosk/exit.html", ctx, status=400 if error else 200)
