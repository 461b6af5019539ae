"""Reminders are planned as rows in the same transaction as the change that causes them:
scheduling, enrolling, discharging, moving, cancelling, restoring, roll call and a
participant's own preferences. Planning again changes nothing; rows already sent (or
failed, or interrupted) are never touched."""

from datetime import UTC, date, datetime, time, timedelta
from unittest import mock

import pytest
from django.db import transaction
from django.utils import timezone

from sessions_app.forms.groups import GroupForm
from sessions_app.models import Enrollment, Group, Participant, Reminder, Session
from sessions_app.services import attendance as attendance_services
from sessions_app.services import groups as group_services
from sessions_app.services import reminders, schedule
from sessions_app.services.errors import ServiceError
from tests import factories as f

Kind, Status = Reminder.Kind, Reminder.Status
# A Monday in winter; the group meets on Tuesdays at 10:00 in New York (15:00 UTC).
WINTER = datetime(2026, 2, 2, 12, 0, tzinfo=UTC)


def _rows(**filters) -> list[tuple]:
    return sorted(
        Reminder.objects.filter(**filters).values_list("kind", "slot", "channel", "status")
    )


def _upcoming(session: Session, participant: Participant) -> dict[int, Reminder]:
    return {
        r.slot: r
        for r in Reminder.objects.filter(session=session, participant=participant, kind="upcoming")
    }


def _soon_session(group: Group, days: float = 2) -> Session:
    start = (timezone.now() + timedelta(days=days)).replace(microsecond=0)
    return f.SessionFactory(group=group, starts_at=start, ends_at=start + timedelta(hours=1))


@pytest.fixture
def winter_group(site, therapist) -> Group:
    return f.GroupFactory(
        site=site, lead=therapist, weekday=Group.Weekday.TUESDAY, first_date=date(2026, 1, 6)
    )


@pytest.fixture
def dee(winter_group) -> Participant:
    p = f.ParticipantFactory(site=winter_group.site, preferred_name="Dee")
    f.EnrollmentFactory(group=winter_group, participant=p, start_date=date(2026, 1, 1))
    return p


# --- Upcoming sessions -------------------------------------------------------------------


def test_it_plans_two_reminders_per_session_when_sessions_are_generated(winter_group, dee):
    schedule.group_sessions_generate(group=winter_group, now=WINTER, weeks=2)

    sessions = list(winter_group.sessions.order_by("starts_at"))
    assert len(sessions) == 2
    for session in sessions:
        rows = _upcoming(session, dee)
        assert set(rows) == {24 * 60, 2 * 60}
        assert rows[1440].due_at == session.starts_at - timedelta(hours=24)
        assert rows[120].due_at == session.starts_at - timedelta(hours=2)
        assert {r.status for r in rows.values()} == {Status.PENDING}
        assert {r.channel for r in rows.values()} == {"email"}


def test_it_plans_nothing_twice(winter_group, dee):
    schedule.group_sessions_generate(group=winter_group, now=WINTER, weeks=3)
    before = list(Reminder.objects.order_by("pk").values_list("pk", "due_at", "status"))

    schedule.group_sessions_generate(group=winter_group, now=WINTER, weeks=3)
    reminders.reminders_plan_for_participant(participant=dee, now=WINTER)
    for session in winter_group.sessions.all():
        reminders.reminders_plan_for_session(session=session, now=WINTER)

    assert len(before) == 6
    assert list(Reminder.objects.order_by("pk").values_list("pk", "due_at", "status")) == before


def test_it_follows_each_groups_reminder_hours(site, therapist, dee):
    group = f.GroupFactory(site=site, lead=therapist, reminder_hours=[48, 0.5])
    f.EnrollmentFactory(group=group, participant=dee)
    schedule.group_sessions_generate(group=group, now=WINTER, weeks=2)

    first, second = group.sessions.order_by("starts_at")
    assert set(_upcoming(second, dee)) == {48 * 60, 30}
    # The first is 27 hours away: too late for the 48-hour one.
    assert set(_upcoming(first, dee)) == {30}


