"""Writing the organisation: sites, people, songs, groups, enrollments, sessions and
their plans.

Each `write_*` streams one table (or a few small ones) through the loader and keeps in
`Record` only what the later steps (roll calls, reminders, the audit trail) need.
"""

import itertools
import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.contrib.auth.hashers import make_password

from ..songs import SONGS, THEMES
from . import names
from .loader import Loader
from .world import SessionRow, World

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
    # (id, session, author_id, signed, created_at, signed_at)
    notes: list[tuple] = field(default_factory=list)
    # (id, note_id, session, person)
    participant_notes: list[tuple] = field(default_factory=list)
    # (id, session, person, created_at, entered_by)
    reflections: list[tuple] = field(default_factory=list)
    # (id, person, recorded_by, created_at, revoked_at, revoked_by)
    consents: list[tuple] = field(default_factory=list)
    # (id, person id, author, created_at, signed_at)
    assessments: list[tuple] = field(default_factory=list)
    # (id, person id, version, author, created_at, signed_at, superseded_at)
    treatment_plans: list[tuple] = field(default_factory=list)
    # (id, person id, kind, author, created_at, signed_at)
    progress_reports: list[tuple] = field(default_factory=list)


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
