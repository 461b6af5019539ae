"""Answering questionnaires and check-ins: on the participant's own page, by signed link,
at the door on a kiosk; crisis resources at once when an answer needs them."""

import html
import time
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from sessions_app import idle, kiosk, links
from sessions_app.forms.measures import AnswerForm
from sessions_app.instruments import get
from sessions_app.models import MeasureRequest, MeasureResponse, Reflection, SafetyAlert
from sessions_app.services import reflections as reflection_services
from tests import factories as f
from tests.factories import PASSWORD


def _text(response) -> str:
    return html.unescape(response.content.decode())


def _phq9(values):
    return {f"q{n}": v for n, v in enumerate(values, 1)}


def _request(participant, instrument="phq9", **kw):
    return MeasureRequest.objects.create(
        participant=participant,
        instrument=instrument,
        reason=MeasureRequest.Reason.PERIODIC,
        due_on=kw.pop("due_on", timezone.localdate()),
        **kw,
    )


@pytest.fixture
def today_session(group):
    """A session that started ten minutes ago."""
    start = timezone.now() - timedelta(minutes=10)
    return f.SessionFactory(group=group, starts_at=start, ends_at=start + timedelta(hours=1))


@pytest.fixture
def soon_session(group):
    """A session starting in an hour."""
    start = timezone.now() + timedelta(hours=1)
    return f.SessionFactory(group=group, starts_at=start, ends_at=start + timedelta(hours=1))


@pytest.fixture
def me(client, participant):
    client.force_login(participant.user)
    return client


def _link(participant, action, session=None):
    token = links.link_token(
        participant=participant, action=action, session_id=session.pk if session else None
    )
    return reverse("participant_link", args=[token])


# --- The form, built from the catalogue -------------------------------------------------


def test_it_builds_a_radio_choice_per_item_of_a_questionnaire():
    form = AnswerForm(instrument=get("phq9"))
    assert list(form.fields) == [f"q{n}" for n in range(1, 10)]
    assert [c[0] for c in form.fields["q9"].choices] == [0, 1, 2, 3]


def test_it_makes_the_craving_scale_a_number_from_0_to_100():
    form = AnswerForm({"craving": "101"}, instrument=get("craving_vas"))
    assert not form.is_valid()
    assert form.errors["craving"] == ["Choose a number from 0 to 100."]


def test_it_gives_the_answers_as_integers():
    form = AnswerForm({"mood": "7", "craving": "0"}, instrument=get("checkin_before"))
    assert form.is_valid()
    assert form.answers == {"mood": 7, "craving": 0}


# --- The participant's own page ---------------------------------------------------------


def test_it_lists_an_open_request_by_its_plain_title(me, participant):
    _request(participant)
    text = _text(me.get(reverse("participant_home")))
    assert "A few questions about the last two weeks" in text


def test_it_never_names_the_instrument_to_the_participant(me, participant):
    _request(participant)
    text = _text(me.get(reverse("participant_home")))
    assert "PHQ" not in text


def test_it_leaves_out_requests_not_yet_due(me, participant):
    _request(participant, due_on=timezone.localdate() + timedelta(days=3))
    text = _text(me.get(reverse("participant_questions")))
    assert "Nothing to answer right now" in text


def test_it_offers_the_before_check_in_ahead_of_the_session(me, soon_session):
    response = me.get(reverse("participant_questions"))
    assert reverse("participant_checkin", args=[soon_session.pk]) + "?phase=before" in _text(
        response
    )


def test_it_offers_the_after_check_in_once_the_session_started(me, today_session):
    response = me.get(reverse("participant_questions"))
    assert reverse("participant_checkin", args=[today_session.pk]) + "?phase=after" in _text(
        response
    )


def test_it_offers_the_before_check_in_on_their_own_page(me, soon_session):
    text = _text(me.get(reverse("participant_home")))
    assert reverse("participant_checkin", args=[soon_session.pk]) + "?phase=before" in text


