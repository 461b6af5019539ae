"""The attendance reports give exactly the figures, rows and order that they gave before
they were rewritten for scale (tests/reports_reference.py keeps that version).

One seeded, randomised world: sites in zones on both sides of UTC, co-facilitated
groups, every attendance status, cancelled and still-scheduled sessions, enrollments
that end, people recorded at a group they are not enrolled in, and sessions in the
last minutes of a month or just after midnight in the site's own zone.
"""

import random
from dataclasses import asdict
from datetime import UTC, date, datetime, time, timedelta

import pytest

from sessions_app.models import Attendance, Participant, Session
from sessions_app.selectors import reports
from tests import factories as f
from tests import reports_reference as ref

NOW = datetime(2026, 3, 18, 15, 20, tzinfo=UTC)
ZONES = ("America/New_York", "America/Denver", "Europe/London", "Pacific/Auckland")
STATUSES = ("present", "present", "present", "late", "left_early", "excused", "absent", "absent")
SURNAMES = ("Alvarez", "Baker", "Baker", "Chen", "Diaz", "Diaz", "Evans")
FIRST_NAMES = ("Ana", "Ben", "Cruz", "Dev", "Eli", "Ana")

PERIODS = [
    reports.Period.month_of(date(2026, 3, 1)),
    reports.Period.month_of(date(2026, 2, 1)),
    reports.Period.month_of(date(2025, 12, 1)),
    reports.Period(date(2025, 4, 1), date(2026, 3, 31)),  # a year
    reports.Period(date(2026, 1, 24), date(2026, 2, 9)),  # across a month's edge
    reports.Period(date(2022, 1, 1), date(2026, 6, 30)),  # longer than the trend shows
]


def _local(site, day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=site.tz).astimezone(UTC)


def _start_times(site, rng: random.Random) -> list[datetime]:
    """About fifteen session starts over five months, with some at the edges of days
    and months in the site's own zone."""
    starts = []
    day = date(2025, 11, 3) + timedelta(days=rng.randrange(7))
    while day < date(2026, 4, 5):
        starts.append(_local(site, day, rng.choice((9, 10, 14, 18))))
        day += timedelta(days=rng.choice((7, 7, 7, 14)))
    for first in (date(2025, 12, 1), date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)):
        starts.append(_local(site, first - timedelta(days=1), 23, 30))  # last day, late
        starts.append(_local(site, first, 0, 15))  # just after midnight on the 1st
    return starts


@pytest.fixture
def world(db):
    return build_world()


def build_world() -> dict:
    """The seeded world (also read by tests/test_reports_sql.py)."""
    rng = random.Random(20261129)
    sites = [f.SiteFactory(name=f"Site {zone}", time_zone=zone) for zone in ZONES]
    therapists = [
        f.TherapistFactory(username=f"t{i}", first_name="Tess", last_name=f"Therapist{i}")
        for i in range(6)
    ]
    groups = []
    for i in range(9):
        site = sites[i % len(sites)]
        group = f.GroupFactory(
            site=site,
            name=f"Group {i}",
            lead=therapists[i % len(therapists)],
            first_date=date(2025, 9, 1) + timedelta(days=30 * (i % 5)),
            last_date=None if i % 3 else date(2026, 2, 20),
        )
        for co in rng.sample(therapists, rng.randrange(3)):
            if co != therapists[i % len(therapists)]:
                f.FacilitationFactory(group=group, therapist=co)
        groups.append(group)
    f.GroupFactory(site=sites[0], name="Never met", first_date=date(2027, 1, 1))

    people = []
    for _ in range(45):
        group = rng.choice(groups)
        p = f.ParticipantFactory(
            site=group.site, first_name=rng.choice(FIRST_NAMES), last_name=rng.choice(SURNAMES)
        )
        start = date(2025, 10, 1) + timedelta(days=rng.randrange(150))
        ended = rng.random() < 0.3
        end = start + timedelta(days=rng.randrange(10, 120)) if ended else None
        f.EnrollmentFactory(
            group=group,
            participant=p,
            start_date=start,
            end_date=end,
            status=rng.choice(("completed", "discharged", "withdrawn")) if ended else "active",
        )
        if rng.random() < 0.25:  # in a second group, at another site too
            f.EnrollmentFactory(
                group=rng.choice(groups), participant=p, start_date=date(2025, 12, 1)
            )
        people.append((p, group))

    sessions, attendance = [], []
    for group in groups:
        members = [p for p, g in people if g == group]
        visitors = rng.sample([p for p, _ in people], 2)
        for start in _start_times(group.site, rng):
            past = start < NOW
            status = rng.choice(("held",) * 6 + ("cancelled", "scheduled")) if past else "scheduled"
            session = Session(
                group=group,
                starts_at=start,
                ends_at=start + timedelta(minutes=60),
                status=status,
                cancel_reason="Snow" if status == "cancelled" else "",
            )
            sessions.append(session)
            if not past and rng.random() < 0.8:
                continue
            for p in dict.fromkeys(members + visitors):
                if rng.random() < 0.8:
                    status = rng.choice(STATUSES)
                    attendance.append(
                        Attendance(
                            session=session,
                            participant=p,
                            status=status,
                            minutes_attended=None if status in ("excused", "absent") else 60,
                            recorded_at=NOW,
                        )
                    )
    # A few who stopped coming: absent or excused since the new year, so their last
    # session is older than the eight weeks the signals look back on.
    stopped = {p.pk for p, _ in rng.sample(people, 6)}
    for row in attendance:
        if row.participant.pk in stopped and row.session.starts_at >= datetime(
            2026, 1, 1, tzinfo=UTC
        ):
            row.status = rng.choice(("absent", "absent", "excused"))
            row.minutes_attended = None
    Session.objects.bulk_create(sessions)
    for row in attendance:
        row.session_id = row.session.pk
    Attendance.objects.bulk_create(attendance)
    return {"sites": sites, "therapists": therapists, "groups": groups}


