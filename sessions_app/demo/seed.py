"""Seed a realistic, idempotent demo data set.

Every row is found by its natural key before anything is created, so seeding again
leaves the same rows. Rows that already exist keep their dates (a group keeps its
first session date, an enrollment its start), so a later run only adds the weeks that
have come since and documents the sessions that have been held in the meantime.
"""

import random
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from sessions_app.models import (
    Attendance,
    EmergencyAccess,
    Enrollment,
    Facilitation,
    GoalArea,
    Group,
    Participant,
    PlanItem,
    Reflection,
    Session,
    SessionNote,
    Site,
    Song,
    Theme,
    User,
)

from . import cast, lullaby, measures, plans
from .songs import (
    ATTENTION,
    COMMUNICATION,
    CRAVING,
    EXPRESSION,
    GOAL_AREAS,
    IDENTITY,
    MOTOR,
    RELAXATION,
    SOCIAL,
    SONGS,
    THEMES,
)

WEEKS_BACK = 8
WEEKS_AHEAD = 4

Activity = PlanItem.Activity

PURPOSES: dict[str, tuple[str, ...]] = {
    Activity.GROUP_SINGING: (
        "Sing as one group; practise breath and shared timing",
        "Call-and-response verses so every voice is heard",
        "Sing the chorus in harmony; notice being part of a whole",
    ),
    Activity.LISTENING: (
        "Listen together and notice what the music stirs",
        "Share one word for how the song left you",
    ),
    Activity.LYRIC_ANALYSIS: (
        "Notice and name feelings in the lyrics",
        "Connect the song's story to our own journeys",
        "Find a line that speaks to hope and say why",
    ),
    Activity.SONGWRITING: (
        "Co-write a verse about a place that feels safe",
        "Write a chorus on what keeps us going",
        "Turn this week's check-in words into a shared verse",
    ),
    Activity.INSTRUMENT_PLAY: (
        "Shared rhythm on hand drums to build trust",
        "Take turns leading the groove; practise following and leading",
        "Accompany the group song on percussion",
    ),
    Activity.IMPROVISATION: (
        "Call-and-response: practise being heard",
        "Free improvisation; notice tension and release",
    ),
    Activity.RELAXATION: (
        "Slow breathing with music before heading out",
        "Guided relaxation to ground before leaving",
    ),
}
OPENING_PURPOSE = "Check in and warm up voices together"
CLOSING_PURPOSE = "Close with a song everyone knows"
# What each purpose serves: the goal areas its activity is tagged with.
PURPOSE_AREAS: dict[str, tuple[str, ...]] = {
    OPENING_PURPOSE: (SOCIAL,),
    CLOSING_PURPOSE: (SOCIAL,),
    "Sing as one group; practise breath and shared timing": (SOCIAL, RELAXATION),
    "Call-and-response verses so every voice is heard": (COMMUNICATION, SOCIAL),
    "Sing the chorus in harmony; notice being part of a whole": (SOCIAL,),
    "Listen together and notice what the music stirs": (EXPRESSION,),
    "Share one word for how the song left you": (EXPRESSION, COMMUNICATION),
    "Notice and name feelings in the lyrics": (EXPRESSION,),
    "Connect the song's story to our own journeys": (EXPRESSION, IDENTITY),
    "Find a line that speaks to hope and say why": (CRAVING, EXPRESSION),
    "Co-write a verse about a place that feels safe": (RELAXATION, EXPRESSION),
    "Write a chorus on what keeps us going": (CRAVING, IDENTITY),
    "Turn this week's check-in words into a shared verse": (EXPRESSION, SOCIAL),
    "Shared rhythm on hand drums to build trust": (SOCIAL, MOTOR),
    "Take turns leading the groove; practise following and leading": (ATTENTION, IDENTITY),
    "Accompany the group song on percussion": (MOTOR, ATTENTION),
    "Call-and-response: practise being heard": (COMMUNICATION,),
    "Free improvisation; notice tension and release": (EXPRESSION, RELAXATION),
    "Slow breathing with music before heading out": (RELAXATION, CRAVING),
    "Guided relaxation to ground before leaving": (RELAXATION,),
}

