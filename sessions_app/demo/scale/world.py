"""The organisation in memory: sites, staff, participants, groups, who is enrolled
when, and every session, before anything is written.

Rows are plain slotted objects with ids assigned here, so the later steps (roll calls,
notes, reminders, the audit trail) can refer to each other without asking the database.
"""

import itertools
import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from . import names

FUTURE_WEEKS = 12  # as far ahead as generate_sessions keeps each schedule
REMINDER_HOURS = ([24, 2], [24, 2], [24], [2])
RATE_RANGE = (0.60, 0.95)  # each participant's own likelihood of coming
PASSWORD_LOGINS = ("scale-admin", "scale-siteadmin", "scale-therapist", "scale-participant")


@dataclass(frozen=True)
class Sizes:
    """Everything follows from the number of participants and of years of history."""

    participants: int
    years: float

    @property
    def factor(self) -> float:
        return self.participants / 10_000

    @property
    def sites(self) -> int:
        return max(3, round(22 * self.factor))

    @property
    def groups(self) -> int:
        return max(6, round(800 * self.factor))

    @property
    def therapists(self) -> int:
        return max(4, round(240 * self.factor))

    @property
    def extra_admins(self) -> int:
        return self.sites // 3  # larger sites have a second administrator

    @property
    def artists(self) -> int:
        return max(2, round(14 * self.factor))

    @property
    def songs(self) -> int:
        return max(40, round(560 * self.factor))

    @property
    def lullaby_projects(self) -> int:
        return max(5, round(200 * self.factor))

    @property
    def weeks(self) -> int:
        return max(4, round(52 * self.years))


@dataclass(slots=True)
class SiteRow:
    id: int
    name: str
    address: str
    time_zone: str
    tz: ZoneInfo


@dataclass(slots=True)
class StaffRow:
    id: int
    username: str
    first_name: str
    last_name: str
    role: str
    credentials: str = ""
    superuser: bool = False
    site_ids: list[int] = field(default_factory=list)
    joined: datetime | None = None

    @property
    def label(self) -> str:
        full = f"{self.first_name} {self.last_name}"
        return f"{full}, {self.credentials}" if self.credentials else full

    @property
    def email(self) -> str:
        return f"{self.username}@example.org"


@dataclass(slots=True)
class Person:
    id: int
    site: SiteRow
    first_name: str
    last_name: str
    preferred_name: str
    channel: str  # the participant's choice: email, sms or none
    opt_in: bool
    email: str
    phone: str
    rate: float
    quiet: tuple[time, time] | None = None
    stopped_at: datetime | None = None
    user_id: int | None = None
    username: str = ""
    created_at: datetime | None = None

    @property
    def short_name(self) -> str:
        return f"{self.preferred_name or self.first_name} {self.last_name[:1]}."

    @property
    def reminder_channel(self) -> str | None:
        """The channel reminders actually go by (services.reminders.participant_channel)."""
        if not self.opt_in or self.channel == "none":
            return None
        return self.channel


@dataclass(slots=True)
class SessionRow:
    id: int
    group: "GroupRow"
    day: date
    starts_at: datetime
    ends_at: datetime
    status: str = "scheduled"
    cancel_reason: str = ""
    # (kind, changed_at, old_starts_at, old_ends_at, reason) of its one change, if any.
    change: tuple | None = None
    roster: list["Stint"] = field(default_factory=list)

    @property
    def held(self) -> bool:
        return self.status == "held"


@dataclass(slots=True)
class GroupRow:
    id: int
    site: SiteRow
    name: str
    kind: str  # the signature activity, shaping plans
    focus: str
    enrollment: str
    capacity: int
    roster_size: int
    weekday: int
    start_time: time
    duration: int
    first_date: date
    last_date: date | None
    room: str
    reminder_hours: list[int]
    lead_id: int
    co_ids: list[int]
    created_at: datetime
    sessions: list[SessionRow] = field(default_factory=list)

    @property
    def reminder_minutes(self) -> list[int]:
        return sorted((h * 60 for h in self.reminder_hours), reverse=True)


@dataclass(slots=True)
class Stint:
    """One enrollment: a participant in a group over a run of its sessions."""

    id: int
    group: GroupRow
    person: Person
    first: int  # index of its first session in the group
    last: int  # index of its last session (inclusive); the last one there is if active
    start_date: date
    end_date: date | None
    status: str
    reason: str = ""
    # How many of its last held sessions were missed: people drifting away.
    drift: int = 0


