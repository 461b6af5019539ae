"""A participant's own pages: reached by their login, or by a signed link from a reminder.

Staff never use these pages (they get 404 here); a participant never uses the staff
pages. Everything here is private to one person, so nothing is cached, and a shared
phone can be handed back with "Leave this page".
"""

import logging
from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from .. import links
from ..forms.groups import add_service_error
from ..forms.participants import ReminderSettingsForm
from ..forms.reflections import ReflectionForm
from ..models import Participant, Reflection, Rsvp, Session
from ..permissions import get_session_for_participant, own_reflections, sessions_of_participant
from ..selectors import participants as selectors_participants
from ..services import calendar_feeds as feed_services
from ..services import participants as participant_services
from ..services import reflections as reflection_services
from ..services import rsvp as rsvp_services
from ..services.errors import ServiceError

log = logging.getLogger("refrain.access")

ANSWERS = {"confirm": Rsvp.Answer.CONFIRMED, "decline": Rsvp.Answer.DECLINED}


def participant_required(view: Callable) -> Callable:
    """The participant acting (login or link session) is passed to the view; anyone else
    is sent to log in (anonymous) or answered 404 (staff, or a login with no record)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        participant = links.participant_from_request(request)
        if participant is None:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            log.info(
                "denied participant pages for user %s at %s",
                getattr(request.user, "pk", None),
                request.path,
            )
            raise Http404("No participant page here.")
        return view(request, participant, *args, **kwargs)

    return never_cache(wrapper)


# --- Signed links from reminders -----------------------------------------------------------


def _link_problem(request: HttpRequest, message: str, *, status: int) -> HttpResponse:
    return render(request, "participant/link_problem.html", {"message": message}, status=status)


# A POST here acts for the participant named in the signed token, never for a cookie,
# so a forged cross-site POST can do nothing its sender could not do with the token
# alone; and mail clients' one-click unsubscribe (RFC 8058) posts without a CSRF token.
@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def participant_link(request: HttpRequest, token: str) -> HttpResponse:
    """Open a link from a reminder: confirm, decline, stop, reflect, or just “my page”.

    A GET never changes anything (mail scanners and link previews open links): confirm,
    decline and stop show one button, and its POST does it.
    """
    try:
        link = links.link_read(token)
    except links.LinkError as exc:
        return _link_problem(request, str(exc), status=410 if exc.gone else 400)
    if request.user.is_authenticated:
        if links.participant_from_request(request) != link.participant:
            return _link_problem(
                request,
                "You are logged in as someone else on this device. Log out, then open "
                "the link again.",
                status=400,
            )
    else:
        held = request.session.get(links.SESSION_KEY) or {}
        if held.get("p") != link.participant.pk:
            request.session.flush()  # someone else's link session on a shared phone
        else:
            request.session.cycle_key()
        links.link_session_start(request, link.participant)

    participant = link.participant
    if link.action == "me":
        return redirect("participant_home")
    if link.action == "stop":
        return _link_stop(request, participant)
    if link.session_id is None:
        return _link_problem(
            request, "This link is not complete. Check that it was copied in full.", status=400
        )
    if link.action == "reflect":
        return redirect("participant_reflection", session_id=link.session_id)
    return _link_rsvp(request, participant, link.session_id, ANSWERS[link.action])


def _link_stop(request: HttpRequest, participant: Participant) -> HttpResponse:
    if request.method == "POST":
        participant_services.participant_reminders_stop(participant=participant)
        messages.success(request, "Reminders stopped. You can turn them back on below at any time.")
        return redirect("participant_home")
    return render(request, "participant/link_stop.html", {"participant": participant})


def _link_rsvp(
    request: HttpRequest, participant: Participant, session_id: int, answer: str
) -> HttpResponse:
    session = (
        sessions_of_participant(participant)
        .select_related("group__site")
        .filter(pk=session_id)
        .first()
    )
    if session is None:
        return _link_problem(
            request, "This session is not one of yours, so there is nothing to answer.", status=400
        )
    now = timezone.now()
    error = rsvp_services.rsvp_refusal(participant=participant, session=session, now=now)
    if request.method == "POST" and error is None:
        try:
            rsvp_services.rsvp_record(participant=participant, session=session, answer=answer)
        except ServiceError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, _thanks(answer))
            return redirect("participant_home")
    ctx = {"participant": participant, "session": session, "answer": answer, "error": error}
    return render(request, "participant/link_rsvp.html", ctx, status=400 if error else 200)


def _thanks(answer: str) -> str:
    if answer == Rsvp.Answer.CONFIRMED:
        return "Thank you: your group leader knows you are coming."
    return "Thank you for letting us know. We hope to see you next time."


# --- The participant's own page --------------------------------------------------------------


@participant_required
def participant_home(request: HttpRequest, participant: Participant) -> HttpResponse:
    page = selectors_participants.participant_page(participant=participant, now=timezone.now())
    calendar_url = _participant_feed_url(request, participant)
    ctx = {
        "participant": participant,
        "page": page,
        "calendar_url": calendar_url,
        # webcal:// makes phones subscribe, where https:// would import a copy once.
        "calendar_subscribe_url": "webcal://" + calendar_url.split("://", 1)[-1],
        "by_link": not request.user.is_authenticated,
    }
    return render(request, "participant/home.html", ctx)


def _participant_feed_url(request: HttpRequest, participant: Participant) -> str:
    if not participant.calendar_token:
        return ""
    return request.build_absolute_uri(
        reverse("calendar_feed_participant", args=[participant.calendar_token])
    )


@participant_required
@require_http_methods(["GET", "POST"])
def participant_reminders(request: HttpRequest, participant: Participant) -> HttpResponse:
    form = ReminderSettingsForm(
        request.POST if request.method == "POST" else None,
        initial=ReminderSettingsForm.initial_from(participant),
    )
    if request.method == "POST" and form.is_valid():
        try:
            participant_services.participant_reminders_update(
                participant=participant, **form.cleaned_data
            )
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, "Your reminder settings are saved.")
            return redirect(reverse("participant_home") + "#reminders")
    return render(request, "participant/reminders.html", {"participant": participant, "form": form})


@participant_required
@require_POST
def participant_reminders_stop(request: HttpRequest, participant: Participant) -> HttpResponse:
    participant_services.participant_reminders_stop(participant=participant)
    messages.success(request, "Reminders stopped. You can turn them back on at any time.")
    return redirect(reverse("participant_home") + "#reminders")


@participant_required
@require_POST
def participant_rsvp(
    request: HttpRequest, participant: Participant, session_id: int
) -> HttpResponse:
    session = get_session_for_participant(request, participant, session_id)
    try:
        rsvp_services.rsvp_record(
            participant=participant, session=session, answer=request.POST.get("answer", "")
        )
    except ServiceError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _thanks(request.POST["answer"]))
    return redirect(reverse("participant_home") + f"#session-{session.pk}")


@participant_required
@require_POST
def participant_calendar(request: HttpRequest, participant: Participant) -> HttpResponse:
    had_one = bool(participant.calendar_token)
    feed_services.participant_calendar_reset(participant=participant)
    if had_one:
        messages.success(
            request,
            "You have a new calendar link. The old one has stopped working: subscribe "
            "again with the new one.",
        )
    else:
        messages.success(request, "Your calendar link is ready.")
    return redirect(reverse("participant_home") + "#calendar")


@never_cache
@require_POST
def participant_leave(request: HttpRequest) -> HttpResponse:
    """Close the participant's page on this device (a shared or borrowed phone)."""
    if request.user.is_authenticated:
        logout(request)
    else:
        request.session.flush()
    return render(request, "participant/left.html")


