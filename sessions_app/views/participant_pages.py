"""A participant's own pages: reached by their login, or by a signed link from a reminder.

Staff never use these pages (they get 404 here); a participant never uses the staff
pages. Everything here is private to one person, so nothing is cached, and a shared
phone can be handed back with "Leave this page".
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from .. import instruments, languages, links
from ..forms.groups import add_service_error
from ..forms.measures import AnswerForm
from ..forms.participants import ReminderSettingsForm
from ..forms.reflections import ReflectionForm
from ..instruments import Instrument
from ..models import MeasureRequest, MeasureResponse, Participant, Reflection, Rsvp, Session
from ..permissions import (
    get_own_request,
    get_session_for_participant,
    own_reflections,
    sessions_of_participant,
)
from ..selectors import answering
from ..selectors import participants as selectors_participants
from ..selectors import plans as selectors_plans
from ..selectors.participants import ParticipantPage
from ..services import calendar_feeds as feed_services
from ..services import measures as measure_services
from ..services import participants as participant_services
from ..services import reflections as reflection_services
from ..services import rsvp as rsvp_services
from ..services.errors import ServiceError
from .submit import submit

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
        languages.activate_for(participant)
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
        # In the language of whom the link was for, or of whoever holds this device's page.
        reader = exc.participant or links.participant_from_request(request)
        if reader is not None:
            languages.activate_for(reader)
        return _link_problem(request, str(exc), status=410 if exc.gone else 400)
    if request.user.is_authenticated:
        if links.participant_from_request(request) != link.participant:
            return _link_problem(
                request,
                _(
                    "You are logged in as someone else on this device. Log out, then open "
                    "the link again."
                ),
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
    languages.activate_for(participant)
    if link.action == "me":
        return redirect("participant_home")
    if link.action == "questions":
        return redirect("participant_questions")
    if link.action == "stop":
        return _link_stop(request, participant)
    if link.session_id is None:
        return _link_problem(
            request, _("This link is not complete. Check that it was copied in full."), status=400
        )
    if link.action == "reflect":
        return redirect("participant_reflection", session_id=link.session_id)
    if link.action == "checkin":
        return redirect("participant_checkin", session_id=link.session_id)
    return _link_rsvp(request, participant, link.session_id, ANSWERS[link.action])


def _link_stop(request: HttpRequest, participant: Participant) -> HttpResponse:
    if request.method == "POST":
        participant_services.participant_reminders_stop(participant=participant)
        return _back_to(
            request,
            "reminders",
            _("Reminders stopped. You can turn them back on here at any time."),
        )
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
            request,
            _("This session is not one of yours, so there is nothing to answer."),
            status=400,
        )
    now = timezone.now()
    error = rsvp_services.rsvp_refusal(participant=participant, session=session, now=now)
    if request.method == "POST" and error is None:
        try:
            rsvp_services.rsvp_record(participant=participant, session=session, answer=answer)
        except ServiceError as exc:
            error = " ".join(exc.messages)
        else:
            return _back_to(request, f"session-{session.pk}", _thanks(answer))
    ctx = {"participant": participant, "session": session, "answer": answer, "error": error}
    return render(request, "participant/link_rsvp.html", ctx, status=400 if error else 200)


def _thanks(answer: str) -> str:
    if answer == Rsvp.Answer.CONFIRMED:
        return _("Thank you: your group leader knows you are coming.")
    return _("Thank you for letting us know. We hope to see you next time.")


# --- The participant's own page --------------------------------------------------------------


# A confirmation goes back with the participant to the item it is about, and the page
# reloads at that item: on a small phone a message at the top of a long page is out of
# sight, and finding one's place again after every tap is what made the page tiring.
# It is kept in the session (not the messages framework, which shows at the top) and
# read once, so it works without JavaScript.
NOTICE_KEY = "participant_notice"
# The next few sessions are open on the page; later ones fold.
SESSIONS_OPEN = 3


@dataclass(frozen=True)
class Notice:
    anchor: str  # "session-12", "reflection-3", "reminders" or "calendar"
    text: str
    error: bool = False
    placed: bool = True  # False: its item is not on the page, so it shows at the top

    @property
    def kind(self) -> str:
        return self.anchor.partition("-")[0]

    @property
    def pk(self) -> int | None:
        ident = self.anchor.partition("-")[2]
        return int(ident) if ident.isdigit() else None


def _back_to(request: HttpRequest, anchor: str, text: str, *, error: bool = False) -> HttpResponse:
    """Back to the participant's page at `anchor`, with `text` shown inside that item."""
    request.session[NOTICE_KEY] = {"anchor": anchor, "text": text, "error": error}
    return redirect(reverse("participant_home") + "#" + anchor)