@dataclass
class World:
    now: datetime
    sizes: Sizes
    sites: list[SiteRow] = field(default_factory=list)
    staff: list[StaffRow] = field(default_factory=list)
    people: list[Person] = field(default_factory=list)
    groups: list[GroupRow] = field(default_factory=list)
    stints: list[Stint] = field(default_factory=list)
    sessions: list[SessionRow] = field(default_factory=list)
    # The fixed logins, by username.
    logins: dict[str, StaffRow] = field(default_factory=dict)
    scale_person: Person | None = None

    def staff_by_role(self, role: str) -> list[StaffRow]:
        return [s for s in self.staff if s.role == role and not s.superuser]


# --- Building it ---------------------------------------------------------------------------


def build_world(*, sizes: Sizes, rng: random.Random, now: datetime) -> World:
    """1. sites, 2. staff, 3. participants, 4. groups with facilitators, 5. sessions,
    6. enrollments and rosters."""
    world = World(now=now, sizes=sizes)
    _sites(world, rng)
    _staff(world, rng)
    _people(world, rng)
    _groups(world, rng)
    for group in world.groups:
        _sessions(world, group, rng)
    _enrollments(world, rng)
    # Ids in time order, as a live system hands them out: the tables' physical order
    # then matches their dates, which the planner's estimates depend on.
    world.sessions.sort(key=lambda s: (s.starts_at, s.group.id))
    for n, session in enumerate(world.sessions, start=1):
        session.id = n
    world.stints.sort(key=lambda s: (s.start_date, s.group.id))
    for n, stint in enumerate(world.stints, start=1):
        stint.id = n
    return world


def _sites(world: World, rng: random.Random) -> None:
    for index in range(world.sizes.sites):
        place, street, city, zone = names.SITE_PLACES[index % len(names.SITE_PLACES)]
        lap = index // len(names.SITE_PLACES)
        name = f"{place} {names.SITE_KINDS[index % len(names.SITE_KINDS)]}"
        if lap:
            name = f"{name} {lap + 1}"
        address = f"{rng.randint(10, 2400)} {street}, {city}"
        world.sites.append(SiteRow(index + 1, name, address, zone, ZoneInfo(zone)))


def _staff(world: World, rng: random.Random) -> None:
    sizes, sites = world.sizes, world.sites
    joined = world.now - timedelta(weeks=sizes.weeks + 8)
    ids = itertools.count(1)

    def add(username: str, role: str, **fields) -> StaffRow:
        first, last = names.person(rng)
        row = StaffRow(next(ids), username, first, last, role, joined=joined, **fields)
        world.staff.append(row)
        return row

    world.logins["scale-admin"] = add(
        "scale-admin", "administrator", superuser=True, site_ids=[s.id for s in sites]
    )
    world.logins["scale-siteadmin"] = add(
        "scale-siteadmin", "administrator", site_ids=[s.id for s in sites[:3]]
    )
    world.logins["scale-therapist"] = add("scale-therapist", "therapist", credentials="MT-BC")
    world.logins["scale-artist"] = add("scale-artist", "teaching_artist")
    for site in sites:
        add(f"admin{site.id:02d}", "administrator", site_ids=[site.id])
    for n in range(sizes.extra_admins):
        add(f"admin{n + 1:02d}b", "administrator", site_ids=[sites[(n * 3) % len(sites)].id])
    for n in range(sizes.therapists - 1):
        add(f"mt{n + 1:03d}", "therapist", credentials=rng.choice(names.CREDENTIALS))
    for n in range(sizes.artists - 1):
        add(f"artist{n + 1:02d}", "teaching_artist")


def _people(world: World, rng: random.Random) -> None:
    """Participants, spread over the sites in proportion to their groups."""
    sites = world.sites
    weights = [_groups_at(world, site) for site in sites]
    for pid in range(1, world.sizes.participants + 1):
        site = sites[0] if pid == 1 else rng.choices(sites, weights)[0]
        first, last = names.person(rng)
        preferred = rng.choice(names.NICKNAMES.get(first, ("",))) if rng.random() < 0.3 else ""
        channel = rng.choices(("email", "sms", "none"), (30, 25, 45))[0]
        person = Person(
            id=pid,
            site=site,
            first_name=first,
            last_name=last,
            preferred_name=preferred,
            channel=channel,
            opt_in=channel != "none" and rng.random() < 0.85,
            email=f"{first}.{last}.{pid}@example.org".lower().replace("'", "")
            if channel == "email" or rng.random() < 0.3
            else "",
            # The fictional +1 555 555 01xx range only, so nothing can reach a real phone.
            phone=f"+155555501{pid % 100:02d}" if channel == "sms" or rng.random() < 0.3 else "",
            rate=rng.uniform(*RATE_RANGE),
            quiet=rng.choice(names.QUIET_HOURS) if rng.random() < 0.2 else None,
        )
        if person.opt_in and rng.random() < 0.03:
            person.stopped_at = world.now - timedelta(days=rng.randint(5, 300))
        world.people.append(person)
    scale = world.people[0]
    scale.channel, scale.opt_in, scale.rate, scale.quiet, scale.stopped_at = (
        "email",
        True,
        0.92,
        None,
        None,
    )
    scale.email = f"{scale.first_name}.{scale.last_name}.1@example.org".lower().replace("'", "")
    scale.username = "scale-participant"
    world.scale_person = scale


