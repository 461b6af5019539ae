"""Demo lullaby projects: one at each of several stages, for the demo therapist.

Made through the services (as the therapist and the teaching artist would), then
backdated so the timelines read like weeks of work. A project that already exists (by
participant and recipient) is left as it is, so seeding again adds nothing. The takes
of the recording project carry a few seconds of generated tone as their audio, written
under MEDIA_ROOT like any upload.
"""

import io
import math
import wave
from datetime import date, datetime, timedelta

from django.core.files.base import ContentFile

from sessions_app.models import (
    FamilyLink,
    LullabyProject,
    LyricDraft,
    Participant,
    ProjectConsent,
    SharingProgram,
    StageChange,
    User,
)
from sessions_app.selectors.programs import songs_for_program
from sessions_app.services import family_links, programs
from sessions_app.services import lullaby as services

from . import cast

LYRICS = {
    "eli": (
        "Little lantern, close your eyes\nthe moon is keeping watch tonight",
        "Little lantern, close your eyes\nthe moon is keeping watch tonight\n"
        "I'm a few streets and a promise away\nI'll be home before you're grown",
        "Little lantern, close your eyes\nthe moon is keeping watch for me\n"
        "I'm a few streets and a promise away\nI'll be home to sing you to sleep",
    ),
    "mia": (
        "Mia, Mia, sunflower girl\nturn your face to the light",
        "Mia, Mia, sunflower girl\nturn your face toward the morning light\n"
        "every seed I plant is a day I'm well",
    ),
    "noah": (
        "River boy, the water's wide\nhold on to the rope",
        "River boy, the water's wide\nI'll hold the other end of the rope",
        "River boy, the water's wide\nI'll hold the other end of the rope\n"
        "when the current pulls, look back for me\nI'm on the bank, I'm on the bank",
    ),
}


