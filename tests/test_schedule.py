"""Weekly schedules: sessions generated ahead in the site's zone, and one session moved,
cancelled or restored with its history kept."""

from datetime import UTC, date, datetime, time, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from sessions_app.models import Group, Session, SessionChange
from sessions_app.services import groups as group_services
from sessions_app.services import schedule
from sessions_app.services.errors import ServiceError
from sessions_app.tasks import generate_sessions_ahead
from tests import factories as f

# A Monday in winter, before either side of the Atlantic changes its clocks.
WINTER = datetime(2026, 2, 2, 12, 0, tzinfo=UTC)


def _group(site=None, **kw) -> Group:
    site = site or f.SiteFactory(time_zone="America/New_York")
    kw.setdefault("weekday", Group.Weekday.TUESDAY)
    kw.setdefault("start_time", time(10, 0))
    kw.setdefault("first_date", date(2026, 1, 6))
    return f.GroupFactory(site=site, **kw)


def _local_slots(group: Group) -> list[tuple[date, str]]:
    """(occurrence date, local start) of the group's sessions, as the site sees them."""
    return [
        (s.occurrence_date, s.starts_at.astimezone(group.site.tz).strftime("%Y-%m-%d %H:%M"))
        for s in group.sessions.order_by("starts_at")
    ]


def _rows(group: Group) -> list[tuple]:
    return list(
        group.sessions.order_by("pk").values_list(
            "pk", "occurrence_date", "starts_at", "ends_at", "room", "status"
        )
    )


# --- generation ------------------------------------------------------------------------


def test_it_generates_the_weekly_sessions_ahead(db):
    group = _group(room="Studio B", duration_minutes=75)
    result = schedule.group_sessions_generate(group=group, now=WINTER, weeks=3)
    assert result.created == 3
    assert _local_slots(group) == [
        (date(2026, 2, 3), "2026-02-03 10:00"),
        (date(2026, 2, 10), "2026-02-10 10:00"),
        (date(2026, 2, 17), "2026-02-17 10:00"),
    ]
    first = group.sessions.order_by("starts_at").first()
    assert first.duration_minutes == 75
    assert first.room == "Studio B"
    assert first.status == Session.Status.SCHEDULED


def test_it_generates_idempotently(db):
    group = _group()
    schedule.group_sessions_generate(group=group, now=WINTER, weeks=6)
    before = _rows(group)
    again = schedule.group_sessions_generate(group=group, now=WINTER, weeks=6)
    assert again.created == 0
    assert _rows(group) == before
    assert len(before) == 6


def test_it_only_adds_the_weeks_that_have_come_since(db):
    group = _group()
    schedule.group_sessions_generate(group=group, now=WINTER, weeks=2)
    later = schedule.group_sessions_generate(group=group, now=WINTER + timedelta(weeks=1), weeks=2)
    assert later.created == 1
    assert group.sessions.count() == 3


def test_it_respects_the_first_and_last_dates(db):
    group = _group(first_date=date(2026, 2, 12), last_date=date(2026, 3, 3))
    schedule.group_sessions_generate(group=group, now=WINTER, weeks=12)
    assert [d for d, _ in _local_slots(group)] == [
        date(2026, 2, 17),
        date(2026, 2, 24),
        date(2026, 3, 3),
    ]


def test_it_does_not_generate_sessions_in_the_past(db):
    group = _group(first_date=date(2025, 11, 4))
    # Tuesday 3 February, 11:00 in New York: that morning's session has already begun.
    now = datetime(2026, 2, 3, 16, 0, tzinfo=UTC)
    schedule.group_sessions_generate(group=group, now=now, weeks=2)
    assert [d for d, _ in _local_slots(group)] == [date(2026, 2, 10), date(2026, 2, 17)]


DST_ZONES = [
    # zone, spring-forward Sunday, fall-back Sunday, UTC hour of 10:00 in winter, in summer
    pytest.param("America/New_York", date(2026, 3, 8), date(2026, 11, 1), 15, 14, id="new-york"),
    pytest.param("Europe/London", date(2026, 3, 29), date(2026, 10, 25), 10, 9, id="london"),
]


