"""The therapist's home is their day: today's sessions one tap from roll call and note,
and a to-do list, each item one tap from the page that resolves it."""

import html
from datetime import UTC, datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from sessions_app.models import SessionNote
from sessions_app.selectors.day import TODO_LOOKBACK_DAYS, therapist_day, therapist_todo
from sessions_app.services import notes as note_services
from sessions_app.services.notes import NoteDraft
from tests import factories as f

# Wednesday 4 March 2026, 15:00 in New York (EST): `group` meets at the Harbor Street site.
NOW = datetime(2026, 3, 4, 20, 0, tzinfo=UTC)
SOAP = {"subjective": "s", "objective": "o", "assessment": "a", "plan": "p"}


def _session(group, starts_at, **kwargs):
    return f.SessionFactory(
        group=group, starts_at=starts_at, ends_at=starts_at + timedelta(hours=1), **kwargs
    )


def _held(group, participant, therapist, starts_at):
    s = _session(group, starts_at, status="held")
    f.AttendanceFactory(session=s, participant=participant, recorded_by=therapist)
    return s


def _draft(session, author):
    return note_services.note_save_draft(
        session=session,
        author=author,
        draft=NoteDraft(
            format="soap",
            sections=SOAP,
            actual_start=time(10, 0),
            actual_end=time(11, 0),
            participant_notes={},
        ),
    )


def _page(client, user) -> str:
    client.force_login(user)
    return html.unescape(client.get(reverse("home")).content.decode())


# --- Today ---------------------------------------------------------------------------------


def test_it_puts_a_session_that_ended_earlier_today_under_today(therapist, group):
    ended = _session(group, NOW - timedelta(hours=3))
    assert therapist_day(user=therapist, now=NOW).today == [ended]


def test_it_leaves_yesterdays_session_out_of_today(therapist, group):
    _session(group, NOW - timedelta(days=1))
    assert therapist_day(user=therapist, now=NOW).today == []


def test_it_puts_tomorrows_session_under_its_day(therapist, group):
    tomorrow = _session(group, NOW + timedelta(days=1))
    day = therapist_day(user=therapist, now=NOW).later
    assert [(d.label, d.sessions) for d in day] == [("Thursday 5 March", [tomorrow])]


def test_it_offers_todays_roll_call_from_the_home(client, therapist, group):
    today = _session(group, timezone.now())
    assert reverse("roll_call", args=[today.pk]) in _page(client, therapist)


def test_it_offers_todays_note_from_the_home(client, therapist, group):
    today = _session(group, timezone.now())
    assert reverse("note_edit", args=[today.pk]) in _page(client, therapist)


def test_it_says_when_there_is_no_session_today(client, therapist, group):
    assert "No sessions today." in _page(client, therapist)


# --- To do ---------------------------------------------------------------------------------


def test_it_lists_a_past_session_without_roll_call(therapist, group):
    missed = _session(group, NOW - timedelta(days=2))
    assert therapist_todo(user=therapist, now=NOW).roll_calls.items == [missed]


def test_it_leaves_a_cancelled_session_off_the_roll_calls(therapist, group):
    _session(group, NOW - timedelta(days=2), status="cancelled", cancel_reason="Snow")
    assert therapist_todo(user=therapist, now=NOW).roll_calls.items == []


def test_it_lists_a_draft_note_of_a_recent_session(therapist, group, participant):
    recent = _held(group, participant, therapist, NOW - timedelta(hours=3))
    _draft(recent, therapist)
    assert therapist_todo(user=therapist, now=NOW).drafts.items == [recent]


def test_it_lists_a_note_unsigned_more_than_a_day_after_the_session(therapist, group, participant):
    old = _held(group, participant, therapist, NOW - timedelta(days=3))
    assert therapist_todo(user=therapist, now=NOW).overdue.items == [old]


def test_it_leaves_a_signed_note_off_the_list(therapist, group, participant):
    old = _held(group, participant, therapist, NOW - timedelta(days=3))
    _draft(old, therapist)
    SessionNote.objects.filter(session=old).update(
        status="signed", signed_by=therapist, signed_at=NOW
    )
    assert therapist_todo(user=therapist, now=NOW).empty


def test_it_lists_a_session_in_the_next_two_days_without_a_plan(therapist, group):
    soon = _session(group, NOW + timedelta(days=1))
    assert therapist_todo(user=therapist, now=NOW).unplanned.items == [soon]


def test_it_leaves_a_planned_session_off_the_list(therapist, group):
    soon = _session(group, NOW + timedelta(days=1))
    f.PlanItemFactory(session=soon, position=1)
    assert therapist_todo(user=therapist, now=NOW).empty


