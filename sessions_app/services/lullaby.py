"""Lullaby projects: starting one, its stages, consent, lyric drafts, recording
sessions, takes, the final take and the delivery.

The consent rules live here, so every caller (views, admin actions, commands) obeys
them: no recording session or take is logged without a current consent to record, and
nothing is delivered without a current consent to share. Consent rows are append-only:
a change of mind is a new row, and the latest row of a kind is the one that counts.

Who may do what is checked here too (`permissions.may_edit_project` for drafts,
recordings and takes; `may_manage_project` for the rest), so that a view that forgot
would still be refused.
"""

import re
import wave
from collections.abc import Iterable
from datetime import date, datetime

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from ..models import (
    LullabyProject,
    LyricDraft,
    Participant,
    ProjectConsent,
    RecordingSession,
    StageChange,
    Take,
    Track,
    User,
)
from ..permissions import may_edit_project, may_manage_project, participants_for_new_project
from ..selectors.lullaby import ConsentState, consent_state, stage_index
from .errors import ServiceError

Stage = LullabyProject.Stage

EDITORS_ONLY = "Only the project's therapist and its teaching artists can change its songwriting."
MANAGER_ONLY = "Only the project's therapist can do this."
MAX_TAKE_SECONDS = 60 * 60  # a take longer than an hour is a typo


# --- Audio uploads ---------------------------------------------------------------------


def _is_wav(head: bytes) -> bool:
    return head[:4] == b"RIFF" and head[8:12] == b"WAVE"


def _is_mp3(head: bytes) -> bool:
    if head[:3] == b"ID3":
        return True
    # An MPEG audio frame header: 11 sync bits, then a version, and a layer that is not
    # the reserved 00 (which is what AAC's ADTS header has).
    return len(head) >= 2 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0 and head[1] & 0x06 != 0


def _is_flac(head: bytes) -> bool:
    return head[:4] == b"fLaC"


def _is_ogg(head: bytes) -> bool:
    return head[:4] == b"OggS"


def _is_mp4(head: bytes) -> bool:
    return head[4:8] == b"ftyp"


def _is_webm(head: bytes) -> bool:
    return head[:4] == b"\x1a\x45\xdf\xa3"  # an EBML header


# extension: (content type served, check of the file's first bytes)
AUDIO_TYPES = {
    "wav": ("audio/wav", _is_wav),
    "mp3": ("audio/mpeg", _is_mp3),
    "flac": ("audio/flac", _is_flac),
    "ogg": ("audio/ogg", _is_ogg),
    "oga": ("audio/ogg", _is_ogg),
    "opus": ("audio/ogg", _is_ogg),
    "m4a": ("audio/mp4", _is_mp4),
    # What a phone's recorder hands a browser: Android's often WebM or 3GP.
    "webm": ("audio/webm", _is_webm),
    "3gp": ("audio/3gpp", _is_mp4),
}
AUDIO_EXTENSIONS = tuple(sorted(AUDIO_TYPES))


def max_upload_bytes() -> int:
    return settings.LULLABY_MAX_UPLOAD_MB * 1024 * 1024


