"""Reflections: a participant's own words after a session they attended.

One per participant and session (a database constraint). The participant may change
theirs for `REFLECTION_EDIT_HOURS` after writing it; after that it is part of the
record. A therapist of the group may enter one on a participant's behalf (for someone
without a phone, or who would rather say it than type it); it then says so.
"""

from datetime import datetime, timedelta
from typing import NotRequired, TypedDict, Unpack

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from ..models import Attendance, MeasureResponse, Participant, Reflection, Session, Song, User
from ..permissions import may_enter_reflection_for
from .errors import ServiceError
from .measures import response_record

SCORES = {
    # field: (lowest, highest, what it is as a person would say it)
    "mood_before": (1, 10, gettext_lazy("Mood before the session")),
    "mood_after": (1, 10, gettext_lazy("Mood after the session")),
    "connection": (1, 5, gettext_lazy("Connection to the group")),
    "craving": (0, 10, gettext_lazy("Craving")),
}
SONG_TEXT_MAX = 200


class Answers(TypedDict):
    """What a participant says about a session, as every reflection service takes it."""

    mood_before: int | None
    mood_after: int | None
    connection: int | None
    craving: NotRequired[int | None]
    song: NotRequired[Song | None]
    song_text: NotRequired[str]
    text: NotRequired[str]


def reflection_edit_deadline(reflection: Reflection) -> datetime:
    return reflection.created_at + timedelta(hours=settings.REFLECTION_EDIT_HOURS)


def reflection_may_edit(reflection: Reflection, *, now: datetime | None = None) -> bool:
    return (now or timezone.now()) < reflection_edit_deadline(reflection)


def _attended(participant: Participant, session: Session) -> bool:
    return Attendance.objects.filter(
        session=session, participant=participant, status__in=Attendance.ATTENDED
    ).exists()


def reflection_refusal(*, participant: Participant, session: Session) -> str | None:
    """Why the participant cannot write a reflection on this session, or None."""
    if session.status == Session.Status.CANCELLED:
        return _("This session was cancelled, so there is nothing to reflect on.")
    if not _attended(participant, session):
        return _(
            "You can write a reflection only about a session you came to. If you were "
            "there, ask your group leader to check the attendance."
        )
    return None


def _out_of_range(label: str, low: int, high: int) -> str:
    return _("%(label)s: choose a number from %(low)s to %(high)s.") % {
        "label": label,
        "low": low,
        "high": high,
    }


def _clean(*, session: Session, **answers: Unpack[Answers]) -> dict:
    values = {name: answers.get(name) for name in SCORES}
    song = answers.get("song")
    song_text = answers.get("song_text", "")
    text = answers.get("text", "")
    problems: dict[str, str] = {}
    for name, (low, high, label) in SCORES.items():
        value = values[name]
        if value is None:
            if name != "craving":  # the one optional score
                problems[name] = _out_of_range(label, low, high)
        elif not isinstance(value, int) or not low <= value <= high:
            problems[name] = _out_of_range(label, low, high)
    song_text = (song_text or "").strip()
    if song is not None and song_text:
        problems["song_text"] = _("Choose a song from the list or type one in, not both.")
    elif song is not None and not session.plan_items.filter(song=song).exists():
        problems["song"] = _("Choose a song from this session's plan, or type the song's name.")
    elif len(song_text) > SONG_TEXT_MAX:
        problems["song_text"] = _("Keep the song's name under %(count)s characters.") % {
            "count": SONG_TEXT_MAX
        }
    if problems:
        raise ServiceError(problems)
    return {**values, "song": song, "song_text": song_text, "text": (text or "").strip()}


def _create(*, participant: Participant, session: Session, entered_by: User | None, **fields):
    try:
        # A savepoint, so that a double tap losing the race leaves the outer transaction usable.
        with transaction.atomic():
            return Reflection.objects.create(
                session=session, participant=participant, entered_by=entered_by, **fields
            )
    except IntegrityError:
        raise ServiceError(
            _("There is already a reflection for this session; change that one instead.")
        ) from None


