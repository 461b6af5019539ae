"""Responses for someone signed in are never kept by a browser or a proxy.

A clinical page left in a shared computer's cache (the back button after logging off,
a "restore tabs", a proxy in a clinic) shows a person's record to the next user. So
every response to a signed-in user, or to a participant on a link session (their own
pages, reached from a reminder without a login), says `Cache-Control: no-store`,
whatever the view did. Static files are answered by WhiteNoise before this middleware
runs and keep their long caching; the other security headers come from django-csp,
django-permissions-policy and Django's SecurityMiddleware (config/settings.py).
"""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers

from . import links


def is_signed_in(request: HttpRequest) -> bool:
    """A staff or participant login, or a participant's link session (valid or not:
    a page answered to a stale one may still have been about them)."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return True
    session = getattr(request, "session", None)
    return session is not None and links.SESSION_KEY in session


class NoStoreMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # Asked before the view and after it: logging in or opening a link starts the
        # session during the request, logging out ends it.
        signed_in = is_signed_in(request)
        response = self.get_response(request)
        if signed_in or is_signed_in(request):
            add_never_cache_headers(response)
        return response