# Activities that always use a song from the library; the others sometimes or never.
SONG_ACTIVITIES = {Activity.GROUP_SINGING, Activity.LISTENING, Activity.LYRIC_ANALYSIS}
SOMETIMES_SONG = {Activity.INSTRUMENT_PLAY, Activity.RELAXATION}
# Relaxation, when it has a song, winds down with something gentle.
COMFORTING = {s.title for s in SONGS if {"comfort", "lullaby"} & set(s.themes)}

ATTENDANCE_WEIGHTS = (
    (Attendance.Status.PRESENT, 76),
    (Attendance.Status.LATE, 8),
    (Attendance.Status.LEFT_EARLY, 5),
    (Attendance.Status.EXCUSED, 6),
    (Attendance.Status.ABSENT, 5),
)


@dataclass(frozen=True)
class DemoSummary:
    sites: int
    therapists: int
    participants: int
    groups: int
    enrollments: int
    sessions_held: int
    sessions_scheduled: int
    sessions_cancelled: int
    plan_items: int
    attendance: int
    songs: int
    themes: int

    def lines(self) -> list[str]:
        sessions = self.sessions_held + self.sessions_scheduled + self.sessions_cancelled
        return [
            f"{self.sites} sites, {self.therapists} therapists, {self.participants} participants, "
            f"{self.groups} groups, {self.enrollments} enrollments",
            f"{sessions} sessions ({self.sessions_held} held, {self.sessions_cancelled} "
            f"cancelled, {self.sessions_scheduled} scheduled), {self.plan_items} plan items, "
            f"{self.attendance} attendance rows",
            f"{self.songs} songs with {self.themes} themes",
        ]


@transaction.atomic
def demo_seed(*, now: datetime | None = None) -> DemoSummary:
    """Create or top up the demo data set; `now` is injectable so tests can pin dates."""
    now = now or timezone.now()
    sites = _seed_sites()
    admin, therapists, participant_user = _seed_logins(sites.values())
    participants = _seed_participants(sites, participant_user)
    areas = _seed_goal_areas()
    songs = _seed_songs(added_by=admin, areas=areas)
    _seed_intern(therapists)
    for spec in cast.GROUPS:
        group = _seed_group(spec, site=sites[spec.site], therapists=therapists, now=now)
        enrollments = _seed_enrollments(group, participants)
        if spec.name == cast.TODAY_GROUP:
            _seed_today(group, now=now)
        _seed_sessions(
            spec,
            group=group,
            enrollments=enrollments,
            lead=therapists[spec.lead],
            songs=songs,
            areas=areas,
            demo_participant=participants[cast.DEMO_PARTICIPANT],
            now=now,
        )
    _seed_reflections(demo_participant=participants[cast.DEMO_PARTICIPANT], now=now)
    measures.seed_measures(participants=participants, now=now)
    # --- Lullaby projects: the `artist` login and projects at several stages. ---
    artist = _seed_user(
        cast.ARTIST, role=User.Role.TEACHING_ARTIST, is_staff=False, is_superuser=False
    )
    lullaby.seed_lullaby(
        therapist=therapists["therapist"], artist=artist, participants=participants, now=now
    )
    # --- end lullaby ---
    _seed_reminders(participants, now=now)  # reminders
    _seed_access(sites, therapists, participants, now=now)
    _seed_day(therapists, participants, now=now)
    _seed_signed_notes(now=now)
    plans.seed_plans(therapists=therapists, participants=participants, now=now)
    return _summary()


def _seed_access(
    sites: dict[str, Site],
    therapists: dict[str, User],
    participants: dict[str, Participant],
    *,
    now: datetime,
) -> None:
    """Work sites, one emergency access and one first look through enrolment."""
    for username, names in cast.EXTRA_WORK_SITES.items():
        therapists[username].sites.add(*(sites[name] for name in names))
    username, key, reason = cast.EMERGENCY_ACCESS
    if not EmergencyAccess.objects.filter(therapist=therapists[username]).exists():
        started = now - timedelta(hours=3)
        EmergencyAccess.objects.create(
            therapist=therapists[username],
            participant=participants[key],
            reason=reason,
            started_at=started,
            expires_at=started + timedelta(hours=settings.EMERGENCY_ACCESS_HOURS),
        )
    username, group_name, key = cast.FIRST_LOOK
    Enrollment.objects.filter(
        group__name=group_name, participant=participants[key], enrolled_by__isnull=True
    ).update(enrolled_by=therapists[username], first_look=True)


