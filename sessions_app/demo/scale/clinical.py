"""Writing the clinical record: roll calls (with people drifting away), group and
participant notes, reflections, answers to "will you come?", and consents."""

import itertools
import random
from datetime import datetime, time, timedelta

from . import names
from .loader import Loader
from .records import ATTENDED, Record
from .world import Person, StaffRow, World


def _tails(world: World) -> dict[int, set[int]]:
    """Per enrollment that drifted away, the ids of the held sessions it missed at the end."""
    tails = {}
    for stint in world.stints:
        if stint.drift:
            held = [s.id for s in stint.group.sessions[stint.first : stint.last + 1] if s.held]
            tails[stint.id] = set(held[-stint.drift :])
    return tails


def _attendance_status(rng: random.Random, person: Person, missed: bool) -> str:
    if missed:
        return "excused" if rng.random() < 0.2 else "absent"
    if rng.random() < person.rate:
        return rng.choices(ATTENDED, (86, 8, 6))[0]
    return "excused" if rng.random() < 0.35 else "absent"


def _minutes(rng: random.Random, status: str, duration: int) -> int | None:
    if status == "late":
        return max(1, duration - rng.choice((5, 10, 15, 20)))
    if status == "left_early":
        return max(1, duration - rng.choice((10, 15, 20, 25)))
    if status == "present":
        return duration
    return None


def write_attendance(loader: Loader, world: World, record: Record, rng: random.Random) -> None:
    tails = _tails(world)
    now = world.now

    def rows():
        next_id = itertools.count(1)
        for session in world.sessions:
            if not session.held:
                continue
            group = session.group
            recorder = group.lead_id if not group.co_ids or rng.random() < 0.85 else group.co_ids[0]
            recorded_at = min(session.ends_at + timedelta(minutes=rng.randint(5, 40)), now)
            for stint in session.roster:
                missed = session.id in tails.get(stint.id, ())
                status = _attendance_status(rng, stint.person, missed)
                minutes = _minutes(rng, status, group.duration)
                row = (next(next_id), session, stint.person, status, minutes, recorder, recorded_at)
                record.attendance.append(row)
                yield (row[0], session.id, stint.person.id, status, minutes, recorder, recorded_at)

    loader.copy(
        "sessions_app_attendance",
        (
            "id",
            "session_id",
            "participant_id",
            "status",
            "minutes_attended",
            "recorded_by_id",
            "recorded_at",
        ),
        rows(),
    )


def write_notes(loader: Loader, world: World, record: Record, rng: random.Random) -> None:
    """A group note per session held (signed, or a draft for the latest and a few
    others), notes on some participants, and an addendum now and then."""
    now = world.now
    signed_before = now - timedelta(days=7)

    def notes():
        next_id = itertools.count(1)
        for session in world.sessions:
            if not session.held:
                continue
            note_id = next(next_id)
            author = session.group.lead_id
            created = min(session.ends_at + timedelta(minutes=rng.randint(10, 90)), now)
            signed = session.ends_at < signed_before and rng.random() < 0.97
            signed_at = min(created + timedelta(hours=rng.randint(1, 30)), now) if signed else None
            record.notes.append((note_id, session, author, signed, created, signed_at))
            soap = rng.random() < 0.7
            text = rng.choice(names.NOTE_LINES)
            plan = rng.choice(names.PLAN_LINES)
            yield (
                note_id,
                session.id,
                "soap" if soap else "dap",
                "Members arrived talkative and settled quickly." if soap else "",
                text if soap else "",
                "" if soap else text,
                "Engagement and peer support were good.",
                plan,
                "signed" if signed else "draft",
                author,
                author if signed else None,
                signed_at,
                created,
                signed_at or created,
                "",
            )

    loader.copy(
        "sessions_app_sessionnote",
        (
            "id",
            "session_id",
            "format",
            "subjective",
            "objective",
            "data",
            "assessment",
            "plan",
            "status",
            "author_id",
            "signed_by_id",
            "signed_at",
            "created_at",
            "updated_at",
            "returned_comment",
        ),
        notes(),
    )
    note_of = {row[1].id: row[0] for row in record.notes}

    def participant_notes():
        next_id = itertools.count(1)
        for row in record.attendance:
            _, session, person, status = row[:4]
            if status in ATTENDED and rng.random() < 0.15:
                pn_id = next(next_id)
                record.participant_notes.append((pn_id, note_of[session.id], session, person))
                yield (
                    pn_id,
                    note_of[session.id],
                    person.id,
                    rng.choice(names.PARTICIPANT_NOTE_LINES),
                )

    loader.copy(
        "sessions_app_participantnote",
        ("id", "note_id", "participant_id", "text"),
        participant_notes(),
    )
    addenda = [
        (note_id, author, min(signed_at + timedelta(days=rng.randint(1, 10)), now))
        for note_id, _, author, signed, _, signed_at in record.notes
        if signed and rng.random() < 0.005
    ]
    loader.copy(
        "sessions_app_noteaddendum",
        ("id", "note_id", "author_id", "created_at", "text"),
        (
            (n, note_id, author, at, "Correction: one member arrived late, not on time.")
            for n, (note_id, author, at) in enumerate(addenda, start=1)
        ),
    )