def _groups_at(world: World, site: SiteRow) -> int:
    """How many groups meet at a site: the scale therapist's four at the first, then the
    rest in turn."""
    count = world.sizes.groups
    rest = count - 4
    share = rest // len(world.sites) + (1 if (site.id - 1) < rest % len(world.sites) else 0)
    return share + (4 if site.id == 1 else 0)


def _groups(world: World, rng: random.Random) -> None:
    """Each site's groups, led in turn by its therapists (the scale therapist leads the
    first four of the first site), with up to two co-facilitators."""
    scale_therapist = world.logins["scale-therapist"]
    gid = itertools.count(1)
    taken: set[tuple[int, str]] = set()
    by_site = _therapists_by_site(world)
    for site in world.sites:
        staff = by_site[site.id]
        leads = itertools.cycle([t for t in staff if t is not scale_therapist] or staff)
        for n in range(_groups_at(world, site)):
            mine = site.id == 1 and n < 4
            lead = scale_therapist if mine else next(leads)
            co_pool = [t for t in staff if t is not lead]
            co_count = rng.choices((0, 1, 2), (40, 45, 15))[0]
            co = rng.sample(co_pool, min(co_count, len(co_pool)))
            kind = rng.choice(names.GROUP_KINDS)
            weekday, start_time, first, last_date = _schedule(
                world, site, rng, mine=mine, today=mine and n == 0
            )
            roster = rng.choices(range(6, 15), (1, 1, 2, 3, 5, 8, 12, 16, 20))[0]
            world.groups.append(
                GroupRow(
                    id=next(gid),
                    site=site,
                    name=_unique_name(site.id, f"{names.WEEKDAYS[weekday]} {kind[1]}", taken),
                    kind=kind[0],
                    focus=rng.choice(names.FOCUSES),
                    enrollment="closed" if rng.random() < 0.3 else "open",
                    capacity=min(16, roster + rng.choice((0, 1, 2))),
                    roster_size=roster,
                    weekday=weekday,
                    start_time=start_time,
                    duration=rng.choice((45, 60, 60, 60, 75, 90)),
                    first_date=first,
                    last_date=last_date,
                    room=rng.choice(names.ROOMS),
                    reminder_hours=rng.choice(REMINDER_HOURS),
                    lead_id=lead.id,
                    co_ids=[t.id for t in co],
                    created_at=_at(first - timedelta(days=rng.randint(7, 30)), time(9), site.tz),
                )
            )


def _therapists_by_site(world: World) -> dict[int, list[StaffRow]]:
    """Each therapist works at one site; the scale therapist at the first."""
    scale_therapist = world.logins["scale-therapist"]
    by_site: dict[int, list[StaffRow]] = {site.id: [] for site in world.sites}
    by_site[world.sites[0].id].append(scale_therapist)
    others = [s for s in world.staff if s.role == "therapist" and s is not scale_therapist]
    for index, therapist in enumerate(others):
        by_site[world.sites[index % len(world.sites)].id].append(therapist)
    return by_site


def _schedule(
    world: World, site: SiteRow, rng: random.Random, *, mine: bool, today: bool
) -> tuple[int, time, date, date | None]:
    """(weekday, start time, first date, last date) of a group: most run through the
    whole history, some started later, a few have ended; the scale therapist's run
    throughout and the first of them meets today, later in the day."""
    start = world.now.date() - timedelta(weeks=world.sizes.weeks)
    weekday = rng.choices(range(7), (20, 20, 20, 20, 14, 4, 2))[0]
    start_time = time(rng.choice((9, 10, 11, 13, 14, 15, 17, 18)), rng.choice((0, 0, 30)))
    if today:
        weekday, start_time = _today_slot(world.now, site.tz)
    full_history = mine or rng.random() < 0.8
    first = start if full_history else start + timedelta(days=rng.randint(0, 60) * 7)
    first = first + timedelta(days=(weekday - first.weekday()) % 7)
    last_date = None
    if not mine and rng.random() < 0.05:
        last_date = first + timedelta(weeks=rng.randint(20, max(21, world.sizes.weeks)))
        if last_date >= world.now.date():
            last_date = None
    return weekday, start_time, first, last_date


