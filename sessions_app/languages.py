"""Which language a page or message is in.

A participant reads Refrain in the language on their record: their own pages (login or
signed link), the kiosk's screens for them, and every reminder and feed sent to them. A
staff member reads it in the language on their user (English unless they chose another).
The browser's Accept-Language is never consulted: on a shared or borrowed phone it says
nothing about who is reading, and staff pages are written for one working language.
"""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation

ENGLISH = "en"
SPANISH = "es"
# The choices for a participant's or staff member's language, in each language's own name:
# whoever picks it can find theirs without reading English.
CHOICES = [(ENGLISH, "English"), (SPANISH, "Español")]
CODES = frozenset(code for code, _name in CHOICES)


def language_of(record: object) -> str:
    """The language of a participant or user, falling back to the site's default."""
    code = getattr(record, "language", "") or settings.LANGUAGE_CODE
    return code if code in CODES else settings.LANGUAGE_CODE


def activate_for(record: object) -> None:
    """Use `record`'s language for the rest of this request."""
    translation.activate(language_of(record))


class StaffLanguageMiddleware:
    """Every request starts in the default language, or the signed-in staff member's.

    Participants' pages switch to the participant's language where the participant is
    known (`views.participant_pages.participant_required`, the signed-link view, the kiosk),
    which costs no query here."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not user.is_participant:
            activate_for(user)
        else:
            translation.activate(settings.LANGUAGE_CODE)
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", translation.get_language())
        translation.deactivate()
        return response