def test_it_leaves_another_therapists_sessions_off_the_list(outsider, group):
    _session(group, NOW - timedelta(days=2))
    assert therapist_todo(user=outsider, now=NOW).empty


def test_it_lists_a_note_sent_back_to_the_intern(therapist, group, participant):
    supervisor = f.TherapistFactory(username="supervisor")
    therapist.supervisor = supervisor
    therapist.save()
    s = _held(group, participant, therapist, NOW - timedelta(days=3))
    _draft(s, therapist)
    note = note_services.note_sign(session=s, by=therapist, now=NOW)
    note_services.note_send_back(note=note, by=supervisor, comment="Say more.")
    assert therapist_todo(user=therapist, now=NOW).sent_back.items == [s]


def test_it_lists_a_session_that_ended_today_without_roll_call_under_today_and_to_do(
    therapist, group
):
    ended = _session(group, NOW - timedelta(hours=3))
    day = therapist_day(user=therapist, now=NOW)
    assert (day.today, day.todo.roll_calls.items) == ([ended], [ended])


def test_it_lists_roll_calls_newest_first(therapist, group):
    older = _session(group, NOW - timedelta(days=9))
    newer = _session(group, NOW - timedelta(days=2))
    assert therapist_todo(user=therapist, now=NOW).roll_calls.items == [newer, older]


def test_it_lists_overdue_notes_oldest_first(therapist, group, participant):
    older = _held(group, participant, therapist, NOW - timedelta(days=9))
    newer = _held(group, participant, therapist, NOW - timedelta(days=2))
    assert therapist_todo(user=therapist, now=NOW).overdue.items == [older, newer]


def test_it_shows_the_first_eight_of_a_kind_and_says_there_are_more(therapist, group):
    missed = [_session(group, NOW - timedelta(days=d)) for d in range(2, 12)]
    roll_calls = therapist_todo(user=therapist, now=NOW).roll_calls
    assert (roll_calls.items, roll_calls.more) == (missed[:8], True)


def test_it_leaves_sessions_before_the_look_back_off_the_list(therapist, group):
    _session(group, NOW - timedelta(days=TODO_LOOKBACK_DAYS + 1))
    assert therapist_todo(user=therapist, now=NOW).empty


def test_it_lists_an_overdue_held_session_without_roll_call_under_both(therapist, group):
    # Attendance can be cleared after the session was marked held.
    s = _session(group, NOW - timedelta(days=3), status="held")
    todo = therapist_todo(user=therapist, now=NOW)
    assert (todo.roll_calls.items, todo.overdue.items) == ([s], [s])


def test_it_links_each_item_to_the_page_that_resolves_it(client, therapist, group):
    past = timezone.now() - timedelta(days=2)
    missed = _session(group, past)
    assert reverse("roll_call", args=[missed.pk]) in _page(client, therapist)


def test_it_links_an_unplanned_session_to_its_plan(client, therapist, group):
    soon = _session(group, timezone.now() + timedelta(days=1))
    assert reverse("session_plan", args=[soon.pk]) in _page(client, therapist)


def test_it_says_when_everything_is_done(client, therapist, group):
    assert "Nothing to do" in _page(client, therapist)


@pytest.mark.parametrize("size", [1, 25])
def test_it_counts_the_day_in_bounded_queries(
    client, therapist, site, participant, django_assert_max_num_queries, size
):
    now = timezone.now()
    for i in range(size):
        intern = f.TherapistFactory(username=f"intern{i}", supervisor=therapist)
        g = f.GroupFactory(site=site, lead=therapist)
        f.FacilitationFactory(group=g, therapist=intern)
        f.EnrollmentFactory(group=g, participant=participant)
        _session(g, now)  # today
        _session(g, now + timedelta(days=1))  # no plan
        _session(g, now - timedelta(days=2))  # no roll call
        _held(g, participant, therapist, now - timedelta(days=3))  # overdue
        _draft(_held(g, participant, therapist, now - timedelta(hours=2)), therapist)
        review = _held(g, participant, intern, now - timedelta(days=4))
        _draft(review, intern)
        note_services.note_sign(session=review, by=intern)  # to co-sign
    client.force_login(therapist)
    # 2 for the login session and the user, 1 for the day's sessions with those still to
    # do, 1 for the notes to co-sign, 1 for the groups, 1 for emergency access, 1 for the
    # safety alerts that need follow-up today, 1 for plan reviews and reports due.
    with django_assert_max_num_queries(8):
        response = client.get(reverse("home"))
    assert len(response.context["todo"].to_cosign.items) == min(size, 8)
