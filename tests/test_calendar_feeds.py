"""Calendar subscription feeds: a secret URL per therapist and per participant."""

from datetime import UTC, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from sessions_app.calendar_feeds import PARTICIPANT_SUMMARY
from sessions_app.models import SessionChange
from sessions_app.services import schedule
from sessions_app.services.calendar_feeds import participant_calendar_reset, user_calendar_reset
from tests import factories as f


def _sessions(group, count, *, start_in=timedelta(days=1)):
    first = timezone.now() + start_in
    return [
        f.SessionFactory(
            group=group,
            starts_at=first + timedelta(weeks=i),
            ends_at=first + timedelta(weeks=i, hours=1),
        )
        for i in range(count)
    ]


def _moved(session):
    """A change in the session's history, as a move leaves (SEQUENCE counts them)."""
    SessionChange.objects.create(
        session=session,
        kind=SessionChange.Kind.MOVED,
        old_starts_at=session.starts_at,
        old_ends_at=session.ends_at,
        new_starts_at=session.starts_at,
        new_ends_at=session.ends_at,
    )


def _therapist_url(user):
    return reverse("calendar_feed_therapist", args=[user.calendar_token])


def _participant_url(participant):
    return reverse("calendar_feed_participant", args=[participant.calendar_token])


def _feed(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response, Calendar.from_ical(response.content)


def _events(calendar):
    return {str(e["UID"]): e for e in calendar.walk("VEVENT")}


def response_text(client, url):
    return client.get(url).content.decode()


def _uid(session):
    return f"session-{session.pk}@testserver"


@pytest.fixture
def therapist_feed(therapist):
    user_calendar_reset(user=therapist)
    return _therapist_url(therapist)


@pytest.fixture
def participant_feed(participant):
    participant_calendar_reset(participant=participant)
    return _participant_url(participant)


# --- What is in them -------------------------------------------------------------------------


def test_it_lists_every_session_of_the_groups_a_therapist_facilitates(
    client, therapist, co_therapist, group, other_group, therapist_feed
):
    mine = _sessions(group, 3)
    _sessions(other_group, 2)
    response, calendar = _feed(client, therapist_feed)
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert set(_events(calendar)) == {_uid(s) for s in mine}
    event = _events(calendar)[_uid(mine[0])]
    assert str(event["SUMMARY"]) == group.name
    assert str(event["STATUS"]) == "CONFIRMED"
    # The co-facilitator's feed has the same sessions.
    user_calendar_reset(user=co_therapist)
    _, co_calendar = _feed(client, _therapist_url(co_therapist))
    assert set(_events(co_calendar)) == {_uid(s) for s in mine}


def test_it_lists_a_participants_sessions_only_while_enrolled(
    client, participant, group, other_group, participant_feed
):
    before, during, after = _sessions(group, 3)
    enrollment = participant.enrollments.get()
    enrollment.start_date = during.local_date
    enrollment.end_date = during.local_date
    enrollment.status = "completed"
    enrollment.save()
    _sessions(other_group, 1)
    _, calendar = _feed(client, participant_feed)
    assert set(_events(calendar)) == {_uid(during)}


def test_it_never_names_the_group_or_its_focus_to_a_participant(
    client, participant, group, site, participant_feed
):
    (session,) = _sessions(group, 1)
    response, calendar = _feed(client, participant_feed)
    body = response.content.decode()
    assert group.name not in body
    assert group.focus not in body
    event = _events(calendar)[_uid(session)]
    assert str(event["SUMMARY"]) == PARTICIPANT_SUMMARY == "Group session"
    location = str(event["LOCATION"])
    assert site.name in location and site.address in location and "Music room" in location
    assert "DESCRIPTION" not in event  # no link, nothing else


def test_it_gives_times_in_utc_with_a_stamp(client, group, therapist_feed):
    (session,) = _sessions(group, 1)
    _, calendar = _feed(client, therapist_feed)
    event = _events(calendar)[_uid(session)]
    assert event.decoded("DTSTART") == session.starts_at.replace(microsecond=0)
    assert event.decoded("DTSTART").tzinfo is not None
    assert event.decoded("DTSTART").utcoffset() == timedelta(0)
    assert event.decoded("DTEND") - event.decoded("DTSTART") == timedelta(hours=1)
    assert event.decoded("DTSTAMP").utcoffset() == timedelta(0)
    assert f"DTSTART:{session.starts_at.astimezone(UTC):%Y%m%dT%H%M%SZ}" in response_text(
        client, therapist_feed
    )
    assert str(calendar["VERSION"]) == "2.0"
    assert calendar["PRODID"]


def test_it_keeps_the_uid_and_raises_the_sequence_when_a_session_moves(
    client, therapist, group, therapist_feed
):
    (session,) = _sessions(group, 1, start_in=timedelta(days=3))
    _, calendar = _feed(client, therapist_feed)
    assert int(_events(calendar)[_uid(session)]["SEQUENCE"]) == 0

    moved_to = session.local_starts_at + timedelta(days=1, hours=2)
    schedule.session_move(
        session=session,
        day=moved_to.date(),
        start_time=moved_to.time(),
        room="Studio B",
        reason="Room double-booked",
        user=therapist,
    )
    session.refresh_from_db()
    _, calendar = _feed(client, therapist_feed)
    event = _events(calendar)[_uid(session)]
    assert int(event["SEQUENCE"]) == 1
    assert event.decoded("DTSTART") == session.starts_at.replace(microsecond=0)
    assert "Studio B" in str(event["LOCATION"])
    assert len(_events(calendar)) == 1


def test_it_sends_a_cancelled_session_as_cancelled(
    client, therapist, participant, group, participant_feed
):
    (session,) = _sessions(group, 1)
    schedule.session_cancel(session=session, reason="Holiday", user=therapist)
    _, calendar = _feed(client, participant_feed)
    event = _events(calendar)[_uid(session)]
    assert str(event["STATUS"]) == "CANCELLED"
    assert int(event["SEQUENCE"]) == 1
    assert "Holiday" not in str(event.get("DESCRIPTION", ""))


# --- Tokens ------------------------------------------------------------------------------------


def test_it_answers_404_to_an_unknown_token(client, db):
    for name in ("calendar_feed_therapist", "calendar_feed_participant"):
        assert client.get(reverse(name, args=["not-a-token"])).status_code == 404


@pytest.mark.parametrize("kind", ["t", "p"])
@pytest.mark.parametrize("token", ["%00", "abc%00def", "%C3%A9t%C3%A9", "a.b", "%20"])
def test_it_answers_404_to_a_token_no_feed_could_have(client, db, kind, token):
    response = client.get(f"/calendar/{kind}/{token}.ics")
    assert response.status_code == 404


def test_it_needs_no_login_and_sets_no_cookie(client, group, therapist_feed):
    _sessions(group, 1)
    response = client.get(therapist_feed)
    assert response.status_code == 200
    assert not response.cookies
    assert "no-store" in response["Cache-Control"]


def test_it_serves_a_staff_feed_only_to_a_therapist(client, admin):
    user_calendar_reset(user=admin)
    assert client.get(_therapist_url(admin)).status_code == 404


def test_it_lets_a_therapist_reset_their_feed(client, therapist, group, therapist_feed):
    client.force_login(therapist)
    page = client.get(reverse("therapist_calendar")).content.decode()
    assert therapist_feed in page
    client.post(reverse("therapist_calendar"))
    therapist.refresh_from_db()
    assert client.get(therapist_feed).status_code == 404
    assert client.get(_therapist_url(therapist)).status_code == 200


def test_it_makes_a_therapists_first_link_on_request(client, therapist):
    client.force_login(therapist)
    assert "Get my calendar link" in client.get(reverse("therapist_calendar")).content.decode()
    client.post(reverse("therapist_calendar"))
    therapist.refresh_from_db()
    assert therapist.calendar_token


def test_it_keeps_the_calendar_page_to_therapists(client, admin, participant):
    for user in (admin, participant.user):
        client.force_login(user)
        assert client.get(reverse("therapist_calendar")).status_code == 404


def test_it_lets_a_participant_reset_their_feed(client, participant, participant_feed):
    client.force_login(participant.user)
    page = client.get(reverse("participant_home")).content.decode()
    assert participant_feed in page
    client.post(reverse("participant_calendar"))
    participant.refresh_from_db()
    assert client.get(participant_feed).status_code == 404
    new_url = _participant_url(participant)
    assert client.get(new_url).status_code == 200
    assert new_url in client.get(reverse("participant_home")).content.decode()


def test_it_lets_staff_reset_a_participants_feed(client, therapist, participant, participant_feed):
    client.force_login(therapist)
    response = client.post(reverse("participant_feed_reset", args=[participant.pk]))
    assert response.status_code == 302
    participant.refresh_from_db()
    assert client.get(participant_feed).status_code == 404
    assert client.get(_participant_url(participant)).status_code == 200


def test_it_refuses_a_reset_by_staff_who_may_not_see_the_participant(
    client, outsider, participant, participant_feed
):
    client.force_login(outsider)
    response = client.post(reverse("participant_feed_reset", args=[participant.pk]))
    assert response.status_code == 404
    assert client.get(participant_feed).status_code == 200


# --- Bounded queries -----------------------------------------------------------------------------


def _count_feed_queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("size", [1, 30])
def test_it_builds_the_therapist_feed_in_bounded_queries(
    client, site, therapist, therapist_feed, size
):
    for _ in range(size):
        g = f.GroupFactory(site=site, lead=therapist)
        for s in _sessions(g, 2):
            _moved(s)
    assert _count_feed_queries(client, therapist_feed) <= 2


@pytest.mark.parametrize("size", [1, 30])
def test_it_builds_the_participant_feed_in_bounded_queries(
    client, site, participant, participant_feed, size
):
    for _ in range(size):
        g = f.GroupFactory(site=site)
        f.EnrollmentFactory(group=g, participant=participant)
        _sessions(g, 2)
    assert _count_feed_queries(client, participant_feed) <= 3
