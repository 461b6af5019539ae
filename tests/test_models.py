"""Invariants the database itself enforces."""

from datetime import date, time, timedelta

import pytest
from django.db import IntegrityError, transaction

from sessions_app.models import Enrollment, Participant
from tests import factories as f


def _violates(make):
    with pytest.raises(IntegrityError), transaction.atomic():
        make()


def test_it_refuses_a_session_that_ends_before_it_starts(group):
    s = f.SessionFactory.build(group=group)
    s.ends_at = s.starts_at - timedelta(minutes=1)
    _violates(s.save)


def test_it_refuses_a_cancelled_session_without_a_reason(group):
    _violates(lambda: f.SessionFactory(group=group, status="cancelled", cancel_reason=""))


def test_it_refuses_two_attendance_rows_for_one_participant(past_session, participant):
    _violates(lambda: f.AttendanceFactory(session=past_session, participant=participant))


def test_it_refuses_minutes_for_an_absence(past_session, group):
    p = f.EnrollmentFactory(group=group).participant
    _violates(
        lambda: f.AttendanceFactory(
            session=past_session, participant=p, status="absent", minutes_attended=30
        )
    )


def test_it_refuses_two_sessions_for_one_weekly_slot(group):
    f.SessionFactory(group=group, occurrence_date=date(2026, 3, 3))
    _violates(lambda: f.SessionFactory(group=group, occurrence_date=date(2026, 3, 3)))


def test_it_allows_many_extra_sessions_without_a_slot(group):
    f.SessionFactory(group=group, occurrence_date=None)
    f.SessionFactory(group=group, occurrence_date=None)
    assert group.sessions.count() == 2


def test_it_refuses_an_enrollment_ending_before_it_starts(group, participant):
    _violates(
        lambda: f.EnrollmentFactory(
            group=group,
            participant=participant,
            start_date=date(2026, 5, 1),
            end_date=date(2026, 4, 1),
        )
    )


def test_it_refuses_a_discharge_without_an_end_date(group, participant):
    _violates(
        lambda: f.EnrollmentFactory(
            group=group, participant=participant, start_date=date(2026, 6, 1), status="discharged"
        )
    )


def test_it_refuses_two_leads_for_one_group(group, outsider):
    _violates(lambda: f.FacilitationFactory(group=group, therapist=outsider, role="lead"))


def test_it_refuses_a_group_without_capacity(site):
    _violates(lambda: f.GroupFactory(site=site, capacity=0))


def test_it_refuses_email_reminders_without_an_address(site):
    _violates(lambda: f.ParticipantFactory(site=site, email="", reminder_channel="email"))


def test_it_refuses_sms_reminders_without_a_phone(site):
    _violates(lambda: f.ParticipantFactory(site=site, phone="", reminder_channel="sms"))


def test_it_refuses_half_quiet_hours(site):
    _violates(lambda: f.ParticipantFactory(site=site, quiet_hours_start=time(21, 0)))


def test_it_refuses_two_plan_items_in_one_position(past_session):
    # The constraint is deferred: it is checked when the transaction commits.
    with pytest.raises(IntegrityError), transaction.atomic():
        f.PlanItemFactory(session=past_session, position=1)
        with transaction.get_connection().cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


@pytest.mark.parametrize(
    ("start", "end", "now", "quiet"),
    [
        (time(21, 0), time(8, 0), time(23, 30), True),
        (time(21, 0), time(8, 0), time(7, 59), True),
        (time(21, 0), time(8, 0), time(8, 0), False),
        (time(21, 0), time(8, 0), time(12, 0), False),
        (time(13, 0), time(15, 0), time(14, 0), True),
        (time(13, 0), time(15, 0), time(15, 0), False),
        (None, None, time(3, 0), False),
    ],
)
def test_it_knows_quiet_hours_across_midnight(start, end, now, quiet):
    p = Participant(quiet_hours_start=start, quiet_hours_end=end)
    assert p.in_quiet_hours(now) is quiet


def test_it_knows_who_is_enrolled_on_a_date(group, participant):
    e = participant.enrollments.get()
    e.end_date, e.status = date(2026, 2, 1), "completed"
    e.save()
    assert Enrollment.objects.active_on(date(2026, 2, 1)).filter(pk=e.pk).exists()
    assert not Enrollment.objects.active_on(date(2026, 2, 2)).filter(pk=e.pk).exists()
    assert not Enrollment.objects.active_on(date(2025, 12, 31)).filter(pk=e.pk).exists()


def test_it_shows_sessions_in_the_sites_wall_clock_time_across_dst(group):
    from datetime import UTC, datetime

    # 10:00 in New York is 15:00 UTC in winter and 14:00 UTC in summer.
    winter = f.SessionFactory(
        group=group,
        starts_at=datetime(2026, 3, 3, 15, tzinfo=UTC),
        ends_at=datetime(2026, 3, 3, 16, tzinfo=UTC),
    )
    summer = f.SessionFactory(
        group=group,
        starts_at=datetime(2026, 3, 10, 14, tzinfo=UTC),
        ends_at=datetime(2026, 3, 10, 15, tzinfo=UTC),
    )
    assert winter.local_starts_at.time() == summer.local_starts_at.time() == time(10, 0)
