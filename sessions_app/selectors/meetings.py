"""Reads about sessions: a user's sessions between two times, a participant's next ones,
a group's roster on a day and its sessions, and a session's roster and whole record
(roll call, notes)."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cached_property

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery

from ..models import (
    Attendance,
    Enrollment,
    Group,
    NoteAddendum,
    Participant,
    ParticipantNote,
    PlanItem,
    Rsvp,
    Session,
    SessionNote,
    User,
)
from ..permissions import sessions_for
from .plans import ProgressLine, progress_lines


def _with_site(qs: QuerySet[Session]) -> QuerySet[Session]:
    return qs.select_related("group__site")


def sessions_between(*, user: User, start: datetime, end: datetime) -> QuerySet[Session]:
    return _with_site(sessions_for(user).filter(starts_at__gte=start, starts_at__lt=end)).order_by(
        "starts_at"
    )


def participant_upcoming_sessions(
    *, participant: Participant, now: datetime, days: int = 56
) -> list[Session]:
    """The participant's next sessions: those of their groups on dates they are enrolled,
    each with `rsvp_answer`, what the participant answered to “are you coming?” (an
    Rsvp.Answer value, or None)."""
    enrollments = list(
        Enrollment.objects.filter(participant=participant)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=_not_ended_since(now)))
        .order_by()  # the default ordering would join participant, group and site for nothing
    )
    if not enrollments:
        return []
    sessions = _with_site(
        Session.objects.filter(
            group__in={e.group_id for e in enrollments},
            ends_at__gte=now,
            starts_at__lt=now + timedelta(days=days),
        )
    ).order_by("starts_at")
    sessions = sessions.annotate(rsvp_answer=rsvp_answer(participant))
    return [s for s in sessions if on_roster(s, enrollments)]


def _not_ended_since(now: datetime) -> date:
    return (now - timedelta(days=1)).date()


def current_enrollments(enrollments: list[Enrollment], *, now: datetime) -> list[Enrollment]:
    """Those of `enrollments` that can have sessions still to come."""
    not_ended = _not_ended_since(now)
    return [e for e in enrollments if e.end_date is None or e.end_date >= not_ended]


def rsvp_answer(participant: Participant) -> Subquery:
    """`.annotate(rsvp_answer=...)` on sessions: the participant's answer, or None."""
    answers = Rsvp.objects.filter(session=OuterRef("pk"), participant=participant)
    return Subquery(answers.values("answer")[:1])


def on_roster(session: Session, enrollments: list[Enrollment]) -> bool:
    """Whether one of `enrollments` has the participant in the group on the session's date."""
    day = session.local_date
    return any(e.group_id == session.group_id and e.is_active_on(day) for e in enrollments)


def group_roster(*, group: Group, day) -> QuerySet[Enrollment]:
    return (
        Enrollment.objects.filter(group=group)
        .active_on(day)
        .select_related("participant")
        .order_by("participant__last_name", "participant__first_name")
    )


def group_sessions_with_counts(*, group: Group) -> QuerySet[Session]:
    attended = Q(attendance__status__in=Attendance.ATTENDED)
    return (
        Session.objects.filter(group=group)
        .select_related("group__site")
        .annotate(attended_count=Count("attendance", filter=attended))
    )


# --- Roll call and session notes -------------------------------------------------------


@dataclass
class RosterLine:
    """One participant of a session: enrolled that day, or recorded anyway."""

    participant: Participant
    attendance: Attendance | None
    # False for attendance recorded for someone not enrolled that day (enrollment dates
    # corrected later): still a record, so it is shown rather than hidden.
    on_roster: bool = True
    # Their answer to “are you coming?” (an Rsvp.Answer value), for those on the roster.
    rsvp: str | None = None

    @property
    def attended(self) -> bool:
        return self.attendance is not None and self.attendance.attended


def session_roster_lines(*, session: Session, with_recorder: bool = False) -> list[RosterLine]:
    """Who was enrolled on the session's local date, with their attendance and their
    RSVP, in two queries; a third for anyone recorded but not enrolled that day.
    `with_recorder`: also who recorded each attendance (the roll call shows it)."""
    # Unordered, and without the participants, whom the roster loads: the default
    # ordering and a join would only load each participant twice.
    attendance = session.attendance.order_by()
    if with_recorder:
        attendance = attendance.select_related("recorded_by")
    recorded = {a.participant_id: a for a in attendance}
    answers = Rsvp.objects.filter(session=session, participant=OuterRef("participant_id"))
    roster = group_roster(group=session.group, day=session.local_date).annotate(
        rsvp=Subquery(answers.values("answer")[:1])
    )
    lines, seen = [], set()
    for enrollment in roster:
        pid = enrollment.participant_id
        if pid in seen:  # two overlapping enrollments: one line
            continue
        seen.add(pid)
        record = recorded.pop(pid, None)
        if record is not None:
            record.participant = enrollment.participant
        lines.append(RosterLine(enrollment.participant, record, rsvp=enrollment.rsvp))
    if recorded:
        people = Participant.objects.in_bulk(list(recorded))
        for pid, record in recorded.items():
            record.participant = people[pid]
    extra = sorted(recorded.values(), key=lambda a: (a.participant.last_name, a.participant_id))
    lines += [RosterLine(a.participant, a, on_roster=False) for a in extra]
    return lines