@pytest.mark.parametrize(("zone", "spring", "autumn", "winter_utc", "summer_utc"), DST_ZONES)
def test_it_keeps_ten_oclock_at_ten_across_both_dst_changes(
    db, zone, spring, autumn, winter_utc, summer_utc
):
    # Sundays: the clocks change on a Sunday, so the group meets on both change days.
    group = _group(
        site=f.SiteFactory(time_zone=zone), weekday=Group.Weekday.SUNDAY, first_date=WINTER.date()
    )
    schedule.group_sessions_generate(group=group, now=WINTER, weeks=44)
    sessions = {s.occurrence_date: s for s in group.sessions.all()}
    assert len(sessions) == 44
    assert {s.local_starts_at.time() for s in sessions.values()} == {time(10, 0)}
    assert {s.local_ends_at.time() for s in sessions.values()} == {time(11, 0)}
    # The UTC instant shifts by an hour on each change day, the wall clock does not.
    assert sessions[spring - timedelta(weeks=1)].starts_at.hour == winter_utc
    assert sessions[spring].starts_at.hour == summer_utc
    assert sessions[autumn - timedelta(weeks=1)].starts_at.hour == summer_utc
    assert sessions[autumn].starts_at.hour == winter_utc


@pytest.mark.parametrize(
    ("zone", "gap_time", "gap_day"),
    [
        pytest.param("America/New_York", time(2, 30), date(2026, 3, 8), id="new-york"),
        pytest.param("Europe/London", time(1, 30), date(2026, 3, 29), id="london"),
    ],
)
def test_it_skips_a_slot_that_falls_in_a_dst_gap(db, caplog, zone, gap_time, gap_day):
    group = _group(
        site=f.SiteFactory(time_zone=zone),
        weekday=Group.Weekday.SUNDAY,
        start_time=gap_time,
        first_date=WINTER.date(),
    )
    with caplog.at_level("WARNING", logger="refrain.schedule"):
        result = schedule.group_sessions_generate(group=group, now=WINTER, weeks=10)
    days = [d for d, _ in _local_slots(group)]
    assert gap_day not in days
    assert gap_day - timedelta(weeks=1) in days
    assert gap_day + timedelta(weeks=1) in days
    assert result.skipped == [gap_day]
    assert any(gap_day.isoformat() in r.getMessage() for r in caplog.records)
    # And it stays skipped, without crashing, every time generation runs.
    assert schedule.group_sessions_generate(group=group, now=WINTER, weeks=10).created == 0


def test_it_never_recreates_a_cancelled_skipped_or_moved_occurrence(db):
    group = _group()
    schedule.group_sessions_generate(group=group, now=WINTER, weeks=4)
    first, second, third, _ = group.sessions.order_by("starts_at")
    schedule.session_cancel(session=first, reason="Snow day", user=None)
    schedule.session_move(
        session=second,
        day=date(2026, 2, 12),
        start_time=time(14, 0),
        room="Hall",
        reason="Room being painted",
        user=None,
        now=WINTER,
    )
    # A holiday further ahead than generation has reached yet.
    schedule.occurrence_skip(
        group=group, day=date(2026, 3, 10), reason="Holiday: spring break", user=None, now=WINTER
    )
    third.delete()  # a slot whose session is really gone is filled again
    before = {pk for pk, *_ in _rows(group)}

    result = schedule.group_sessions_generate(group=group, now=WINTER, weeks=6)

    assert result.created == 2  # 17 Feb again and 3 March; not 3 or 10 Feb, not 10 March
    assert group.sessions.count() == 6
    assert before < {pk for pk, *_ in _rows(group)}
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == Session.Status.CANCELLED
    assert second.local_starts_at.strftime("%Y-%m-%d %H:%M") == "2026-02-12 14:00"
    assert group.sessions.get(occurrence_date=date(2026, 3, 10)).status == "cancelled"
    assert group.sessions.filter(occurrence_date=date(2026, 2, 10)).count() == 1


