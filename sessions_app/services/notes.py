"""Session notes: drafted by the group's therapists, signed once, then only addenda.

A signed note is a clinical record with a clinician's signature on it. Nothing here
changes a signed note, its participant notes, or the session's actual times; the only
way to add to it is a dated addendum. Each write locks the session row, so a draft
saved on one tablet cannot slip in after the note was signed on another.

A supervised therapist's signature does not make the note final: it then waits for
their supervisor, who co-signs it (final) or sends it back to draft with a comment.
While it waits, it is locked like a signed note, so the supervisor reviews what stays.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, time

from django.db import transaction
from django.utils import timezone

from ..audit import log_bulk_saves, snapshot
from ..models import (
    Attendance,
    NoteAddendum,
    ObjectiveProgress,
    Participant,
    ParticipantNote,
    Session,
    SessionNote,
    User,
)
from ..permissions import may_cosign, may_write_clinical_note
from ..selectors.meetings import SessionRecord, session_record
from ..selectors.plans import active_objectives
from ..timeutil import local_to_utc
from .errors import ServiceError

SIGNED_REFUSAL = (
    "This note is signed and can no longer change. Add an addendum to correct or add to it."
)
TIMES_NOT_RECORDED = ("Actual start time not recorded.", "Actual end time not recorded.")
REVIEW_REFUSAL = (
    "This note is signed and waiting for co-signature, so it cannot change now. "
    "The supervisor co-signs it or sends it back to draft with a comment."
)


@dataclass(frozen=True)
class NoteDraft:
    format: str
    # Section texts by field name; sections of the other format are kept as they are.
    sections: Mapping[str, str]
    actual_start: time | None
    actual_end: time | None
    # Participant id → that participant's note. Only attending participants (and those
    # who already have a note, so it can be cleared) may have one.
    participant_notes: Mapping[int, str]
    # Objective id → (level, observation) of progress on it; a blank level clears it.
    # Only the active objectives of those who may have a participant note (or progress
    # already recorded, so it can be cleared).
    progress: Mapping[int, tuple[str, str]] = field(default_factory=dict)


def section_label(name: str) -> str:
    return SessionNote._meta.get_field(name).verbose_name.capitalize()


def _lock_session(session: Session) -> Session:
    return (
        Session.objects.select_for_update(of=("self",))
        .select_related("group__site")
        .get(pk=session.pk)
    )


def _check_writer(user: User, session: Session) -> None:
    if not may_write_clinical_note(user, session.group):
        raise ServiceError("Only the group's therapists write, sign and add to its notes.")


def _existing_note(session: Session, *, lock: bool = False) -> SessionNote | None:
    qs = SessionNote.objects.filter(session=session)
    if lock:
        qs = qs.select_for_update()
    return qs.first()


def session_record_actual_times(
    *, session: Session, actual_start: time | None, actual_end: time | None
) -> None:
    """Set when the session really started and ended, as wall-clock times at its site.

    Refused once the session's note is signed. Call inside the caller's transaction
    with the session row locked (note_save_draft does).
    """
    refusal = note_edit_refusal(session=session, note=_existing_note(session))
    if refusal:
        raise ServiceError(refusal)
    tz, day = session.group.site.tz, session.local_date
    starts = local_to_utc(day, actual_start, tz) if actual_start else None
    ends = local_to_utc(day, actual_end, tz) if actual_end else None
    if starts and ends and ends <= starts:
        raise ServiceError(
            f"The actual end time ({actual_end:%H:%M}) must be after the actual start time "
            f"({actual_start:%H:%M})."
        )
    if (session.actual_starts_at, session.actual_ends_at) != (starts, ends):
        session.actual_starts_at, session.actual_ends_at = starts, ends
        session.save(update_fields=["actual_starts_at", "actual_ends_at", "updated_at"])


def note_edit_refusal(*, session: Session, note: SessionNote | None) -> str | None:
    """Why this session's note cannot be edited as a draft, or None if it can."""
    if note is not None and note.is_signed:
        return SIGNED_REFUSAL
    if note is not None and note.awaits_cosignature:
        return REVIEW_REFUSAL
    if session.status == Session.Status.CANCELLED:
        return "This session was cancelled; there is nothing to document."
    return None


@transaction.atomic
def note_save_draft(*, session: Session, author: User, draft: NoteDraft) -> SessionNote:
    """Create or update the session's draft note, its participant notes and actual times."""
    session = _lock_session(session)
    _check_writer(author, session)
    note = _existing_note(session, lock=True)
    refusal = note_edit_refusal(session=session, note=note)
    if refusal:
        raise ServiceError(refusal)
    if draft.format not in SessionNote.SECTIONS:
        raise ServiceError("Choose SOAP or DAP for the note format.")
    known = {name for names in SessionNote.SECTIONS.values() for name in names}
    unknown = set(draft.sections) - known
    if unknown:
        raise ServiceError(f"A note has no section called {', '.join(sorted(unknown))}.")

    if note is None:
        note = SessionNote(session=session, author=author)
    note.format = draft.format
    for name, text in draft.sections.items():
        setattr(note, name, text.strip())
    note.save()

    session_record_actual_times(
        session=session, actual_start=draft.actual_start, actual_end=draft.actual_end
    )
    _save_participant_notes(note, draft.participant_notes, author=author)
    _save_progress(note, draft.progress, author=author)
    return note


