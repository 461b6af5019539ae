"""A participant's answer to "will you come?": coming or not coming, the latest counts."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import Enrollment, Participant, Rsvp, Session
from .errors import ServiceError


def rsvp_refusal(*, participant: Participant, session: Session, now: datetime) -> str | None:
    """Why the participant cannot answer for this session now, in their words; or None."""
    enrolled = (
        Enrollment.objects.filter(participant=participant, group_id=session.group_id)
        .active_on(session.local_date)
        .exists()
    )
    if not enrolled:
        return _("This session is not one of yours, so there is nothing to answer.")
    if session.status == Session.Status.CANCELLED:
        return _("This session was cancelled, so there is nothing to answer.")
    if session.starts_at <= now:
        return _("This session has already started or taken place, so it is too late to answer.")
    return None


@transaction.atomic
def rsvp_record(
    *, participant: Participant, session: Session, answer: str, now: datetime | None = None
) -> Rsvp:
    """Record that the participant is coming (or not) to a session of their group.

    Only for a session of a group they are enrolled in on its date, not cancelled and
    not yet started. Answering again replaces the earlier answer.
    """
    now = now or timezone.now()
    if answer not in Rsvp.Answer.values:
        raise ServiceError(_("Choose “I’ll be there” or “I can’t come”."))
    refusal = rsvp_refusal(participant=participant, session=session, now=now)
    if refusal:
        raise ServiceError(refusal)
    rsvp, _created = Rsvp.objects.update_or_create(
        session=session, participant=participant, defaults={"answer": answer}
    )
    return rsvp