# --- Reflections -------------------------------------------------------------------------


@participant_required
@require_http_methods(["GET", "POST"])
def participant_reflection(
    request: HttpRequest, participant: Participant, session_id: int
) -> HttpResponse:
    """Write a reflection on a session attended, or change it while the window is open."""
    session = get_session_for_participant(request, participant, session_id)
    reflection = (
        own_reflections(participant)
        .select_related("song", "entered_by")
        .filter(session=session)
        .first()
    )
    refusal = None
    if reflection is None:
        refusal = reflection_services.reflection_refusal(participant=participant, session=session)
    editable = reflection is None or reflection_services.reflection_may_edit(reflection)
    form = None
    if refusal is None and editable:
        form = ReflectionForm(
            request.POST if request.method == "POST" else None,
            initial=ReflectionForm.initial_from(reflection) if reflection else None,
            songs=selectors_participants.session_plan_songs(session=session),
        )
        if request.method == "POST" and form.is_valid():
            saved = _save_reflection(request, form, participant, session, reflection)
            if saved is not None:
                return redirect(reverse("participant_home") + f"#reflection-{saved.pk}")
    ctx = {
        "participant": participant,
        "session": session,
        "reflection": reflection,
        "refusal": refusal,
        "form": form,
        "deadline": reflection_services.reflection_edit_deadline(reflection)
        if reflection
        else None,
    }
    status = 400 if request.method == "POST" and (refusal or form is None or form.errors) else 200
    return render(request, "participant/reflection.html", ctx, status=status)


def _save_reflection(
    request: HttpRequest,
    form: ReflectionForm,
    participant: Participant,
    session: Session,
    reflection: Reflection | None,
) -> Reflection | None:
    try:
        if reflection is None:
            saved = reflection_services.reflection_submit(
                participant=participant, session=session, **form.cleaned_data
            )
            messages.success(request, "Thank you for your reflection.")
        else:
            saved = reflection_services.reflection_update(
                reflection=reflection, participant=participant, **form.cleaned_data
            )
            messages.success(request, "Your reflection is updated.")
    except ServiceError as exc:
        add_service_error(form, exc)
        return None
    return saved