def _report(report) -> dict:
    return {"total": asdict(report.total), "rows": [asdict(row) for row in report.rows]}


def _months(months) -> list:
    return [(m.month, asdict(m.figures)) for m in months]


def _signal(signal) -> tuple:
    last = signal.last_attended_session
    return (
        signal.absences_in_a_row,
        signal.recent_attended,
        signal.recent_absent,
        signal.last_attended_at,
        last.pk if last else None,
        signal.reasons,
    )


# Each report is read with its trend (one pass over the trend's months, which also gives
# a period of whole months) and without (one pass over the period).
TREND = [False, True]


@pytest.mark.parametrize("trend", TREND)
@pytest.mark.parametrize("period", PERIODS, ids=lambda p: f"{p.start}-{p.end}")
def test_it_gives_the_old_figures_for_sites_and_therapists(world, period, trend):
    sites = world["sites"]
    by_site, by_therapist = reports.site_overview(sites=sites, period=period, trend=trend)
    assert _report(by_site) == _report(ref.attendance_by_site(sites=sites, period=period))
    assert _report(by_therapist) == _report(ref.attendance_by_therapist(sites=sites, period=period))
    assert by_site.total.held > 0 or period.start.year < 2025


@pytest.mark.parametrize("trend", TREND)
@pytest.mark.parametrize("period", PERIODS, ids=lambda p: f"{p.start}-{p.end}")
def test_it_gives_the_old_figures_for_each_site_group_and_therapist(world, period, trend):
    for site in world["sites"]:
        by_group, by_therapist = reports.site_groups(site=site, period=period, trend=trend)
        assert _report(by_group) == _report(ref.attendance_by_group(site=site, period=period))
        assert _report(by_therapist) == _report(
            ref.attendance_by_therapist(sites=[site], period=period)
        )
    for group in world["groups"]:
        new = reports.attendance_of_group(group=group, period=period, trend=trend)
        assert _report(new) == _report(ref.attendance_of_group(group=group, period=period))
    for therapist in world["therapists"]:
        new = reports.groups_of_therapist(
            therapist=therapist, sites=world["sites"], period=period, trend=trend
        )
        old = ref.groups_of_therapist(therapist=therapist, sites=world["sites"], period=period)
        assert _report(new) == _report(old)


