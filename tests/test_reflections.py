"""Reflections: written by a participant after a session they attended, or entered on
their behalf by a therapist of the group; read by the participant and the group's
therapists only. Administrators learn that they exist, never what they say."""

from datetime import timedelta

import pytest
from django.http import Http404
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from sessions_app import permissions
from sessions_app.models import Reflection
from sessions_app.services import reflections as services
from sessions_app.services.errors import ServiceError
from tests import factories as f
from tests.query_counts import count_queries

WORDS = "The chorus felt like a hug today."


def _form(**overrides):
    data = {"mood_before": "3", "mood_after": "7", "connection": "4", "text": WORDS}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def _scores(**overrides):
    scores = {"mood_before": 3, "mood_after": 7, "connection": 4, "craving": None}
    scores.update(overrides)
    return scores


def _write(client, session, **overrides):
    return client.post(reverse("participant_reflection", args=[session.pk]), _form(**overrides))


@pytest.fixture
def reflection(participant, past_session):
    return services.reflection_submit(
        participant=participant, session=past_session, text=WORDS, **_scores()
    )


# --- Writing one ---------------------------------------------------------------------------


def test_it_lets_a_participant_write_a_reflection_after_a_session_they_attended(
    client, participant, past_session
):
    song = past_session.plan_items.get().song
    client.force_login(participant.user)
    page = client.get(reverse("participant_reflection", args=[past_session.pk]))
    assert page.status_code == 200
    assert song.title in page.content.decode()  # a song of that session's plan to choose

    response = _write(client, past_session, craving="2", song=str(song.pk))
    assert response.status_code == 302
    r = Reflection.objects.get()
    assert (r.mood_before, r.mood_after, r.connection, r.craving) == (3, 7, 4, 2)
    assert r.song == song
    assert r.text == WORDS
    assert r.entered_by is None
    home = client.get(response["Location"]).content.decode()
    assert WORDS in home
    assert "3 → 7" in home


def test_it_takes_a_song_typed_in(client, participant, past_session):
    client.force_login(participant.user)
    _write(client, past_session, song_text="  Lean on Me ")
    assert Reflection.objects.get().song_text == "Lean on Me"


def test_it_refuses_a_session_not_attended(client, participant, past_session):
    past_session.attendance.update(status="excused", minutes_attended=None)
    client.force_login(participant.user)
    response = _write(client, past_session)
    assert response.status_code == 400
    assert "only about a session you came to" in response.content.decode()
    assert not Reflection.objects.exists()


def test_it_refuses_a_session_without_attendance_in_the_service(participant, session):
    with pytest.raises(ServiceError, match="session you came to"):
        services.reflection_submit(participant=participant, session=session, **_scores())
    assert not Reflection.objects.exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("mood_before", "0", "Choose a number from 1 to 10."),
        ("mood_before", "11", "Choose a number from 1 to 10."),
        ("mood_after", "-1", "Choose a number from 1 to 10."),
        ("connection", "6", "Choose a number from 1 to 5."),
        ("connection", "0", "Choose a number from 1 to 5."),
        ("craving", "11", "Choose a number from 0 to 10."),
        ("mood_after", "seven", "Choose a number from 1 to 10."),
        ("mood_before", None, "Choose a number from 1 to 10."),
    ],
)
def test_it_refuses_scores_out_of_range_on_the_form(
    client, participant, past_session, field, value, message
):
    client.force_login(participant.user)
    response = _write(client, past_session, **{field: value})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Reflection.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("mood_before", 0),
        ("mood_before", 11),
        ("mood_after", 0),
        ("connection", 6),
        ("craving", -1),
        ("craving", 11),
    ],
)
def test_it_refuses_scores_out_of_range_in_the_service(participant, past_session, field, value):
    with pytest.raises(ServiceError) as caught:
        services.reflection_submit(
            participant=participant, session=past_session, **_scores(**{field: value})
        )
    assert "choose a number from" in caught.value.message_dict[field][0]
    assert not Reflection.objects.exists()


