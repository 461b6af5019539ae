"""Writing the organisation and its clinical record: people, groups, sessions, plans,
roll calls, notes, reflections, answers, consents and lullaby projects.

Each `write_*` streams one table (or a few small ones) through the loader and keeps in
`Record` only what the later steps (reminders, the audit trail) need.
"""

import itertools
import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.contrib.auth.hashers import make_password

from ..songs import SONGS, THEMES
from . import names
from .loader import Loader
from .world import Person, SessionRow, StaffRow, Stint, World

ACTIVITIES = (
    "group_singing",
    "listening",
    "lyric_analysis",
    "songwriting",
    "instrument_play",
    "improvisation",
    "relaxation",
)
SONG_ACTIVITIES = {"group_singing", "listening", "lyric_analysis"}
ATTENDED = ("present", "late", "left_early")


@dataclass
class Record:
    """What later steps read back: rows as (id, ...) tuples, kept compact."""

    song_ids: list[int] = field(default_factory=list)
    # session id -> ids of the songs in its plan
    plan_songs: dict[int, list[int]] = field(default_factory=dict)
    # (id, session, person, status, minutes, recorded_by, recorded_at)
    attendance: list[tuple] = field(default_factory=list)
    # (id, session, author_id, status, created_at, signed_at)
    notes: list[tuple] = field(default_factory=list)
    # (id, note_id, session, person)
    participant_notes: list[tuple] = field(default_factory=list)
    # (id, session, person, created_at, entered_by)
    reflections: list[tuple] = field(default_factory=list)
    # (id, person, recorded_by, created_at, revoked_at, revoked_by)
    consents: list[tuple] = field(default_factory=list)


# --- People and places ---------------------------------------------------------------------


def write_people(loader: Loader, world: World, *, password: str, rng: random.Random) -> None:
    """Sites, staff and participant logins, administrators' sites, participants."""
    loader.copy(
        "sessions_app_site",
        ("id", "name", "address", "time_zone"),
        ((s.id, s.name, s.address, s.time_zone) for s in world.sites),
    )
    _write_users(loader, world, password=password, rng=rng)
    _write_participants(loader, world)


def _write_users(loader: Loader, world: World, *, password: str, rng: random.Random) -> None:
    fixed = {login.username for login in world.logins.values()}
    users = []
    for staff in world.staff:
        # Real hashes for the published logins only; everyone else cannot log in.
        secret = make_password(password if staff.username in fixed else None)
        users.append(
            (
                staff.id,
                secret,
                staff.superuser,
                staff.username,
                staff.first_name,
                staff.last_name,
                staff.email,
                staff.superuser,
                True,
                staff.joined,
                staff.role,
                staff.credentials,
            )
        )
    next_id = itertools.count(len(world.staff) + 1)
    unusable = make_password(None)
    for person in world.people:
        if person is world.scale_person or rng.random() < 0.25:
            person.user_id = next(next_id)
            person.username = person.username or f"p{person.id:05d}"
            secret = make_password(password) if person is world.scale_person else unusable
            users.append(
                (
                    person.user_id,
                    secret,
                    False,
                    person.username,
                    person.first_name,
                    person.last_name,
                    person.email,
                    False,
                    True,
                    person.created_at,
                    "participant",
                    "",
                )
            )
    loader.copy(
        "sessions_app_user",
        (
            "id",
            "password",
            "is_superuser",
            "username",
            "first_name",
            "last_name",
            "email",
            "is_staff",
            "is_active",
            "date_joined",
            "role",
            "credentials",
        ),
        users,
    )
    loader.copy(
        "sessions_app_user_sites",
        ("id", "user_id", "site_id"),
        (
            (n, user_id, site_id)
            for n, (user_id, site_id) in enumerate(
                ((s.id, site_id) for s in world.staff for site_id in s.site_ids), start=1
            )
        ),
    )


def _write_participants(loader: Loader, world: World) -> None:
    loader.copy(
        "sessions_app_participant",
        (
            "id",
            "user_id",
            "site_id",
            "first_name",
            "last_name",
            "preferred_name",
            "email",
            "phone",
            "reminder_channel",
            "reminders_opt_in",
            "quiet_hours_start",
            "quiet_hours_end",
            "time_zone",
            "reminders_stopped_at",
            "link_version",
            "created_at",
        ),
        (
            (
                p.id,
                p.user_id,
                p.site.id,
                p.first_name,
                p.last_name,
                p.preferred_name,
                p.email,
                p.phone,
                p.channel,
                p.opt_in,
                p.quiet[0] if p.quiet else None,
                p.quiet[1] if p.quiet else None,
                "",
                p.stopped_at,
                0,
                p.created_at,
            )
            for p in world.people
        ),
    )