def _seed_sites() -> dict[str, Site]:
    sites = {}
    for spec in cast.SITES:
        site, _ = Site.objects.update_or_create(
            name=spec.name, defaults={"address": spec.address, "time_zone": spec.time_zone}
        )
        sites[spec.name] = site
    return sites


def _seed_user(spec: cast.DemoLogin, **fields: object) -> User:
    user, _ = User.objects.update_or_create(
        username=spec.username,
        defaults={
            "first_name": spec.first_name,
            "last_name": spec.last_name,
            "email": f"{spec.username}@example.org",
            "is_active": True,
            **fields,
        },
    )
    # Reset on every run so the published demo logins always work.
    user.set_password(cast.DEMO_PASSWORD)
    user.save(update_fields=["password"])
    return user


def _seed_logins(sites: Iterable[Site]) -> tuple[User, dict[str, User], User]:
    admin = _seed_user(cast.ADMIN, role=User.Role.ADMINISTRATOR, is_staff=True, is_superuser=True)
    admin.sites.add(*sites)
    therapists = {
        spec.username: _seed_user(
            spec,
            role=User.Role.THERAPIST,
            credentials=cast.CREDENTIALS,
            is_staff=False,
            is_superuser=False,
        )
        for spec in cast.THERAPISTS
    }
    demo = next(p for p in cast.PARTICIPANTS if p.key == cast.DEMO_PARTICIPANT)
    participant_user = _seed_user(
        cast.DemoLogin("participant", demo.first_name, demo.last_name),
        role=User.Role.PARTICIPANT,
        is_staff=False,
        is_superuser=False,
    )
    return admin, therapists, participant_user


def _email(first_name: str, last_name: str) -> str:
    local = re.sub(r"[^a-z.]", "", f"{first_name}.{last_name}".lower())
    return f"{local}@example.org"


def _seed_participants(sites: dict[str, Site], demo_user: User) -> dict[str, Participant]:
    participants = {}
    for spec in cast.PARTICIPANTS:
        start, end = spec.quiet_hours or (None, None)
        participant, _ = Participant.objects.update_or_create(
            site=sites[spec.site],
            first_name=spec.first_name,
            last_name=spec.last_name,
            defaults={
                "preferred_name": spec.preferred_name,
                "email": _email(spec.first_name, spec.last_name) if spec.channel == "email" else "",
                "phone": spec.phone,
                "reminder_channel": spec.channel,
                "reminders_opt_in": spec.opt_in,
                "quiet_hours_start": start,
                "quiet_hours_end": end,
                "language": spec.language,
            },
        )
        participants[spec.key] = participant
    demo = participants[cast.DEMO_PARTICIPANT]
    if demo.user_id != demo_user.pk:
        demo.user = demo_user
        demo.save(update_fields=["user"])
    # A second participant login, whose pages are in Spanish.
    spanish = participants[cast.SPANISH_PARTICIPANT]
    spanish_user = _seed_user(
        cast.DemoLogin(cast.SPANISH_PARTICIPANT, spanish.first_name, spanish.last_name),
        role=User.Role.PARTICIPANT,
        is_staff=False,
        is_superuser=False,
    )
    if spanish.user_id != spanish_user.pk:
        spanish.user = spanish_user
        spanish.save(update_fields=["user"])
    return participants


def _seed_goal_areas() -> dict[str, GoalArea]:
    """The goal areas by name; the migration made them, but a flushed database has none."""
    return {
        name: GoalArea.objects.get_or_create(name=name, defaults={"position": position})[0]
        for position, name in enumerate(GOAL_AREAS, start=1)
    }


def _seed_songs(*, added_by: User, areas: dict[str, GoalArea]) -> list[Song]:
    themes = {name: Theme.objects.get_or_create(name=name)[0] for name in THEMES}
    songs = []
    for spec in SONGS:
        song, _ = Song.objects.update_or_create(
            title=spec.title,
            artist=spec.artist,
            defaults={
                "key": spec.key,
                "tempo_bpm": spec.tempo_bpm,
                "source": Song.Source.PUBLIC_DOMAIN,
                "mentions_substance_use": spec.mentions_substance_use,
            },
            create_defaults={
                "key": spec.key,
                "tempo_bpm": spec.tempo_bpm,
                "source": Song.Source.PUBLIC_DOMAIN,
                "mentions_substance_use": spec.mentions_substance_use,
                "added_by": added_by,
            },
        )
        song.themes.set([themes[name] for name in spec.themes])
        song.goal_areas.set([areas[name] for name in spec.goal_areas])
        songs.append(song)
    return songs