def test_it_replans_when_a_groups_reminder_hours_change(winter_group, dee):
    schedule.group_sessions_generate(group=winter_group, now=WINTER, weeks=2)
    session = winter_group.sessions.order_by("starts_at").last()

    fields = GroupForm.initial_for(winter_group)
    for name in ("reminder_hours", "site", "lead"):
        fields.pop(name, None)
    group_services.group_update(group=winter_group, reminder_hours=[72], now=WINTER, **fields)

    assert _rows(session=session) == [
        ("upcoming", 120, "email", "cancelled"),
        ("upcoming", 1440, "email", "cancelled"),
        ("upcoming", 4320, "email", "pending"),
    ]
    winter_group.refresh_from_db()
    assert winter_group.reminder_hours == [72]


@pytest.mark.parametrize(
    ("typed", "hours"),
    [("24, 2", [24, 2]), ("2,24,24", [24, 2]), ("1.5", [1.5]), ("", [])],
)
def test_it_reads_reminder_hours_from_the_group_form(site, therapist, typed, hours):
    data = {
        "name": "Wednesday Circle",
        "site": site.pk,
        "enrollment": "open",
        "capacity": 8,
        "weekday": 2,
        "start_time": "18:00",
        "duration_minutes": 60,
        "first_date": "2026-12-02",
        "reminder_hours": typed,
    }
    form = GroupForm(data, sites=type(site).objects.all(), leads=None)
    assert form.is_valid(), form.errors
    group = group_services.group_create(user=therapist, **form.cleaned_data)
    assert group.reminder_hours == hours


def test_it_refuses_reminder_hours_that_are_not_hours(site, therapist):
    data = {"name": "G", "site": site.pk, "reminder_hours": "soon"}
    form = GroupForm(data, sites=type(site).objects.all(), leads=None)
    assert not form.is_valid()
    assert "is not a number of hours" in str(form.errors["reminder_hours"])
    with pytest.raises(ServiceError) as exc:
        reminders.valid_reminder_hours([24, 500])
    assert "two weeks" in str(exc.value)


def test_it_shows_the_groups_reminder_hours_on_the_edit_form(winter_group):
    form = GroupForm(initial=GroupForm.initial_for(winter_group))
    assert 'value="24, 2"' in str(form["reminder_hours"])


def test_it_plans_no_reminder_already_overdue(group, participant):
    session = _soon_session(group, days=0.5)  # 12 hours away: the 24-hour one is too late
    reminders.reminders_plan_for_session(session=session)
    assert set(_upcoming(session, participant)) == {120}


# --- Preferences, enrollment, discharge ----------------------------------------------------


@pytest.mark.parametrize(
    "change",
    [
        {"reminders_opt_in": False},
        {"reminder_channel": "none"},
        {"reminders_stopped_at": datetime(2026, 2, 1, tzinfo=UTC)},
    ],
    ids=["opted-out", "channel-none", "pressed-stop"],
)
def test_it_cancels_pending_reminders_nobody_wants(winter_group, dee, change):
    schedule.group_sessions_generate(group=winter_group, now=WINTER, weeks=2)
    Participant.objects.filter(pk=dee.pk).update(**change)
    dee.refresh_from_db()

    reminders.reminders_plan_for_participant(participant=dee, now=WINTER)

    assert set(Reminder.objects.values_list("status", flat=True)) == {Status.CANCELLED}


def test_it_plans_nothing_for_someone_who_wants_no_reminders(winter_group):
    quiet = f.ParticipantFactory(site=winter_group.site, reminder_channel="none")
    f.EnrollmentFactory(group=winter_group, participant=quiet)
    schedule.group_sessions_generate(group=winter_group, now=WINTER, weeks=2)
    assert not Reminder.objects.exists()


def test_it_switches_channel_when_the_participant_does(winter_group, dee):
    schedule.group_sessions_generate(group=winter_group, now=WINTER, weeks=1)
    Participant.objects.filter(pk=dee.pk).update(reminder_channel="sms", phone="+15555550123")
    dee.refresh_from_db()

    reminders.reminders_plan_for_participant(participant=dee, now=WINTER)

    assert _rows() == [
        ("upcoming", 120, "email", "cancelled"),
        ("upcoming", 120, "sms", "pending"),
        ("upcoming", 1440, "email", "cancelled"),
        ("upcoming", 1440, "sms", "pending"),
    ]


def test_it_brings_reminders_back_when_the_participant_opts_in_again(winter_group, dee):
    schedule.group_sessions_generate(group=winter_group, now=WINTER, weeks=1)
    Participant.objects.filter(pk=dee.pk).update(reminders_opt_in=False)
    dee.refresh_from_db()
    reminders.reminders_plan_for_participant(participant=dee, now=WINTER)
    Participant.objects.filter(pk=dee.pk).update(reminders_opt_in=True)
    dee.refresh_from_db()

    reminders.reminders_plan_for_participant(participant=dee, now=WINTER)

    assert _rows() == [
        ("upcoming", 120, "email", "pending"),
        ("upcoming", 1440, "email", "pending"),
    ]