def test_it_creates_a_groups_sessions_when_the_group_is_created(db, therapist, site):
    group = group_services.group_create(
        user=therapist,
        site=site,
        name="Thursday Drumming",
        weekday=Group.Weekday.THURSDAY,
        start_time=time(18, 30),
        first_date=date(2026, 2, 5),
        last_date=date(2026, 2, 26),
        now=WINTER,
    )
    assert _local_slots(group) == [
        (date(2026, 2, 5), "2026-02-05 18:30"),
        (date(2026, 2, 12), "2026-02-12 18:30"),
        (date(2026, 2, 19), "2026-02-19 18:30"),
        (date(2026, 2, 26), "2026-02-26 18:30"),
    ]


# --- editing the schedule --------------------------------------------------------------


def _edit(group: Group, now=WINTER, **changes) -> schedule.ScheduleResult:
    fields = ["name", "weekday", "start_time", "first_date", "capacity", "duration_minutes"]
    fields += ["last_date", "focus", "enrollment", "room"]
    values = {name: getattr(group, name) for name in fields}
    values.update(changes)
    return group_services.group_update(group=group, now=now, **values)


def test_it_moves_only_untouched_future_sessions_to_a_new_time(db, therapist, participant):
    group = _group()
    now = datetime(2026, 2, 12, 12, tzinfo=UTC)
    past = f.SessionFactory(
        group=group,
        occurrence_date=date(2026, 2, 10),
        starts_at=datetime(2026, 2, 10, 15, tzinfo=UTC),
        ends_at=datetime(2026, 2, 10, 16, tzinfo=UTC),
    )
    schedule.group_sessions_generate(group=group, now=now, weeks=5)
    planned, documented, moved, *untouched = group.sessions.filter(starts_at__gt=now)
    f.PlanItemFactory(session=planned, position=1)
    f.AttendanceFactory(session=documented, participant=participant)
    schedule.session_move(
        session=moved,
        day=moved.local_date,
        start_time=time(9, 0),
        room="",
        reason="Clinic fire drill",
        user=therapist,
        now=now,
    )
    kept = {s.pk: s.starts_at for s in (past, planned, documented)}

    result = _edit(group, now=now, start_time=time(11, 30), room="Studio B")

    assert result.updated == len(untouched) == 2
    for session in untouched:
        session.refresh_from_db()
        assert session.local_starts_at.time() == time(11, 30)
        assert session.room == "Studio B"
    for pk, starts in kept.items():
        assert Session.objects.get(pk=pk).starts_at == starts
    moved.refresh_from_db()
    assert moved.local_starts_at.time() == time(9, 0)
    assert [s.pk for s in result.left_alone] == [planned.pk, documented.pk, moved.pk]


def test_it_moves_untouched_sessions_to_a_new_weekday(db):
    group = _group()
    schedule.group_sessions_generate(group=group, now=WINTER, weeks=3)
    ids = {pk for pk, *_ in _rows(group)}

    result = _edit(group, weekday=Group.Weekday.THURSDAY)

    assert _local_slots(group)[:3] == [
        (date(2026, 2, 5), "2026-02-05 10:00"),
        (date(2026, 2, 12), "2026-02-12 10:00"),
        (date(2026, 2, 19), "2026-02-19 10:00"),
    ]
    assert {d.weekday() for d, _ in _local_slots(group)} == {Group.Weekday.THURSDAY}
    # The same sessions, re-timed, so links to them keep working; the rest of the
    # configured weeks ahead are added.
    assert ids < {pk for pk, *_ in _rows(group)}
    assert (result.updated, result.removed) == (3, 0)
    assert result.created == group.sessions.count() - 3


def test_it_removes_untouched_sessions_after_a_new_last_date(db, participant):
    group = _group()
    schedule.group_sessions_generate(group=group, now=WINTER, weeks=4)
    last = group.sessions.order_by("starts_at").last()
    f.AttendanceFactory(session=last, participant=participant)

    result = _edit(group, last_date=date(2026, 2, 10))

    assert result.removed == 1
    assert [d for d, _ in _local_slots(group)] == [
        date(2026, 2, 3),
        date(2026, 2, 10),
        last.local_date,
    ]
    assert result.left_alone == [last]


