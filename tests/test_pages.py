"""Group, session and participant pages: what staff see, in bounded queries."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests import factories as f


def test_it_shows_the_group_with_schedule_facilitators_and_roster(
    client, therapist, co_therapist, group, participant, past_session
):
    client.force_login(therapist)
    body = client.get(reverse("group_detail", args=[group.pk])).content.decode()
    assert group.name in body
    assert "Tuesdays at 10:00" in body
    assert co_therapist.last_name in body
    assert participant.short_name in body
    assert "1 attended" in body  # the past session's attendance count


def test_it_leaves_discharged_participants_off_todays_roster(client, therapist, group):
    gone = f.ParticipantFactory(site=group.site, first_name="Zebulon", preferred_name="")
    f.EnrollmentFactory(
        group=group,
        participant=gone,
        start_date=group.first_date,
        end_date=group.first_date + timedelta(days=7),
        status="discharged",
    )
    client.force_login(therapist)
    body = client.get(reverse("group_detail", args=[group.pk])).content.decode()
    assert "Zebulon" not in body


def test_it_shows_attendance_of_someone_no_longer_on_the_sessions_roster(
    client, therapist, group, past_session
):
    gone = f.ParticipantFactory(site=group.site, first_name="Zebulon", preferred_name="")
    f.AttendanceFactory(session=past_session, participant=gone, recorded_by=therapist)
    client.force_login(therapist)
    body = client.get(reverse("session_detail", args=[past_session.pk])).content.decode()
    shown = f'{gone.short_name} <span class="small text-body-secondary">(not on the roster)'
    assert shown in body


def test_it_shows_the_session_plan_and_attendance(client, therapist, past_session, participant):
    client.force_login(therapist)
    body = client.get(reverse("session_detail", args=[past_session.pk])).content.decode()
    item = past_session.plan_items.get()
    assert item.song.title in body
    assert "10 of 60 minutes" in body
    assert participant.short_name in body
    assert "Present" in body


def test_it_marks_enrolled_participants_without_attendance(client, therapist, session, participant):
    client.force_login(therapist)
    body = client.get(reverse("session_detail", args=[session.pk])).content.decode()
    assert participant.short_name in body
    assert "not recorded" in body


def test_it_shows_the_cancel_reason(client, therapist, group):
    start = timezone.now() + timedelta(days=1)
    s = f.SessionFactory(
        group=group,
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        status="cancelled",
        cancel_reason="Snow day",
    )
    client.force_login(therapist)
    assert "Snow day" in client.get(reverse("session_detail", args=[s.pk])).content.decode()


def test_it_shows_a_participant_only_in_the_groups_the_viewer_may_see(
    client, therapist, outsider, participant, past_session, other_group
):
    # The same person also attends a group this therapist has nothing to do with.
    f.EnrollmentFactory(group=other_group, participant=participant)
    client.force_login(therapist)
    body = client.get(reverse("participant_detail", args=[participant.pk])).content.decode()
    assert past_session.group.name in body
    assert other_group.name not in body


@pytest.mark.parametrize("size", [1, 30])
def test_it_renders_the_group_page_in_bounded_queries(
    client, therapist, group, django_assert_max_num_queries, size
):
    now = timezone.now()
    for i in range(size):
        p = f.EnrollmentFactory(group=group).participant
        start = now - timedelta(days=7 * (i + 1))
        s = f.SessionFactory(
            group=group, starts_at=start, ends_at=start + timedelta(hours=1), status="held"
        )
        f.AttendanceFactory(session=s, participant=p)
        f.SessionFactory(
            group=group,
            starts_at=now + timedelta(days=7 * (i + 1)),
            ends_at=now + timedelta(days=7 * (i + 1), hours=1),
        )
    client.force_login(therapist)
    # 8, and 1: whether the viewer sets the group's questionnaires.
    with django_assert_max_num_queries(9):
        assert client.get(reverse("group_detail", args=[group.pk])).status_code == 200


@pytest.mark.parametrize("size", [1, 30])
def test_it_renders_the_session_page_in_bounded_queries(
    client, therapist, group, past_session, django_assert_max_num_queries, size
):
    for i in range(size):
        p = f.EnrollmentFactory(group=group).participant
        f.AttendanceFactory(session=past_session, participant=p, recorded_by=therapist)
        f.PlanItemFactory(session=past_session, position=i + 2)
    client.force_login(therapist)
    # Login (2), the session with its note (1), plan, attendance, the roster with its
    # RSVPs, reflections, the history of moves and cancellations, reminders (6), and the
    # audit entry for the view (1), the check-in's change before and after (1; that the
    # viewer runs the group is known from the session's own query), the safety alerts
    # raised at this session (1), and the plan's goal areas (1).
    with django_assert_max_num_queries(13):
        assert client.get(reverse("session_detail", args=[past_session.pk])).status_code == 200


@pytest.mark.parametrize("size", [1, 30])
def test_it_renders_the_participant_page_in_bounded_queries(
    client, therapist, group, participant, django_assert_max_num_queries, size
):
    now = timezone.now()
    for i in range(size):
        start = now - timedelta(days=7 * (i + 1))
        s = f.SessionFactory(group=group, starts_at=start, ends_at=start + timedelta(hours=1))
        f.AttendanceFactory(session=s, participant=participant)
    client.force_login(therapist)
    # 6, plus 1 for how many reflections and when (participants' pages), plus 1 for
    # the participant's latest reminders, plus 1 for emergency access to the record.
    with django_assert_max_num_queries(9):
        assert client.get(reverse("participant_detail", args=[participant.pk])).status_code == 200


def test_it_titles_an_evening_session_with_its_local_date(client, therapist, group):
    from datetime import UTC, datetime

    # 19:30 in New York on 3 March is already 4 March in UTC.
    start = datetime(2026, 3, 4, 0, 30, tzinfo=UTC)
    s = f.SessionFactory(group=group, starts_at=start, ends_at=start + timedelta(hours=1))
    client.force_login(therapist)
    body = client.get(reverse("session_detail", args=[s.pk])).content.decode()
    assert "<title>Session · Tue 3 Mar · Tuesday Songwriting · Refrain</title>" in body