def write_songs(loader: Loader, world: World, record: Record, rng: random.Random) -> None:
    loader.copy("sessions_app_theme", ("id", "name"), enumerate(THEMES, start=1))
    theme_ids = {name: n for n, name in enumerate(THEMES, start=1)}
    therapists = world.staff_by_role("therapist")
    added = world.now - timedelta(weeks=world.sizes.weeks + 4)
    songs, links = [], []
    for spec in SONGS:
        songs.append((spec.title, spec.artist, spec.key, spec.tempo_bpm, "public_domain"))
        links.append([theme_ids[t] for t in spec.themes])
    seen = {(s[0], s[1]) for s in songs}
    while len(songs) < len(SONGS) + world.sizes.songs:
        a, b = rng.sample(names.SONG_WORDS, 2)
        title = rng.choice(names.SONG_SHAPES).format(a=a, b=b)
        source = rng.choices(("published", "participant"), (85, 15))[0]
        artist = "Group songwriting" if source == "participant" else " ".join(names.person(rng))
        if (title, artist) in seen:
            continue
        seen.add((title, artist))
        songs.append((title, artist, rng.choice(names.KEYS), rng.randint(56, 140), source))
        links.append(rng.sample(range(1, len(THEMES) + 1), rng.randint(1, 3)))
    record.song_ids = list(range(1, len(songs) + 1))
    loader.copy(
        "sessions_app_song",
        (
            "id",
            "title",
            "artist",
            "key",
            "tempo_bpm",
            "source",
            "notes",
            "added_by_id",
            "created_at",
        ),
        (
            (n, *song, "", rng.choice(therapists).id, added + timedelta(days=n % 90))
            for n, song in enumerate(songs, start=1)
        ),
    )
    pairs = ((song_id, t) for song_id, ts in enumerate(links, start=1) for t in ts)
    loader.copy(
        "sessions_app_song_themes",
        ("id", "song_id", "theme_id"),
        ((n, s, t) for n, (s, t) in enumerate(pairs, start=1)),
    )


# --- Groups and sessions ---------------------------------------------------------------------


def write_groups(loader: Loader, world: World) -> None:
    loader.copy(
        "sessions_app_group",
        (
            "id",
            "site_id",
            "name",
            "focus",
            "enrollment",
            "capacity",
            "weekday",
            "start_time",
            "duration_minutes",
            "first_date",
            "last_date",
            "room",
            "reminder_hours",
            "created_at",
        ),
        (
            (
                g.id,
                g.site.id,
                g.name,
                g.focus,
                g.enrollment,
                g.capacity,
                g.weekday,
                g.start_time,
                g.duration,
                g.first_date,
                g.last_date,
                g.room,
                str(g.reminder_hours),
                g.created_at,
            )
            for g in world.groups
        ),
    )
    facilitations = (
        (g.id, therapist_id, "lead" if n == 0 else "co")
        for g in world.groups
        for n, therapist_id in enumerate([g.lead_id, *g.co_ids])
    )
    loader.copy(
        "sessions_app_facilitation",
        ("id", "group_id", "therapist_id", "role"),
        ((n, *row) for n, row in enumerate(facilitations, start=1)),
    )
    loader.copy(
        "sessions_app_enrollment",
        (
            "id",
            "group_id",
            "participant_id",
            "start_date",
            "end_date",
            "status",
            "discharge_reason",
            "created_at",
        ),
        (
            (
                s.id,
                s.group.id,
                s.person.id,
                s.start_date,
                s.end_date,
                s.status,
                s.reason,
                enrolled_at(s.start_date, s.group.site),
            )
            for s in world.stints
        ),
    )


def enrolled_at(day: date, site) -> datetime:
    return datetime.combine(day, time(9, 30), tzinfo=site.tz) - timedelta(days=1)


def session_created(session: SessionRow) -> datetime:
    # Schedules are generated twelve weeks ahead.
    return max(session.group.created_at, session.starts_at - timedelta(weeks=12))


