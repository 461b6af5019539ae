"""Check-in at the door: a therapist's tablet handed to participants, one after another.

Kiosk mode is a flag in the browser's Django session: which session is checked in,
which phase (before or after), whose sign-in it runs on, and when it ends. While it is
on, `KioskMiddleware` sends every URL other than the kiosk's own back to the roster, so
a participant holding the tablet cannot reach the therapist's pages; leaving needs the
therapist's password (views/kiosk.py), and too many wrong passwords sign them out.

The idle logoff (sessions_app/idle.py) would sign the therapist out fifteen minutes into
the session, leaving the after-session check-in on a sign-in page. So while a kiosk is
on, each request counts as the therapist's activity and the idle limit gives way; the
kiosk has its own, firmer end instead: KIOSK_AFTER_SESSION_MINUTES after its session
ends, the next request signs the therapist out and the tablet lands on the sign-in page,
which shows nobody anything. Two-step sign-in is untouched: the kiosk runs on a sign-in
that passed it, and nothing here signs anyone in.
"""

import time
from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils.functional import cached_property

from . import idle
from .models import Session

SESSION_KEY = "refrain_kiosk"
KIOSK_ENDED = "kiosk_ended"
# The kiosk's own pages; everything else goes back to the roster.
KIOSK_URLS = {"kiosk", "kiosk_answer", "kiosk_exit"}


def _now() -> float:
    return time.time()


def kiosk_on(request: HttpRequest, session: Session, phase: str) -> None:
    until = session.ends_at + timedelta(minutes=settings.KIOSK_AFTER_SESSION_MINUTES)
    request.session[SESSION_KEY] = {
        "session": session.pk,
        "phase": phase,
        "user": request.user.pk,
        "until": until.timestamp(),
        "failures": 0,
    }


def kiosk_off(request: HttpRequest) -> None:
    request.session.pop(SESSION_KEY, None)


def kiosk_state(request: HttpRequest) -> dict | None:
    """This browser's kiosk, if one is on for the user signed in."""
    state = request.session.get(SESSION_KEY)
    if not isinstance(state, dict):
        return None
    if not request.user.is_authenticated or state.get("user") != request.user.pk:
        kiosk_off(request)
        return None
    return state


def kiosk_for(request: HttpRequest, session: Session) -> dict | None:
    state = kiosk_state(request)
    return state if state is not None and state["session"] == session.pk else None


def kiosk_end(request: HttpRequest, message: str) -> HttpResponse:
    """Sign the therapist out: the tablet lands on the sign-in page."""
    request.logout_reason = KIOSK_ENDED
    logout(request)
    messages.info(request, message)
    return redirect_to_login(reverse("home"))


class KioskMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    @cached_property
    def _passive_prefixes(self) -> tuple[str, ...]:
        return ("/" + settings.STATIC_URL.lstrip("/"), reverse("csp_report"))

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith(self._passive_prefixes):
            return self.get_response(request)
        state = kiosk_state(request)
        if state is None:
            return self.get_response(request)
        if _now() > state["until"]:
            return kiosk_end(
                request,
                "Check-in at the door closed after the session, and signed you out. "
                "Sign in again to carry on.",
            )
        if idle.signs_out_when_idle(request.user):
            idle.touch(request, exact=True)
        if self._is_kiosk_page(request, state):
            return self.get_response(request)
        return redirect("kiosk", session_id=state["session"])

    @staticmethod
    def _is_kiosk_page(request: HttpRequest, state: dict) -> bool:
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return False
        return match.url_name in KIOSK_URLS and match.kwargs.get("session_id") == state["session"]