def _tone(seconds: float, hz: float, rate: int = 8000) -> ContentFile:
    """A soft sine tone as a small 8-bit mono WAV."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(1)
        out.setframerate(rate)
        frames = bytes(
            128 + int(40 * math.sin(2 * math.pi * hz * i / rate))
            for i in range(int(seconds * rate))
        )
        out.writeframes(frames)
    return ContentFile(buffer.getvalue(), name="take.wav")


def _backdate(project: LullabyProject, days_ago: dict[str, int], now: datetime) -> None:
    """Spread the stage changes over past weeks, in order."""
    # update(), not save(): backdating demo rows is not a change worth an audit entry.
    for change in project.stage_changes.all():
        days = days_ago.get(change.stage)
        if days is not None:
            StageChange.objects.filter(pk=change.pk).update(changed_at=now - timedelta(days=days))
    started = now - timedelta(days=days_ago["getting_started"])
    LullabyProject.objects.filter(pk=project.pk).update(created_at=started)


def _drafts(project: LullabyProject, key: str, by: list[User], now: datetime, start: int) -> None:
    for index, text in enumerate(LYRICS[key]):
        draft = services.draft_add(
            by=by[index % len(by)],
            project=project,
            text=text,
            notes="" if index == 0 else "Tightened the second line; kept the image.",
        )
        LyricDraft.objects.filter(pk=draft.pk).update(
            created_at=now - timedelta(days=start - 5 * index)
        )


def _consent(project: LullabyProject, by: User, kind: str, now: datetime, days: int, **kw):
    consent = services.consent_record(by=by, project=project, kind=kind, granted=True, **kw)
    ProjectConsent.objects.filter(pk=consent.pk).update(recorded_at=now - timedelta(days=days))


def _local_day(participant: Participant, now: datetime, days_ago: int) -> date:
    # Recording and delivery dates are the participant's site's dates.
    return (now - timedelta(days=days_ago)).astimezone(participant.site.tz).date()


def seed_lullaby(
    *, therapist: User, artist: User, participants: dict[str, Participant], now: datetime
) -> None:
    existing = set(LullabyProject.objects.values_list("participant_id", "recipient_name"))

    # The demo participant's project, in the recording stage, with the `artist` login.
    tess = participants[cast.DEMO_PARTICIPANT]
    if (tess.pk, "Eli") not in existing:
        project = services.project_start(
            by=therapist,
            participant=tess,
            recipient_name="Eli",
            recipient_relationship="son",
            title="Little Lantern",
            teaching_artists=[artist],
        )
        _consent(project, therapist, ProjectConsent.Kind.RECORD, now, 34, note="Form signed")
        _consent(
            project,
            therapist,
            ProjectConsent.Kind.SHARE,
            now,
            34,
            share_with="her son Eli and his grandmother",
        )
        for stage in ("letter", "lyrics", "melody", "arrangement"):
            services.project_stage_set(by=therapist, project=project, stage=stage)
        _drafts(project, "eli", [therapist, artist], now, start=28)
        recording = services.recording_session_add(
            by=artist,
            project=project,
            recorded_on=_local_day(tess, now, 3),
            place="Studio B",
            engineer="Jamie Calloway",
            musicians="Tess (voice), Jamie Calloway (guitar)",
            notes="Tess wanted the last verse slower.",
            now=now,
        )
        for seconds, rating, notes, hz in (
            (172, 3, "Nerves in the first verse", 392.0),
            (168, 5, "Lovely; keep this one", 440.0),
            (175, 4, "Slower last verse", 349.2),
        ):
            services.take_add(
                by=artist,
                recording_session=recording,
                duration_seconds=seconds,
                rating=rating,
                notes=notes,
                audio=_tone(1.5, hz),
            )
        services.take_choose_final(by=artist, project=project, take=recording.takes.get(number=2))
        _backdate(
            project,
            {
                "getting_started": 40,
                "letter": 33,
                "lyrics": 28,
                "melody": 14,
                "arrangement": 8,
                "recording": 3,
            },
            now,
        )

    # Lyrics in progress; consent to record given, nothing recorded yet.
    angie = participants["angie"]
    if (angie.pk, "Mia") not in existing:
        project = services.project_start(
            by=therapist,
            participant=angie,
            recipient_name="Mia",
            recipient_relationship="daughter",
        )
        _consent(project, therapist, ProjectConsent.Kind.RECORD, now, 12)
        # Angie agreed to her song being sung at a concert under a stage name, and
        # nothing else yet: not to the family, not to a public release.
        _consent(
            project,
            therapist,
            ProjectConsent.Kind.SHARE,
            now,
            12,
            level=ProjectConsent.Level.SESSION_STAGE,
            stage_name="Sunflower",
        )
        for stage in ("letter", "lyrics"):
            services.project_stage_set(by=therapist, project=project, stage=stage)
        _drafts(project, "mia", [therapist], now, start=9)
        _backdate(project, {"getting_started": 16, "letter": 12, "lyrics": 9}, now)

    # Delivered by a private family link at the other site.
    becca = participants["becca"]
    if (becca.pk, "Noah") not in existing:
        project = services.project_start(
            by=therapist,
            participant=becca,
            recipient_name="Noah",
            recipient_relationship="nephew",
            title="River Boy",
        )
        _consent(project, therapist, ProjectConsent.Kind.RECORD, now, 50)
        _consent(
            project, therapist, ProjectConsent.Kind.SHARE, now, 50, share_with="Noah and his mother"
        )
        for stage in ("letter", "lyrics", "melody", "arrangement"):
            services.project_stage_set(by=therapist, project=project, stage=stage)
        _drafts(project, "noah", [therapist], now, start=45)
        for days, takes in ((20, ((181, 3), (177, 4))), (13, ((179, 5),))):
            recording = services.recording_session_add(
                by=therapist,
                project=project,
                recorded_on=_local_day(becca, now, days),
                place="Main Hall",
                musicians="Becca (voice), Priya Natarajan (piano)",
                now=now,
            )
            for seconds, rating in takes:
                services.take_add(
                    by=therapist,
                    recording_session=recording,
                    duration_seconds=seconds,
                    rating=rating,
                    audio=_tone(1.5, 329.6),
                )
        services.take_choose_final(
            by=therapist, project=project, take=recording.takes.get(number=1)
        )
        services.track_add(
            by=therapist,
            project=project,
            kind="dedication",
            audio=_tone(1.0, 261.6),
            notes="Becca's words to Noah",
        )
        # Sent by a private link a week ago; the family opened it twice and kept it.
        issued = family_links.family_link_issue(
            by=therapist,
            project=project,
            recipient_name="Noah",
            recipient_relationship="nephew",
            include_lyrics=True,
            include_dedication=True,
            now=now - timedelta(days=7),
        )
        FamilyLink.objects.filter(pk=issued.link.pk).update(created_at=now - timedelta(days=7))
        for days, kind in ((6, "opened"), (6, "downloaded"), (2, "opened")):
            family_links.family_link_visit(
                link=issued.link, kind=kind, now=now - timedelta(days=days, hours=3)
            )
        _backdate(
            project,
            {
                "getting_started": 55,
                "letter": 50,
                "lyrics": 45,
                "melody": 35,
                "arrangement": 27,
                "recording": 20,
                "delivered": 6,
            },
            now,
        )

    # A sharing session in two weeks at Harbor Street: its program lists the songs whose
    # consent allows one (Angie's, as "Sunflower").
    if not SharingProgram.objects.exists():
        program = programs.program_create(
            by=therapist,
            site=participants["angie"].site,
            title="Winter sharing session",
            event_on=_local_day(participants["angie"], now, -14),
            place="Studio B",
        )
        programs.program_songs_set(
            by=therapist,
            program=program,
            projects=songs_for_program(user=therapist, program=program),
        )