def note_participants_allowed(*, session: Session, note: SessionNote | None) -> set[int]:
    """Who may have a participant note: those who attended, and any who already have one."""
    attended = set(
        session.attendance.filter(status__in=Attendance.ATTENDED).values_list(
            "participant_id", flat=True
        )
    )
    if note is not None and note.pk:
        attended |= set(note.participant_notes.values_list("participant_id", flat=True))
    return attended


def _save_participant_notes(
    note: SessionNote, texts: Mapping[int, str], *, author: User | None = None
) -> None:
    allowed = note_participants_allowed(session=note.session, note=note)
    if set(texts) - allowed:
        raise ServiceError(
            "Participant notes are written only for participants who attended "
            "(present, late or left early). Record their attendance first."
        )
    existing = {
        pn.participant_id: pn for pn in note.participant_notes.select_related("participant")
    }
    # Names for the audit trail's entries, in one query.
    people = Participant.objects.in_bulk(set(texts) - set(existing))
    to_create, to_update, before = [], [], []
    for pid, text in texts.items():
        text = text.strip()
        row = existing.get(pid)
        if row is None:
            if text:
                to_create.append(ParticipantNote(note=note, participant=people[pid], text=text))
        elif row.text != text:
            before.append(snapshot(row))
            row.text = text
            to_update.append(row)
    ParticipantNote.objects.bulk_create(to_create)
    ParticipantNote.objects.bulk_update(to_update, ["text"])
    # Bulk writes send no model signals: the audit trail is written here (one INSERT).
    log_bulk_saves(
        created=to_create, updated=list(zip(before, to_update, strict=True)), actor=author
    )


def _save_progress(
    note: SessionNote, entries: Mapping[int, tuple[str, str]], *, author: User | None = None
) -> None:
    """Write progress on objectives: on the active objectives of those who attended, or
    on any objective the note already records (to change or clear it)."""
    if not entries:
        return
    existing = {row.objective_id: row for row in ObjectiveProgress.objects.filter(note=note)}
    allowed = note_participants_allowed(session=note.session, note=note)
    owner = {
        o.pk: pid
        for pid, objectives in active_objectives(participant_ids=allowed).items()
        for o in objectives
    } | {oid: row.participant_id for oid, row in existing.items()}
    if set(entries) - set(owner):
        raise ServiceError(
            "Progress is recorded only on the active objectives of participants who "
            "attended. Reload the note: the plan may have changed."
        )
    levels = set(ObjectiveProgress.Level.values)
    to_create, to_update, before, to_delete = [], [], [], []
    for oid, (level, observation) in entries.items():
        observation = observation.strip()
        if level and level not in levels:
            raise ServiceError("Choose a level of progress from the list.")
        if observation and not level:
            raise ServiceError("An observation goes with a level of progress: choose one.")
        row = existing.get(oid)
        if not level:
            if row is not None:
                to_delete.append(row)
        elif row is None:
            to_create.append(
                ObjectiveProgress(
                    note=note,
                    participant_id=owner[oid],
                    objective_id=oid,
                    level=level,
                    observation=observation,
                )
            )
        elif (row.level, row.observation) != (level, observation):
            before.append(snapshot(row))
            row.level, row.observation = level, observation
            to_update.append(row)
    for row in to_delete:
        row.delete()  # one at a time: auditlog records each deletion
    ObjectiveProgress.objects.bulk_create(to_create)
    ObjectiveProgress.objects.bulk_update(to_update, ["level", "observation"])
    log_bulk_saves(
        created=to_create, updated=list(zip(before, to_update, strict=True)), actor=author
    )


def note_progress_missing(*, record: SessionRecord) -> list[str]:
    """Who attended and has active objectives with no progress recorded, one line."""
    short = []
    for line, _ in record.participant_note_lines:
        if not line.attended:
            continue
        lines = record.progress.get(line.participant.pk, [])
        open_ = [pl for pl in lines if pl.progress is None and pl.objective.is_active]
        if open_:
            short.append(f"{line.participant.short_name} ({len(open_)} of {len(lines)})")
    if not short:
        return []
    return [f"Progress on objectives not recorded for: {', '.join(short)}."]