def test_it_refuses_a_song_that_was_not_in_the_plan(participant, past_session):
    elsewhere = f.SongFactory()
    with pytest.raises(ServiceError, match="this session's plan"):
        services.reflection_submit(
            participant=participant, session=past_session, song=elsewhere, **_scores()
        )
    assert not Reflection.objects.exists()


def test_it_keeps_one_reflection_per_session(client, participant, past_session, reflection):
    with pytest.raises(ServiceError, match="already"):
        services.reflection_submit(participant=participant, session=past_session, **_scores())
    assert Reflection.objects.count() == 1


# --- Changing it: 48 hours --------------------------------------------------------------------


def test_it_lets_the_participant_change_it_within_48_hours(
    client, participant, past_session, reflection
):
    Reflection.objects.filter(pk=reflection.pk).update(
        created_at=timezone.now() - timedelta(hours=47)
    )
    client.force_login(participant.user)
    page = client.get(reverse("participant_reflection", args=[past_session.pk])).content.decode()
    assert "You can change it until" in page
    assert WORDS in page  # the form is filled in with what they wrote
    _write(client, past_session, mood_after="9", text="Changed my mind: even better.")
    reflection.refresh_from_db()
    assert (reflection.mood_after, reflection.text) == (9, "Changed my mind: even better.")


def test_it_refuses_changes_after_48_hours(client, participant, past_session, reflection):
    Reflection.objects.filter(pk=reflection.pk).update(
        created_at=timezone.now() - timedelta(hours=48, minutes=1)
    )
    client.force_login(participant.user)
    page = client.get(reverse("participant_reflection", args=[past_session.pk])).content.decode()
    assert "that time has passed" in page
    response = _write(client, past_session, mood_after="1", text="Rewritten")
    assert response.status_code == 400
    reflection.refresh_from_db()
    assert (reflection.mood_after, reflection.text) == (7, WORDS)
    with pytest.raises(ServiceError, match="48 hours"):
        services.reflection_update(
            reflection=reflection, participant=participant, **_scores(mood_after=1)
        )


def test_it_reads_the_edit_window_from_settings(participant, reflection, settings):
    settings.REFLECTION_EDIT_HOURS = 1
    later = reflection.created_at + timedelta(hours=1, seconds=1)
    with pytest.raises(ServiceError, match="1 hour after"):
        services.reflection_update(
            reflection=reflection, participant=participant, now=later, **_scores()
        )


def test_it_refuses_a_change_by_someone_else(other_participant, reflection):
    with pytest.raises(ServiceError, match="not yours"):
        services.reflection_update(
            reflection=reflection, participant=other_participant, **_scores(mood_after=1)
        )
    reflection.refresh_from_db()
    assert reflection.mood_after == 7


# --- On their behalf ------------------------------------------------------------------------


def test_it_lets_a_therapist_of_the_group_enter_one_on_their_behalf(
    client, co_therapist, participant, past_session
):
    client.force_login(co_therapist)
    url = reverse("reflection_enter", args=[past_session.pk, participant.pk])
    assert "on their behalf" in client.get(url).content.decode()
    response = client.post(url, _form(text="Said the drumming calmed them."))
    assert response.status_code == 302
    r = Reflection.objects.get()
    assert r.entered_by == co_therapist
    assert r.participant == participant

    session_page = client.get(reverse("session_detail", args=[past_session.pk])).content.decode()
    name = co_therapist.get_full_name()
    assert f"Entered by {name} on their behalf" in session_page
    client.force_login(participant.user)
    own_page = client.get(reverse("participant_home")).content.decode()
    assert f"Entered by {name} on your behalf" in own_page