def _today_slot(now: datetime, tz: ZoneInfo) -> tuple[int, time]:
    local = now.astimezone(tz)
    hour = min(max(local.hour + 3, 9), 21)
    return local.weekday(), time(hour, 0)


def _unique_name(site_id: int, name: str, taken: set[tuple[int, str]]) -> str:
    candidate, n = name, 1
    while (site_id, candidate) in taken:
        n += 1
        candidate = f"{name} {n}"
    taken.add((site_id, candidate))
    return candidate


def _at(day: date, clock: time, tz: ZoneInfo) -> datetime:
    # Wall-clock time in the site's zone, then UTC: 10:00 stays 10:00 across DST.
    return datetime.combine(day, clock, tzinfo=tz).astimezone(UTC)


CANCEL_SHARE = 0.03
MOVE_SHARE = 0.015


def _sessions(world: World, group: GroupRow, rng: random.Random) -> None:
    now, tz = world.now, group.site.tz
    until = now.astimezone(tz).date() + timedelta(weeks=FUTURE_WEEKS)
    if group.last_date:
        until = min(until, group.last_date)
    day = group.first_date
    sid = len(world.sessions)
    scale_today = group.id == 1 and group.lead_id == world.logins["scale-therapist"].id
    while day <= until:
        starts_at = _at(day, group.start_time, tz)
        sid += 1
        session = SessionRow(
            sid, group, day, starts_at, starts_at + timedelta(minutes=group.duration)
        )
        roll = rng.random()
        lead_time = timedelta(days=rng.randint(1, 6), hours=rng.randint(0, 10))
        today_local = now.astimezone(tz).date()
        if scale_today and day == today_local:
            pass  # the scale therapist's session today goes ahead as planned
        elif roll < CANCEL_SHARE:
            reason = rng.choice(names.CANCEL_REASONS)
            changed_at = min(starts_at - lead_time, now - timedelta(hours=1))
            session.status, session.cancel_reason = "cancelled", reason
            session.change = ("cancelled", changed_at, starts_at, session.ends_at, reason)
        elif roll < CANCEL_SHARE + MOVE_SHARE:
            # Moved within its day, so the roster of that date still holds.
            shift = timedelta(minutes=rng.choice((-60, -30, 30, 60, 90)))
            changed_at = min(starts_at - lead_time, now - timedelta(hours=1))
            old = (starts_at, session.ends_at)
            session.starts_at, session.ends_at = starts_at + shift, session.ends_at + shift
            reason = rng.choice(names.MOVE_REASONS)
            session.change = ("moved", changed_at, old[0], old[1], reason)
        if session.status != "cancelled" and session.ends_at <= now:
            session.status = "held"
        group.sessions.append(session)
        world.sessions.append(session)
        day += timedelta(weeks=1)


# --- Enrollments --------------------------------------------------------------------------

COMPLETED_REASON = "Completed the programme"
OPEN_STAY_WEEKS = 22  # mean weeks an open group's member stays
COHORT_WEEKS = (12, 16)
DRIFT_SHARE = 0.45  # of those who leave early, how many drift away first
SLIPPING_SHARE = 0.12  # of the active, how many are missing their latest sessions


def _enrollments(world: World, rng: random.Random) -> None:
    pools = {}
    for site in world.sites:
        members = [p for p in world.people if p.site is site and p is not world.scale_person]
        rng.shuffle(members)
        pools[site.id] = itertools.cycle(members) if members else None
    for group in world.groups:
        picker = _Picker(pools[group.site.id], world.scale_person, group)
        runs = _cohort_runs if group.enrollment == "closed" else _open_runs
        if group.id == 1:
            # The scale participant: in the scale therapist's group from its first week.
            world.stints.append(
                _stint(world, group, world.scale_person, 0, len(group.sessions) - 1, "active")
            )
            picker.claim(world.scale_person, 0, len(group.sessions) - 1)
        slots = group.roster_size - (1 if group.id == 1 else 0)
        for first, last, outcome in runs(world, group, slots, rng):
            person = picker.pick(first, last)
            if person is None:
                continue
            stint = _stint(world, group, person, first, last, outcome, rng)
            world.stints.append(stint)
    for stint in world.stints:
        for session in stint.group.sessions[stint.first : stint.last + 1]:
            session.roster.append(stint)
    for person in world.people:
        person.created_at = world.now - timedelta(days=rng.randint(1, 60))
    for stint in world.stints:
        joined = _at(stint.start_date, time(9), stint.group.site.tz) - timedelta(days=2)
        if joined < stint.person.created_at:
            stint.person.created_at = joined