def _notice_take(request: HttpRequest, page: ParticipantPage) -> Notice | None:
    held = request.session.pop(NOTICE_KEY, None)
    if not isinstance(held, dict):
        return None
    notice = Notice(
        anchor=str(held.get("anchor", "")),
        text=str(held.get("text", "")),
        error=bool(held.get("error")),
    )
    on_page = {
        "session": {line.session.pk for line in page.upcoming},
        "reflection": {line.reflection.pk for line in page.reflections},
    }
    if notice.kind in on_page and notice.pk not in on_page[notice.kind]:
        notice = Notice(notice.anchor, notice.text, notice.error, placed=False)
    return notice


def _unfold(notice: Notice | None, page: ParticipantPage) -> set[str]:
    """The folded sections to open because the notice is inside them."""
    if notice is None or not notice.placed:
        return set()
    if notice.kind == "session":
        later = {line.session.pk for line in page.upcoming[SESSIONS_OPEN:]}
        return {"later"} if notice.pk in later else set()
    return {{"reflection": "reflections"}.get(notice.kind, notice.kind)}


@participant_required
def participant_home(request: HttpRequest, participant: Participant) -> HttpResponse:
    page = selectors_participants.participant_page(participant=participant, now=timezone.now())
    notice = _notice_take(request, page)
    calendar_url = _participant_feed_url(request, participant)
    ctx = {
        "participant": participant,
        "page": page,
        "next_sessions": page.upcoming[:SESSIONS_OPEN],
        "later_sessions": page.upcoming[SESSIONS_OPEN:],
        "notice": notice,
        "unfold": _unfold(notice, page),
        "calendar_url": calendar_url,
        # webcal:// makes phones subscribe, where https:// would import a copy once.
        "calendar_subscribe_url": "webcal://" + calendar_url.split("://", 1)[-1],
        "by_link": not request.user.is_authenticated,
        "questions": page.questions,
        "goals": selectors_plans.own_goals(participant=participant),
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
    if done := submit(
        request,
        form,
        lambda data: participant_services.participant_reminders_update(
            participant=participant, **data
        ),
    ):
        languages.activate_for(done.value)  # the confirmation in the language just chosen
        return _back_to(request, "reminders", _("Your reminder settings are saved."))
    return render(request, "participant/reminders.html", {"participant": participant, "form": form})


@participant_required
@require_POST
def participant_reminders_stop(request: HttpRequest, participant: Participant) -> HttpResponse:
    participant_services.participant_reminders_stop(participant=participant)
    return _back_to(
        request, "reminders", _("Reminders stopped. You can turn them back on at any time.")
    )


@participant_required
@require_POST
def participant_rsvp(
    request: HttpRequest, participant: Participant, session_id: int
) -> HttpResponse:
    session = get_session_for_participant(request, participant, session_id)
    anchor = f"session-{session.pk}"
    try:
        rsvp_services.rsvp_record(
            participant=participant, session=session, answer=request.POST.get("answer", "")
        )
    except ServiceError as exc:
        return _back_to(request, anchor, " ".join(exc.messages), error=True)
    return _back_to(request, anchor, _thanks(request.POST["answer"]))


@participant_required
@require_POST
def participant_calendar(request: HttpRequest, participant: Participant) -> HttpResponse:
    had_one = bool(participant.calendar_token)
    feed_services.participant_calendar_reset(participant=participant)
    if had_one:
        return _back_to(
            request,
            "calendar",
            _(
                "You have a new calendar link. The old one has stopped working: subscribe "
                "again with the new one."
            ),
        )
    return _back_to(request, "calendar", _("Your calendar link is ready."))


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
        if done := submit(
            request, form, lambda data: _save_reflection(data, participant, session, reflection)
        ):
            thanks = (
                _("Your reflection is updated.")
                if reflection
                else _("Thank you for your reflection.")
            )
            return _back_to(request, f"reflection-{done.value.pk}", thanks)
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
    data: dict,
    participant: Participant,
    session: Session,
    reflection: Reflection | None,
) -> Reflection:
    """The participant's first reflection on the session, or their change to it."""
    if reflection is None:
        return reflection_services.reflection_submit(
            participant=participant, session=session, **data
        )
    return reflection_services.reflection_update(
        reflection=reflection, participant=participant, **data
    )