def test_it_offers_to_enter_one_for_those_who_attended_without_one(
    client, therapist, participant, past_session
):
    client.force_login(therapist)
    page = client.get(reverse("session_detail", args=[past_session.pk])).content.decode()
    assert reverse("reflection_enter", args=[past_session.pk, participant.pk]) in page


def test_it_refuses_to_enter_one_for_someone_who_did_not_attend(
    client, therapist, participant, past_session
):
    past_session.attendance.update(status="absent", minutes_attended=None)
    client.force_login(therapist)
    url = reverse("reflection_enter", args=[past_session.pk, participant.pk])
    body = client.post(url, _form()).content.decode()
    assert "not recorded as attending" in body
    assert not Reflection.objects.exists()


def test_it_lets_only_a_therapist_of_the_group_enter_one(
    admin, outsider, participant, past_session
):
    for user in (admin, outsider):
        with pytest.raises(ServiceError, match="Only a therapist of this group"):
            services.reflection_enter_for(
                session=past_session, participant=participant, entered_by=user, **_scores()
            )
    assert not Reflection.objects.exists()


def test_it_answers_404_to_an_administrator_entering_one(client, admin, participant, past_session):
    client.force_login(admin)
    url = reverse("reflection_enter", args=[past_session.pk, participant.pk])
    assert client.post(url, _form()).status_code == 404
    assert not Reflection.objects.exists()


# --- Who reads them --------------------------------------------------------------------------


def test_it_shows_the_groups_therapists_the_reflections_on_the_session_page(
    client, therapist, past_session, reflection
):
    client.force_login(therapist)
    body = client.get(reverse("session_detail", args=[past_session.pk])).content.decode()
    assert WORDS in body
    assert "3 → 7 (+4)" in body


def test_it_shows_an_administrator_only_that_reflections_exist(
    client, admin, participant, past_session, reflection
):
    client.force_login(admin)
    session_page = client.get(reverse("session_detail", args=[past_session.pk])).content.decode()
    assert "1 reflection written for this session" in session_page
    participant_page = client.get(
        reverse("participant_detail", args=[participant.pk])
    ).content.decode()
    assert "1 reflection, latest written" in participant_page
    for page in (session_page, participant_page):
        assert WORDS not in page
        assert "3 → 7" not in page
        assert reverse("participant_chart", args=[participant.pk]) not in page
    assert client.get(reverse("participant_chart", args=[participant.pk])).status_code == 404


def test_it_answers_404_for_the_chart_to_everyone_but_the_groups_therapists(
    client, cast, participant, reflection
):
    url = reverse("participant_chart", args=[participant.pk])
    for username, user in cast.items():
        client.force_login(user)
        status = client.get(url).status_code
        assert status == (200 if username in {"therapist", "co_therapist"} else 404), username


def test_it_narrows_reflections_in_the_one_door(
    admin, therapist, co_therapist, outsider, participant, other_participant, reflection
):
    assert list(permissions.reflections_for(therapist)) == [reflection]
    assert list(permissions.reflections_for(co_therapist)) == [reflection]
    assert list(permissions.reflections_for(participant.user)) == [reflection]
    assert not permissions.reflections_for(outsider).exists()
    assert not permissions.reflections_for(other_participant.user).exists()
    # Administrators: existence only, as ids and dates that cannot carry the words.
    assert not permissions.reflections_for(admin).exists()
    (row,) = permissions.reflection_dates_for(admin)
    assert set(row) == {"pk", "session_id", "participant_id", "created_at"}
    assert not permissions.reflection_dates_for(outsider).exists()

    request = RequestFactory().get("/")
    request.user = admin
    with pytest.raises(Http404):
        permissions.get_reflection_for_user(request, reflection.pk)
    request.user = therapist
    assert permissions.get_reflection_for_user(request, reflection.pk) == reflection