@transaction.atomic
def reflection_submit(
    *,
    participant: Participant,
    session: Session,
    **answers: Unpack[Answers],
) -> Reflection:
    """The participant's own reflection on a session they attended."""
    refusal = reflection_refusal(participant=participant, session=session)
    if refusal:
        raise ServiceError(refusal)
    if Reflection.objects.filter(session=session, participant=participant).exists():
        raise ServiceError(_("You already wrote about this session; you can change it instead."))
    fields = _clean(session=session, **answers)
    reflection = _create(participant=participant, session=session, entered_by=None, **fields)
    _checkins_record(reflection)
    return reflection


@transaction.atomic
def reflection_update(
    *,
    reflection: Reflection,
    participant: Participant,
    now: datetime | None = None,
    **answers: Unpack[Answers],
) -> Reflection:
    """The participant changes their reflection, within REFLECTION_EDIT_HOURS of writing it.

    Also one a therapist entered for them: it is still their reflection. Who entered it
    first stays recorded.
    """
    now = now or timezone.now()
    reflection = (
        Reflection.objects.select_for_update().select_related("session").get(pk=reflection.pk)
    )
    if reflection.participant_id != participant.pk:
        raise ServiceError(_("This reflection is not yours to change."))
    if not reflection_may_edit(reflection, now=now):
        raise ServiceError(
            ngettext(
                "Reflections can be changed for %(count)s hour after they are written, and "
                "that time has passed for this one.",
                "Reflections can be changed for %(count)s hours after they are written, and "
                "that time has passed for this one.",
                settings.REFLECTION_EDIT_HOURS,
            )
            % {"count": settings.REFLECTION_EDIT_HOURS}
        )
    fields = _clean(session=reflection.session, **answers)
    for name, value in fields.items():
        setattr(reflection, name, value)
    reflection.save(update_fields=[*fields, "updated_at"])
    _checkins_record(reflection)
    return reflection


@transaction.atomic
def reflection_enter_for(
    *,
    session: Session,
    participant: Participant,
    entered_by: User,
    **answers: Unpack[Answers],
) -> Reflection:
    """A therapist of the group enters a participant's reflection on their behalf."""
    if not may_enter_reflection_for(entered_by, session.group):
        raise ServiceError("Only a therapist of this group can enter a reflection for someone.")
    if session.status == Session.Status.CANCELLED:
        raise ServiceError("This session was cancelled, so there is nothing to reflect on.")
    if not _attended(participant, session):
        raise ServiceError(
            f"{participant.short_name} is not recorded as attending this session: record "
            "their attendance at roll call first."
        )
    if Reflection.objects.filter(session=session, participant=participant).exists():
        raise ServiceError(f"{participant.short_name} already has a reflection for this session.")
    fields = _clean(session=session, **answers)
    reflection = _create(participant=participant, session=session, entered_by=entered_by, **fields)
    _checkins_record(reflection)
    return reflection


def _checkins_record(reflection: Reflection) -> None:
    """The reflection's scores as its session's check-ins, where the participant has none
    of their own (one answered at the door or on their page stays as it was): mood
    before makes the "before" check-in; mood after, connection and craving the "after".
    A reflection from someone not on the roster that day stands alone."""
    parts = {
        "checkin_before": {"mood": reflection.mood_before},
        "checkin_after": {
            "mood": reflection.mood_after,
            "connection": reflection.connection,
            "craving": reflection.craving,
        },
    }
    had = dict(
        MeasureResponse.objects.filter(
            participant_id=reflection.participant_id,
            session_id=reflection.session_id,
            instrument__in=parts,
        ).values_list("instrument", "via")
    )
    for instrument, answers in parts.items():
        if had.get(instrument, MeasureResponse.Via.REFLECTION) != MeasureResponse.Via.REFLECTION:
            continue
        try:
            response_record(
                participant=reflection.participant,
                instrument=instrument,
                answers={k: v for k, v in answers.items() if v is not None},
                via=MeasureResponse.Via.REFLECTION,
                session=reflection.session,
                entered_by=reflection.entered_by,
            )
        except ServiceError:
            continue
