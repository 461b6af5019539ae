"""What staff see of the outbox: each session's and each participant's reminders with
their status and error, the failures across an administrator's sites, and a retry; all
through the one door, with 404 for everyone else."""

from datetime import UTC, datetime, timedelta
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone

from sessions_app.models import Reminder
from tests import factories as f

ERROR = "Mail server answered 550: 5.1.1 No such mailbox"


@pytest.fixture
def failed(participant, session):
    return f.ReminderFactory(
        participant=participant, session=session, slot=1440, status="failed", last_error=ERROR
    )


@pytest.fixture
def elsewhere(other_participant, other_session):
    """A failed reminder at the other site, in the outsider's group."""
    return f.ReminderFactory(
        participant=other_participant,
        session=other_session,
        status="interrupted",
        last_error="The worker stopped while sending this reminder",
    )


def _page(client, user, url) -> str:
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_the_session_page_lists_its_reminders_with_status_and_error(
    client, therapist, failed, participant, session
):
    f.ReminderFactory(participant=participant, session=session, slot=120)
    body = _page(client, therapist, reverse("session_detail", args=[session.pk]))

    section = body[body.index('id="reminders"') :]
    assert "Upcoming session, 24 h before" in section
    assert "Upcoming session, 2 h before" in section
    assert "Failed" in section and "Pending" in section
    assert ERROR in section
    assert participant.short_name in section
    assert reverse("reminder_retry", args=[failed.pk]) in section


def test_the_participant_page_lists_their_reminders_in_sessions_the_user_may_see(
    client, therapist, failed, participant, site, outsider
):
    # The same participant in another therapist's group at the same site.
    other = f.GroupFactory(site=site, name="Evening Drums", lead=outsider)
    f.EnrollmentFactory(group=other, participant=participant)
    start = timezone.now() + timedelta(days=4)
    hidden = f.SessionFactory(group=other, starts_at=start, ends_at=start + timedelta(hours=1))
    f.ReminderFactory(
        participant=participant, session=hidden, status="failed", last_error="Hidden error"
    )

    body = _page(client, therapist, reverse("participant_detail", args=[participant.pk]))

    section = body[body.index('id="reminders"') :]
    assert ERROR in section
    assert "Hidden error" not in section and "Evening Drums" not in section


def test_the_participant_page_says_when_they_stopped_reminders(client, admin, participant):
    participant.reminders_stopped_at = timezone.now()
    participant.save()
    body = _page(client, admin, reverse("participant_detail", args=[participant.pk]))
    assert "nothing more is sent" in body


def test_administrators_see_failures_across_their_sites_only(
    client, admin, failed, elsewhere, participant
):
    f.ReminderFactory(
        participant=participant,
        session=failed.session,
        slot=60,
        status="sent",
        sent_at=timezone.now(),
    )
    body = _page(client, admin, reverse("reminder_failures"))

    assert ERROR in body
    assert "The worker stopped" not in body
    assert "Upcoming session, 1 h before" not in body  # sent: not a failure


def test_the_other_site_administrator_sees_theirs(client, other_admin, failed, elsewhere):
    body = _page(client, other_admin, reverse("reminder_failures"))
    assert "The worker stopped" in body
    assert ERROR not in body


def test_therapists_see_the_failures_of_their_own_groups(
    client, therapist, outsider, failed, elsewhere
):
    assert ERROR in _page(client, therapist, reverse("reminder_failures"))
    body = _page(client, outsider, reverse("reminder_failures"))
    assert ERROR not in body and "The worker stopped" in body


def test_administrators_see_their_therapists_failed_agendas(client, admin, therapist, group):
    Reminder.objects.create(
        kind="agenda",
        channel="email",
        staff_user=therapist,
        slot=20261208,
        due_at=timezone.now(),
        status="failed",
        last_error="Mail server answered 552",
    )
    body = _page(client, admin, reverse("reminder_failures"))
    assert "Daily agenda for Tue 8 Dec 2026" in body
    assert "Mail server answered 552" in body


