"""What a participant has to answer now: open questionnaires, and the check-in of the
session at hand, with the window in which each check-in can be given."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from .. import instruments
from ..instruments import Instrument
from ..models import Enrollment, MeasureRequest, MeasureResponse, Participant, Session
from ..permissions import sessions_of_participant
from .meetings import on_roster

# The "before" check-in opens this long before the start (on the way in, in the waiting
# room) and closes once the session is under way long enough that it is no longer
# "before"; the "after" one opens at the start (people leave early) and stays open
# for the rest of the day's evening, for whoever answers on the bus home.
BEFORE_OPENS = timedelta(hours=3)
BEFORE_CLOSES_AFTER_START = timedelta(minutes=30)
AFTER_CLOSES_AFTER_END = timedelta(hours=6)

PHASES = {"before": "checkin_before", "after": "checkin_after"}


def checkin_window(session: Session, phase: str) -> tuple[datetime, datetime]:
    if phase == "before":
        return session.starts_at - BEFORE_OPENS, session.starts_at + BEFORE_CLOSES_AFTER_START
    return session.starts_at, session.ends_at + AFTER_CLOSES_AFTER_END


def checkin_is_open(session: Session, phase: str, now: datetime) -> bool:
    if session.status == Session.Status.CANCELLED:
        return False
    opens, closes = checkin_window(session, phase)
    return opens <= now <= closes


def checkin_phase(session: Session, now: datetime) -> str:
    """The check-in that fits the time: "before" until the session starts, then "after"."""
    return "before" if now < session.starts_at else "after"


@dataclass(frozen=True)
class CheckinLine:
    session: Session
    phase: str
    answered: bool

    @property
    def instrument(self) -> Instrument:
        return instruments.worded(PHASES[self.phase])


@dataclass(frozen=True)
class QuestionLine:
    request: MeasureRequest

    @property
    def instrument(self) -> Instrument:
        return instruments.worded(self.request.instrument)


def open_requests(participant: Participant, now: datetime) -> QuerySet[MeasureRequest]:
    """Requests the participant can answer today, oldest first."""
    today = timezone.localdate(now, participant.tz)
    return MeasureRequest.objects.filter(
        participant=participant, status=MeasureRequest.Status.OPEN, due_on__lte=today
    ).order_by("due_on", "pk")


def current_checkins(participant: Participant, now: datetime) -> list[CheckinLine]:
    """The check-ins open now for the participant's sessions (today's, in practice): one
    query for the sessions and what was answered, one for the enrolments when there are
    any sessions at all (the page is opened many times a day)."""
    near = list(
        sessions_of_participant(participant)
        .exclude(status=Session.Status.CANCELLED)
        .filter(
            starts_at__lte=now + BEFORE_OPENS,
            ends_at__gte=now - AFTER_CLOSES_AFTER_END,
        )
        .annotate(**checkins_answered(participant))
        .select_related("group__site")
        .order_by("starts_at")
    )
    if not near:
        return []
    # The default ordering would join participant, group and site for nothing.
    enrolments = list(Enrollment.objects.filter(participant=participant).order_by())
    return checkin_lines(near, enrolments=enrolments, now=now)


def checkins_answered(participant: Participant) -> dict[str, Exists]:
    """`.annotate(**...)` on sessions: whether the participant gave each check-in."""
    answered = MeasureResponse.objects.filter(
        participant=participant, session=OuterRef("pk")
    ).values("pk")
    return {
        "answered_before": Exists(answered.filter(phase="before")),
        "answered_after": Exists(answered.filter(phase="after")),
    }


def checkin_lines(
    sessions: list[Session], *, enrolments: list[Enrollment], now: datetime
) -> list[CheckinLine]:
    """The check-ins open now among `sessions` (in order, annotated by `checkins_answered`),
    for those the participant is on the roster of on the session's date: the rule
    `services.measures.on_roster` applies. `enrolments`: all of the participant's."""
    lines = []
    for session in sessions:
        phases = [phase for phase in PHASES if checkin_is_open(session, phase, now)]
        if not phases or not on_roster(session, enrolments):
            continue
        for phase in phases:
            done = session.answered_before if phase == "before" else session.answered_after
            lines.append(CheckinLine(session, phase, done))
    return lines


@dataclass(frozen=True)
class Questions:
    checkins: list[CheckinLine]
    requests: list[QuestionLine]

    @property
    def to_answer(self) -> int:
        return len(self.requests) + sum(1 for c in self.checkins if not c.answered)


def questions_for(participant: Participant, now: datetime) -> Questions:
    return Questions(
        checkins=current_checkins(participant, now),
        requests=[QuestionLine(r) for r in open_requests(participant, now)],
    )