def test_it_leaves_sessions_alone_when_only_the_name_changes(db):
    group = _group()
    schedule.group_sessions_generate(group=group, now=WINTER, weeks=2)
    before = _rows(group)
    result = _edit(group, name="Renamed")
    assert (result.updated, result.created) == (0, 0)
    assert _rows(group) == before


def test_it_lists_sessions_that_keep_their_time_after_an_edit(
    client, therapist, group, participant
):
    now = timezone.now()
    schedule.group_sessions_generate(group=group, now=now, weeks=3)
    planned = group.sessions.order_by("starts_at").first()
    f.PlanItemFactory(session=planned, position=1)
    client.force_login(therapist)
    data = _group_form(group, start_time="13:15")
    response = client.post(reverse("group_edit", args=[group.pk]), data, follow=True)
    body = response.content.decode()
    assert "Moved 2 sessions to the new schedule." in body
    assert "keep their time" in body
    assert planned.local_starts_at.strftime("%a %-d %b %Y, %H:%M") in body
    others = group.sessions.exclude(pk=planned.pk)
    assert {s.local_starts_at.time() for s in others} == {time(13, 15)}


def _group_form(group: Group, **overrides) -> dict:
    data = {
        "name": group.name,
        "focus": group.focus,
        "enrollment": group.enrollment,
        "capacity": group.capacity,
        "weekday": group.weekday,
        "start_time": group.start_time.strftime("%H:%M"),
        "duration_minutes": group.duration_minutes,
        "first_date": group.first_date.isoformat(),
        "last_date": group.last_date.isoformat() if group.last_date else "",
        "room": group.room,
    }
    data.update(overrides)
    return data


# --- generating from the command and the daily task ------------------------------------


def test_it_generates_sessions_from_the_command(db, settings):
    settings.SESSIONS_GENERATE_WEEKS_AHEAD = 3
    group = _group(first_date=timezone.localdate())
    ended = _group(first_date=date(2025, 1, 7), last_date=date(2025, 6, 24))
    out = StringIO()
    call_command("generate_sessions", stdout=out)
    assert group.sessions.count() in (3, 4)  # today's slot counts if it is still ahead
    assert ended.sessions.count() == 0
    assert "created for" in out.getvalue()
    count = group.sessions.count()
    call_command("generate_sessions", stdout=StringIO())
    assert group.sessions.count() == count


def test_it_generates_sessions_from_the_daily_task(db, settings):
    settings.SESSIONS_GENERATE_WEEKS_AHEAD = 2
    group = _group(first_date=timezone.localdate() + timedelta(days=1))
    generate_sessions_ahead.apply()
    assert group.sessions.count() == 2
    assert "generate-sessions" in settings.CELERY_BEAT_SCHEDULE


# --- one session: move, cancel, restore ------------------------------------------------


@pytest.fixture
def autumn_session(db):
    """Tuesday 27 October 2026 at 10:00 in New York (EDT), seen from a week before."""
    group = _group(first_date=date(2026, 10, 27), last_date=date(2026, 10, 27))
    schedule.group_sessions_generate(group=group, now=datetime(2026, 10, 20, tzinfo=UTC), weeks=2)
    return group.sessions.get()


NOW_AUTUMN = datetime(2026, 10, 20, tzinfo=UTC)


def test_it_moves_a_session_keeping_its_local_time_right_across_dst(autumn_session, therapist):
    old_starts = autumn_session.starts_at
    moved = schedule.session_move(
        session=autumn_session,
        day=date(2026, 11, 3),  # after New York has gone back to EST
        start_time=time(10, 0),
        room="Studio B",
        reason="Therapist at a conference",
        user=therapist,
        now=NOW_AUTUMN,
    )
    assert moved.starts_at == datetime(2026, 11, 3, 15, 0, tzinfo=UTC)
    assert moved.ends_at == datetime(2026, 11, 3, 16, 0, tzinfo=UTC)
    assert moved.local_starts_at.strftime("%H:%M") == "10:00"
    assert moved.occurrence_date == date(2026, 10, 27)  # its slot stays taken
    change = SessionChange.objects.get(session=moved)
    assert (change.kind, change.reason, change.changed_by) == (
        "moved",
        "Therapist at a conference",
        therapist,
    )
    assert (change.old_starts_at, change.old_room) == (old_starts, "Music room")
    assert (change.new_starts_at, change.new_room) == (moved.starts_at, "Studio B")


