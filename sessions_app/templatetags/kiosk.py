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
    if not may_run_kiosk(request.user, session):
        return ""
    return checkin_phase(session, timezone.now())