@pytest.mark.parametrize("username", ["participant", "other_participant"])
def test_participants_get_404_for_the_failures_page(client, cast, username):
    client.force_login(cast[username])
    assert client.get(reverse("reminder_failures")).status_code == 404


def test_anonymous_users_are_sent_to_log_in(client):
    response = client.get(reverse("reminder_failures"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_navigation_links_administrators_to_the_failures(client, admin, therapist):
    url = reverse("reminder_failures")
    assert url in _page(client, admin, reverse("home"))
    assert url not in _page(client, therapist, reverse("home"))


# --- Retry -----------------------------------------------------------------------------------


@pytest.mark.parametrize("username", ["admin", "therapist", "co_therapist"])
def test_staff_who_may_see_it_can_retry_a_failed_reminder(
    client, cast, failed, session, username, django_capture_on_commit_callbacks
):
    client.force_login(cast[username])
    back = reverse("session_detail", args=[session.pk])
    with (
        mock.patch("sessions_app.broker.enqueue") as nudge,
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client.post(reverse("reminder_retry", args=[failed.pk]), {"next": back})

    assert response.status_code == 302
    assert response["Location"] == back
    failed.refresh_from_db()
    assert (failed.status, failed.attempts) == ("pending", 0)
    assert failed.due_at <= timezone.now()
    nudge.assert_called_once()


@pytest.mark.parametrize(
    "username", ["other_admin", "outsider", "participant", "other_participant"]
)
def test_everyone_else_gets_404_and_changes_nothing(client, cast, failed, username):
    client.force_login(cast[username])
    response = client.post(reverse("reminder_retry", args=[failed.pk]))
    assert response.status_code == 404
    failed.refresh_from_db()
    assert failed.status == "failed"


def test_a_retry_is_post_only(client, admin, failed):
    client.force_login(admin)
    assert client.get(reverse("reminder_retry", args=[failed.pk])).status_code == 405
    failed.refresh_from_db()
    assert failed.status == "failed"


def test_a_reminder_that_cannot_be_retried_says_why(client, admin, failed):
    Reminder.objects.filter(pk=failed.pk).update(status="sent", sent_at=timezone.now())
    client.force_login(admin)
    response = client.post(reverse("reminder_retry", args=[failed.pk]), follow=True)
    assert "only a failed or interrupted reminder can be retried" in response.content.decode()


def test_a_retry_never_returns_to_another_site(client, admin, failed):
    client.force_login(admin)
    response = client.post(
        reverse("reminder_retry", args=[failed.pk]), {"next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("session_detail", args=[failed.session_id])


@pytest.mark.parametrize("back", ["0", "session_detail", "reminder_failures", "\x00"])
def test_a_retry_with_a_next_that_is_not_a_path_returns_to_the_session(client, admin, failed, back):
    client.force_login(admin)
    response = client.post(reverse("reminder_retry", args=[failed.pk]), {"next": back})
    assert response["Location"] == reverse("session_detail", args=[failed.session_id])


def test_a_retry_with_a_bad_next_is_still_queued(client, admin, failed):
    client.force_login(admin)
    client.post(reverse("reminder_retry", args=[failed.pk]), {"next": "0"})
    failed.refresh_from_db()
    assert failed.status == "pending"


# --- Bounded queries -------------------------------------------------------------------------


def _many(group, session, size) -> None:
    for i in range(size):
        p = f.EnrollmentFactory(group=group).participant
        f.ReminderFactory(
            participant=p, session=session, slot=i, status="failed", last_error=f"error {i}"
        )


@pytest.mark.parametrize("size", [1, 30])
def test_the_failures_page_takes_a_fixed_number_of_queries(
    client, admin, group, session, size, django_assert_max_num_queries
):
    _many(group, session, size)
    client.force_login(admin)
    with django_assert_max_num_queries(6) as captured:
        body = client.get(reverse("reminder_failures")).content.decode()
    assert body.count("error ") >= size
    assert _reminder_queries(captured) == 1


def test_the_failures_page_shows_fifty_newest_first_then_the_older_ones(
    client, admin, group, session
):
    _many(group, session, 55)
    newest_first = list(Reminder.objects.filter(status="failed").order_by("-updated_at", "-pk"))
    client.force_login(admin)
    first = client.get(reverse("reminder_failures")).content.decode()
    second = client.get(reverse("reminder_failures"), {"page": 2}).content.decode()
    assert f">{newest_first[0].last_error}<" in first
    assert f">{newest_first[49].last_error}<" in first
    assert f">{newest_first[50].last_error}<" not in first
    assert f">{newest_first[50].last_error}<" in second
    assert f">{newest_first[54].last_error}<" in second
    assert "Older" in first
    assert "Older" not in second


def _reminder_queries(captured) -> int:
    return sum('FROM "sessions_app_reminder"' in q["sql"] for q in captured.captured_queries)


# The pages' own budgets live in test_pages.py; here: the reminders section reads them in
# one query, whatever their number (30 rows per page would otherwise show at once).


@pytest.mark.parametrize("size", [1, 30])
def test_the_session_section_takes_one_query(
    client, therapist, group, session, size, django_assert_max_num_queries
):
    _many(group, session, size)
    client.force_login(therapist)
    url = reverse("session_detail", args=[session.pk])
    client.get(url)
    with django_assert_max_num_queries(20) as captured:
        body = client.get(url).content.decode()
    assert body.count("error ") == size
    assert _reminder_queries(captured) == 1


@pytest.mark.parametrize("size", [1, 30])
def test_the_participant_section_takes_one_query(
    client, therapist, group, participant, size, django_assert_max_num_queries
):
    now = timezone.now()
    for i in range(size):
        start = now + timedelta(days=i + 1)
        s = f.SessionFactory(group=group, starts_at=start, ends_at=start + timedelta(hours=1))
        f.ReminderFactory(participant=participant, session=s, status="failed", last_error="e")
    client.force_login(therapist)
    with django_assert_max_num_queries(14) as captured:
        body = client.get(reverse("participant_detail", args=[participant.pk])).content.decode()
    assert body.count('class="text-danger reminder-error"') == size
    assert _reminder_queries(captured) == 1


# --- The group form ---------------------------------------------------------------------------


def test_the_group_form_edits_the_reminder_hours(client, therapist, group):
    client.force_login(therapist)
    url = reverse("group_edit", args=[group.pk])
    assert 'value="24, 2"' in client.get(url).content.decode()


@pytest.mark.parametrize("page", ["abc", "0", "-3", "99999999999999999999"])
def test_the_failures_page_answers_any_page_number(client, admin, group, session, page):
    _many(group, session, 3)
    client.force_login(admin)
    response = client.get(reverse("reminder_failures"), {"page": page})
    assert response.status_code == 200


def test_reminder_times_show_on_the_clock_of_the_sessions_site(
    client, therapist, participant, session, settings
):
    settings.TIME_ZONE = "UTC"
    due = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)  # 10:00 in New York
    f.ReminderFactory(
        participant=participant, session=session, slot=120, due_at=due, status="sent", sent_at=due
    )
    body = _page(client, therapist, reverse("session_detail", args=[session.pk]))
    section = body[body.index('id="reminders"') :]
    assert "Tue 1 Dec, 10:00 EST" in section
    assert "sent Tue 1 Dec, 10:00 EST" in section


def test_it_shows_the_same_instant_on_each_sites_clock(
    client, admin_user, participant, session, other_participant, other_session
):
    due = datetime(2026, 12, 8, 15, 0, tzinfo=UTC)
    other_session.group.site.time_zone = "Europe/Berlin"
    other_session.group.site.save()
    for who, where in ((participant, session), (other_participant, other_session)):
        f.ReminderFactory(participant=who, session=where, due_at=due, status="failed")
    body = _page(client, admin_user, reverse("reminder_failures"))
    shown = {text for text in ("Tue 8 Dec, 10:00 EST", "Tue 8 Dec, 16:00 CET") if text in body}
    assert shown == {"Tue 8 Dec, 10:00 EST", "Tue 8 Dec, 16:00 CET"}