def _first_on_or_after(day: date, weekday: int) -> date:
    return day + timedelta(days=(weekday - day.weekday()) % 7)


def _seed_group(
    spec: cast.DemoGroup, *, site: Site, therapists: dict[str, User], now: datetime
) -> Group:
    site_today = now.astimezone(site.tz).date()
    schedule = {
        "focus": spec.focus,
        "enrollment": spec.enrollment,
        "capacity": spec.capacity,
        "weekday": spec.weekday,
        "start_time": spec.start_time,
        "duration_minutes": spec.duration_minutes,
        "room": spec.room,
    }
    first_date = _first_on_or_after(site_today - timedelta(weeks=WEEKS_BACK), spec.weekday)
    group, _ = Group.objects.update_or_create(
        site=site,
        name=spec.name,
        defaults=schedule,
        # An existing group keeps its first date: its history stays where it was.
        create_defaults={**schedule, "first_date": first_date},
    )
    lead = therapists[spec.lead]
    # One lead per group is a database constraint; step aside anyone else holding it.
    Facilitation.objects.filter(group=group, role=Facilitation.Role.LEAD).exclude(
        therapist=lead
    ).update(role=Facilitation.Role.CO)
    Facilitation.objects.update_or_create(
        group=group, therapist=lead, defaults={"role": Facilitation.Role.LEAD}
    )
    for username in spec.co:
        Facilitation.objects.update_or_create(
            group=group, therapist=therapists[username], defaults={"role": Facilitation.Role.CO}
        )
    return group


def _seed_enrollments(group: Group, participants: dict[str, Participant]) -> list[Enrollment]:
    for spec in cast.ENROLLMENTS:
        if spec.group != group.name:
            continue
        participant = participants[spec.participant]
        if Enrollment.objects.filter(group=group, participant=participant).exists():
            continue
        Enrollment.objects.create(
            group=group,
            participant=participant,
            start_date=group.first_date + timedelta(days=spec.start),
            end_date=None if spec.end is None else group.first_date + timedelta(days=spec.end),
            status=spec.status,
            discharge_reason=spec.discharge_reason,
        )
    return list(Enrollment.objects.filter(group=group).select_related("participant"))


def _occurrences(group: Group, until: date) -> list[date]:
    last = min(until, group.last_date) if group.last_date else until
    day = _first_on_or_after(group.first_date, group.weekday)
    days = []
    while day <= last:
        days.append(day)
        day += timedelta(weeks=1)
    return days