class _Picker:
    """Picks the site's participants in turn, never one already in the group then."""

    def __init__(self, pool, reserved: Person | None, group: GroupRow) -> None:
        self.pool, self.reserved, self.group = pool, reserved, group
        self.busy: dict[int, list[tuple[int, int]]] = {}

    def claim(self, person: Person, first: int, last: int) -> None:
        self.busy.setdefault(person.id, []).append((first, last))

    def pick(self, first: int, last: int) -> Person | None:
        if self.pool is None:
            return None
        for _ in range(12):
            person = next(self.pool)
            spans = self.busy.get(person.id, [])
            if all(last < a - 1 or first > b + 1 for a, b in spans):
                self.claim(person, first, last)
                return person
        return None


def _current_index(world: World, group: GroupRow) -> int:
    """Index of the group's first session not yet over (len if all are)."""
    for index, session in enumerate(group.sessions):
        if session.ends_at > world.now:
            return index
    return len(group.sessions)


def _open_runs(world: World, group: GroupRow, slots: int, rng: random.Random):
    """(first, last, outcome) of each member's stay, slot by slot: when one leaves,
    someone new joins within a couple of weeks."""
    count, current = len(group.sessions), _current_index(world, group)
    for _ in range(slots):
        index = rng.choice((0, 0, 0, 0, 1, 2))
        while index < count and index <= current:
            stay = max(3, round(rng.expovariate(1 / OPEN_STAY_WEEKS)))
            last = index + stay - 1
            if last >= current:
                yield index, count - 1, _ongoing(world, group)
            else:
                yield index, last, _leaving(rng)
            index = last + 1 + rng.choice((0, 0, 0, 1))


def _cohort_runs(world: World, group: GroupRow, slots: int, rng: random.Random):
    """Closed groups run in cohorts: everyone starts together and the cohort finishes
    together; who leaves early is not replaced."""
    count, current = len(group.sessions), _current_index(world, group)
    start = 0
    while start < count and start <= current:
        end = min(start + rng.randint(*COHORT_WEEKS) - 1, count - 1)
        for _ in range(slots):
            if end > start and rng.random() < 0.25:
                last = rng.randint(start + 1, end)
                if last < current:
                    yield start, last, _leaving(rng)
                    continue
            if end >= current:
                yield start, count - 1, _ongoing(world, group)
            else:
                yield start, end, "completed"
        start = end + 1


def _ongoing(world: World, group: GroupRow) -> str:
    return "completed" if group.last_date is not None else "active"


def _leaving(rng: random.Random) -> str:
    return rng.choices(("completed", "discharged", "withdrawn"), (25, 40, 35))[0]


def _stint(
    world: World,
    group: GroupRow,
    person: Person,
    first: int,
    last: int,
    status: str,
    rng: random.Random | None = None,
) -> Stint:
    sessions = group.sessions
    start_date = sessions[first].day - timedelta(days=rng.randint(0, 6) if rng else 0)
    stint = Stint(0, group, person, first, last, start_date, None, status)
    stint.id = len(world.stints) + 1
    if status == "active":
        current = _current_index(world, group)
        if rng and current - first > 4 and rng.random() < SLIPPING_SHARE:
            stint.drift = rng.randint(2, 5)
        return stint
    # Ended: inclusive end date between its last session and the next.
    stint.end_date = sessions[last].day + timedelta(days=rng.randint(0, 6) if rng else 0)
    if group.last_date is not None:
        stint.end_date = min(stint.end_date, group.last_date)
    if stint.end_date > world.now.date():
        stint.end_date = world.now.date()
    if status == "completed":
        stint.reason = COMPLETED_REASON if rng and rng.random() < 0.5 else ""
    elif rng:
        if last - first >= 4 and rng.random() < DRIFT_SHARE:
            stint.drift = rng.randint(3, min(6, last - first))
            stint.reason = rng.choice(names.DRIFT_REASONS)
        else:
            pool = names.DISCHARGE_REASONS if status == "discharged" else names.WITHDRAW_REASONS
            stint.reason = rng.choice(pool)
    return stint