def test_it_offers_the_after_check_in_on_their_own_page_once_the_session_ended(me, group):
    start = timezone.now() - timedelta(hours=3)
    ended = f.SessionFactory(group=group, starts_at=start, ends_at=start + timedelta(hours=1))
    text = _text(me.get(reverse("participant_home")))
    assert reverse("participant_checkin", args=[ended.pk]) + "?phase=after" in text


def test_it_leaves_a_group_they_left_off_their_own_page(me, participant, therapist, site):
    left = f.GroupFactory(site=site, name="Harbor Choir", lead=therapist)
    f.EnrollmentFactory(
        group=left,
        participant=participant,
        start_date=timezone.localdate() - timedelta(days=60),
        end_date=timezone.localdate() - timedelta(days=7),
    )
    for start in (timezone.now() + timedelta(hours=1), timezone.now() + timedelta(days=2)):
        f.SessionFactory(group=left, starts_at=start, ends_at=start + timedelta(hours=1))
    text = _text(me.get(reverse("participant_home")))
    assert "/check-in/" not in text
    assert "session-card" not in text


def test_it_records_an_answered_questionnaire(me, participant):
    asked = _request(participant, instrument="gad7")
    answers = {f"q{n}": "1" for n in range(1, 8)}
    response = me.post(reverse("participant_measure_answer", args=[asked.pk]), answers)
    assert response.status_code == 302
    saved = MeasureResponse.objects.get()
    assert (saved.score, saved.via, saved.request_id) == (7, "own_page", asked.pk)


def test_it_keeps_the_answers_given_when_one_is_missing(me, participant):
    asked = _request(participant, instrument="gad7")
    answers = {f"q{n}": "2" for n in range(1, 7)}
    response = me.post(reverse("participant_measure_answer", args=[asked.pk]), answers)
    assert response.status_code == 400
    assert response.content.decode().count(" checked") == 6


def test_it_saves_nothing_when_one_is_missing(me, participant):
    asked = _request(participant, instrument="gad7")
    answers = {f"q{n}": "2" for n in range(1, 7)}
    me.post(reverse("participant_measure_answer", args=[asked.pk]), answers)
    assert not MeasureResponse.objects.exists()


def test_it_says_what_is_missing(me, participant):
    asked = _request(participant, instrument="gad7")
    answers = {f"q{n}": "2" for n in range(1, 7)}
    response = me.post(reverse("participant_measure_answer", args=[asked.pk]), answers)
    assert "Choose one of the answers." in _text(response)


def test_it_says_when_a_request_is_already_answered(me, participant):
    asked = _request(participant, status=MeasureRequest.Status.ANSWERED)
    text = _text(me.get(reverse("participant_measure_answer", args=[asked.pk])))
    assert "You have answered these questions already" in text


def test_it_answers_404_for_another_participants_request(me, other_participant):
    asked = _request(other_participant)
    assert me.get(reverse("participant_measure_answer", args=[asked.pk])).status_code == 404


def test_it_records_a_check_in_on_the_own_page(me, participant, today_session):
    url = reverse("participant_checkin", args=[today_session.pk])
    me.post(url, {"mood": "6", "craving": "2", "connection": "4"})
    saved = MeasureResponse.objects.get()
    assert (saved.phase, saved.answers) == ("after", {"mood": 6, "craving": 2, "connection": 4})


def test_it_takes_the_phase_the_link_asks_for(me, participant, today_session):
    url = reverse("participant_checkin", args=[today_session.pk]) + "?phase=before"
    me.post(url, {"mood": "6", "craving": "2"})
    assert MeasureResponse.objects.get().phase == "before"


def test_it_says_a_check_in_of_last_week_is_closed(me, past_session):
    text = _text(me.get(reverse("participant_checkin", args=[past_session.pk])))
    assert "This check-in is not open now" in text


def test_it_records_nothing_for_a_closed_check_in(me, past_session):
    me.post(reverse("participant_checkin", args=[past_session.pk]), {"mood": "6", "craving": "2"})
    assert not MeasureResponse.objects.exists()