def _seed_sessions(
    spec: cast.DemoGroup,
    *,
    group: Group,
    enrollments: list[Enrollment],
    lead: User,
    songs: list[Song],
    areas: dict[str, GoalArea],
    demo_participant: Participant,
    now: datetime,
) -> None:
    tz = group.site.tz
    until = now.astimezone(tz).date() + timedelta(weeks=WEEKS_AHEAD)
    cancellations = {
        index: reason for name, index, reason in cast.CANCELLATIONS if name == spec.name
    }
    existing = {s.occurrence_date: s for s in Session.objects.filter(group=group)}
    new = []
    for index, day in enumerate(_occurrences(group, until)):
        # Built in the site's zone and then converted, so 10:00 stays 10:00 across DST.
        starts_at = datetime.combine(day, group.start_time, tzinfo=tz).astimezone(UTC)
        ends_at = starts_at + timedelta(minutes=group.duration_minutes)
        status, reason = Session.Status.SCHEDULED, ""
        if index in cancellations:
            status, reason = Session.Status.CANCELLED, cancellations[index]
        elif ends_at <= now:
            status = Session.Status.HELD
        session = existing.get(day)
        if session is None:
            new.append(
                Session(
                    group=group,
                    occurrence_date=day,
                    starts_at=starts_at,
                    ends_at=ends_at,
                    room=group.room,
                    status=status,
                    cancel_reason=reason,
                )
            )
        elif session.status == Session.Status.SCHEDULED and status != Session.Status.SCHEDULED:
            # Time has passed since the last run: the session has happened (or not) since.
            session.status, session.cancel_reason = status, reason
            session.save(update_fields=["status", "cancel_reason", "updated_at"])
    Session.objects.bulk_create(new)
    # Extra sessions (the demo's session today) are held once they have ended, too.
    Session.objects.filter(
        group=group, occurrence_date__isnull=True, status=Session.Status.SCHEDULED, ends_at__lte=now
    ).update(status=Session.Status.HELD, updated_at=now)

    sessions = list(Session.objects.filter(group=group).select_related("group__site"))
    held = [s for s in sessions if s.status == Session.Status.HELD]
    upcoming = [s for s in sessions if s.status == Session.Status.SCHEDULED and s.starts_at > now]
    # The next session already has its plan, as a therapist would have it ready, with
    # time left so that whoever tries the demo can add a song without running over.
    to_plan = [(s, 0) for s in held] + [(s, _room_left(s)) for s in upcoming[:1]]
    planned = set(
        PlanItem.objects.filter(session__in=[s for s, _ in to_plan]).values_list(
            "session_id", flat=True
        )
    )
    items = PlanItem.objects.bulk_create(
        item
        for session, room in to_plan
        if session.pk not in planned
        for item in _plan(spec, session, songs, room=room)
    )
    Tag = PlanItem.goal_areas.through
    Tag.objects.bulk_create(
        Tag(planitem_id=item.pk, goalarea_id=areas[name].pk)
        for item in items
        for name in PURPOSE_AREAS.get(item.purpose, ())
    )

    recorded = set(
        Attendance.objects.filter(session__in=held).values_list("session_id", "participant_id")
    )
    rows = []
    for session in held:
        rng = _rng("attendance", spec.name, session.occurrence_date or session.local_date)
        day = session.local_date
        enrolled = sorted(
            {e.participant for e in enrollments if e.is_active_on(day)},
            key=lambda p: (p.last_name, p.first_name, p.pk),
        )
        for participant in enrolled:
            status = _attendance_status(rng)
            if participant == demo_participant:
                # The demo participant came every week, so their pages have a history.
                status = Attendance.Status.PRESENT
            if (session.pk, participant.pk) in recorded:
                continue
            rows.append(
                Attendance(
                    session=session,
                    participant=participant,
                    status=status,
                    minutes_attended=_minutes_attended(rng, status, session.duration_minutes),
                    recorded_by=lead,
                    recorded_at=min(session.ends_at + timedelta(minutes=rng.randint(5, 40)), now),
                )
            )
    Attendance.objects.bulk_create(rows)


# --- The therapist's day: a session today, notes to sign and co-sign, people to reach ---


def _seed_intern(therapists: dict[str, User]) -> None:
    username, supervisor, _ = cast.INTERN
    User.objects.filter(pk=therapists[username].pk).update(
        supervisor=therapists[supervisor], credentials=cast.INTERN_CREDENTIALS
    )
    therapists[username].refresh_from_db()


def _quarter(moment: datetime, *, up: bool) -> datetime:
    moment = moment.replace(second=0, microsecond=0)
    minutes = moment.minute % 15
    if up and minutes:
        return moment + timedelta(minutes=15 - minutes)
    return moment - timedelta(minutes=minutes)


def _seed_today(group: Group, *, now: datetime) -> None:
    """A session today whatever day the demo is seeded: one that ended earlier today
    (held, its roll call taken, its note to write) and one later today, as far as the
    clock allows (never both impossible: before 01:30 the later one fits, after 22:30
    the earlier one)."""
    tz = group.site.tz
    local_now = now.astimezone(tz)
    today = local_now.date()
    todays = Session.objects.filter(
        group=group,
        starts_at__gte=datetime.combine(today, time.min, tzinfo=tz),
        starts_at__lt=datetime.combine(today + timedelta(days=1), time.min, tzinfo=tz),
    )
    hour = timedelta(minutes=60)
    earlier = _quarter(local_now - timedelta(minutes=90), up=False)
    later = _quarter(local_now + hour, up=True)
    wanted = []
    if earlier.date() == today and not todays.filter(ends_at__lte=now).exists():
        wanted.append(earlier)
    if later.date() == today and not todays.filter(starts_at__gt=now).exists():
        wanted.append(later)
    Session.objects.bulk_create(
        Session(group=group, starts_at=start, ends_at=start + hour, room=group.room)
        for start in wanted
    )


