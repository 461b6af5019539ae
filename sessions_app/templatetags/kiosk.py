"""The session page's "Check-in at the door" button (templates/meetings/_kiosk_button.html),
so that the shared session page needs one include line and no view change."""

from django import template
from django.utils import timezone

from ..models import Session
from ..permissions import may_run_kiosk
from ..selectors.answering import checkin_phase

register = template.Library()


@register.simple_tag(takes_context=True)
def kiosk_phase(context, session: Session) -> str:
    """The phase the button starts ("before" or "after"), or "" if the user may not."""
    request = context.get("request")
    if request is None or session.status == Session.Status.CANCELLED:
        return ""
    user = request.user
    # A therapist reaches the session page only for their own groups' sessions
    # (permissions.sessions_for), so the button costs the page no query; a superuser
    # who is also a therapist sees every session, and is asked. `kiosk_start` decides
    # for itself either way.
    if not (user.is_authenticated and user.is_therapist):
        return ""
    if user.is_superuser and not may_run_kiosk(user, session):
        return ""
    return checkin_phase(session, timezone.now())
