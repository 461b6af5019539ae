"""Reads for participants' own pages, for reflections on staff pages, and for calendar
feeds. Every function takes what `permissions` already narrowed, or narrows through it."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Max, Q, QuerySet

from ..models import (
    Attendance,
    Enrollment,
    Group,
    LullabyProject,
    Participant,
    Reflection,
    Session,
    Song,
    User,
)
from ..permissions import (
    own_reflections,
    reflection_dates_for,
    reflections_for,
)
from ..services.reflections import reflection_edit_deadline
from .answering import (
    AFTER_CLOSES_AFTER_END,
    BEFORE_OPENS,
    CheckinLine,
    QuestionLine,
    Questions,
    checkin_lines,
    checkins_answered,
    open_requests,
)
from .meetings import current_enrollments, on_roster, rsvp_answer

# A reflection is invited for sessions attended this recently; older ones can still be
# written through a reflection link, but the page does not nag about them.
REFLECT_WITHIN_DAYS = 14
REFLECTIONS_SHOWN = 20
# The page shows the sessions of the next eight weeks.
UPCOMING_DAYS = 56
# Calendar feeds carry this much history, and everything ahead (generated weeks ahead).
FEED_PAST_DAYS = 60


# --- The participant's own page ----------------------------------------------------------


@dataclass
class UpcomingLine:
    session: Session
    answer: str | None  # Rsvp.Answer value, or None if not answered


@dataclass
class ReflectionLine:
    reflection: Reflection
    editable_until: datetime | None  # None once the edit window has passed


@dataclass
class ParticipantPage:
    participant: Participant
    upcoming: list[UpcomingLine]
    to_reflect: list[Session]
    reflections: list[ReflectionLine]
    lullaby: LullabyProject | None
    questions: Questions


# What a reflection card shows (templates/participant/_reflection_cards.html), and no more:
# twenty cards of whole rows from six tables cost more to read than to show.
_REFLECTION_CARD_FIELDS = (
    "session_id",
    "participant_id",
    "mood_before",
    "mood_after",
    "connection",
    "craving",
    "song_text",
    "text",
    "created_at",
    "session__starts_at",
    "session__group__site__time_zone",
    "song__title",
    "entered_by__first_name",
    "entered_by__last_name",
    "entered_by__username",
)


def participant_page(*, participant: Participant, now: datetime) -> ParticipantPage:
    """Everything on a participant's own page, in a fixed number of queries."""
    upcoming, checkins = _sessions_ahead(participant=participant, now=now)
    to_reflect = list(
        Session.objects.filter(
            attendance__participant=participant,
            attendance__status__in=Attendance.ATTENDED,
            ends_at__lte=now,
            ends_at__gte=now - timedelta(days=REFLECT_WITHIN_DAYS),
        )
        .exclude(status=Session.Status.CANCELLED)
        .exclude(reflections__participant=participant)
        .select_related("group__site")
        .only("starts_at", "group__site__time_zone")  # a link with its day and time
        .order_by("-starts_at")
    )
    reflections = []
    for reflection in (
        own_reflections(participant)
        .select_related("session__group__site", "song", "entered_by")
        .only(*_REFLECTION_CARD_FIELDS)
        .order_by("-session__starts_at")[:REFLECTIONS_SHOWN]
    ):
        deadline = reflection_edit_deadline(reflection)
        reflections.append(ReflectionLine(reflection, deadline if now < deadline else None))
    lullaby = LullabyProject.objects.filter(participant=participant).order_by("-updated_at").first()
    return ParticipantPage(
        participant=participant,
        upcoming=[UpcomingLine(s, s.rsvp_answer) for s in upcoming],
        to_reflect=to_reflect,
        reflections=reflections,
        lullaby=lullaby,
        questions=Questions(
            checkins=checkins,
            requests=[QuestionLine(r) for r in open_requests(participant, now)],
        ),
    )


