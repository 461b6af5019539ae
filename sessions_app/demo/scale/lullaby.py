"""Writing lullaby projects at every stage, with their history, drafts, recordings,
takes, consents and teaching artists."""

import random
from dataclasses import dataclass, field
from datetime import timedelta

from .loader import Loader
from .world import Stint, World

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


def write_lullaby(loader: Loader, world: World, rng: random.Random) -> None:
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
            "level",
            "granted",
            "share_with",
            "stage_name",
            "note",
            "recorded_by_id",
            "recorded_at",
        ),
        # Consent to share here is the family's (the first level).
        (
            (n, p, k, "family" if k == "share" else "", g, w, "", "", by, at)
            for n, (p, k, g, w, by, at) in enumerate(consents, 1)
        ),
    )