def test_it_refuses_to_move_a_past_session(autumn_session):
    with pytest.raises(ServiceError, match="past sessions cannot be moved"):
        schedule.session_move(
            session=autumn_session,
            day=date(2026, 11, 3),
            start_time=time(10, 0),
            room="",
            reason="Too late",
            user=None,
            now=datetime(2026, 10, 28, tzinfo=UTC),
        )
    assert not SessionChange.objects.exists()


def test_it_refuses_to_move_a_session_into_a_dst_gap(db):
    group = _group(weekday=Group.Weekday.SUNDAY, first_date=date(2026, 3, 1))
    schedule.group_sessions_generate(group=group, now=WINTER, weeks=5)
    session = group.sessions.get(occurrence_date=date(2026, 3, 1))
    with pytest.raises(ServiceError) as exc:
        schedule.session_move(
            session=session,
            day=date(2026, 3, 8),
            start_time=time(2, 30),
            room="",
            reason="Late night",
            user=None,
            now=WINTER,
        )
    assert "does not exist" in str(exc.value.message_dict["start_time"])
    session.refresh_from_db()
    assert session.local_date == date(2026, 3, 1)


def test_it_refuses_a_move_without_a_reason(autumn_session):
    with pytest.raises(ServiceError) as exc:
        schedule.session_move(
            session=autumn_session,
            day=date(2026, 10, 29),
            start_time=time(10, 0),
            room="",
            reason="  ",
            user=None,
            now=NOW_AUTUMN,
        )
    assert "reason" in exc.value.message_dict


def test_it_cancels_with_a_reason_and_restores(autumn_session, therapist):
    with pytest.raises(ServiceError) as exc:
        schedule.session_cancel(session=autumn_session, reason="", user=therapist)
    assert "Say why" in exc.value.message_dict["reason"][0]

    schedule.session_cancel(session=autumn_session, reason="Holiday: Thanksgiving", user=therapist)
    autumn_session.refresh_from_db()
    assert (autumn_session.status, autumn_session.cancel_reason) == (
        "cancelled",
        "Holiday: Thanksgiving",
    )

    schedule.session_restore(session=autumn_session, reason="Holiday moved", user=therapist)
    autumn_session.refresh_from_db()
    assert (autumn_session.status, autumn_session.cancel_reason) == ("scheduled", "")
    assert list(autumn_session.changes.values_list("kind", "reason")) == [
        ("cancelled", "Holiday: Thanksgiving"),
        ("restored", "Holiday moved"),
    ]


def test_it_refuses_to_cancel_a_held_session(past_session):
    with pytest.raises(ServiceError, match="held session cannot be cancelled"):
        schedule.session_cancel(session=past_session, reason="Oops", user=None)
    past_session.refresh_from_db()
    assert past_session.status == "held"


def test_it_refuses_to_restore_a_session_that_is_not_cancelled(autumn_session):
    with pytest.raises(ServiceError, match="Only a cancelled session"):
        schedule.session_restore(session=autumn_session, user=None)


def test_it_skips_a_date_that_is_not_a_meeting_day(autumn_session):
    with pytest.raises(ServiceError) as exc:
        schedule.occurrence_skip(
            group=autumn_session.group,
            day=date(2026, 11, 26),  # a Thursday
            reason="Holiday: Thanksgiving",
            user=None,
            now=NOW_AUTUMN,
        )
    assert "does not meet" in exc.value.message_dict["day"][0]


# --- the pages -------------------------------------------------------------------------


def _future_session(group: Group, days: int = 3) -> Session:
    start = timezone.now() + timedelta(days=days)
    start = start.replace(minute=0, second=0, microsecond=0)
    return f.SessionFactory(group=group, starts_at=start, ends_at=start + timedelta(hours=1))


