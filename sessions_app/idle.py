"""Automatic logoff: staff sessions end after STAFF_IDLE_SECONDS without activity.

Clinical records stay open on shared computers, so a staff member who walks away is
signed out; what they were typing is not lost. Three pieces work together:

- `IdleLogoffMiddleware` keeps the time of the last request in the session. A staff
  request after the idle limit (or after SESSION_COOKIE_AGE since signing in, which a
  session written on every request would otherwise never reach) signs them out and
  sends them to the login page with ?next=; a POST's form data is kept first as a draft
  (a laptop that slept, with no script running to save it).
- static/js/idle.js warns a minute before the limit, pings the keepalive while the
  person types, and at the limit posts every changed `data-keep-draft` form to the
  expire endpoint (views/idle.py), which keeps it and signs out.
- `idle_context` gives pages the script's settings and, once, a draft kept for the
  page being opened (services.drafts), which idle.js puts back into the form.

Participants are left alone: their link sessions have their own short limit.
"""

import math
import time
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.contrib.auth.views import redirect_to_login
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.http import url_has_allowed_host_and_scheme

from .models import KeptDraft, User
from .services.drafts import draft_keep, draft_take, is_local_path

# Reasons a session ends, as the audit trail's LOGOUT entries give them.
IDLE, SESSION_AGE = "idle", "session_age"

# Session keys. `OUT` outlives the sign-out (in the fresh session logout leaves), so a
# second tab's draft can still be kept for the person just signed out (views/idle.py).
_USER, _START, _LAST, _DRAFTS, OUT = (
    "idle_user",
    "idle_start",
    "idle_last",
    "idle_drafts",
    "idle_out",
)


def signs_out_when_idle(user) -> bool:
    """Staff: administrators, therapists, teaching artists (superusers too)."""
    return user.is_authenticated and (
        user.is_superuser
        or user.role in (User.Role.ADMINISTRATOR, User.Role.THERAPIST, User.Role.TEACHING_ARTIST)
    )


def _now() -> float:
    return time.time()


def idle_seconds() -> int:
    return settings.STAFF_IDLE_SECONDS


def _minutes_label(seconds: int) -> str:
    if seconds % 60:
        return f"{seconds} seconds"
    minutes = seconds // 60
    if minutes % 60 == 0:
        hours = minutes // 60
        return "1 hour" if hours == 1 else f"{hours} hours"
    return "1 minute" if minutes == 1 else f"{minutes} minutes"


def _start(session, user, now: float) -> None:
    session[_USER] = user.pk
    session[_START] = now
    session[_LAST] = now
    # One query per sign-in, so that pages ask for a kept draft only when one waits.
    session[_DRAFTS] = KeptDraft.objects.filter(user=user).exists()


@receiver(user_logged_in, dispatch_uid="refrain_idle_login")
def _signed_in(sender, request, user, **kwargs) -> None:
    if request is not None and signs_out_when_idle(user):
        _start(request.session, user, _now())


def _track(request: HttpRequest, now: float) -> dict:
    """This sign-in's times; started here only for a session signed in before this
    module was (a sign-in starts them itself)."""
    session = request.session
    if session.get(_USER) != request.user.pk:
        _start(session, request.user, now)
    return session


def expiry_reason(request: HttpRequest, now: float | None = None) -> str | None:
    """Why this staff session has ended, or None while it is still good."""
    now = _now() if now is None else now
    session = _track(request, now)
    if now - session[_LAST] >= idle_seconds():
        return IDLE
    if now - session[_START] >= settings.SESSION_COOKIE_AGE:
        return SESSION_AGE
    return None