def test_it_answers_404_for_another_groups_check_in(me, other_session):
    assert me.get(reverse("participant_checkin", args=[other_session.pk])).status_code == 404


def test_it_thanks_the_participant_on_their_page(me, participant):
    asked = _request(participant, instrument="phq2")
    me.post(reverse("participant_measure_answer", args=[asked.pk]), {"q1": "0", "q2": "0"})
    text = _text(me.get(reverse("participant_home")))
    assert "Thank you: your answers are saved." in text


# --- Crisis resources -------------------------------------------------------------------


def test_it_shows_988_at_once_when_item_nine_is_above_zero(me, participant):
    asked = _request(participant)
    answers = {k: str(v) for k, v in _phq9([0] * 8 + [1]).items()}
    text = _text(me.post(reverse("participant_measure_answer", args=[asked.pk]), answers))
    assert "Call 988" in text


def test_it_tells_them_to_tell_the_person_running_the_group(me, participant):
    asked = _request(participant)
    answers = {k: str(v) for k, v in _phq9([0] * 8 + [2]).items()}
    text = _text(me.post(reverse("participant_measure_answer", args=[asked.pk]), answers))
    assert "Tell the person running your group." in text


def test_it_shows_no_answer_on_the_crisis_screen(me, participant):
    asked = _request(participant)
    answers = {k: str(v) for k, v in _phq9([0] * 8 + [3]).items()}
    text = _text(me.post(reverse("participant_measure_answer", args=[asked.pk]), answers))
    assert "Nearly every day" not in text


def test_it_shows_crisis_resources_after_a_high_craving(me, participant):
    asked = _request(participant, instrument="craving_vas")
    text = _text(me.post(reverse("participant_measure_answer", args=[asked.pk]), {"craving": 90}))
    assert "988 Suicide & Crisis Lifeline" in text


# --- Signed links -----------------------------------------------------------------------


def test_it_lands_a_questions_link_on_the_questions(client, participant):
    response = client.get(_link(participant, "questions"))
    assert response["Location"] == reverse("participant_questions")


def test_it_lands_a_checkin_link_on_the_sessions_check_in(client, participant, soon_session):
    response = client.get(_link(participant, "checkin", soon_session))
    assert response["Location"] == reverse("participant_checkin", args=[soon_session.pk])


def test_it_records_an_answer_by_link_as_via_link(client, participant):
    asked = _request(participant, instrument="phq2")
    client.get(_link(participant, "questions"))
    client.post(reverse("participant_measure_answer", args=[asked.pk]), {"q1": "1", "q2": "0"})
    assert MeasureResponse.objects.get().via == "link"


def test_it_shows_988_by_link_for_item_nine_above_zero(client, participant):
    asked = _request(participant)
    client.get(_link(participant, "questions"))
    answers = {k: str(v) for k, v in _phq9([1] * 9).items()}
    text = _text(client.post(reverse("participant_measure_answer", args=[asked.pk]), answers))
    assert "Call 988" in text


# --- Reflections feed the check-in ------------------------------------------------------


def _reflect(participant, session, **scores):
    values = {"mood_before": 3, "mood_after": 7, "connection": 4, "craving": 2, **scores}
    return reflection_services.reflection_submit(participant=participant, session=session, **values)


def test_it_records_a_reflections_scores_as_the_sessions_check_ins(participant, past_session):
    _reflect(participant, past_session)
    saved = dict(MeasureResponse.objects.values_list("phase", "answers"))
    assert saved == {
        "before": {"mood": 3},
        "after": {"mood": 7, "connection": 4, "craving": 2},
    }


def test_it_keeps_a_check_in_the_participant_gave_themselves(participant, past_session):
    MeasureResponse.objects.create(
        participant=participant,
        session=past_session,
        instrument="checkin_before",
        phase="before",
        answers={"mood": 5, "craving": 1},
        answered_at=timezone.now(),
        via="kiosk",
    )
    _reflect(participant, past_session)
    assert MeasureResponse.objects.get(phase="before").answers == {"mood": 5, "craving": 1}


