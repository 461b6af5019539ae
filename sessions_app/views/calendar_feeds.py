"""Calendar subscriptions: the feeds (no login; a secret token in the URL is the key)
and the therapist's page with their feed URL."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.http.request import split_domain_port
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from .. import calendar_feeds, languages
from ..models import Participant, Session, User
from ..selectors import participants as selectors_participants
from ..services import calendar_feeds as feed_services


def _domain(request: HttpRequest) -> str:
    domain, _port = split_domain_port(request.get_host())
    return domain or "refrain.invalid"


def _feed_response(body: bytes) -> HttpResponse:
    response = HttpResponse(body, content_type=calendar_feeds.CONTENT_TYPE)
    response["Content-Disposition"] = 'inline; filename="sessions.ics"'
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response


# An unknown token answers 404 and is not logged: the token is the secret, and the path
# holds it.


@require_safe
def calendar_feed_therapist(request: HttpRequest, token: str) -> HttpResponse:
    user = User.objects.filter(
        calendar_token=token, role=User.Role.THERAPIST, is_active=True
    ).first()
    if user is None:
        raise Http404("No calendar here.")
    now = timezone.now()
    sessions = selectors_participants.therapist_feed_sessions(user=user, now=now)

    def description(session: Session) -> str:
        url = request.build_absolute_uri(reverse("session_detail", args=[session.pk]))
        if session.status == Session.Status.CANCELLED:
            return f"Cancelled. {url}"
        return url

    body = calendar_feeds.feed_render(
        name="Refrain: my groups",
        sessions=sessions,
        domain=_domain(request),
        summary=lambda session: session.group.name,
        description=description,
        now=now,
    )
    return _feed_response(body)


@require_safe
def calendar_feed_participant(request: HttpRequest, token: str) -> HttpResponse:
    participant = Participant.objects.select_related("site").filter(calendar_token=token).first()
    if participant is None:
        raise Http404("No calendar here.")
    now = timezone.now()
    # In the participant's language: the calendar app shows these words as they are.
    with translation.override(languages.language_of(participant)):
        summary = str(calendar_feeds.PARTICIPANT_SUMMARY)
        body = calendar_feeds.feed_render(
            name=gettext("Group sessions"),
            sessions=selectors_participants.participant_feed_sessions(
                participant=participant, now=now
            ),
            domain=_domain(request),
            # Never the group's name or focus: a calendar is seen over shoulders and synced
            # to providers' servers.
            summary=lambda session: summary,
            now=now,
        )
    return _feed_response(body)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def therapist_calendar(request: HttpRequest) -> HttpResponse:
    """A therapist's calendar subscription: see the URL, make one, or reset it."""
    user = request.user
    if not user.is_therapist:
        raise Http404("No calendar here.")
    if request.method == "POST":
        had_one = bool(user.calendar_token)
        feed_services.user_calendar_reset(user=user)
        messages.success(
            request,
            "You have a new calendar link; the old one has stopped working."
            if had_one
            else "Your calendar link is ready.",
        )
        return redirect("therapist_calendar")
    url = ""
    if user.calendar_token:
        url = request.build_absolute_uri(
            reverse("calendar_feed_therapist", args=[user.calendar_token])
        )
    return render(request, "calendar/therapist.html", {"feed_url": url})