def audio_extension(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def audio_content_type(name: str) -> str:
    kind = AUDIO_TYPES.get(audio_extension(name))
    return kind[0] if kind else "application/octet-stream"


def audio_upload_problem(upload: UploadedFile) -> str | None:
    """What is wrong with an uploaded recording, said so a person can fix it; or None.

    The name's extension and the file's leading bytes must both say audio: a renamed
    document is refused as firmly as a document with its own name. What the browser
    claims the type is (Content-Type) is not trusted at all.
    """
    kinds = ", ".join(AUDIO_EXTENSIONS)
    ext = audio_extension(upload.name or "")
    if ext not in AUDIO_TYPES:
        return f"Upload an audio file ({kinds}); “{upload.name}” is not one."
    if upload.size > max_upload_bytes():
        return (
            f"The file is {upload.size / 1024 / 1024:.1f} MB; the limit is "
            f"{settings.LULLABY_MAX_UPLOAD_MB} MB. Export the take at a lower bit rate "
            "(e.g. an mp3 at 192 kbps) and upload that."
        )
    if upload.size == 0:
        return "The file is empty. Export the take again and upload that."
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if not AUDIO_TYPES[ext][1](head):
        return (
            f"This file is named .{ext} but does not contain {ext} audio. Export the take "
            f"again as one of {kinds}."
        )
    return None


# --- Helpers ---------------------------------------------------------------------------


def _lock(project: LullabyProject) -> LullabyProject:
    # The project row serialises numbering (drafts, takes) and stage moves.
    return (
        LullabyProject.objects.select_for_update(of=("self",))
        .select_related("participant__site")
        .get(pk=project.pk)
    )


def _check_editor(by: User, project: LullabyProject) -> None:
    if not may_edit_project(by, project):
        raise ServiceError(EDITORS_ONLY)


def _check_manager(by: User, project: LullabyProject) -> None:
    if not may_manage_project(by, project):
        raise ServiceError(MANAGER_ONLY)


def _site_today(project: LullabyProject, now: datetime | None) -> date:
    return (now or timezone.now()).astimezone(project.participant.site.tz).date()


def _move_to(project: LullabyProject, stage: str, by: User) -> StageChange:
    project.stage = stage
    project.save(update_fields=["stage", "updated_at"])
    return StageChange.objects.create(project=project, stage=stage, changed_by=by)


def _record_refusal(state: ConsentState) -> str | None:
    if state.may_record:
        return None
    if state.record is None:
        return (
            "There is no consent to record on file for this project. The therapist records "
            "it on the project's consent page before any recording is logged."
        )
    return (
        f"Consent to record was withdrawn on {state.record.recorded_at:%-d %B %Y}. Nothing "
        "more can be recorded unless the participant gives it again."
    )


def _share_refusal(state: ConsentState) -> str | None:
    if state.may_share:
        return None
    if state.share is None:
        return (
            "There is no consent to share the recording on file for this project. Record the "
            "participant's consent to share (and with whom) on the consent page first."
        )
    return (
        f"Consent to share the recording was withdrawn on {state.share.recorded_at:%-d %B %Y}. "
        "The recording cannot be delivered unless the participant gives it again."
    )


def _clean_artists(teaching_artists: Iterable[User]) -> list[User]:
    artists = list(teaching_artists)
    wrong = [a for a in artists if not (a.is_teaching_artist and a.is_active)]
    if wrong:
        raise ServiceError(
            {"teaching_artists": f"{wrong[0]} is not an active teaching artist; choose another."}
        )
    return artists


def _check_details(*, recipient_name: str, recipient_relationship: str) -> None:
    errors = {}
    if not recipient_name:
        errors["recipient_name"] = "Give the first name of the person the song is for."
    if not recipient_relationship:
        errors["recipient_relationship"] = "Say who they are to the participant, e.g. daughter."
    if errors:
        raise ServiceError(errors)


# --- Projects and stages ---------------------------------------------------------------


def project_start(
    *,
    by: User,
    participant: Participant,
    recipient_name: str,
    recipient_relationship: str,
    title: str = "",
    teaching_artists: Iterable[User] = (),
) -> LullabyProject:
    """Start a project; the therapist who starts it is its therapist."""
    recipient_name, recipient_relationship = recipient_name.strip(), recipient_relationship.strip()
    with transaction.atomic():
        if not participants_for_new_project(by).filter(pk=participant.pk).exists():
            raise ServiceError(
                {
                    "participant": "You can start a project only for a participant in one of "
                    "your groups."
                }
            )
        _check_details(recipient_name=recipient_name, recipient_relationship=recipient_relationship)
        artists = _clean_artists(teaching_artists)
        project = LullabyProject.objects.create(
            participant=participant,
            therapist=by,
            title=title.strip(),
            recipient_name=recipient_name,
            recipient_relationship=recipient_relationship,
            stage=Stage.GETTING_STARTED,
        )
        project.teaching_artists.set(artists)
        StageChange.objects.create(project=project, stage=project.stage, changed_by=by)
        return project


def project_update(
    *,
    by: User,
    project: LullabyProject,
    title: str,
    recipient_name: str,
    recipient_relationship: str,
    teaching_artists: Iterable[User],
) -> LullabyProject:
    recipient_name, recipient_relationship = recipient_name.strip(), recipient_relationship.strip()
    with transaction.atomic():
        project = _lock(project)
        _check_manager(by, project)
        _check_details(recipient_name=recipient_name, recipient_relationship=recipient_relationship)
        artists = _clean_artists(teaching_artists)
        project.title = title.strip()
        project.recipient_name = recipient_name
        project.recipient_relationship = recipient_relationship
        project.save(
            update_fields=["title", "recipient_name", "recipient_relationship", "updated_at"]
        )
        project.teaching_artists.set(artists)
        return project


def project_stage_set(*, by: User, project: LullabyProject, stage: str) -> StageChange:
    """Move the project to another stage (forward, or back a step to rework something).

    "Delivered" is reached by recording the delivery, which needs consent to share;
    "shared" only after that. A delivered song never goes back before "Delivered".
    """
    with transaction.atomic():
        project = _lock(project)
        _check_manager(by, project)
        if stage not in Stage.values:
            raise ServiceError({"stage": "Choose one of the stages."})
        label = Stage(stage).label
        if stage == project.stage:
            raise ServiceError({"stage": f"The project is already at “{label}”."})
        if stage == Stage.DELIVERED and project.delivered_on is None:
            raise ServiceError(
                {"stage": "Record the delivery (when, how and to whom) to mark the song delivered."}
            )
        if project.delivered_on is not None and stage_index(stage) < stage_index(Stage.DELIVERED):
            raise ServiceError(
                {
                    "stage": f"The song was delivered on {project.delivered_on:%-d %B %Y}; "
                    "it cannot go back to an earlier stage."
                }
            )
        if stage == Stage.SHARED:
            if project.delivered_on is None:
                raise ServiceError({"stage": "Record the delivery before marking the song shared."})
            refusal = _share_refusal(consent_state(project=project))
            if refusal:
                raise ServiceError({"stage": refusal})
        return _move_to(project, stage, by)


# --- Consent ---------------------------------------------------------------------------


def _stage_name_problem(project: LullabyProject, stage_name: str) -> str | None:
    """A stage name must not give away who sings, for whom, or where: never the
    parent's or the child's real name, never the programme's."""
    person = project.participant
    told = {
        "the participant's name": (person.first_name, person.last_name, person.preferred_name),
        "the name of the person the song is for": (project.recipient_name,),
        "the programme's name": (person.site.name,),
    }
    words = {w.lower() for w in re.findall(r"\w+", stage_name)}
    for what, names in told.items():
        for name in names:
            name_words = {w.lower() for w in re.findall(r"\w+", name or "") if len(w) > 1}
            if name_words & words:
                return f"A stage name must not contain {what}; choose another."
    return None


def consent_record(
    *,
    by: User,
    project: LullabyProject,
    kind: str,
    granted: bool,
    level: str = "",
    share_with: str = "",
    stage_name: str = "",
    note: str = "",
) -> ProjectConsent:
    """Record that the participant gave or withdrew consent: to be recorded, or to
    share the recording at one level (each level on its own). Never changes an earlier
    row: the history of who consented to what, when, is kept whole."""
    share_with, stage_name, note = share_with.strip(), stage_name.strip(), note.strip()
    with transaction.atomic():
        project = _lock(project)
        _check_manager(by, project)
        if kind not in ProjectConsent.Kind.values:
            raise ServiceError({"kind": "Choose consent to record or consent to share."})
        if kind == ProjectConsent.Kind.RECORD:
            level = share_with = stage_name = ""
        elif not level:
            # Consent to share with no level named is what it always meant: the family.
            level = ProjectConsent.Level.FAMILY
        elif level not in ProjectConsent.Level.values:
            raise ServiceError({"level": "Choose with whom the recording may be shared."})
        if level != ProjectConsent.Level.FAMILY:
            share_with = ""
        if level not in ProjectConsent.STAGE_NAMED:
            stage_name = ""
        if granted:
            _check_share_details(project, level, share_with, stage_name)
        return ProjectConsent.objects.create(
            project=project,
            kind=kind,
            level=level,
            granted=granted,
            share_with=share_with if granted else "",
            stage_name=stage_name if granted else "",
            note=note,
            recorded_by=by,
        )


def _check_share_details(
    project: LullabyProject, level: str, share_with: str, stage_name: str
) -> None:
    if level == ProjectConsent.Level.FAMILY and not share_with:
        raise ServiceError(
            {"share_with": "Say with whom the recording may be shared, e.g. “her son Eli”."}
        )
    if level in ProjectConsent.STAGE_NAMED:
        if not stage_name:
            raise ServiceError(
                {"stage_name": "Give the stage name the song goes under, e.g. “Lantern”."}
            )
        problem = _stage_name_problem(project, stage_name)
        if problem:
            raise ServiceError({"stage_name": problem})


# --- Lyric drafts ----------------------------------------------------------------------


def draft_add(*, by: User, project: LullabyProject, text: str, notes: str = "") -> LyricDraft:
    """Save the lyrics as the next numbered version; earlier versions never change."""
    text = "\n".join(line.rstrip() for line in text.replace("\r\n", "\n").strip().split("\n"))
    with transaction.atomic():
        project = _lock(project)
        _check_editor(by, project)
        if not text:
            raise ServiceError({"text": "Write the lyrics before saving a draft."})
        latest = project.drafts.order_by("-number").first()
        if latest is not None and latest.text == text:
            raise ServiceError(
                {"text": f"These lyrics are the same as draft {latest.number}; change them first."}
            )
        draft = LyricDraft.objects.create(
            project=project,
            number=(latest.number if latest else 0) + 1,
            text=text,
            notes=notes.strip(),
            created_by=by,
        )
        project.save(update_fields=["updated_at"])
        return draft


# --- Recording sessions and takes ------------------------------------------------------


def recording_session_add(
    *,
    by: User,
    project: LullabyProject,
    recorded_on: date,
    place: str = "",
    engineer: str = "",
    musicians: str = "",
    notes: str = "",
    now: datetime | None = None,
) -> RecordingSession:
    """Log a recording session; the project moves on to "Recording" if it was earlier."""
    with transaction.atomic():
        project = _lock(project)
        _check_editor(by, project)
        refusal = _record_refusal(consent_state(project=project))
        if refusal:
            raise ServiceError(refusal)
        today = _site_today(project, now)
        if recorded_on > today:
            raise ServiceError(
                {
                    "recorded_on": "A recording session is logged once it has happened; "
                    f"choose a date on or before {today:%-d %B %Y}."
                }
            )
        recording = RecordingSession.objects.create(
            project=project,
            recorded_on=recorded_on,
            place=place.strip(),
            engineer=engineer.strip(),
            musicians=musicians.strip(),
            notes=notes.strip(),
        )
        if stage_index(project.stage) < stage_index(Stage.RECORDING):
            _move_to(project, Stage.RECORDING, by)
        else:
            project.save(update_fields=["updated_at"])
        return recording


def _check_take(*, duration_seconds: int | None, rating: int | None) -> None:
    errors = {}
    if duration_seconds is not None and not 1 <= duration_seconds <= MAX_TAKE_SECONDS:
        errors["duration"] = "A take lasts between 0:01 and 60:00; leave it blank if unsure."
    if rating is not None and not 1 <= rating <= 5:
        errors["rating"] = "Rate a take from 1 to 5, or leave it unrated."
    if errors:
        raise ServiceError(errors)


def take_add(
    *,
    by: User,
    recording_session: RecordingSession,
    duration_seconds: int | None = None,
    rating: int | None = None,
    notes: str = "",
    audio: UploadedFile | None = None,
) -> Take:
    """Log the next numbered take of a recording session, with its audio if there is a
    file. The file is stored under MEDIA_ROOT with a random name."""
    with transaction.atomic():
        project = _lock(recording_session.project)
        _check_editor(by, project)
        refusal = _record_refusal(consent_state(project=project))
        if refusal:
            raise ServiceError(refusal)
        _check_take(duration_seconds=duration_seconds, rating=rating)
        if audio is not None:
            problem = audio_upload_problem(audio)
            if problem:
                raise ServiceError({"audio": problem})
        last = recording_session.takes.aggregate(last=Max("number"))["last"] or 0
        take = Take(
            recording_session=recording_session,
            number=last + 1,
            duration_seconds=duration_seconds,
            rating=rating,
            notes=notes.strip(),
        )
        if audio is not None:
            take.audio = audio
        take.save()
        project.save(update_fields=["updated_at"])
        return take


def take_update(
    *,
    by: User,
    take: Take,
    duration_seconds: int | None,
    rating: int | None,
    notes: str,
) -> Take:
    """Change a take's duration, rating and notes; its number and audio stay."""
    with transaction.atomic():
        project = _lock(take.recording_session.project)
        _check_editor(by, project)
        _check_take(duration_seconds=duration_seconds, rating=rating)
        take.duration_seconds, take.rating, take.notes = duration_seconds, rating, notes.strip()
        take.save(update_fields=["duration_seconds", "rating", "notes"])
        return take


def take_choose_final(*, by: User, project: LullabyProject, take: Take) -> LullabyProject:
    """Choose the take that becomes the song: one take of this project."""
    with transaction.atomic():
        project = _lock(project)
        _check_editor(by, project)
        if take.recording_session.project_id != project.pk:
            raise ServiceError("That take belongs to another project; choose one of this one's.")
        if project.delivered_on is not None:
            raise ServiceError(
                f"The song was delivered on {project.delivered_on:%-d %B %Y}; the delivered "
                "take can no longer change."
            )
        project.final_take = take
        project.save(update_fields=["final_take", "updated_at"])
        return project


# --- Delivery --------------------------------------------------------------------------


def delivery_record(
    *,
    by: User,
    project: LullabyProject,
    delivered_on: date,
    method: str,
    delivered_to: str,
    now: datetime | None = None,
) -> LullabyProject:
    """Record when, how and to whom the song was delivered; the project is then
    "Delivered". Needs a current consent to share and a chosen final take."""
    delivered_to = delivered_to.strip()
    with transaction.atomic():
        project = _lock(project)
        _check_manager(by, project)
        if project.delivered_on is not None:
            raise ServiceError(
                f"The delivery was already recorded ({project.delivered_on:%-d %B %Y}, "
                f"{project.get_delivery_method_display().lower()})."
            )
        refusal = _share_refusal(consent_state(project=project))
        if refusal:
            raise ServiceError(refusal)
        if project.final_take_id is None:
            raise ServiceError("Choose the final take before recording the delivery.")
        errors = {}
        if method not in LullabyProject.DeliveryMethod.values:
            errors["method"] = "Choose how the song was delivered."
        if not delivered_to:
            errors["delivered_to"] = "Say to whom the song was delivered."
        today = _site_today(project, now)
        if delivered_on > today:
            errors["delivered_on"] = (
                f"Record a delivery once it has happened: on or before {today:%-d %B %Y}."
            )
        recorded_on = project.final_take.recording_session.recorded_on
        if delivered_on < recorded_on:
            errors["delivered_on"] = (
                f"The final take was recorded on {recorded_on:%-d %B %Y}; the song cannot "
                "have been delivered before that."
            )
        if errors:
            raise ServiceError(errors)
        project.delivered_on = delivered_on
        project.delivery_method = method
        project.delivered_to = delivered_to
        project.save(
            update_fields=["delivered_on", "delivery_method", "delivered_to", "updated_at"]
        )
        if stage_index(project.stage) < stage_index(Stage.DELIVERED):
            _move_to(project, Stage.DELIVERED, by)
        return project


# --- Tracks: the spoken dedication, melody ideas ----------------------------------------

MAX_IDEA_SECONDS = 5 * 60  # a melody idea is a short memo; a whole song is a take


def wav_seconds(upload: UploadedFile) -> float | None:
    """The length of a WAV upload, read from its header; None for other formats."""
    if audio_extension(upload.name or "") != "wav":
        return None
    upload.seek(0)
    try:
        with wave.open(upload, "rb") as audio:
            return audio.getnframes() / float(audio.getframerate() or 1)
    except (wave.Error, EOFError):
        return None
    finally:
        upload.seek(0)


def track_upload_problem(upload: UploadedFile, kind: str) -> str | None:
    """What is wrong with an uploaded dedication or melody idea; or None. Checked as a
    take's file is, and a melody idea must also be short."""
    problem = audio_upload_problem(upload)
    if problem or kind != Track.Kind.IDEA:
        return problem
    seconds = wav_seconds(upload)
    if seconds is not None and seconds > MAX_IDEA_SECONDS:
        return (
            f"This memo lasts {int(seconds) // 60}:{int(seconds) % 60:02d}; a melody idea "
            f"is up to {MAX_IDEA_SECONDS // 60} minutes. Keep the part with the tune."
        )
    return None


def track_add(
    *,
    by: User | None,
    project: LullabyProject,
    kind: str,
    audio: UploadedFile,
    notes: str = "",
    participant: Participant | None = None,
) -> Track:
    """Add a spoken dedication (the therapist or a teaching artist) or a melody idea
    (they, or the participant on their own page: `participant`, with `by` their login
    or None on a link session). Like a take, it needs a current consent to record."""
    with transaction.atomic():
        project = _lock(project)
        if kind not in Track.Kind.values:
            raise ServiceError("Choose a spoken dedication or a melody idea.")
        if participant is not None:
            if kind != Track.Kind.IDEA or project.participant_id != participant.pk:
                raise ServiceError("You can add melody ideas to your own song only.")
        elif by is None:
            raise ServiceError(EDITORS_ONLY)
        else:
            _check_editor(by, project)
        refusal = _record_refusal(consent_state(project=project))
        if refusal:
            raise ServiceError(refusal)
        problem = track_upload_problem(audio, kind)
        if problem:
            raise ServiceError({"audio": problem})
        seconds = wav_seconds(audio)
        track = Track(
            project=project,
            kind=kind,
            notes=notes.strip(),
            created_by=by,
            from_participant=participant is not None,
            duration_seconds=max(1, round(seconds)) if seconds else None,
        )
        track.audio = audio
        track.save()
        project.save(update_fields=["updated_at"])
        return track


def dedication_of(project: LullabyProject) -> Track | None:
    """The project's spoken dedication: the latest one uploaded."""
    return project.tracks.filter(kind=Track.Kind.DEDICATION).order_by("-created_at", "-pk").first()
