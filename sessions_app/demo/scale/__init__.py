"""A data set the size of a regional treatment network, loaded in minutes.

`scale_seed` builds the whole organisation in memory (`world`), then streams it into
PostgreSQL with COPY table by table (`records`, `clinical`, `measures`, `lullaby`,
`outbox`, `trail`) in one transaction: an error leaves the database as empty as it was.
Everything derives from one random seed, so the same options give the same data
(relative to the day it runs).
"""

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.db import connection, transaction
from django.utils import timezone

from ...services.attendance import attendance_tallies_rebuild
from . import clinical, lullaby, measures, outbox, plans, records, trail
from .loader import Loader, dangling_references, skip_foreign_key_triggers
from .world import Sizes, build_world

DEFAULT_PASSWORD = "refrain-scale"  # noqa: S105 (published, for benchmarks only)

# The fixed logins: (username, what it is), printed at the end and in the README.
LOGINS = (
    ("scale-admin", "superuser administrator of every site"),
    ("scale-siteadmin", "administrator (not superuser) of three sites"),
    ("scale-therapist", "therapist leading four groups with full history, one meeting today"),
    ("scale-participant", "participant with a login, in one of those groups from the start"),
    ("scale-artist", "teaching artist on four lullaby projects"),
)


# Millions of rows between them: their indexes are built once, after loading.
BIG_TABLES = (
    "auditlog_logentry",
    "sessions_app_attendance",
    "sessions_app_reminder",
    "sessions_app_reflection",
    "sessions_app_measureresponse",
    "sessions_app_planitem",
    "sessions_app_objectiveprogress",
)


class ScaleSeedError(Exception):
    """The data built would break an invariant; nothing was written."""


@dataclass(frozen=True)
class ScaleResult:
    counts: dict[str, int]
    seconds: float


def scale_seed(
    *,
    participants: int = 10_000,
    years: float = 2,
    seed: int = 1,
    password: str = DEFAULT_PASSWORD,
    now: datetime | None = None,
    progress: Callable[[str], None] | None = None,
) -> ScaleResult:
    """Build and load the data set into an empty PostgreSQL database.

    1. build the organisation in memory, 2. load it table by table, 3. check every
    reference and move the id sequences on, 4. refresh the planner's statistics.
    """
    started = time.monotonic()
    say = progress or (lambda line: None)
    rng = random.Random(seed)
    now = now or timezone.now()
    world = build_world(sizes=Sizes(participants, years), rng=rng, now=now)
    say(f"built {len(world.sessions):,} sessions in memory in {time.monotonic() - started:.1f} s")
    with transaction.atomic():
        loader = Loader(progress=say, big=BIG_TABLES)
        unchecked = skip_foreign_key_triggers(loader)
        # Index builds after the big tables load sort in memory rather than on disk.
        loader.execute("SET LOCAL maintenance_work_mem = '512MB'")
        record = records.Record()
        records.write_people(loader, world, password=password, rng=rng)
        records.write_songs(loader, world, record, rng)
        records.write_groups(loader, world)
        records.write_sessions(loader, world, rng)
        records.write_plans(loader, world, record, rng)
        clinical.write_attendance(loader, world, record, rng)
        clinical.write_notes(loader, world, record, rng)
        clinical.write_reflections(loader, world, record, rng)
        clinical.write_rsvps(loader, world, rng)
        clinical.write_consents(loader, world, record, rng)
        # A stream of its own, so adding treatment planning left the rest as it was.
        plans.write_treatment_plans(loader, world, record, random.Random(f"{seed}-plans"))
        measures.write_measures(loader, world, record, rng)
        lullaby.write_lullaby(loader, world, rng)
        outbox.write_reminders(loader, world, record, rng)
        trail.write_audit(loader, world, record, rng)
        loader.reset_sequences()
        # With the load's triggers off, each session's attendance counts (kept by
        # triggers otherwise) are counted once here, in two statements.
        attendance_tallies_rebuild()
        if unchecked:
            loader.execute("SET LOCAL session_replication_role = origin")
            problems = dangling_references(loader)
            if problems:
                raise ScaleSeedError("references to missing rows: " + "; ".join(problems))
    _refresh_statistics(loader, say)
    return ScaleResult(counts=dict(loader.counts), seconds=time.monotonic() - started)


def _refresh_statistics(loader: Loader, say: Callable[[str], None]) -> None:
    """ANALYZE, so the planner sees the real sizes; VACUUM too when not inside a
    transaction (a test's), which sets the visibility map for index-only scans."""
    started = time.monotonic()
    verb = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
    with connection.cursor() as cursor:
        for table in loader.counts:
            cursor.execute(f"{verb} {table}")
    say(f"{verb.lower()} in {time.monotonic() - started:.1f} s")