def test_it_keeps_a_therapist_to_reflections_in_their_own_groups(
    client, outsider, participant, other_group, reflection
):
    # The participant also joins the outsider's group: the outsider now sees the
    # participant, but not what they wrote in a group the outsider does not run.
    f.EnrollmentFactory(group=other_group, participant=participant)
    client.force_login(outsider)
    page = client.get(reverse("participant_detail", args=[participant.pk])).content.decode()
    assert "No reflections yet" in page
    chart = client.get(reverse("participant_chart", args=[participant.pk])).content.decode()
    assert WORDS not in chart
    assert "No reflections yet" in chart


# --- The chart -----------------------------------------------------------------------------------


def _history(group, participant, therapist, count):
    now = timezone.now()
    for i in range(count):
        start = now - timedelta(days=7 * (count - i))
        s = f.SessionFactory(
            group=group, starts_at=start, ends_at=start + timedelta(hours=1), status="held"
        )
        f.AttendanceFactory(session=s, participant=participant, recorded_by=therapist)
        Reflection.objects.create(
            session=s,
            participant=participant,
            mood_before=1 + i % 10,
            mood_after=min(10, 3 + i % 10),
            connection=1 + i % 5,
            craving=i % 11 if i % 2 else None,
        )


def test_it_draws_the_chart_so_it_reads_without_colour(client, therapist, group, participant):
    _history(group, participant, therapist, 3)
    client.force_login(therapist)
    body = client.get(reverse("participant_chart", args=[participant.pk])).content.decode()
    svg = body[body.index("<svg") : body.index("</svg>")]
    # Three marker shapes and three line styles, named in a legend and at line ends.
    assert svg.count("<circle") == 3 + 1  # points plus the legend's sample
    assert svg.count("<rect") == 3 + 1
    assert svg.count("<polygon") == 3 + 1
    assert 'stroke-dasharray="6 4"' in svg and 'stroke-dasharray="2 3"' in svg
    for label in ("Mood before", "Mood after", "Connection", ">before<", ">after<"):
        assert label in svg
    assert 'role="img"' in svg and "<desc" in svg
    # The same numbers as a table.
    table = body[body.index("<table") : body.index("</table>")]
    assert table.count("<tr>") == 1 + 3
    main = body[body.index("<main") : body.index("</main>")]
    assert "<script" not in main  # drawn on the server, no chart library


def test_it_labels_values_only_while_the_chart_has_room(client, therapist, group, participant):
    _history(group, participant, therapist, 13)
    client.force_login(therapist)
    body = client.get(reverse("participant_chart", args=[participant.pk])).content.decode()
    assert 'class="value"' not in body
    assert body.count('class="tick" x=') >= 8  # y ticks and a few x dates


# --- Bounded queries --------------------------------------------------------------------------


def _reflect_on(session, participant, therapist):
    f.AttendanceFactory(session=session, participant=participant, recorded_by=therapist)
    Reflection.objects.create(
        session=session,
        participant=participant,
        mood_before=4,
        mood_after=6,
        connection=3,
        song=session.plan_items.get().song,
        entered_by=therapist,
    )


def test_it_renders_the_session_reflections_in_bounded_queries(
    client, therapist, group, past_session
):
    client.force_login(therapist)
    url = reverse("session_detail", args=[past_session.pk])
    _reflect_on(past_session, f.EnrollmentFactory(group=group).participant, therapist)
    one = count_queries(client, url)
    for _ in range(29):
        _reflect_on(past_session, f.EnrollmentFactory(group=group).participant, therapist)
    assert count_queries(client, url) == one
    assert client.get(url).content.decode().count("4 → 6") == 30


def test_it_renders_the_chart_in_bounded_queries(client, therapist, group, participant):
    client.force_login(therapist)
    url = reverse("participant_chart", args=[participant.pk])
    _history(group, participant, therapist, 1)
    one = count_queries(client, url)
    assert one <= 5
    Reflection.objects.all().delete()
    _history(group, participant, therapist, 30)
    assert count_queries(client, url) == one