# --- Questions: questionnaires and session check-ins -------------------------------------
#
# A participant sees a questionnaire by its plain title only, never its name (a phone is
# read over shoulders). Answers are not shown back after saving: if one of them needs a
# clinician today, the next screen is the crisis resources, in plain words.


@participant_required
def participant_questions(request: HttpRequest, participant: Participant) -> HttpResponse:
    ctx = {
        "participant": participant,
        "questions": answering.questions_for(participant, timezone.now()),
    }
    return render(request, "participant/questions.html", ctx)


@participant_required
@require_http_methods(["GET", "POST"])
def participant_measure_answer(
    request: HttpRequest, participant: Participant, request_id: int
) -> HttpResponse:
    """Answer one questionnaire the participant was asked for."""
    asked = get_own_request(request, participant, request_id)
    instrument = instruments.worded(asked.instrument, participant.language)
    ctx = {"participant": participant, "instrument": instrument, "asked": asked}
    today = timezone.localdate(timezone.now(), participant.tz)
    if asked.status != MeasureRequest.Status.OPEN or asked.due_on > today:
        ctx["closed"] = (
            _("You have answered these questions already. Thank you.")
            if asked.status == MeasureRequest.Status.ANSWERED
            else _("These questions are not open now. Nothing to do here.")
        )
        return render(request, "participant/answer.html", ctx)
    return _answer(
        request, participant, instrument, ctx, via=MeasureResponse.Via.OWN_PAGE, session=None
    )


@participant_required
@require_http_methods(["GET", "POST"])
def participant_checkin(
    request: HttpRequest, participant: Participant, session_id: int
) -> HttpResponse:
    """The session's check-in: before or after, as the time says, or as `?phase=` asks."""
    session = get_session_for_participant(request, participant, session_id)
    now = timezone.now()
    phase = request.GET.get("phase")
    if phase not in answering.PHASES:
        phase = answering.checkin_phase(session, now)
    instrument = instruments.worded(answering.PHASES[phase], participant.language)
    ctx = {"participant": participant, "instrument": instrument, "session": session}
    if not answering.checkin_is_open(session, phase, now):
        ctx["closed"] = _("This check-in is not open now. Nothing to do here.")
        return render(request, "participant/answer.html", ctx)
    return _answer(
        request, participant, instrument, ctx, via=MeasureResponse.Via.OWN_PAGE, session=session
    )


def _answer(
    request: HttpRequest,
    participant: Participant,
    instrument: Instrument,
    ctx: dict,
    *,
    via: str,
    session: Session | None,
) -> HttpResponse:
    """The answer form; its POST records the answers, then thanks the participant or, when
    an answer needs a clinician today, shows the crisis resources at once."""
    # Through a link session the answer came by link; on their login, on their own page.
    if not request.user.is_authenticated:
        via = MeasureResponse.Via.LINK
    form = AnswerForm(request.POST if request.method == "POST" else None, instrument=instrument)
    if request.method == "POST" and form.is_valid():
        try:
            done = measure_services.response_record(
                participant=participant,
                instrument=instrument.code,
                answers=form.answers,
                via=via,
                session=session,
            )
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            if done.needs_crisis_resources:
                return render(request, "participant/crisis.html", {"participant": participant})
            return _back_to(request, "questions", _("Thank you: your answers are saved."))
    ctx["form"] = form
    status = 400 if request.method == "POST" else 200
    return render(request, "participant/answer.html", ctx, status=status)
