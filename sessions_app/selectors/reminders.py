"""Reads of the reminder outbox for staff pages, always through `reminders_for`."""

from django.db.models import QuerySet

from ..models import Participant, Reminder, Session, User
from ..permissions import reminders_for

TROUBLE = (Reminder.Status.FAILED, Reminder.Status.INTERRUPTED)


def session_reminders(*, user: User, session: Session) -> list[Reminder]:
    """The session's reminders. Each row is given the session the page already has,
    rather than joining the session, its group and its site again for every row."""
    rows = list(
        reminders_for(user)
        .filter(session=session)
        .select_related("participant")
        .order_by("due_at", "participant__last_name", "pk")
    )
    for row in rows:
        row.session = session
    return rows


def participant_reminders(*, user: User, participant: Participant) -> QuerySet[Reminder]:
    """The participant's reminders about sessions the user may see, latest first."""
    return (
        reminders_for(user)
        .filter(participant=participant)
        .select_related("session__group__site")
        .order_by("-due_at", "-pk")
    )


def reminder_failures(*, user: User) -> QuerySet[Reminder]:
    """Failed and interrupted reminders the user may see, most recent first."""
    return (
        reminders_for(user)
        .filter(status__in=TROUBLE)
        .select_related("participant", "staff_user", "session__group__site")
        .order_by("-updated_at", "-pk")
    )