def test_it_moves_a_session_from_its_page_and_shows_the_history(client, therapist, group):
    session = _future_session(group)
    client.force_login(therapist)
    page = client.get(reverse("session_detail", args=[session.pk])).content.decode()
    assert reverse("session_move", args=[session.pk]) in page
    assert reverse("session_cancel", args=[session.pk]) in page

    new_day = session.local_date + timedelta(days=1)
    response = client.post(
        reverse("session_move", args=[session.pk]),
        {"day": new_day.isoformat(), "start_time": "15:45", "room": "Hall", "reason": "Flooding"},
        follow=True,
    )
    body = response.content.decode()
    session.refresh_from_db()
    assert session.local_date == new_day
    assert session.local_starts_at.strftime("%H:%M") == "15:45"
    assert "Changes" in body
    assert "Flooding" in body
    assert f"{session.local_starts_at:%a %-d %b %Y}, 15:45" in body


def test_it_keeps_the_input_when_a_move_is_refused(client, therapist, group):
    session = _future_session(group)
    client.force_login(therapist)
    response = client.post(
        reverse("session_move", args=[session.pk]),
        {"day": "2020-01-07", "start_time": "10:00", "room": "Garden", "reason": "Sunshine"},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Choose a date and time in the future." in body
    assert 'value="Garden"' in body
    assert not session.changes.exists()


def test_it_cancels_and_restores_from_the_session_page(client, therapist, group):
    session = _future_session(group)
    client.force_login(therapist)
    response = client.post(reverse("session_cancel", args=[session.pk]), {"reason": ""})
    assert "Say why the session is cancelled" in response.content.decode()
    session.refresh_from_db()
    assert session.status == "scheduled"

    client.post(reverse("session_cancel", args=[session.pk]), {"reason": "Holiday: Thanksgiving"})
    session.refresh_from_db()
    assert session.status == "cancelled"
    page = client.get(reverse("session_detail", args=[session.pk])).content.decode()
    assert "Holiday: Thanksgiving" in page
    assert reverse("session_restore", args=[session.pk]) in page
    assert reverse("session_move", args=[session.pk]) not in page

    client.post(reverse("session_restore", args=[session.pk]), {"reason": ""})
    session.refresh_from_db()
    assert session.status == "scheduled"


def test_it_offers_no_move_or_cancel_for_a_held_session(client, therapist, past_session):
    client.force_login(therapist)
    page = client.get(reverse("session_detail", args=[past_session.pk])).content.decode()
    assert reverse("session_move", args=[past_session.pk]) not in page
    assert reverse("session_cancel", args=[past_session.pk]) not in page
    refused = client.get(reverse("session_move", args=[past_session.pk])).content.decode()
    assert "a held session cannot be moved" in refused


def test_it_skips_a_holiday_from_the_group_page(client, therapist, group):
    # Further ahead than generation reaches: the slot is created cancelled.
    day = group.first_date + timedelta(weeks=52 * 2)
    client.force_login(therapist)
    response = client.post(
        reverse("group_skip_date", args=[group.pk]),
        {"day": day.isoformat(), "reason": "Holiday: New Year"},
        follow=True,
    )
    assert "is cancelled: Holiday: New Year" in response.content.decode()
    session = group.sessions.get(occurrence_date=day)
    assert session.status == "cancelled"
    assert session.changes.get().kind == "cancelled"


@pytest.mark.parametrize("username", ["outsider", "other_admin", "participant"])
def test_it_lets_no_outsider_change_a_session(client, cast, group, username):
    session = _future_session(group)
    before = (session.starts_at, session.status)
    client.force_login(cast[username])
    for name, data in [
        ("session_cancel", {"reason": "Mischief"}),
        ("session_move", {"day": "2030-01-01", "start_time": "10:00", "reason": "Mischief"}),
        ("session_restore", {}),
    ]:
        assert client.post(reverse(name, args=[session.pk]), data).status_code == 404
    session.refresh_from_db()
    assert (session.starts_at, session.status) == before
    assert not SessionChange.objects.exists()


def test_it_sends_anonymous_users_to_log_in_instead_of_cancelling(client, group):
    session = _future_session(group)
    response = client.post(reverse("session_cancel", args=[session.pk]), {"reason": "x"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    session.refresh_from_db()
    assert session.status == "scheduled"