@dataclass
class SessionRecord:
    """Everything a session's documentation shows: plan, attendance, note, addenda."""

    session: Session
    lines: list[RosterLine]
    note: SessionNote | None
    participant_notes: dict[int, ParticipantNote]
    addenda: list[NoteAddendum]

    @cached_property
    def plan(self) -> list[PlanItem]:
        """The session's plan with its songs and goal areas (two queries, on the pages
        that print it)."""
        return list(
            self.session.plan_items.select_related("song")
            .prefetch_related("goal_areas")
            .order_by("position")
        )

    @property
    def plan_minutes(self) -> int:
        return sum(item.minutes for item in self.plan)

    @cached_property
    def plan_by_area(self) -> dict[int, list[str]]:
        """Goal area id → what in the session's plan was tagged with it (its song's title,
        else its activity), in plan order: what the note form names beside each
        objective (one query)."""
        tags = (
            PlanItem.goal_areas.through.objects.filter(planitem__session=self.session)
            .order_by("planitem__position", "planitem_id")
            .values_list(
                "goalarea_id",
                "planitem__song_id",
                "planitem__song__title",
                "planitem__activity_type",
            )
        )
        activities = dict(PlanItem.Activity.choices)
        by_area: dict[int, list[str]] = {}
        for area_id, song_id, title, activity in tags:
            label = title if song_id else activities.get(activity, activity)
            by_area.setdefault(area_id, []).append(label)
        return by_area

    @property
    def attended_lines(self) -> list[RosterLine]:
        return [line for line in self.lines if line.attended]

    @property
    def participant_note_lines(self) -> list[tuple[RosterLine, ParticipantNote | None]]:
        """Those who attended, and anyone else who has a note, with their note if any."""
        return [
            (line, self.participant_notes.get(line.participant.pk))
            for line in self.lines
            if line.attended or line.participant.pk in self.participant_notes
        ]

    @cached_property
    def progress(self) -> dict[int, list[ProgressLine]]:
        """Participant id → the objectives of their plan the note records progress on,
        with what it records (two queries, on the pages that show them)."""
        signed = self.note is not None and self.note.is_locked
        people = {line.participant.pk for line, _ in self.participant_note_lines}
        return progress_lines(participant_ids=people, note=self.note, signed=signed)

    @property
    def participant_sections(
        self,
    ) -> list[tuple[RosterLine, ParticipantNote | None, list[ProgressLine]]]:
        """`participant_note_lines`, each with the progress the note records for them."""
        return [
            (line, pn, self.progress.get(line.participant.pk, []))
            for line, pn in self.participant_note_lines
        ]

    @property
    def status_counts(self) -> list[tuple[str, int]]:
        """(status label, how many) for every status, then those not yet recorded."""
        counts = {value: 0 for value in Attendance.Status.values}
        unrecorded = 0
        for line in self.lines:
            if line.attendance is None:
                unrecorded += 1
            else:
                counts[line.attendance.status] += 1
        labels = dict(Attendance.Status.choices)
        result = [(labels[value], n) for value, n in counts.items()]
        if unrecorded:
            result.append(("Not recorded", unrecorded))
        return result

    @property
    def status_summary(self) -> str:
        """“Present 5 · Late 1 · Not recorded 2”: the statuses that occur."""
        counts = [f"{label} {n}" for label, n in self.status_counts if n]
        return " · ".join(counts) or "Nobody enrolled"


def session_record(*, session: Session) -> SessionRecord:
    """The session's whole documentation in a fixed number of queries (its plan and the
    progress on objectives when asked for)."""
    note = SessionNote.objects.filter(session=session).select_related("author", "signed_by").first()
    participant_notes: dict[int, ParticipantNote] = {}
    addenda: list[NoteAddendum] = []
    if note is not None:
        # A dict: their default ordering by name would only join the participants.
        participant_notes = {pn.participant_id: pn for pn in note.participant_notes.order_by()}
        if note.is_signed:  # addenda are added to signed notes only
            addenda = list(note.addenda.select_related("author").order_by("created_at", "pk"))
    return SessionRecord(
        session=session,
        lines=session_roster_lines(session=session),
        note=note,
        participant_notes=participant_notes,
        addenda=addenda,
    )