def _seed_day(
    therapists: dict[str, User], participants: dict[str, Participant], *, now: datetime
) -> None:
    """Two participants slipping away, an unsigned note, an intern's note waiting."""
    group = Group.objects.get(name=cast.TODAY_GROUP)
    held = group.sessions.filter(status=Session.Status.HELD).order_by("-starts_at")
    # Absent from the last two sessions: "slipping away" on the administrator's report.
    slipping = [participants[k] for k in cast.SLIPPING_AWAY]
    Attendance.objects.filter(session__in=list(held[:2]), participant__in=slipping).update(
        status=Attendance.Status.ABSENT, minutes_attended=None
    )
    # Written past the services: their reminders are planned again, as a roll call would
    # (no reflection invitation for a session they missed), so a second run finds
    # nothing to change.
    from sessions_app.services.reminders import reminders_plan_for_participant

    for person in slipping:
        reminders_plan_for_participant(participant=person, now=now)
    # The note of the last session more than a day ago is still a draft: overdue.
    held = list(held.filter(ends_at__lte=now - timedelta(days=1)))
    therapist = therapists["therapist"]
    if held and not SessionNote.objects.filter(author=therapist, status="draft").exists():
        SessionNote.objects.get_or_create(
            session=held[0],
            defaults={
                "author": therapist,
                "subjective": "Members talked about the week's triggers before we wrote.",
                "objective": "Six verses drafted together; two members left the circle early.",
            },
        )
    username, _, group_name = cast.INTERN
    intern = therapists[username]
    if SessionNote.objects.filter(author=intern).exists():
        return
    session = (
        Session.objects.filter(
            group__name=group_name, status=Session.Status.HELD, note__isnull=True
        )
        .order_by("-starts_at")
        .first()
    )
    if session is None:
        return
    session.actual_starts_at, session.actual_ends_at = session.starts_at, session.ends_at
    session.save(update_fields=["actual_starts_at", "actual_ends_at"])
    SessionNote.objects.create(
        session=session,
        author=intern,
        subjective="Several members said singing together made the evening cravings easier.",
        objective="All sang the call-and-response; one member led a verse for the first time.",
        assessment="Growing confidence and peer support; cravings named openly.",
        plan="Continue call-and-response; invite members to choose next week's song.",
        status=SessionNote.Status.REVIEW,
        signed_by=intern,
        signed_at=session.ends_at + timedelta(hours=2),
    )


def _rng(*parts: object) -> random.Random:
    # A string seed is hashed the same way in every process: the data set is deterministic.
    return random.Random("|".join(str(p) for p in parts))


def _attendance_status(rng: random.Random) -> str:
    statuses, weights = zip(*ATTENDANCE_WEIGHTS, strict=True)
    return rng.choices(statuses, weights=weights)[0]


def _minutes_attended(rng: random.Random, status: str, duration: int) -> int | None:
    if status == Attendance.Status.LATE:
        return duration - rng.choice((5, 10, 15, 20))
    if status == Attendance.Status.LEFT_EARLY:
        return duration - rng.choice((10, 15, 20, 25))
    if status == Attendance.Status.PRESENT:
        return duration
    return None