def test_it_follows_a_changed_reflection(participant, past_session):
    reflection = _reflect(participant, past_session)
    reflection_services.reflection_update(
        reflection=reflection,
        participant=participant,
        mood_before=3,
        mood_after=9,
        connection=5,
        craving=None,
    )
    assert MeasureResponse.objects.get(phase="after").answers == {"mood": 9, "connection": 5}


def test_it_keeps_the_reflection_when_the_check_in_cannot_be_recorded(past_session, group):
    drop_in = f.ParticipantFactory(site=group.site)
    f.AttendanceFactory(session=past_session, participant=drop_in)
    _reflect(drop_in, past_session)
    assert Reflection.objects.filter(participant=drop_in).exists()


# --- The kiosk at the door --------------------------------------------------------------


@pytest.fixture
def door(client, therapist, today_session):
    """The therapist's tablet, signed in, kiosk on for the before check-in."""
    client.force_login(therapist)
    client.post(reverse("kiosk_start", args=[today_session.pk]), {"phase": "before"})
    return client


def _answer_url(session, person):
    return reverse("kiosk_answer", args=[session.pk, person.pk])


def test_it_shows_the_start_button_to_the_groups_therapist(client, therapist, today_session):
    client.force_login(therapist)
    text = _text(client.get(reverse("session_detail", args=[today_session.pk])))
    assert reverse("kiosk_start", args=[today_session.pk]) in text


def test_it_hides_the_start_button_from_the_administrator(client, admin, today_session):
    client.force_login(admin)
    text = _text(client.get(reverse("session_detail", args=[today_session.pk])))
    assert reverse("kiosk_start", args=[today_session.pk]) not in text


def test_it_lists_the_roster_by_preferred_name_and_last_initial(door, participant, today_session):
    participant.last_name = "Rivera"
    participant.save()
    text = _text(door.get(reverse("kiosk", args=[today_session.pk])))
    assert "Dee R." in text


def test_it_never_shows_a_full_last_name_at_the_door(door, participant, today_session):
    participant.last_name = "Rivera"
    participant.save()
    text = _text(door.get(reverse("kiosk", args=[today_session.pk])))
    assert "Rivera" not in text


def test_it_sends_other_pages_back_to_the_kiosk(door, today_session):
    response = door.get(reverse("home"))
    assert response["Location"] == reverse("kiosk", args=[today_session.pk])


def test_it_sends_another_sessions_kiosk_back_to_this_one(door, today_session, session):
    response = door.get(reverse("kiosk", args=[session.pk]))
    assert response["Location"] == reverse("kiosk", args=[today_session.pk])


def test_it_keeps_logout_behind_the_password(door, today_session):
    door.post(reverse("logout"))
    assert "_auth_user_id" in door.session


def test_it_records_a_kiosk_answer(door, participant, today_session):
    door.post(_answer_url(today_session, participant), {"mood": "4", "craving": "3"})
    saved = MeasureResponse.objects.get()
    assert (saved.via, saved.phase, saved.answers) == ("kiosk", "before", {"mood": 4, "craving": 3})


def test_it_thanks_without_showing_the_answers(door, participant, today_session):
    response = door.post(_answer_url(today_session, participant), {"mood": "4", "craving": "3"})
    assert "Thank you, Dee" in _text(response)


def test_it_returns_to_the_roster_by_itself_after_the_thanks(door, participant, today_session):
    response = door.post(_answer_url(today_session, participant), {"mood": "4", "craving": "3"})
    roster = reverse("kiosk", args=[today_session.pk])
    assert f'http-equiv="refresh" content="4;url={roster}"' in response.content.decode()


def test_it_never_prefills_the_form_with_earlier_answers(door, participant, today_session):
    door.post(_answer_url(today_session, participant), {"mood": "4", "craving": "3"})
    response = door.get(_answer_url(today_session, participant))
    assert "checked" not in response.content.decode()