def test_it_plans_reminders_from_an_enrollments_first_day(winter_group):
    schedule.group_sessions_generate(group=winter_group, now=WINTER, weeks=3)
    newcomer = f.ParticipantFactory(site=winter_group.site)

    group_services.participant_enroll(
        group=winter_group, participant=newcomer, start_date=date(2026, 2, 10), now=WINTER
    )

    dates = {r.session.local_date for r in Reminder.objects.filter(participant=newcomer)}
    assert dates == {date(2026, 2, 10), date(2026, 2, 17)}


def test_it_cancels_reminders_after_a_discharge(group, participant):
    before, after = _soon_session(group, days=2), _soon_session(group, days=9)
    reminders.reminders_plan_for_participant(participant=participant)
    enrollment = participant.enrollments.get()

    group_services.enrollment_discharge(
        enrollment=enrollment, end_date=before.local_date, status="discharged", reason="Moved away"
    )

    assert {r.status for r in _upcoming(before, participant).values()} == {Status.PENDING}
    assert {r.status for r in _upcoming(after, participant).values()} == {Status.CANCELLED}


def test_it_never_touches_rows_sent_failed_or_interrupted(group, participant):
    session = _soon_session(group)
    reminders.reminders_plan_for_session(session=session)
    settled = {1440: Status.SENT, 120: Status.FAILED}
    for slot, status in settled.items():
        Reminder.objects.filter(session=session, slot=slot).update(
            status=status, sent_at=timezone.now(), last_error="kept"
        )
    interrupted = f.ReminderFactory(
        session=session, participant=participant, kind="moved", slot=9, status="interrupted"
    )
    before = list(Reminder.objects.order_by("pk").values())

    Participant.objects.filter(pk=participant.pk).update(reminders_opt_in=False)
    participant.refresh_from_db()
    reminders.reminders_plan_for_participant(participant=participant)
    schedule.session_cancel(session=session, reason="Holiday", user=None)

    assert list(Reminder.objects.order_by("pk").values()) == before
    assert interrupted.pk in {row["id"] for row in before}


# --- Moves, cancellations, restorations --------------------------------------------------


def test_it_moves_pending_reminders_with_the_session_and_tells_of_the_move(
    group, participant, therapist
):
    session = _soon_session(group, days=3)
    reminders.reminders_plan_for_session(session=session)
    local = session.local_starts_at + timedelta(days=1, hours=2)

    moved = schedule.session_move(
        session=session,
        day=local.date(),
        start_time=local.time(),
        room="Studio B",
        reason="Room booked",
        user=therapist,
    )

    rows = _upcoming(moved, participant)
    assert rows[1440].due_at == moved.starts_at - timedelta(hours=24)
    assert rows[120].due_at == moved.starts_at - timedelta(hours=2)
    notice = Reminder.objects.get(session=moved, kind="moved")
    assert (notice.slot, notice.status, notice.participant) == (1, Status.PENDING, participant)
    assert notice.due_at <= timezone.now()


def test_a_second_move_replaces_a_notice_not_yet_sent(group, participant, therapist):
    session = _soon_session(group, days=3)
    for hours in (1, 2):
        local = session.local_starts_at + timedelta(hours=hours)
        session = schedule.session_move(
            session=session,
            day=local.date(),
            start_time=local.time(),
            room="",
            reason="Again",
            user=therapist,
        )

    assert _rows(kind="moved") == [
        ("moved", 1, "email", "cancelled"),
        ("moved", 2, "email", "pending"),
    ]


def test_it_tells_nobody_who_enrolled_after_the_move(group, participant, therapist):
    session = _soon_session(group, days=3)
    local = session.local_starts_at + timedelta(hours=1)
    schedule.session_move(
        session=session, day=local.date(), start_time=local.time(), room="", reason="x", user=None
    )
    later = f.ParticipantFactory(site=group.site)
    group_services.participant_enroll(group=group, participant=later, start_date=date(2026, 1, 1))

    assert not Reminder.objects.filter(participant=later, kind="moved").exists()
    assert set(_upcoming(session, later)) == {1440, 120}


