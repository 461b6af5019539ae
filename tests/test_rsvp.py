"""RSVPs: a participant says they are coming (or not), from their page or a reminder's
link; the group's therapists see it on the roll call and the session page."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from sessions_app import links
from sessions_app.models import Rsvp
from sessions_app.services.errors import ServiceError
from sessions_app.services.rsvp import rsvp_record
from tests import factories as f
from tests.page_parts import part


def _answer(client, session, answer):
    return client.post(
        reverse("participant_rsvp", args=[session.pk]), {"answer": answer}, follow=True
    )


def _weekly(group, count):
    first = timezone.now() + timedelta(days=1)
    return [
        f.SessionFactory(
            group=group,
            starts_at=first + timedelta(weeks=i),
            ends_at=first + timedelta(weeks=i, hours=1),
        )
        for i in range(count)
    ]


def test_it_records_a_confirmation_from_the_participants_page(client, participant, session):
    client.force_login(participant.user)
    response = _answer(client, session, "confirmed")
    assert response.redirect_chain[-1][0].startswith(reverse("participant_home"))
    assert Rsvp.objects.get(session=session, participant=participant).answer == "confirmed"
    body = response.content.decode()
    assert "your group leader knows you are coming" in body
    assert "You’re coming" in body


def test_it_comes_back_to_the_answered_session(client, participant, group):
    sessions = _weekly(group, 2)
    client.force_login(participant.user)
    response = client.post(
        reverse("participant_rsvp", args=[sessions[1].pk]), {"answer": "declined"}
    )
    assert response["Location"] == reverse("participant_home") + f"#session-{sessions[1].pk}"


def test_it_shows_the_confirmation_inside_the_answered_session(client, participant, group):
    sessions = _weekly(group, 2)
    client.force_login(participant.user)
    body = _answer(client, sessions[1], "declined").content.decode()
    assert "We hope to see you next time" in part(body, f"session-{sessions[1].pk}").text


def test_it_shows_the_confirmation_in_no_other_session(client, participant, group):
    sessions = _weekly(group, 2)
    client.force_login(participant.user)
    body = _answer(client, sessions[1], "declined").content.decode()
    assert "We hope to see you next time" not in part(body, f"session-{sessions[0].pk}").text


def test_it_shows_the_confirmation_only_once(client, participant, session):
    client.force_login(participant.user)
    _answer(client, session, "confirmed")
    body = client.get(reverse("participant_home")).content.decode()
    assert "your group leader knows you are coming" not in body


def test_it_answers_the_fourth_listed_session(client, participant, group):
    fourth = _weekly(group, 5)[3]
    client.force_login(participant.user)
    before = client.get(reverse("participant_home")).content.decode()
    assert reverse("participant_rsvp", args=[fourth.pk]) in before
    _answer(client, fourth, "confirmed")
    assert Rsvp.objects.get(session=fourth, participant=participant).answer == "confirmed"


def test_it_opens_the_later_sessions_fold_at_the_answered_session(client, participant, group):
    fourth = _weekly(group, 5)[3]
    client.force_login(participant.user)
    assert part(
        client.get(reverse("participant_home")).content.decode(), f"session-{fourth.pk}"
    ).folds == [False]
    card = part(_answer(client, fourth, "confirmed").content.decode(), f"session-{fourth.pk}")
    assert card.folds == [True]
    assert "your group leader knows you are coming" in card.text


def test_it_shows_a_refusal_inside_the_session_it_is_about(client, participant, session):
    client.force_login(participant.user)
    body = _answer(client, session, "maybe").content.decode()
    assert "Choose “I’ll be there” or “I can’t come”." in part(body, f"session-{session.pk}").text


def test_it_shows_a_refusal_for_a_session_not_listed_at_the_top(client, participant, past_session):
    client.force_login(participant.user)
    body = _answer(client, past_session, "confirmed").content.decode()
    assert body.index("too late to answer") < body.index("Your next sessions")


def test_it_keeps_only_the_latest_answer(client, participant, session):
    client.force_login(participant.user)
    _answer(client, session, "confirmed")
    _answer(client, session, "declined")
    assert Rsvp.objects.get(participant=participant).answer == "declined"
    assert Rsvp.objects.count() == 1


def test_it_refuses_a_session_that_has_taken_place(client, participant, past_session):
    client.force_login(participant.user)
    body = _answer(client, past_session, "confirmed").content.decode()
    assert "too late to answer" in body
    assert not Rsvp.objects.exists()


def test_it_refuses_a_cancelled_session(client, participant, session):
    session.status, session.cancel_reason = "cancelled", "Snow day"
    session.save()
    client.force_login(participant.user)
    body = _answer(client, session, "confirmed").content.decode()
    assert "was cancelled" in body
    assert not Rsvp.objects.exists()


def test_it_refuses_a_session_before_they_joined(participant, group, session):
    participant.enrollments.update(start_date=session.local_date + timedelta(days=1))
    with pytest.raises(ServiceError, match="not one of yours"):
        rsvp_record(participant=participant, session=session, answer="confirmed")
    assert not Rsvp.objects.exists()


def test_it_refuses_an_answer_that_is_neither(client, participant, session):
    client.force_login(participant.user)
    body = _answer(client, session, "maybe").content.decode()
    assert "Choose" in body
    assert not Rsvp.objects.exists()


def test_it_answers_404_for_a_session_of_another_group(client, participant, other_session):
    client.force_login(participant.user)
    response = client.post(
        reverse("participant_rsvp", args=[other_session.pk]), {"answer": "confirmed"}
    )
    assert response.status_code == 404
    assert not Rsvp.objects.exists()


def test_it_lists_no_session_of_another_group(client, participant, session, other_session):
    client.force_login(participant.user)
    body = client.get(reverse("participant_home")).content.decode()
    assert reverse("participant_rsvp", args=[other_session.pk]) not in body


def test_it_refuses_a_signed_link_for_a_session_of_another_group(
    client, participant, other_session
):
    # A validly signed link naming someone else's session answers for nothing.
    token = links.link_token(participant=participant, action="confirm", session_id=other_session.pk)
    response = client.post(reverse("participant_link", args=[token]))
    assert response.status_code == 400
    assert "not one of yours" in response.content.decode()
    assert not Rsvp.objects.exists()


def test_it_confirms_from_a_reminder_link_only_when_the_button_is_pressed(
    client, participant, session
):
    url = reverse(
        "participant_link",
        args=[links.link_token(participant=participant, action="confirm", session_id=session.pk)],
    )
    # Mail scanners and link previews open links: a GET must not answer for anyone.
    page = client.get(url)
    assert page.status_code == 200
    assert "Yes, I’ll be there" in page.content.decode()
    assert not Rsvp.objects.exists()

    response = client.post(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("participant_home") + f"#session-{session.pk}"
    assert Rsvp.objects.get(session=session, participant=participant).answer == "confirmed"


def test_it_shows_a_links_confirmation_inside_its_session(client, participant, session):
    token = links.link_token(participant=participant, action="confirm", session_id=session.pk)
    body = client.post(reverse("participant_link", args=[token]), follow=True).content.decode()
    assert "your group leader knows you are coming" in part(body, f"session-{session.pk}").text


def test_it_declines_from_a_reminder_link(client, participant, session):
    token = links.link_token(participant=participant, action="decline", session_id=session.pk)
    url = reverse("participant_link", args=[token])
    assert "I can’t come" in client.get(url).content.decode()
    client.post(url)
    assert Rsvp.objects.get(participant=participant).answer == "declined"


def test_it_records_nothing_from_a_link_for_a_past_session(client, participant, past_session):
    token = links.link_token(participant=participant, action="confirm", session_id=past_session.pk)
    response = client.post(reverse("participant_link", args=[token]))
    assert response.status_code == 400
    assert "too late to answer" in response.content.decode()
    assert not Rsvp.objects.exists()


def test_it_shows_answers_on_the_session_page_and_roll_call(client, therapist, group, participant):
    start = timezone.now() - timedelta(minutes=10)
    session = f.SessionFactory(group=group, starts_at=start, ends_at=start + timedelta(hours=1))
    declined = f.EnrollmentFactory(group=group).participant
    Rsvp.objects.create(session=session, participant=participant, answer="confirmed")
    Rsvp.objects.create(session=session, participant=declined, answer="declined")
    client.force_login(therapist)
    detail = client.get(reverse("session_detail", args=[session.pk])).content.decode()
    assert "✓ coming" in detail
    assert "✗ can’t come" in detail
    roll = client.get(reverse("roll_call", args=[session.pk])).content.decode()
    assert "Said they’re coming" in roll
    assert "Said they can’t come" in roll


def test_it_shows_no_answer_where_there_is_none(client, therapist, session, participant):
    client.force_login(therapist)
    detail = client.get(reverse("session_detail", args=[session.pk])).content.decode()
    assert "rsvp-answer" not in detail