def test_it_answers_404_for_someone_not_on_the_roster(door, other_participant, today_session):
    assert door.get(_answer_url(today_session, other_participant)).status_code == 404


def test_it_tells_them_at_the_door_to_tell_the_therapist(
    door, therapist, participant, today_session
):
    therapist.first_name = "Morgan"
    therapist.save()
    response = door.post(_answer_url(today_session, participant), {"mood": "2", "craving": "9"})
    assert "Please tell Morgan at the door." in _text(response)


def test_it_raises_the_alert_from_the_door(door, participant, today_session):
    door.post(_answer_url(today_session, participant), {"mood": "2", "craving": "10"})
    assert SafetyAlert.objects.filter(participant=participant).exists()


def test_it_refuses_the_kiosk_to_the_administrator(client, admin, today_session):
    client.force_login(admin)
    response = client.post(reverse("kiosk_start", args=[today_session.pk]))
    assert response.status_code == 404


# --- Leaving the kiosk ------------------------------------------------------------------


def test_it_leaves_the_kiosk_with_the_password(door, today_session):
    door.post(reverse("kiosk_exit", args=[today_session.pk]), {"password": PASSWORD})
    assert door.get(reverse("home")).status_code == 200


def test_it_stays_in_the_kiosk_on_a_wrong_password(door, today_session):
    door.post(reverse("kiosk_exit", args=[today_session.pk]), {"password": "guess"})
    assert door.get(reverse("home")).status_code == 302


def test_it_says_the_password_is_wrong(door, today_session):
    response = door.post(reverse("kiosk_exit", args=[today_session.pk]), {"password": "guess"})
    assert "That password is not right" in _text(response)


def test_it_signs_out_after_too_many_wrong_passwords(door, today_session, settings):
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(3):
        door.post(reverse("kiosk_exit", args=[today_session.pk]), {"password": "guess"})
    assert "_auth_user_id" not in door.session


def test_it_switches_to_the_after_check_in_with_the_password(door, participant, today_session):
    door.post(
        reverse("kiosk_exit", args=[today_session.pk]), {"password": PASSWORD, "switch": "after"}
    )
    text = _text(door.get(reverse("kiosk", args=[today_session.pk])))
    assert "Before you go" in text


# --- The kiosk and the idle logoff ------------------------------------------------------


class Clock:
    def __init__(self):
        self.now = time.time()


@pytest.fixture
def clock(monkeypatch):
    c = Clock()
    monkeypatch.setattr(idle, "_now", lambda: c.now)
    monkeypatch.setattr(kiosk, "_now", lambda: c.now)
    return c


def test_it_keeps_the_therapist_signed_in_at_the_door_past_the_idle_limit(
    clock, door, today_session
):
    clock.now += 40 * 60
    assert door.get(reverse("kiosk", args=[today_session.pk])).status_code == 200


def test_it_signs_the_therapist_out_once_the_kiosk_has_outlived_its_session(
    clock, door, today_session, settings
):
    clock.now = today_session.ends_at.timestamp() + settings.KIOSK_AFTER_SESSION_MINUTES * 60 + 1
    door.get(reverse("kiosk", args=[today_session.pk]))
    assert "_auth_user_id" not in door.session


def test_it_lands_on_the_sign_in_page_when_the_kiosk_ends(clock, door, today_session, settings):
    clock.now = today_session.ends_at.timestamp() + settings.KIOSK_AFTER_SESSION_MINUTES * 60 + 1
    response = door.get(reverse("kiosk", args=[today_session.pk]))
    assert response["Location"].startswith(reverse("login"))


def test_it_still_signs_idle_staff_out_without_a_kiosk(clock, therapist, today_session):
    client = Client()
    client.force_login(therapist)
    client.get(reverse("home"))
    clock.now += 20 * 60
    client.get(reverse("home"))
    assert "_auth_user_id" not in client.session