REFLECTION_SHARE = 0.33  # of the sessions someone attended, how often they write


def write_reflections(loader: Loader, world: World, record: Record, rng: random.Random) -> None:
    now = world.now
    scale = world.scale_person
    latest_scale = max(
        (row[0] for row in record.attendance if row[2] is scale and row[3] in ATTENDED),
        default=None,
    )

    def rows():
        next_id = itertools.count(1)
        for att_id, session, person, status, *_ in record.attendance:
            if status not in ATTENDED:
                continue
            if person is scale:
                # They wrote after every session but the latest, which still invites one.
                if att_id == latest_scale:
                    continue
            elif rng.random() > REFLECTION_SHARE:
                continue
            before = rng.randint(2, 6)
            songs = record.plan_songs.get(session.id)
            entered_by = session.group.lead_id if rng.random() < 0.1 else None
            written = min(session.ends_at + timedelta(hours=rng.randint(1, 20)), now)
            reflection_id = next(next_id)
            record.reflections.append((reflection_id, session, person, written, entered_by))
            yield (
                reflection_id,
                session.id,
                person.id,
                before,
                min(10, before + rng.choice((0, 1, 2, 2, 3, 4))),
                rng.choice((2, 3, 3, 4, 4, 5)),
                rng.choice((None, None, 1, 2, 3, 5)),
                rng.choice(songs) if songs and rng.random() < 0.6 else None,
                "",
                rng.choice(names.REFLECTION_WORDS),
                entered_by,
                written,
                written,
            )

    loader.copy(
        "sessions_app_reflection",
        (
            "id",
            "session_id",
            "participant_id",
            "mood_before",
            "mood_after",
            "connection",
            "craving",
            "song_id",
            "song_text",
            "text",
            "entered_by_id",
            "created_at",
            "updated_at",
        ),
        rows(),
    )


def write_rsvps(loader: Loader, world: World, rng: random.Random) -> None:
    """Answers to "will you come?" for the past eight weeks and the next two."""
    now = world.now
    window = (now - timedelta(weeks=8), now + timedelta(weeks=2))

    def rows():
        next_id = itertools.count(1)
        for session in world.sessions:
            if not window[0] <= session.starts_at <= window[1]:
                continue
            for stint in session.roster:
                if stint.person.reminder_channel and rng.random() < 0.3:
                    answered = min(session.starts_at - timedelta(hours=rng.randint(2, 48)), now)
                    answer = "confirmed" if rng.random() < 0.85 else "declined"
                    yield next(next_id), session.id, stint.person.id, answer, answered

    loader.copy(
        "sessions_app_rsvp",
        ("id", "session_id", "participant_id", "answer", "answered_at"),
        rows(),
    )


def _site_admins(world: World) -> dict[int, StaffRow]:
    admins = {}
    for staff in world.staff_by_role("administrator"):
        for site_id in staff.site_ids:
            admins.setdefault(site_id, staff)
    return admins


def write_consents(loader: Loader, world: World, record: Record, rng: random.Random) -> None:
    admins = _site_admins(world)
    today = world.now.date()
    rows, disclosures = [], []
    for person in world.people:
        if person is not world.scale_person and rng.random() > 0.3:
            continue
        admin = admins[person.site.id]
        signed_on = min(person.created_at.date() + timedelta(days=rng.randint(0, 14)), today)
        recorded = datetime.combine(signed_on, time(11), tzinfo=person.site.tz)
        revoked_at = revoked_by = None
        note = ""
        if rng.random() < 0.06:
            revoked_at = min(recorded + timedelta(days=rng.randint(10, 200)), world.now)
            revoked_by, note = admin.id, "Revoked in writing by the participant"
        consent_id = len(rows) + 1
        rows.append(
            (
                consent_id,
                person.id,
                "Attendance and participation in group sessions",
                rng.choice(("Probation officer", "Primary care provider", "Family member")),
                rng.choice(("Court compliance", "Coordination of care", "Family support")),
                signed_on,
                signed_on + timedelta(days=365),
                revoked_at,
                revoked_by,
                note,
                admin.id,
                recorded,
            )
        )
        record.consents.append((consent_id, person, admin.id, recorded, revoked_at, revoked_by))
        if revoked_at is None and rng.random() < 0.15:
            at = min(recorded + timedelta(days=rng.randint(5, 120)), world.now)
            disclosures.append((person.id, consent_id, admin.id, at, "Attendance record"))
    loader.copy(
        "sessions_app_consent",
        (
            "id",
            "participant_id",
            "disclose_what",
            "disclose_to",
            "purpose",
            "signed_on",
            "expires_on",
            "revoked_at",
            "revoked_by_id",
            "revocation_note",
            "recorded_by_id",
            "created_at",
        ),
        rows,
    )
    loader.copy(
        "sessions_app_disclosure",
        ("id", "participant_id", "consent_id", "disclosed_by_id", "disclosed_at", "what"),
        ((n, *row) for n, row in enumerate(disclosures, start=1)),
    )