def write_sessions(loader: Loader, world: World, rng: random.Random) -> None:
    def rows():
        for s in world.sessions:
            actual_start = actual_end = None
            if s.held and rng.random() < 0.5:
                actual_start = s.starts_at + timedelta(minutes=rng.choice((0, 0, 5, 10)))
                actual_end = s.ends_at + timedelta(minutes=rng.choice((-5, 0, 0, 5, 10)))
            changed = s.change[1] if s.change else None
            created = session_created(s)
            updated = max(created, changed or created, min(s.ends_at, world.now))
            yield (
                s.id,
                s.group.id,
                s.starts_at,
                s.ends_at,
                s.group.room,
                s.status,
                s.cancel_reason,
                s.day,
                actual_start,
                actual_end,
                created,
                updated,
            )

    loader.copy(
        "sessions_app_session",
        (
            "id",
            "group_id",
            "starts_at",
            "ends_at",
            "room",
            "status",
            "cancel_reason",
            "occurrence_date",
            "actual_starts_at",
            "actual_ends_at",
            "created_at",
            "updated_at",
        ),
        rows(),
    )
    changes = [s for s in world.sessions if s.change]
    loader.copy(
        "sessions_app_sessionchange",
        (
            "id",
            "session_id",
            "kind",
            "old_starts_at",
            "old_ends_at",
            "old_room",
            "new_starts_at",
            "new_ends_at",
            "new_room",
            "reason",
            "changed_by_id",
            "changed_at",
        ),
        (
            (
                n,
                s.id,
                s.change[0],
                s.change[2],
                s.change[3],
                s.group.room,
                s.starts_at,
                s.ends_at,
                s.group.room,
                s.change[4],
                s.group.lead_id,
                s.change[1],
            )
            for n, s in enumerate(changes, start=1)
        ),
    )