def test_cancelling_cancels_the_reminders_and_tells_of_it(group, participant):
    session = _soon_session(group, days=3)
    reminders.reminders_plan_for_session(session=session)

    schedule.session_cancel(session=session, reason="Holiday: Thanksgiving", user=None)

    assert _rows(session=session) == [
        ("cancelled", 1, "email", "pending"),
        ("upcoming", 120, "email", "cancelled"),
        ("upcoming", 1440, "email", "cancelled"),
    ]


def test_restoring_brings_the_reminders_back(group, participant):
    session = _soon_session(group, days=3)
    reminders.reminders_plan_for_session(session=session)
    schedule.session_cancel(session=session, reason="Holiday", user=None)

    schedule.session_restore(session=session, user=None)

    # The cancellation notice had not gone out: it is withdrawn, and nothing says "on
    # again" about a cancellation nobody heard of.
    assert _rows(session=session) == [
        ("cancelled", 1, "email", "cancelled"),
        ("upcoming", 120, "email", "pending"),
        ("upcoming", 1440, "email", "pending"),
    ]


def test_restoring_after_a_sent_cancellation_says_it_is_on_again(group, participant):
    session = _soon_session(group, days=3)
    schedule.session_cancel(session=session, reason="Holiday", user=None)
    Reminder.objects.filter(kind="cancelled").update(status="sent", sent_at=timezone.now())

    schedule.session_restore(session=session, user=None)

    assert _rows(session=session, kind="moved") == [("moved", 2, "email", "pending")]