def _room_left(session: Session) -> int:
    """Minutes an upcoming plan leaves free: a quarter of the session, at least 15."""
    return max(15, session.duration_minutes // 4)


def _plan(
    spec: cast.DemoGroup, session: Session, songs: list[Song], *, room: int = 0
) -> list[PlanItem]:
    """A plan of 3 to 5 activities that fills the session but for `room` minutes."""
    rng = _rng("plan", spec.name, session.occurrence_date or session.local_date)
    listening_group = Activity.LISTENING in spec.activities
    count = rng.randint(3, 5)
    duration = session.duration_minutes
    others_minutes = 10 if duration <= 60 else 15
    # Fewer activities rather than a signature activity squeezed under ten minutes.
    while count > 3 and duration - room - 20 - others_minutes * (count - 3) < 10:
        count -= 1
    closing = (
        Activity.RELAXATION
        if listening_group
        else rng.choice((Activity.RELAXATION, Activity.GROUP_SINGING))
    )
    signature, *others = spec.activities
    middle = [*rng.sample(others, count - 3), signature]

    # Ten minutes each to open and close; the signature activity takes the lion's share.
    minutes = [10, *([others_minutes] * (count - 3)), 0, 10]
    minutes[-2] = duration - room - sum(minutes)

    unused = songs.copy()
    rng.shuffle(unused)
    items = []
    for position, (activity, length) in enumerate(
        zip([Activity.GROUP_SINGING, *middle, closing], minutes, strict=True), start=1
    ):
        song = None
        wants_song = activity in SONG_ACTIVITIES or (
            activity in SOMETIMES_SONG and rng.random() < 0.5
        )
        if wants_song:
            # Songs that mention drinking or drugs are for lyric analysis only, where
            # the group talks them through.
            fitting = (
                unused
                if activity == Activity.LYRIC_ANALYSIS
                else [s for s in unused if not s.mentions_substance_use]
            )
            pool = (
                [s for s in fitting if s.title in COMFORTING]
                if activity == Activity.RELAXATION
                else []
            )
            song = rng.choice(pool) if pool else fitting[0]
            unused.remove(song)
        if position == 1:
            purpose = OPENING_PURPOSE
        elif position == len(minutes) and activity == Activity.GROUP_SINGING:
            purpose = CLOSING_PURPOSE
        else:
            purpose = rng.choice(PURPOSES[activity])
        items.append(
            PlanItem(
                session=session,
                position=position,
                song=song,
                activity_type=activity,
                minutes=length,
                purpose=purpose,
            )
        )
    return items


def _summary() -> DemoSummary:
    sessions = Session.objects.all()
    return DemoSummary(
        sites=Site.objects.count(),
        therapists=User.objects.filter(role=User.Role.THERAPIST).count(),
        participants=Participant.objects.count(),
        groups=Group.objects.count(),
        enrollments=Enrollment.objects.count(),
        sessions_held=sessions.filter(status=Session.Status.HELD).count(),
        sessions_scheduled=sessions.filter(status=Session.Status.SCHEDULED).count(),
        sessions_cancelled=sessions.filter(status=Session.Status.CANCELLED).count(),
        plan_items=PlanItem.objects.count(),
        attendance=Attendance.objects.count(),
        songs=Song.objects.count(),
        themes=Theme.objects.count(),
    )


# --- Reflections (participants' pages) -------------------------------------------------

REFLECTION_WORDS = (
    "Singing together made the room feel lighter.",
    "I didn't want to come today, and I'm glad I did.",
    "The drums helped me get out of my head for a while.",
    "Hearing everyone's verse made me feel less alone.",
    "Quiet today. The last song stayed with me on the walk home.",
    "I sang louder than last week.",
    "",
)


def _seed_reflections(*, demo_participant: Participant, now: datetime) -> None:
    """Reflections after sessions people attended: the demo participant wrote one after
    every session but the latest (so their page invites one), others now and then.
    Existing ones are left alone, so seeding again adds only the sessions held since."""
    attended = (
        Attendance.objects.filter(
            status__in=Attendance.ATTENDED,
            session__status=Session.Status.HELD,
            session__ends_at__lte=now,
        )
        .select_related("session__group__site", "participant")
        .order_by("session__starts_at", "participant_id")
    )
    latest_demo = (
        attended.filter(participant=demo_participant).order_by("-session__starts_at").first()
    )
    have = set(Reflection.objects.values_list("session_id", "participant_id"))
    songs: dict[int, list[int]] = {}
    for session_id, song_id in PlanItem.objects.filter(
        session__in=attended.values("session"), song__isnull=False
    ).values_list("session_id", "song_id"):
        songs.setdefault(session_id, []).append(song_id)
    leads = dict(
        Facilitation.objects.filter(role=Facilitation.Role.LEAD).values_list(
            "group_id", "therapist_id"
        )
    )
    rows = []
    for row in attended:
        session, participant = row.session, row.participant
        if (session.pk, participant.pk) in have:
            continue
        rng = _rng("reflection", session.occurrence_date or session.local_date, participant.pk)
        if participant == demo_participant:
            if latest_demo is not None and row.pk == latest_demo.pk:
                continue
        elif rng.random() > 0.35:
            continue
        before = rng.randint(2, 6)
        plan_songs = songs.get(session.pk, [])
        rows.append(
            Reflection(
                session=session,
                participant=participant,
                mood_before=before,
                mood_after=min(10, before + rng.choice((0, 1, 2, 2, 3, 4))),
                connection=rng.choice((2, 3, 3, 4, 4, 5)),
                craving=rng.choice((None, None, 1, 2, 3, 5)),
                song_id=rng.choice(plan_songs) if plan_songs and rng.random() < 0.6 else None,
                text=rng.choice(REFLECTION_WORDS),
                # Now and then someone says it and the group's lead writes it down.
                entered_by_id=leads.get(session.group_id)
                if participant != demo_participant and rng.random() < 0.15
                else None,
            )
        )
    Reflection.objects.bulk_create(rows)
    # Written the evening after each session, not all at once at seeding time (which
    # would also leave every one of them inside the edit window).
    for reflection in rows:
        written = min(reflection.session.ends_at + timedelta(hours=5), now)
        reflection.created_at = reflection.updated_at = written
    Reflection.objects.bulk_update(rows, ["created_at", "updated_at"])


# --- Reminders ---------------------------------------------------------------


def _seed_reminders(participants: dict[str, Participant], *, now: datetime) -> None:
    """Plan every group's reminders as the services would have (so `make run` sends the
    demo participant's at their times, into var/mail and var/sms), and leave a little
    history for the staff pages: the demo participant's last 2-hour reminder sent, and
    one text message that failed. Found by the outbox's own key, so seeding again adds
    only what the weeks since have brought."""
    from sessions_app.models import Reminder
    from sessions_app.services.reminders import reminders_plan_for_group

    for group in Group.objects.select_related("site"):
        reminders_plan_for_group(group=group, now=now)
    history = (
        (participants[cast.DEMO_PARTICIPANT], 120, Reminder.Status.SENT, ""),
        (
            participants["marcus"],
            24 * 60,
            Reminder.Status.FAILED,
            "SMS provider answered 503: Service Unavailable (demo data)",
        ),
    )
    for participant, slot, status, error in history:
        session = (
            Session.objects.filter(
                status=Session.Status.HELD,
                ends_at__lte=now,
                group__enrollments__participant=participant,
            )
            .order_by("-starts_at")
            .first()
        )
        if session is None:
            continue
        due = session.starts_at - timedelta(minutes=slot)
        Reminder.objects.get_or_create(
            kind=Reminder.Kind.UPCOMING,
            session=session,
            participant=participant,
            channel=participant.reminder_channel,
            slot=slot,
            defaults={
                "due_at": due,
                "status": status,
                "attempts": 1 if status == Reminder.Status.SENT else 5,
                "last_error": error,
                "claimed_at": due,
                "sent_at": due if status == Reminder.Status.SENT else None,
            },
        )


SIGNED_NOTE = {
    "subjective": "Members checked in about the week; several named music as what helped.",
    "objective": "Group singing and a shared verse; everyone present took a turn.",
    "assessment": "Engaged and supportive of one another; cravings discussed openly.",
    "plan": "Continue the songwriting arc; bring next week's song choices.",
}


def _seed_signed_notes(*, now: datetime) -> None:
    """Notes of the demo's past sessions, signed by the group's lead a few hours after:
    a therapist's to-do list then holds what a real week leaves (today's notes, the one
    overdue draft, the intern's note to co-sign), not every session since the demo began."""
    sessions = (
        Session.objects.filter(
            status=Session.Status.HELD,
            ends_at__lte=now - timedelta(days=1),
            note__isnull=True,
        )
        .select_related("group")
        .prefetch_related("group__facilitations")
    )
    notes, timed = [], []
    for session in sessions:
        lead = next(
            (f.therapist_id for f in session.group.facilitations.all() if f.role == "lead"),
            None,
        )
        if lead is None:
            continue
        if session.actual_starts_at is None:
            session.actual_starts_at, session.actual_ends_at = session.starts_at, session.ends_at
            timed.append(session)
        notes.append(
            SessionNote(
                session=session,
                author_id=lead,
                status=SessionNote.Status.SIGNED,
                signed_by_id=lead,
                signed_at=session.ends_at + timedelta(hours=3),
                **SIGNED_NOTE,
            )
        )
    Session.objects.bulk_update(timed, ["actual_starts_at", "actual_ends_at"])
    SessionNote.objects.bulk_create(notes)