def write_plans(loader: Loader, world: World, record: Record, rng: random.Random) -> None:
    """Plans for every session held and each group's next one, as therapists keep them."""
    songs = record.song_ids

    def rows():
        item_id = itertools.count(1)
        for group in world.groups:
            upcoming = [s for s in group.sessions if s.status == "scheduled"][:1]
            for session in [s for s in group.sessions if s.held] + upcoming:
                count = rng.randint(3, 5)
                middle = [group.kind, *rng.sample(ACTIVITIES, count - 3)]
                kinds = ["group_singing", *middle, rng.choice(("relaxation", "group_singing"))]
                minutes = [10] * count
                minutes[1] = group.duration - 10 * (count - 1)
                if minutes[1] < 5:
                    minutes = [group.duration // count] * count
                chosen = []
                for position, (kind, length) in enumerate(
                    zip(kinds, minutes, strict=True), start=1
                ):
                    song = rng.choice(songs) if kind in SONG_ACTIVITIES else None
                    if song:
                        chosen.append(song)
                    yield (next(item_id), session.id, position, song, kind, length, "")
                record.plan_songs[session.id] = chosen

    loader.copy(
        "sessions_app_planitem",
        ("id", "session_id", "position", "song_id", "activity_type", "minutes", "purpose"),
        rows(),
    )


# --- Roll calls, notes, reflections ----------------------------------------------------------


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


# --- Consents and lullaby projects -----------------------------------------------------------


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


STAGES = (
    "getting_started",
    "letter",
    "lyrics",
    "melody",
    "arrangement",
    "recording",
    "delivered",
    "shared",
)
LYRICS = (
    "Little lantern, close your eyes\nthe moon is keeping watch tonight",
    "River child, the water's wide\nI'll hold the other end of the rope",
    "Sunflower girl, turn your face\ntoward the morning light",
)


@dataclass
class _Lullaby:
    projects: list[tuple] = field(default_factory=list)
    changes: list[tuple] = field(default_factory=list)
    drafts: list[tuple] = field(default_factory=list)
    recordings: list[tuple] = field(default_factory=list)
    takes: list[tuple] = field(default_factory=list)
    consents: list[tuple] = field(default_factory=list)
    team: list[tuple] = field(default_factory=list)


def write_lullaby(loader: Loader, world: World, record: Record, rng: random.Random) -> None:
    """Projects at every stage, with their stage history, drafts, recordings and takes,
    consents, and teaching artists (the scale artist on the first four only)."""
    scale_artist = world.logins["scale-artist"]
    artists = [a for a in world.staff_by_role("teaching_artist") if a is not scale_artist]
    enrolled = list({s.person.id: s for s in world.stints}.values())
    rng.shuffle(enrolled)
    built = _Lullaby()
    for n in range(1, min(world.sizes.lullaby_projects, len(enrolled)) + 1):
        helpers = [scale_artist] if n <= 4 else rng.sample(artists, min(len(artists), 2))
        built.team.extend((n, a.id) for a in helpers)
        _project(built, n, enrolled[n - 1], world, rng)
    _copy_lullaby(loader, built)


def _project(built: _Lullaby, n: int, stint: Stint, world: World, rng: random.Random) -> None:
    """One project, led by the lead of a group its participant was in, up to a random
    stage: each stage reached is a stage change, lyrics bring drafts, recording brings
    sessions and takes, delivery names the final take."""
    person, therapist = stint.person, stint.group.lead_id
    stage = rng.randrange(len(STAGES))
    started = world.now - timedelta(days=rng.randint(20 + 12 * stage, 60 + 20 * stage))
    when = started
    for index in range(stage + 1):
        built.changes.append((n, STAGES[index], when, therapist))
        when = min(when + timedelta(days=rng.randint(7, 20)), world.now)
    if stage >= STAGES.index("lyrics"):
        for number in range(1, rng.randint(1, 4) + 1):
            built.drafts.append((n, number, rng.choice(LYRICS), therapist, started))
    final_take = delivered_on = None
    method = delivered_to = ""
    if stage >= STAGES.index("recording"):
        built.consents.append((n, "record", True, "", therapist, started))
        recorded_on = min((started + timedelta(days=40)).date(), world.now.date())
        for _ in range(rng.randint(1, 2)):
            recording_id = len(built.recordings) + 1
            built.recordings.append((recording_id, n, recorded_on, "Studio A", started))
            for number in range(1, rng.randint(2, 5) + 1):
                take = (len(built.takes) + 1, recording_id, number, rng.randint(90, 240), started)
                built.takes.append(take)
    if stage >= STAGES.index("delivered"):
        final_take = len(built.takes)
        delivered_on, method, delivered_to = when.date(), "file", "Family"
    if STAGES[stage] == "shared":
        share = (n, "share", True, "The programme's spring concert", therapist, when)
        built.consents.append(share)
    built.projects.append(
        (
            n,
            person.id,
            therapist,
            "",
            rng.choice(("Mia", "Eli", "Noah", "Ava", "Leo")),
            rng.choice(("daughter", "son", "nephew", "granddaughter")),
            STAGES[stage],
            final_take,
            delivered_on,
            method,
            delivered_to,
            started,
            when,
        )
    )


def _copy_lullaby(loader: Loader, built: _Lullaby) -> None:
    projects, team, changes, drafts = built.projects, built.team, built.changes, built.drafts
    recordings, takes, consents = built.recordings, built.takes, built.consents
    loader.copy(
        "sessions_app_lullabyproject",
        (
            "id",
            "participant_id",
            "therapist_id",
            "title",
            "recipient_name",
            "recipient_relationship",
            "stage",
            "final_take_id",
            "delivered_on",
            "delivery_method",
            "delivered_to",
            "created_at",
            "updated_at",
        ),
        projects,
    )
    loader.copy(
        "sessions_app_lullabyproject_teaching_artists",
        ("id", "lullabyproject_id", "user_id"),
        ((n, *row) for n, row in enumerate(team, start=1)),
    )
    loader.copy(
        "sessions_app_stagechange",
        ("id", "project_id", "stage", "changed_at", "changed_by_id"),
        ((n, *row) for n, row in enumerate(changes, start=1)),
    )
    loader.copy(
        "sessions_app_lyricdraft",
        ("id", "project_id", "number", "text", "notes", "created_by_id", "created_at"),
        ((n, p, num, text, "", by, at) for n, (p, num, text, by, at) in enumerate(drafts, 1)),
    )
    loader.copy(
        "sessions_app_recordingsession",
        (
            "id",
            "project_id",
            "recorded_on",
            "place",
            "engineer",
            "musicians",
            "notes",
            "created_at",
        ),
        ((r, p, on, place, "", "", "", at) for r, p, on, place, at in recordings),
    )
    loader.copy(
        "sessions_app_take",
        (
            "id",
            "recording_session_id",
            "number",
            "duration_seconds",
            "notes",
            "audio",
            "created_at",
        ),
        ((t, r, num, secs, "", "", at) for t, r, num, secs, at in takes),
    )
    loader.copy(
        "sessions_app_projectconsent",
        (
            "id",
            "project_id",
            "kind",
            "granted",
            "share_with",
            "note",
            "recorded_by_id",
            "recorded_at",
        ),
        ((n, p, k, g, w, "", by, at) for n, (p, k, g, w, by, at) in enumerate(consents, 1)),
    )
