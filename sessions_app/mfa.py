"""Two-step sign-in for staff: who is sent to the second step, and how it is passed.

After the password, a staff member (`permissions.has_second_factor_role`) whose session
has not passed a second factor sees nothing but the second step, when they have set up
an authenticator, or the page to set one up, when STAFF_MFA_REQUIRED is on. Wherever
they were going (`next`) is carried through and reached at the end. The Django admin is
behind the same door.

A wrong second step is a failed login: Django's `user_login_failed` signal, which the
login throttle (django-axes) counts with wrong passwords, so that the account is locked
out after AXES_FAILURE_LIMIT of either, and the audit trail records as "mfa_failed".

Whether the user has an authenticator is kept in their session from the moment they log
in, so that pages cost no extra query for staff who have none (the demo, benchmarks).
"""

from urllib.parse import urlencode

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_lockout_response
from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from . import audit
from .permissions import has_second_factor_role
from .services import mfa as mfa_services

# In the session: whether its user had set up an authenticator when it was last looked.
ENROLLED_KEY = "refrain_mfa_enrolled"

# Pages an unverified staff member may still open: signing in and out, the second step,
# the probe, and everything participants use (their signed links, pages and feeds).
OPEN_PAGES = frozenset(
    {
        "login",
        "logout",
        "healthz",
        "csp_report",
        "favicon",
        "mfa_verify",
        "participant_link",
        "participant_home",
        "participant_reminders",
        "participant_reminders_stop",
        "participant_calendar",
        "participant_leave",
        "participant_rsvp",
        "participant_reflection",
        "calendar_feed_therapist",
        "calendar_feed_participant",
        "lullaby_own_project",
    }
)
# ...and, while they have none and one is required, setting one up.
ENROL_PAGES = frozenset({"mfa_security", "mfa_qr"})


def is_required() -> bool:
    return settings.STAFF_MFA_REQUIRED


def is_enrolled(request: HttpRequest) -> bool:
    if ENROLLED_KEY not in request.session:
        request.session[ENROLLED_KEY] = mfa_services.has_authenticator(request.user)
    return request.session[ENROLLED_KEY]


def remember_enrolled(request: HttpRequest, enrolled: bool) -> None:
    request.session[ENROLLED_KEY] = enrolled


@receiver(user_logged_in, dispatch_uid="refrain_mfa_login")
def _logged_in(sender, request, user, **kwargs) -> None:
    if request is not None and hasattr(request, "session") and has_second_factor_role(user):
        remember_enrolled(request, mfa_services.has_authenticator(user))


class SecondFactorMiddleware:
    """Sends staff who have not passed the second step there (or to set one up).

    After django_otp's OTPMiddleware, which tells whether the session passed it. Decided
    on the resolved URL, so that unknown addresses still answer 404.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        match = request.resolver_match
        name = match.url_name if match is not None and not match.namespace else None
        if name in OPEN_PAGES:
            return None
        user = request.user
        if not has_second_factor_role(user) or user.is_verified():
            return None
        if is_enrolled(request):
            return redirect_with_next("mfa_verify", request.get_full_path())
        if is_required() and name not in ENROL_PAGES:
            return redirect_with_next("mfa_security", request.get_full_path())
        return None


def redirect_with_next(to: str, target: str) -> HttpResponse:
    return redirect(f"{reverse(to)}?{urlencode({'next': target})}")


def safe_next(request: HttpRequest) -> str:
    """Where to go after the second step: `next` if it is on this site, else home."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def credentials_of(request: HttpRequest) -> dict:
    return {settings.AXES_USERNAME_FORM_FIELD: request.user.get_username()}


def locked_out(request: HttpRequest) -> HttpResponse | None:
    """The lockout page, with the half-signed-in session ended, when the throttle has
    locked this account out from this address; else None."""
    credentials = credentials_of(request)
    if not AxesProxyHandler.is_locked(request, credentials):
        return None
    logout(request)
    return get_lockout_response(request, None, credentials)


def second_step_failed(request: HttpRequest) -> HttpResponse | None:
    """Count a wrong second step as a failed login; the lockout page if that was one
    too many."""
    credentials = credentials_of(request)
    user_login_failed.send(sender=audit.SECOND_STEP, credentials=credentials, request=request)
    if getattr(request, "axes_locked_out", False):
        logout(request)
        return get_lockout_response(request, None, credentials)
    return None


def second_step_passed(request: HttpRequest, device) -> None:
    """Mark the session as verified by `device`, under a new session key (the session
    just gained rights), and clear the throttle's count for this account here."""
    from django_otp import login as otp_login

    request.session.cycle_key()
    otp_login(request, device)
    AxesProxyHandler.reset_attempts(
        username=request.user.get_username(), ip_address=audit.client_address(request)
    )
