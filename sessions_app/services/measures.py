"""Recording answers to the instruments: validated against the catalogue, scored, tied to
the request they answer, and checked for safety at once."""

from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from .. import instruments
from ..models import (
    Enrollment,
    MeasureRequest,
    MeasureResponse,
    Participant,
    SafetyAlert,
    Session,
    User,
)
from .errors import ServiceError
from .safety import alerts_raise

CHECKIN_PHASES = {"checkin_before": "before", "checkin_after": "after"}


@dataclass
class Recorded:
    response: MeasureResponse
    # Alerts this answer raised: the participant is shown crisis resources at once.
    alerts: list[SafetyAlert] = field(default_factory=list)

    @property
    def needs_crisis_resources(self) -> bool:
        return bool(self.alerts)


def on_roster(*, participant: Participant, session: Session) -> bool:
    """Whether the participant is enrolled in the session's group on its local date."""
    return (
        Enrollment.objects.filter(participant=participant, group_id=session.group_id)
        .active_on(session.local_date)
        .exists()
    )


def response_record(
    *,
    participant: Participant,
    instrument: str,
    answers: dict[str, int],
    via: str,
    session: Session | None = None,
    entered_by: User | None = None,
    now: datetime | None = None,
) -> Recorded:
    """Record one set of answers.

    A check-in belongs to a session the participant is on the roster of; answering the
    same check-in again (a tap corrected at the door) replaces the earlier answers. Any
    other questionnaire answers the participant's oldest open request for it, if one is
    due, and is kept beside earlier ones.
    """
    now = now or timezone.now()
    try:
        spec = instruments.get(instrument)
    except ValueError:
        raise ServiceError("There is no such questionnaire.") from None
    phase = CHECKIN_PHASES.get(instrument, "")
    # A reflection asked some of a check-in's items only (mood before, but no craving
    # before): it records what it asked, as migration 0014 did. Questionnaires with a
    # total are never partial.
    partial = via == MeasureResponse.Via.REFLECTION and bool(phase)
    problems = spec.problems(answers, partial=partial)
    if problems:
        raise ServiceError(problems)
    if phase and session is None:
        raise ServiceError("A check-in belongs to a session.")
    if session is not None and not on_roster(participant=participant, session=session):
        raise ServiceError("Only participants on this session's roster can check in for it.")
    score = None if partial else spec.score(answers)
    with transaction.atomic():
        if phase:
            response, _ = MeasureResponse.objects.update_or_create(
                participant=participant,
                session=session,
                instrument=instrument,
                phase=phase,
                defaults={
                    "answers": answers,
                    "score": score,
                    "answered_at": now,
                    "via": via,
                    "entered_by": entered_by,
                },
            )
        else:
            request = (
                MeasureRequest.objects.select_for_update()
                .filter(
                    participant=participant,
                    instrument=instrument,
                    status=MeasureRequest.Status.OPEN,
                    due_on__lte=timezone.localdate(now, participant.tz),
                )
                .order_by("due_on", "pk")
                .first()
            )
            response = MeasureResponse.objects.create(
                participant=participant,
                instrument=instrument,
                session=session,
                request=request,
                answers=answers,
                score=score,
                answered_at=now,
                via=via,
                entered_by=entered_by,
            )
            if request is not None:
                request.status = MeasureRequest.Status.ANSWERED
                request.save(update_fields=["status"])
        response.participant = participant
        alerts = alerts_raise(response=response, now=now)
    return Recorded(response=response, alerts=alerts)
