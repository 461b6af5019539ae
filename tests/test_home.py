"""Each role's home page: what it shows, and that it stays cheap as data grows."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests import factories as f


def _future_sessions(group, count, start_in=timedelta(hours=3)):
    first = timezone.now() + start_in
    return [
        f.SessionFactory(
            group=group,
            starts_at=first + timedelta(days=i),
            ends_at=first + timedelta(days=i, hours=1),
        )
        for i in range(count)
    ]


def test_it_sends_anonymous_users_to_log_in(client, db):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_it_shows_a_therapist_their_upcoming_sessions(client, therapist, group, other_group):
    mine = _future_sessions(group, 2)
    _future_sessions(other_group, 1)
    client.force_login(therapist)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Your sessions" in body
    for session in mine:
        assert reverse("session_detail", args=[session.pk]) in body
    assert other_group.name not in body


def test_it_labels_today_in_the_sites_time_zone(client, therapist, group):
    # A session 1 hour from now is "today" at the site unless that crosses local midnight.
    now_local = timezone.now().astimezone(group.site.tz)
    if now_local.hour >= 22:
        pytest.skip("too close to local midnight to have a session later today")
    _future_sessions(group, 1, start_in=timedelta(minutes=30))
    client.force_login(therapist)
    assert "Today" in client.get(reverse("home")).content.decode()


def test_it_shows_times_in_the_sites_zone(client, therapist, group):
    (session,) = _future_sessions(group, 1)
    client.force_login(therapist)
    local = session.starts_at.astimezone(group.site.tz)
    assert f"{local:%H:%M}–" in client.get(reverse("home")).content.decode()


def test_it_leaves_out_past_days(client, therapist, group):
    past = timezone.now() - timedelta(days=3)
    old = f.SessionFactory(group=group, starts_at=past, ends_at=past + timedelta(hours=1))
    client.force_login(therapist)
    response = client.get(reverse("home"))
    shown = response.context["today"] + [s for d in response.context["days"] for s in d.sessions]
    assert old not in shown


def test_it_shows_an_administrator_sites_groups_and_this_weeks_sessions(
    client, admin, site, group, other_group
):
    now = timezone.now()
    today_session = f.SessionFactory(group=group, starts_at=now, ends_at=now + timedelta(hours=1))
    client.force_login(admin)
    body = client.get(reverse("home")).content.decode()
    assert site.name in body
    assert group.name in body
    assert reverse("session_detail", args=[today_session.pk]) in body
    assert other_group.name not in body
    assert other_group.site.name not in body


def test_it_shows_a_participant_their_next_sessions_without_the_focus(
    client, participant, group, other_group
):
    mine = _future_sessions(group, 2)
    _future_sessions(other_group, 1)
    client.force_login(participant.user)
    # A participant's home is their own page (participants' pages).
    body = client.get(reverse("home"), follow=True).content.decode()
    assert "Your next sessions" in body
    assert participant.display_name in body
    assert group.site.name in body
    assert mine[0].starts_at.astimezone(group.site.tz).strftime("%H:%M") in body
    assert group.focus not in body
    assert other_group.site.name not in body


def test_it_does_not_show_a_participant_sessions_before_they_joined(client, group):
    user = f.ParticipantUserFactory()
    newcomer = f.ParticipantFactory(site=group.site, user=user)
    soon, later = _future_sessions(group, 2, start_in=timedelta(days=1))
    f.EnrollmentFactory(group=group, participant=newcomer, start_date=later.local_date)
    client.force_login(user)
    body = client.get(reverse("home"), follow=True).content.decode()
    assert soon.local_starts_at.strftime("%a %-d %b %Y") not in body
    assert later.local_starts_at.strftime("%a %-d %b %Y") in body


def test_it_greets_a_participant_login_without_a_record(client, db):
    user = f.ParticipantUserFactory()
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert "No sessions coming up" in response.content.decode()


@pytest.mark.parametrize("size", [1, 25])
def test_it_renders_the_therapist_home_in_bounded_queries(
    client, therapist, site, django_assert_max_num_queries, size
):
    for _ in range(size):
        g = f.GroupFactory(site=site, lead=therapist)
        _future_sessions(g, 2)
        f.EnrollmentFactory(group=g)
    client.force_login(therapist)
    # 2 for the login session and the user, 1 for the day's sessions with those still to
    # do, 1 for the notes to co-sign, 1 for the groups, 1 for emergency access held or to
    # their people, 1 for the safety alerts that need follow-up today, and 1 for plan
    # reviews and progress reports due.
    with django_assert_max_num_queries(8):
        assert client.get(reverse("home")).status_code == 200


def test_it_counts_each_sites_groups_enrollments_and_week_for_an_administrator(
    client, admin, site, group
):
    f.EnrollmentFactory(group=group)
    f.EnrollmentFactory(group=group)
    now = timezone.now()
    f.SessionFactory(group=group, starts_at=now, ends_at=now + timedelta(hours=1))
    client.force_login(admin)
    response = client.get(reverse("home"))
    row = next(r for r in response.context["sites"] if r.site == site)
    assert (row.groups, row.enrolled, row.scheduled) == (1, 2, 1)
    assert f"{reverse('group_list')}?site={site.pk}" in response.content.decode()


def test_it_lists_only_the_first_of_a_busy_days_sessions(client, admin, site, group):
    from sessions_app.views.home import ADMIN_TODAY_SHOWN

    start = timezone.now().replace(minute=0, second=0, microsecond=0)
    for i in range(ADMIN_TODAY_SHOWN + 1):
        at = start + timedelta(seconds=i)
        f.SessionFactory(group=group, starts_at=at, ends_at=at + timedelta(hours=1))
    client.force_login(admin)
    response = client.get(reverse("home"))
    assert len(response.context["today_sessions"]) == ADMIN_TODAY_SHOWN
    assert "The first 40 of today’s sessions" in response.content.decode()


@pytest.mark.parametrize("size", [1, 25])
def test_it_renders_the_admin_home_in_bounded_queries(
    client, admin, site, django_assert_max_num_queries, size
):
    for _ in range(size):
        g = f.GroupFactory(site=site, lead=f.TherapistFactory())
        f.FacilitationFactory(group=g)
        _future_sessions(g, 1, start_in=timedelta(0))
    client.force_login(admin)
    # 7, and 2 to count what waits in the access review.
    # 9, and 1 for the escalated safety alerts.
    with django_assert_max_num_queries(10):
        assert client.get(reverse("home")).status_code == 200


@pytest.mark.parametrize("size", [1, 25])
def test_it_renders_the_participant_home_in_bounded_queries(
    client, participant, group, django_assert_max_num_queries, size
):
    for _ in range(size):
        g = f.GroupFactory(site=group.site)
        f.EnrollmentFactory(group=g, participant=participant)
        _future_sessions(g, 2)
    client.force_login(participant.user)
    # Login (2), their record (1), enrollments, sessions with their answers (RSVPs),
    # sessions to reflect on, their reflections and their lullaby project (5), the trend
    # of their own answers (1), and "Questions for you": the sessions at hand, their
    # enrolments, open requests (3), and their goals in plain words (1).
    with django_assert_max_num_queries(8 + 1 + 3 + 1):
        assert client.get(reverse("participant_home")).status_code == 200


def test_it_offers_staff_the_groups_page_from_every_page(client, therapist, participant):
    client.force_login(therapist)
    assert f'href="{reverse("group_list")}"' in client.get(reverse("home")).content.decode()
    client.force_login(participant.user)
    body = client.get(reverse("home"), follow=True).content.decode()
    assert f'href="{reverse("group_list")}"' not in body