def test_a_rolled_back_change_leaves_no_reminder(group, participant, therapist):
    session = _soon_session(group, days=3)
    local = session.local_starts_at + timedelta(hours=1)

    with (
        mock.patch("sessions_app.broker.enqueue") as nudge,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        schedule.session_move(
            session=session,
            day=local.date(),
            start_time=local.time(),
            room="",
            reason="x",
            user=therapist,
        )
        assert Reminder.objects.filter(kind="moved").exists()
        raise RuntimeError("the request failed after the move")

    assert not Reminder.objects.exists()
    nudge.assert_not_called()


def test_it_queues_a_dispatch_only_after_commit(
    group, participant, therapist, django_capture_on_commit_callbacks
):
    session = _soon_session(group, days=3)
    local = session.local_starts_at + timedelta(hours=1)
    with mock.patch("config.celery_app.send_task") as send_task:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            schedule.session_move(
                session=session,
                day=local.date(),
                start_time=local.time(),
                room="",
                reason="x",
                user=therapist,
            )
        send_task.assert_not_called()
        for callback in callbacks:
            callback()
    send_task.assert_called_once()
    assert send_task.call_args.args == ("sessions_app.tasks.reminders_dispatch",)
    assert send_task.call_args.kwargs["retry"] is False


def test_a_broker_that_is_down_does_not_undo_the_change(
    group, participant, therapist, settings, caplog, django_capture_on_commit_callbacks
):
    session = _soon_session(group, days=3)
    local = session.local_starts_at + timedelta(hours=1)
    error = ConnectionRefusedError("Redis is down")
    with (
        mock.patch("config.celery_app.send_task", side_effect=error),
        caplog.at_level("WARNING", logger="refrain.broker"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        schedule.session_move(
            session=session,
            day=local.date(),
            start_time=local.time(),
            room="",
            reason="x",
            user=therapist,
        )

    assert Reminder.objects.filter(kind="moved", status="pending").exists()
    assert "could not queue 1 reminder dispatch (ConnectionRefusedError)" in caplog.text


# --- Reflection invitations ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "invited"),
    [
        ("present", True),
        ("late", True),
        ("left_early", True),
        ("excused", False),
        ("absent", False),
    ],
)
def test_it_invites_those_who_attended_to_reflect(group, participant, therapist, status, invited):
    start = timezone.now() - timedelta(minutes=30)
    session = f.SessionFactory(group=group, starts_at=start, ends_at=start + timedelta(hours=1))
    entry = attendance_services.AttendanceEntry(status=status)

    attendance_services.attendance_record(
        session=session, entries={participant.pk: entry}, recorded_by=therapist
    )

    rows = Reminder.objects.filter(kind="reflection", participant=participant)
    assert rows.exists() is invited
    if invited:
        assert rows.get().due_at == session.ends_at + timedelta(minutes=15)


def test_a_roll_call_saved_later_invites_at_once(group, participant, therapist):
    start = timezone.now() - timedelta(hours=5)
    session = f.SessionFactory(group=group, starts_at=start, ends_at=start + timedelta(hours=1))
    now = timezone.now()
    entry = attendance_services.AttendanceEntry(status="present")

    attendance_services.attendance_record(
        session=session, entries={participant.pk: entry}, recorded_by=therapist, now=now
    )

    assert Reminder.objects.get(kind="reflection").due_at == now


def test_correcting_attendance_to_absent_withdraws_the_invitation(group, participant, therapist):
    start = timezone.now() - timedelta(minutes=30)
    session = f.SessionFactory(group=group, starts_at=start, ends_at=start + timedelta(hours=1))
    for status in ("present", "absent"):
        attendance_services.attendance_record(
            session=session,
            entries={participant.pk: attendance_services.AttendanceEntry(status=status)},
            recorded_by=therapist,
        )
    assert _rows(kind="reflection") == [("reflection", 0, "email", "cancelled")]


def test_it_invites_nobody_to_reflect_on_an_old_session(past_session, participant):
    reminders.reminders_plan_for_session(session=past_session)  # a week ago, attended
    assert not Reminder.objects.filter(kind="reflection").exists()


# --- Therapists' daily agenda --------------------------------------------------------------


def test_it_plans_each_therapists_agenda_once_per_day(group, therapist, co_therapist):
    now = datetime(2026, 3, 2, 20, 0, tzinfo=UTC)  # Monday evening
    start = datetime(2026, 3, 3, 15, 0, tzinfo=UTC)  # Tuesday 10:00 in New York
    f.SessionFactory(group=group, starts_at=start, ends_at=start + timedelta(hours=1))
    later = start + timedelta(hours=4)
    f.SessionFactory(group=group, starts_at=later, ends_at=later + timedelta(hours=1))

    assert reminders.reminders_plan_agendas(now=now) == 2
    assert reminders.reminders_plan_agendas(now=now + timedelta(minutes=30)) == 0

    rows = Reminder.objects.filter(kind="agenda")
    assert {r.staff_user for r in rows} == {therapist, co_therapist}
    assert {r.slot for r in rows} == {20260303}
    # 07:00 in New York (EST) is 12:00 UTC.
    assert {r.due_at for r in rows} == {datetime(2026, 3, 3, 12, 0, tzinfo=UTC)}


def test_an_agenda_for_an_early_session_goes_an_hour_before_it(group, therapist, co_therapist):
    now = datetime(2026, 3, 2, 20, 0, tzinfo=UTC)
    start = datetime(2026, 3, 3, 11, 30, tzinfo=UTC)  # 06:30 in New York
    f.SessionFactory(group=group, starts_at=start, ends_at=start + timedelta(hours=1))
    reminders.reminders_plan_agendas(now=now)
    assert {r.due_at for r in Reminder.objects.all()} == {start - timedelta(hours=1)}


def test_it_plans_no_agenda_for_a_cancelled_session(group, therapist):
    now = datetime(2026, 3, 2, 20, 0, tzinfo=UTC)
    start = datetime(2026, 3, 3, 15, 0, tzinfo=UTC)
    f.SessionFactory(
        group=group,
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        status="cancelled",
        cancel_reason="Holiday",
    )
    assert reminders.reminders_plan_agendas(now=now) == 0


def test_enrollment_dates_are_what_counts_not_the_status(winter_group, dee):
    # A discharge is an end date: the status alone does not stop reminders before it.
    Enrollment.objects.filter(participant=dee).update(
        status="discharged", end_date=date(2026, 2, 3)
    )
    schedule.group_sessions_generate(group=winter_group, now=WINTER, weeks=2)
    assert {r.session.local_date for r in Reminder.objects.all()} == {date(2026, 2, 3)}


def test_generation_keeps_a_session_whose_reminder_went_out(winter_group, dee):
    schedule.group_sessions_generate(group=winter_group, now=WINTER, weeks=2)
    first = winter_group.sessions.order_by("starts_at").first()
    Reminder.objects.filter(session=first, slot=1440).update(status="sent", sent_at=WINTER)

    winter_group.start_time = time(11, 0)
    winter_group.save()
    result = schedule.group_sessions_generate(group=winter_group, now=WINTER, reschedule=True)

    first.refresh_from_db()
    assert first.local_starts_at.time() == time(10, 0)
    assert first in result.left_alone
    assert result.updated == 1


# --- When: quiet hours, time zones and DST -------------------------------------------------

NIGHT = (time(21, 0), time(8, 0))


def _person(zone="America/New_York", quiet=NIGHT, site_zone=None) -> Participant:
    site = f.SiteFactory(time_zone=site_zone or zone)
    start, end = quiet or (None, None)
    return f.ParticipantFactory(
        site=site,
        time_zone="" if site_zone is None else zone,
        quiet_hours_start=start,
        quiet_hours_end=end,
    )


def _at(zone: str, *parts: int) -> datetime:
    from zoneinfo import ZoneInfo

    return datetime(*parts, tzinfo=ZoneInfo(zone)).astimezone(UTC)


def _local(instant: datetime, zone: str) -> str:
    from zoneinfo import ZoneInfo

    return instant.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M %Z")


@pytest.mark.parametrize(
    ("zone", "due", "session", "expected"),
    [
        # Out of quiet hours: as planned.
        ("America/New_York", (2026, 3, 3, 12, 0), (2026, 3, 4, 12, 0), "2026-03-03 12:00 EST"),
        # 06:30 is quiet: wait for 08:00, the session being later.
        ("America/New_York", (2026, 3, 3, 6, 30), (2026, 3, 3, 10, 0), "2026-03-03 08:00 EST"),
        # The night the clocks spring forward: the night is an hour shorter, 08:00 is EDT.
        ("America/New_York", (2026, 3, 8, 6, 30), (2026, 3, 8, 10, 0), "2026-03-08 08:00 EDT"),
        # The night they fall back: 08:00 EST, the hour repeated in between.
        ("America/New_York", (2026, 11, 1, 1, 30), (2026, 11, 1, 10, 0), "2026-11-01 08:00 EST"),
        # Waiting for 08:00 would be after a 07:30 session: the evening before, just
        # before 21:00, instead.
        ("America/New_York", (2026, 3, 3, 5, 30), (2026, 3, 3, 7, 30), "2026-03-02 20:55 EST"),
        # ...also across the spring-forward night.
        ("America/New_York", (2026, 3, 8, 5, 30), (2026, 3, 8, 7, 30), "2026-03-07 20:55 EST"),
        # Southern hemisphere, clocks going back in April.
        ("Australia/Sydney", (2026, 4, 5, 22, 0), (2026, 4, 6, 18, 0), "2026-04-06 08:00 AEST"),
        ("Asia/Kolkata", (2026, 7, 1, 23, 0), (2026, 7, 2, 10, 0), "2026-07-02 08:00 IST"),
        # Late evening, quiet from 21:00: the night ends after a 07:00 session, so the
        # reminder goes just before 21:00 that same evening.
        ("Europe/London", (2026, 3, 28, 22, 0), (2026, 3, 29, 7, 0), "2026-03-28 20:55 GMT"),
    ],
)
def test_it_keeps_reminders_out_of_quiet_hours(db, zone, due, session, expected):
    from sessions_app.messaging.timing import quiet_fit

    person = _person(zone)
    fitted = quiet_fit(_at(zone, *due), participant=person, deadline=_at(zone, *session))
    assert _local(fitted, zone) == expected


@pytest.mark.parametrize(
    ("quiet", "due", "expected"),
    [
        (None, (2026, 3, 3, 3, 0), "2026-03-03 03:00 EST"),  # no quiet hours at all
        ((time(13, 0), time(15, 0)), (2026, 3, 3, 14, 0), "2026-03-03 15:00 EST"),  # a nap
        ((time(13, 0), time(15, 0)), (2026, 3, 3, 15, 0), "2026-03-03 15:00 EST"),  # end: free
        ((time(13, 0), time(15, 0)), (2026, 3, 3, 13, 0), "2026-03-03 15:00 EST"),  # start: quiet
        ((time(9, 0), time(9, 0)), (2026, 3, 3, 9, 0), "2026-03-03 09:00 EST"),  # empty span
        # Quiet hours ending at 02:30, a time that does not exist on spring-forward night.
        ((time(22, 0), time(2, 30)), (2026, 3, 8, 1, 0), "2026-03-08 03:30 EDT"),
    ],
)
def test_it_reads_quiet_hours_as_the_participant_sets_them(db, quiet, due, expected):
    from sessions_app.messaging.timing import quiet_fit

    person = _person(quiet=quiet)
    zone = "America/New_York"
    assert _local(quiet_fit(_at(zone, *due), participant=person), zone) == expected


def test_it_goes_just_before_quiet_hours_that_morning(db):
    from sessions_app.messaging.timing import quiet_fit

    person = _person(quiet=(time(6, 0), time(23, 0)))
    zone = "America/New_York"
    due, start = _at(zone, 2026, 3, 3, 7, 0), _at(zone, 2026, 3, 3, 9, 0)
    assert _local(quiet_fit(due, participant=person, deadline=start), zone) == (
        "2026-03-03 05:55 EST"
    )


def test_it_finds_no_moment_when_quiet_hours_leave_none(db):
    from sessions_app.messaging.timing import quiet_fit

    person = _person(quiet=(time(0, 0), time(23, 58)))
    zone = "America/New_York"
    due, start = _at(zone, 2026, 3, 3, 10, 0), _at(zone, 2026, 3, 3, 12, 0)
    assert quiet_fit(due, participant=person, deadline=start) is None


def test_quiet_hours_are_in_the_participants_own_zone(db):
    from sessions_app.messaging.timing import quiet_fit

    # Site in New York; the participant lives in London (quiet 21:00–08:00 London).
    person = _person(zone="Europe/London", site_zone="America/New_York")
    due = _at("America/New_York", 2026, 3, 3, 18, 0)  # 23:00 in London: quiet
    fitted = quiet_fit(due, participant=person, deadline=_at("America/New_York", 2026, 3, 4, 10))
    assert _local(fitted, "Europe/London") == "2026-03-04 08:00 GMT"


@pytest.mark.parametrize(
    ("session_local", "reminder_local"),
    [
        # "24 hours before" is 24 hours of real time: across spring-forward it is 09:00
        # the day before on the clock, across fall-back 11:00.
        ((2026, 3, 8, 10, 0), "2026-03-07 09:00 EST"),
        ((2026, 11, 1, 10, 0), "2026-10-31 11:00 EDT"),
        ((2026, 6, 16, 10, 0), "2026-06-15 10:00 EDT"),
    ],
)
def test_it_reminds_hours_before_in_real_time_across_dst(db, session_local, reminder_local):
    zone = "America/New_York"
    site = f.SiteFactory(time_zone=zone)
    group = f.GroupFactory(site=site, reminder_hours=[24])
    person = f.ParticipantFactory(site=site)
    f.EnrollmentFactory(group=group, participant=person)
    start = _at(zone, *session_local)
    session = f.SessionFactory(group=group, starts_at=start, ends_at=start + timedelta(hours=1))

    reminders.reminders_plan_for_session(session=session, now=start - timedelta(days=3))

    assert _local(Reminder.objects.get().due_at, zone) == reminder_local


def test_planning_puts_a_reminder_due_at_night_in_the_morning(group):
    person = f.ParticipantFactory(
        site=group.site, quiet_hours_start=time(21, 0), quiet_hours_end=time(8, 0)
    )
    f.EnrollmentFactory(group=group, participant=person)
    start = _at("America/New_York", 2026, 12, 8, 10, 0)
    session = f.SessionFactory(group=group, starts_at=start, ends_at=start + timedelta(hours=1))

    reminders.reminders_plan_for_session(session=session, now=start - timedelta(days=3))

    rows = _upcoming(session, person)
    assert _local(rows[1440].due_at, "America/New_York") == "2026-12-07 10:00 EST"
    assert _local(rows[120].due_at, "America/New_York") == "2026-12-08 08:00 EST"


# --- The demo ------------------------------------------------------------------------------


def test_the_demo_has_reminders_in_several_states_and_seeds_them_once(db, settings):
    from sessions_app.demo import cast, seed

    settings.DEBUG = True
    seed.demo_seed()
    demo = Participant.objects.get(user__username="participant")
    mine = Reminder.objects.filter(participant=demo)
    assert mine.filter(status="pending", kind="upcoming", due_at__gt=timezone.now()).exists()
    assert mine.filter(status="sent", sent_at__lt=timezone.now()).exists()
    failed = Reminder.objects.get(status="failed")
    assert failed.participant.first_name == "Marcus" and failed.channel == "sms"
    assert "503" in failed.last_error
    assert cast.DEMO_PARTICIPANT == "tess"
    before = list(Reminder.objects.order_by("pk").values_list("pk", "status", "due_at"))

    seed.demo_seed()

    assert list(Reminder.objects.order_by("pk").values_list("pk", "status", "due_at")) == before