def note_missing_for_signing(
    *, session: Session, record: SessionRecord | None = None, now: datetime | None = None
) -> list[str]:
    """Everything that must be recorded before the note can be signed, one line each.

    An empty list means the note may be signed. Pass the `record` a page already loaded
    to save the queries.
    """
    now = now or timezone.now()
    if record is None:
        # Fresh from the database: the caller's copy may predate a save.
        session = Session.objects.select_related("group__site").get(pk=session.pk)
        record = session_record(session=session)
    session, note = record.session, record.note
    if session.status == Session.Status.CANCELLED:
        return ["The session was cancelled: a cancelled session has no note to sign."]
    missing = []
    if now < session.starts_at:
        missing.append("The session has not started yet.")
    if session.actual_starts_at is None:
        missing.append(TIMES_NOT_RECORDED[0])
    if session.actual_ends_at is None:
        missing.append(TIMES_NOT_RECORDED[1])
    unrecorded = [
        line.participant.short_name
        for line in record.lines
        if line.on_roster and line.attendance is None
    ]
    if unrecorded:
        missing.append(f"Attendance not recorded for: {', '.join(unrecorded)}")
    if note is None:
        missing.append("The group note has not been written yet.")
    else:
        empty = [
            section_label(name)
            for name in SessionNote.SECTIONS[note.format]
            if not getattr(note, name).strip()
        ]
        if empty:
            missing.append(f"Group note sections not filled: {', '.join(empty)}.")
        if session.group.site.progress_required_to_sign:
            missing += note_progress_missing(record=record)
    return missing


@transaction.atomic
def note_sign(*, session: Session, by: User, now: datetime | None = None) -> SessionNote:
    """Sign the session's note: it never changes again; the session counts as held.

    Signed by a supervised therapist, it waits for their supervisor's co-signature.
    """
    now = now or timezone.now()
    session = _lock_session(session)
    _check_writer(by, session)
    note = _existing_note(session, lock=True)
    if note is not None and note.is_signed:
        raise ServiceError("This note is already signed.")
    if note is not None and note.awaits_cosignature:
        raise ServiceError("This note is already signed and waiting for co-signature.")
    missing = note_missing_for_signing(session=session, now=now)
    if missing:
        raise ServiceError(missing)
    supervised = by.supervisor_id is not None
    note.status = SessionNote.Status.REVIEW if supervised else SessionNote.Status.SIGNED
    note.signed_by = by
    note.signed_at = now
    note.returned_comment, note.returned_by, note.returned_at = "", None, None
    # One save: the audit trail records the signature as one change.
    note.save(
        update_fields=[
            "status",
            "signed_by",
            "signed_at",
            "returned_comment",
            "returned_by",
            "returned_at",
            "updated_at",
        ]
    )
    if session.status != Session.Status.HELD:
        session.status = Session.Status.HELD
        session.save(update_fields=["status", "updated_at"])
    return note


def _lock_note_for_review(note: SessionNote, by: User) -> SessionNote:
    note = (
        SessionNote.objects.select_for_update(of=("self",))
        .select_related("signed_by", "session__group__site")
        .get(pk=note.pk)
    )
    if not may_cosign(by, note):
        raise ServiceError(
            "Only the supervisor of the therapist who signed it co-signs a note waiting for "
            "co-signature, or sends it back."
        )
    return note


@transaction.atomic
def note_cosign(*, note: SessionNote, by: User, now: datetime | None = None) -> SessionNote:
    """Co-sign a supervised therapist's signed note: it becomes final."""
    note = _lock_note_for_review(note, by)
    note.status = SessionNote.Status.SIGNED
    note.cosigned_by = by
    note.cosigned_at = now or timezone.now()
    note.save(update_fields=["status", "cosigned_by", "cosigned_at", "updated_at"])
    return note


@transaction.atomic
def note_send_back(
    *, note: SessionNote, by: User, comment: str, now: datetime | None = None
) -> SessionNote:
    """Return a note waiting for co-signature to its author as a draft, saying why."""
    comment = comment.strip()
    if not comment:
        raise ServiceError("Say what to change: the comment is shown to the note's author.")
    note = _lock_note_for_review(note, by)
    note.status = SessionNote.Status.DRAFT
    note.signed_by, note.signed_at = None, None
    note.returned_comment, note.returned_by = comment, by
    note.returned_at = now or timezone.now()
    note.save(
        update_fields=[
            "status",
            "signed_by",
            "signed_at",
            "returned_comment",
            "returned_by",
            "returned_at",
            "updated_at",
        ]
    )
    return note


@transaction.atomic
def note_addendum_add(*, session: Session, author: User, text: str) -> NoteAddendum:
    """Add a dated addendum to a signed note: the way to correct or add to it."""
    session = _lock_session(session)
    _check_writer(author, session)
    note = _existing_note(session, lock=True)
    if note is None or not note.is_signed:
        raise ServiceError("Addenda are for signed notes; edit the draft instead.")
    text = text.strip()
    if not text:
        raise ServiceError("Write the addendum before adding it.")
    return NoteAddendum.objects.create(note=note, author=author, text=text)