@pytest.mark.parametrize("period", PERIODS, ids=lambda p: f"{p.start}-{p.end}")
def test_it_gives_the_old_trend_month_by_month(world, period):
    sites = world["sites"]
    old = ref.attendance_trend(sessions=Session.objects.all(), sites=sites, period=period)
    by_site, _ = reports.site_overview(sites=sites, period=period, trend=True)
    assert _months(by_site.months) == _months(old)
    for site in sites:
        old = ref.attendance_trend(
            sessions=Session.objects.filter(group__site=site), sites=[site], period=period
        )
        by_group, _ = reports.site_groups(site=site, period=period, trend=True)
        assert _months(by_group.months) == _months(old)
    for group in world["groups"]:
        old = ref.attendance_trend(
            sessions=Session.objects.filter(group=group), sites=[group.site], period=period
        )
        new = reports.attendance_of_group(group=group, period=period, trend=True)
        assert _months(new.months) == _months(old)
    for therapist in world["therapists"]:
        old = ref.attendance_trend(
            sessions=Session.objects.filter(group__facilitations__therapist=therapist),
            sites=sites,
            period=period,
        )
        new = reports.groups_of_therapist(
            therapist=therapist, sites=sites, period=period, trend=True
        )
        assert _months(new.months) == _months(old)
    for participant in Participant.objects.all()[:12]:
        old = ref.attendance_trend(
            sessions=Session.objects.filter(attendance__participant=participant),
            sites=sites,
            period=period,
        )
        new = reports.participant_trend(participant=participant, sites=sites, period=period)
        assert _months(new) == _months(old)


@pytest.mark.parametrize("period", PERIODS[:5], ids=lambda p: f"{p.start}-{p.end}")
def test_it_gives_each_group_the_old_participants_and_signals(world, period):
    for group in world["groups"]:
        new = reports.participants_of_group(group=group, period=period, now=NOW, threshold=0.5)
        old = ref.participants_of_group(group=group, period=period, now=NOW, threshold=0.5)
        assert [line.participant.pk for line in new] == [line.participant.pk for line in old]
        assert [asdict(line.figures) for line in new] == [asdict(line.figures) for line in old]
        assert [_signal(line.signal) for line in new] == [_signal(line.signal) for line in old]


def test_it_gives_each_participant_the_old_signal(world):
    site_ids = [s.pk for s in world["sites"]]
    everyone = Participant.objects.all()
    new = reports.attendance_signals(
        participant_ids=[p.pk for p in everyone], site_ids=site_ids, now=NOW, threshold=0.5
    )
    annotated = ref.attendance_signals(participants=everyone, site_ids=site_ids, now=NOW)
    old = ref.signals_for(annotated, threshold=0.5)
    assert {pk: _signal(s) for pk, s in new.items()} == {pk: _signal(s) for pk, s in old.items()}
    assert any(s.slipping for s in new.values())
    lookback = NOW - timedelta(days=reports.SLIPPING_LOOKBACK_DAYS)
    assert any(s.last_attended_at and s.last_attended_at < lookback for s in new.values())


@pytest.mark.parametrize("threshold", [0.5, 0.75, 0.9])
def test_it_lists_the_same_people_slipping_away_in_the_same_order(world, threshold):
    scopes = [world["sites"]] + [[site] for site in world["sites"]]
    today = NOW.date()
    for sites in scopes:
        site_ids = [s.pk for s in sites]
        new = reports.load_slipping(
            reports.slipping_away(site_ids=site_ids, today=today, now=NOW, threshold=threshold)
        )
        old = list(ref.slipping_away(site_ids=site_ids, today=today, now=NOW, threshold=threshold))
        old_signals = ref.signals_for(old, threshold=threshold)
        assert [row.participant_id for row in new] == [p.pk for p in old]
        assert [_signal(row.signal) for row in new] == [_signal(old_signals[p.pk]) for p in old]
    everyone = reports.slipping_away(
        site_ids=[s.pk for s in world["sites"]], today=today, now=NOW, threshold=threshold
    )
    assert len(everyone) >= 3


def test_it_lists_the_same_people_slipping_away_from_one_group(world):
    site_ids = [s.pk for s in world["sites"]]
    for group in world["groups"]:
        new = reports.slipping_away(
            site_ids=site_ids, today=NOW.date(), now=NOW, threshold=0.6, group=group
        )
        old = ref.slipping_away(
            site_ids=site_ids, today=NOW.date(), now=NOW, threshold=0.6, group=group
        )
        assert [row.participant_id for row in new] == [p.pk for p in old]