def touch(request: HttpRequest, now: float | None = None, *, exact: bool = False) -> None:
    """Count this request as activity.

    Written to the session only when it moves the time on by a sixtieth of the limit
    (15 s at 15 minutes), so that pages do not each rewrite the session row; the
    keepalive asks for `exact`.
    """
    now = _now() if now is None else now
    session = _track(request, now)
    if exact or now - session[_LAST] >= max(1, idle_seconds() // 60):
        session[_LAST] = now


def seconds_left(request: HttpRequest, now: float | None = None) -> int:
    now = _now() if now is None else now
    session = _track(request, now)
    idle_left = idle_seconds() - (now - session[_LAST])
    age_left = settings.SESSION_COOKIE_AGE - (now - session[_START])
    # Rounded up, so that a page acting on it never arrives before the server agrees.
    return max(0, math.ceil(min(idle_left, age_left)))


def sign_out(request: HttpRequest, reason: str) -> None:
    """Sign the staff member out, with the reason in the audit trail and a message that
    says what happened and that their typing is kept."""
    user = request.user
    request.logout_reason = reason
    logout(request)
    request.session[OUT] = {"user": user.pk, "at": _now()}
    if reason == IDLE:
        why = f"after {_minutes_label(idle_seconds())} without activity"
    else:
        why = f"because a sign-in lasts {_minutes_label(settings.SESSION_COOKIE_AGE)} at most"
    messages.info(
        request,
        f"You were signed out {why}. Sign in again to carry on; what you were typing is kept.",
    )


def signed_out_user(request: HttpRequest, within: float) -> User | None:
    """Who this browser's session belonged to, if they were signed out `within` seconds."""
    out = request.session.get(OUT)
    if not isinstance(out, dict) or _now() - out.get("at", 0) > within:
        return None
    return User.objects.filter(pk=out.get("user")).first()


def login_url(next_path: str) -> str:
    response = redirect_to_login(next_path)
    return response["Location"]


def _page_of(request: HttpRequest) -> str:
    """The page a request came from: the form's own page for a POST (its action may be
    another URL), the URL itself otherwise."""
    if request.method == "POST":
        referer = request.META.get("HTTP_REFERER", "")
        if referer and url_has_allowed_host_and_scheme(
            referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            page = urlsplit(referer).path
            if is_local_path(page):
                return page
        return request.path
    return request.get_full_path()


class IdleLogoffMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    @cached_property
    def _passive_prefixes(self) -> tuple[str, ...]:
        # Neither counts as activity nor signs out: static files, and the keepalive and
        # expire endpoints, which decide for themselves (views/idle.py).
        return (
            "/" + settings.STATIC_URL.lstrip("/"),
            reverse("idle_keepalive"),
            reverse("idle_expire"),
            # Sent by the browser on its own, not by the person.
            reverse("csp_report"),
        )

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith(self._passive_prefixes) or not signs_out_when_idle(request.user):
            return self.get_response(request)
        now = _now()
        reason = expiry_reason(request, now)
        if reason is not None:
            return self._sign_out(request, reason)
        touch(request, now)
        return self.get_response(request)

    def _sign_out(self, request: HttpRequest, reason: str) -> HttpResponse:
        page = _page_of(request)
        if request.method == "POST":
            draft_keep(by=request.user, path=urlsplit(page).path, data=dict(request.POST.lists()))
        sign_out(request, reason)
        return redirect_to_login(page)


class _DraftOnce:
    """The draft kept for this page, taken (and so deleted) the first time a template
    asks for it; templates call it, and may call it more than once."""

    def __init__(self, request: HttpRequest):
        self.request = request

    @cached_property
    def data(self) -> dict | None:
        request = self.request
        if request.method != "GET" or not request.session.get(_DRAFTS):
            return None
        draft = draft_take(by=request.user, path=request.path)
        request.session[_DRAFTS] = KeptDraft.objects.filter(user=request.user).exists()
        return draft

    def __call__(self) -> dict | None:
        return self.data


def idle_context(request: HttpRequest) -> dict:
    """Settings for idle.js on staff pages, and the draft kept for this page, if any."""
    user = getattr(request, "user", None)
    if user is None or not signs_out_when_idle(user):
        return {}
    limit = idle_seconds()
    warning = min(settings.STAFF_IDLE_WARNING_SECONDS, max(1, limit // 2))
    return {
        "idle": {
            "seconds": limit,
            "warning": warning,
            # Pings while typing at most once a minute, and always well before a warning.
            "ping": max(1, min(60, (limit - warning) // 2)),
            "left": seconds_left(request),
        },
        "kept_draft": _DraftOnce(request),
    }