def _sessions_ahead(
    *, participant: Participant, now: datetime
) -> tuple[list[Session], list[CheckinLine]]:
    """The next sessions (as `participant_upcoming_sessions`) and the check-ins open now
    (as `answering.current_checkins`), from one read of the enrolments and one of the
    sessions: those of the current groups ahead, and any of their groups' at hand."""
    enrollments = list(Enrollment.objects.filter(participant=participant).order_by())
    if not enrollments:
        return [], []
    current = current_enrollments(enrollments, now=now)
    sessions = list(
        # The groups of `sessions_of_participant`, which the enrolments at hand name.
        Session.objects.filter(
            group__in={e.group_id for e in enrollments},
            starts_at__lt=now + timedelta(days=UPCOMING_DAYS),
            ends_at__gte=now - AFTER_CLOSES_AFTER_END,
        )
        .filter(Q(group__in={e.group_id for e in current}) | Q(starts_at__lte=now + BEFORE_OPENS))
        .annotate(rsvp_answer=rsvp_answer(participant), **checkins_answered(participant))
        .select_related("group__site")
        .order_by("starts_at")
    )
    upcoming = [s for s in sessions if s.ends_at >= now and on_roster(s, current)]
    return upcoming, checkin_lines(sessions, enrolments=enrollments, now=now)


def session_plan_songs(*, session: Session) -> QuerySet[Song]:
    """The songs of a session's plan, for “the song that stayed with you”."""
    return Song.objects.filter(plan_items__session=session).distinct().order_by("title")


# --- Staff pages: RSVPs and reflections of a session, a participant's history ------------


@dataclass
class SessionReflections:
    """The reflections section of a session page.

    `readable` is true for the group's therapists, who see words and scores; an
    administrator gets only `count`, and `reflections` stays empty for them.
    """

    readable: bool
    count: int
    reflections: list[Reflection]
    to_enter: list[Participant]


def session_reflections(
    *, user: User, session: Session, attended: list[Participant]
) -> SessionReflections:
    """`attended`: the participants the page already knows attended (for “enter for them”)."""
    if user.is_therapist:
        reflections = list(
            reflections_for(user)
            .filter(session=session)
            .select_related("participant", "song", "entered_by")
            .order_by("participant__last_name", "participant__first_name")
        )
        have = {r.participant_id for r in reflections}
        return SessionReflections(
            readable=True,
            count=len(reflections),
            reflections=reflections,
            to_enter=[p for p in attended if p.pk not in have],
        )
    count = reflection_dates_for(user).filter(session_id=session.pk).count()
    return SessionReflections(readable=False, count=count, reflections=[], to_enter=[])


@dataclass
class ReflectionSummary:
    count: int
    latest: datetime | None
    readable: bool


def participant_reflection_summary(*, user: User, participant: Participant) -> ReflectionSummary:
    """How many reflections in the sessions the user may see, and the latest date: no
    words or scores, so it is safe on any staff page."""
    found = (
        reflection_dates_for(user)
        .filter(participant_id=participant.pk)
        .aggregate(count=Count("pk"), latest=Max("created_at"))
    )
    return ReflectionSummary(
        count=found["count"], latest=found["latest"], readable=user.is_therapist
    )


def participant_reflection_history(
    *, user: User, participant: Participant, limit: int = 52
) -> list[Reflection]:
    """The participant's latest reflections the user may read, oldest first."""
    latest = (
        reflections_for(user)
        .filter(participant=participant)
        .select_related("session__group__site", "song", "entered_by")
        .order_by("-session__starts_at")[:limit]
    )
    return list(reversed(list(latest)))


# --- Calendar feeds ------------------------------------------------------------------------


def _feed_sessions(qs: QuerySet[Session], *, now: datetime) -> QuerySet[Session]:
    # SEQUENCE in a feed is the number of changes: a move raises it, and calendar apps
    # then replace the event they have under the same UID.
    return (
        qs.filter(starts_at__gte=now - timedelta(days=FEED_PAST_DAYS))
        .select_related("group__site")
        .annotate(sequence=Count("changes", distinct=True))
        .order_by("starts_at")
    )


def therapist_feed_sessions(*, user: User, now: datetime) -> list[Session]:
    """All sessions of the groups the therapist facilitates (lead or co)."""
    groups = Group.objects.filter(facilitations__therapist=user).values("pk")
    return list(_feed_sessions(Session.objects.filter(group__in=groups), now=now))


def participant_feed_sessions(*, participant: Participant, now: datetime) -> list[Session]:
    """The participant's sessions: their groups', on the dates they are enrolled."""
    enrollments = list(Enrollment.objects.filter(participant=participant))
    if not enrollments:
        return []
    sessions = _feed_sessions(
        Session.objects.filter(group__in={e.group_id for e in enrollments}), now=now
    )
    return [
        s
        for s in sessions
        if any(e.group_id == s.group_id and e.is_active_on(s.local_date) for e in enrollments)
    ]
