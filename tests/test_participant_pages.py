"""A participant's own page, reached by login or by a signed link from a reminder."""

import re
from datetime import time, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from sessions_app import links
from sessions_app.models import LullabyProject, Participant, Reflection, Rsvp
from sessions_app.services import participants as participant_services
from tests import factories as f
from tests.page_parts import part
from tests.query_counts import count_queries


def _link(participant, action, session=None):
    token = links.link_token(
        participant=participant, action=action, session_id=session.pk if session else None
    )
    return reverse("participant_link", args=[token])


def _future_sessions(group, count, start_in=timedelta(days=1)):
    first = timezone.now() + start_in
    return [
        f.SessionFactory(
            group=group,
            starts_at=first + timedelta(weeks=i),
            ends_at=first + timedelta(weeks=i, hours=1),
        )
        for i in range(count)
    ]


@pytest.fixture
def replans(monkeypatch):
    """Calls to the reminder outbox's replanning, by participant id."""
    from sessions_app.services import reminders

    calls = []
    monkeypatch.setattr(
        reminders,
        "reminders_plan_for_participant",
        lambda *, participant: calls.append(participant.pk),
        raising=False,
    )
    return calls


# --- The story -----------------------------------------------------------------------------


def test_it_goes_from_a_reminder_to_a_reflection_the_therapist_reads(
    client,
    participant,
    group,
    past_session,
    therapist,
    co_therapist,
    admin,
    outsider,
    other_participant,
):
    (upcoming,) = _future_sessions(group, 1)
    words = "Singing the chorus together, I felt part of something."

    # A reminder's confirm link, opened on a phone with no login.
    confirm = _link(participant, "confirm", upcoming)
    assert "Yes, I’ll be there" in client.get(confirm).content.decode()
    home = client.post(confirm, follow=True)
    assert home.redirect_chain[-1][0] == reverse("participant_home") + f"#session-{upcoming.pk}"
    assert Rsvp.objects.get(participant=participant, session=upcoming).answer == "confirmed"
    page = home.content.decode()
    assert "You’re coming" in page
    # The last session they attended invites a reflection.
    write_url = reverse("participant_reflection", args=[past_session.pk])
    assert write_url in page

    response = client.post(
        write_url,
        {"mood_before": "3", "mood_after": "8", "connection": "5", "craving": "1", "text": words},
    )
    assert response.status_code == 302
    page = client.get(reverse("participant_home")).content.decode()
    assert words in page
    assert "3 → 8" in page
    assert write_url in page  # now as "Change it", for 48 hours

    # The group's therapists read it on the session page and see it in the chart.
    session_url = reverse("session_detail", args=[past_session.pk])
    chart_url = reverse("participant_chart", args=[participant.pk])
    for staff in (therapist, co_therapist):
        client.force_login(staff)
        assert words in client.get(session_url).content.decode()
        chart = client.get(chart_url).content.decode()
        assert "<svg" in chart
        assert re.search(r"<td[^>]*>3</td>\s*<td[^>]*>8</td>", chart)

    # Another therapist and another participant: 404, as if it did not exist.
    client.force_login(outsider)
    assert client.get(session_url).status_code == 404
    assert client.get(chart_url).status_code == 404
    client.force_login(other_participant.user)
    assert client.get(write_url).status_code == 404
    assert words not in client.get(reverse("participant_home")).content.decode()

    # An administrator sees that it exists, never what it says.
    client.force_login(admin)
    page = client.get(session_url).content.decode()
    assert "1 reflection written" in page
    assert words not in page and "3 → 8" not in page
    assert client.get(chart_url).status_code == 404


# --- Links -------------------------------------------------------------------------------------


def test_it_opens_the_page_from_a_link_without_a_login(client, participant, group):
    _future_sessions(group, 1)
    response = client.get(_link(participant, "me"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("participant_home")
    body = response.content.decode()
    assert f"Hello, {participant.display_name}" in body
    assert "close my page on this device" in body
    # The link session carries on to their other pages, and to the site's home.
    assert client.get(reverse("participant_reminders")).status_code == 200
    assert client.get(reverse("home"))["Location"] == reverse("participant_home")


def test_it_refuses_a_tampered_link_and_stores_nothing(client, participant, session):
    url = _link(participant, "confirm", session)
    tampered = url.replace(url[-6:-2], "AAAA" if url[-6:-2] != "AAAA" else "BBBB")
    for method in (client.get, client.post):
        response = method(tampered)
        assert response.status_code == 400
        assert "not valid" in response.content.decode()
    assert not Rsvp.objects.exists()
    assert client.get(reverse("participant_home")).status_code == 302  # no link session


def test_it_refuses_an_expired_link_with_410(client, participant, session, settings):
    url = _link(participant, "confirm", session)
    settings.PARTICIPANT_LINK_MAX_AGE = -1
    response = client.post(url)
    assert response.status_code == 410
    assert "expired" in response.content.decode()
    assert not Rsvp.objects.exists()


def test_it_refuses_a_revoked_link_and_ends_its_session(client, participant, session, therapist):
    url = _link(participant, "decline", session)
    client.get(url)
    assert client.get(reverse("participant_home")).status_code == 200

    staff = Client()
    staff.force_login(therapist)
    response = staff.post(reverse("participant_links_revoke", args=[participant.pk]), follow=True)
    assert "stopped working" in response.content.decode()

    assert client.get(reverse("participant_home")).status_code == 302  # session over
    response = client.post(url)
    assert response.status_code == 410
    assert "no longer valid" in response.content.decode()
    assert not Rsvp.objects.exists()


def test_it_lets_only_staff_who_see_the_participant_revoke_links(
    client, outsider, other_admin, participant
):
    for user in (outsider, other_admin, participant.user):
        client.force_login(user)
        response = client.post(reverse("participant_links_revoke", args=[participant.pk]))
        assert response.status_code == 404
    participant.refresh_from_db()
    assert participant.link_version == 0


def test_it_offers_staff_the_revoke_button(client, admin, participant):
    client.force_login(admin)
    page = client.get(reverse("participant_detail", args=[participant.pk])).content.decode()
    assert reverse("participant_links_revoke", args=[participant.pk]) in page


def test_it_refuses_a_link_while_someone_else_is_logged_in(
    client, participant, other_participant, session
):
    client.force_login(other_participant.user)
    response = client.post(_link(participant, "confirm", session))
    assert response.status_code == 400
    assert "logged in as someone else" in response.content.decode()
    assert not Rsvp.objects.exists()


@pytest.mark.parametrize("action", ["confirm", "decline", "reflect"])
def test_it_refuses_a_session_link_without_its_session(client, participant, action):
    response = client.get(_link(participant, action))
    assert response.status_code == 400
    assert "not complete" in response.content.decode()


def test_it_takes_a_link_to_the_reflection_form(client, participant, past_session):
    response = client.get(_link(participant, "reflect", past_session))
    assert response["Location"] == reverse("participant_reflection", args=[past_session.pk])
    assert "How was it?" in client.get(response["Location"]).content.decode()


def test_it_closes_the_page_on_a_shared_phone(client, participant):
    client.get(_link(participant, "me"))
    response = client.post(reverse("participant_leave"))
    assert "closed on this device" in response.content.decode()
    assert client.get(reverse("participant_home")).status_code == 302


def test_it_switches_a_shared_phone_to_the_new_links_owner(client, participant, group):
    second = f.ParticipantFactory(site=group.site, first_name="Sam", preferred_name="")
    f.EnrollmentFactory(group=group, participant=second)
    client.get(_link(participant, "me"))
    client.get(_link(second, "me"))
    page = client.get(reverse("participant_home")).content.decode()
    assert "Hello, Sam" in page
    assert participant.display_name not in page


# --- Who gets the page ------------------------------------------------------------------------


def test_it_sends_a_participant_login_from_home_to_their_page(client, participant):
    client.force_login(participant.user)
    assert client.get(reverse("home"))["Location"] == reverse("participant_home")


def test_it_sends_anonymous_visitors_to_log_in(client, db):
    response = client.get(reverse("participant_home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_it_answers_404_to_staff_on_participant_pages(client, cast):
    for username in ("admin", "therapist", "outsider"):
        client.force_login(cast[username])
        assert client.get(reverse("participant_home")).status_code == 404
        assert client.get(reverse("participant_reminders")).status_code == 404


def test_it_shows_when_and_where_but_never_what_for(client, participant, group, site):
    sessions = _future_sessions(group, 5)
    client.force_login(participant.user)
    body = client.get(reverse("participant_home")).content.decode()
    assert group.name not in body
    assert group.focus not in body
    assert "Group session" in body
    assert site.name in body and site.address in body and "Music room" in body
    local = sessions[0].local_starts_at
    assert f"{local:%a %-d %b %Y}, {local:%H:%M}" in body


def test_it_lets_them_answer_every_listed_session(client, participant, group):
    sessions = _future_sessions(group, 5)
    client.force_login(participant.user)
    body = client.get(reverse("participant_home")).content.decode()
    offered = [s for s in sessions if reverse("participant_rsvp", args=[s.pk]) in body]
    assert offered == sessions


def test_it_shows_the_next_three_sessions_open(client, participant, group):
    sessions = _future_sessions(group, 5)
    client.force_login(participant.user)
    body = client.get(reverse("participant_home")).content.decode()
    assert [part(body, f"session-{s.pk}").folds for s in sessions[:3]] == [[], [], []]


def test_it_folds_the_later_sessions(client, participant, group):
    sessions = _future_sessions(group, 5)
    client.force_login(participant.user)
    body = client.get(reverse("participant_home")).content.decode()
    assert [part(body, f"session-{s.pk}").folds for s in sessions[3:]] == [[False], [False]]


def test_it_marks_a_cancelled_session_and_offers_no_answer(client, participant, group):
    (session,) = _future_sessions(group, 1)
    session.status, session.cancel_reason = "cancelled", "Staff training"
    session.save()
    client.force_login(participant.user)
    body = client.get(reverse("participant_home")).content.decode()
    assert "Cancelled" in body
    assert "Staff training" not in body  # the reason is for staff
    assert reverse("participant_rsvp", args=[session.pk]) not in body


def test_it_links_their_lullaby_project(client, participant, therapist):
    client.force_login(participant.user)
    assert "Your lullaby project" not in client.get(reverse("participant_home")).content.decode()
    project = LullabyProject.objects.create(
        participant=participant,
        therapist=therapist,
        recipient_name="Mia",
        recipient_relationship="daughter",
    )
    body = client.get(reverse("participant_home")).content.decode()
    assert "Your lullaby project" in body
    assert "for Mia" in body
    assert reverse("lullaby_own_project", args=[project.pk]) in body


# --- Reflections on the page -----------------------------------------------------------------


def _reflect(client, session, text="It helped."):
    data = {"mood_before": "3", "mood_after": "7", "connection": "4", "text": text}
    return client.post(reverse("participant_reflection", args=[session.pk]), data)


def test_it_comes_back_to_the_reflection_written(client, participant, past_session):
    client.force_login(participant.user)
    response = _reflect(client, past_session)
    reflection = Reflection.objects.get(participant=participant)
    assert response["Location"] == reverse("participant_home") + f"#reflection-{reflection.pk}"


def test_it_thanks_them_inside_the_reflection_and_opens_its_fold(client, participant, past_session):
    client.force_login(participant.user)
    _reflect(client, past_session)
    reflection = Reflection.objects.get(participant=participant)
    card = part(
        client.get(reverse("participant_home")).content.decode(), f"reflection-{reflection.pk}"
    )
    assert "Thank you for your reflection." in card.text
    assert card.folds == [True]


def test_it_folds_past_reflections(client, participant, past_session):
    client.force_login(participant.user)
    _reflect(client, past_session)
    client.get(reverse("participant_home"))  # reads the thanks
    reflection = Reflection.objects.get(participant=participant)
    card = part(
        client.get(reverse("participant_home")).content.decode(), f"reflection-{reflection.pk}"
    )
    assert card.folds == [False]


def test_it_says_an_update_inside_the_reflection(client, participant, past_session):
    client.force_login(participant.user)
    _reflect(client, past_session)
    _reflect(client, past_session, text="Changed my mind.")
    reflection = Reflection.objects.get(participant=participant)
    body = client.get(reverse("participant_home")).content.decode()
    assert "Your reflection is updated." in part(body, f"reflection-{reflection.pk}").text


# --- Reminder settings -------------------------------------------------------------------------


def _settings(**overrides):
    data = {
        "reminders_opt_in": "on",
        "reminder_channel": "sms",
        "email": "",
        "phone": "+1 (555) 010-2030",
        "quiet_hours_start": "21:00",
        "quiet_hours_end": "08:00",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_it_saves_reminder_settings_and_replans_reminders(client, participant, replans):
    client.force_login(participant.user)
    response = client.post(reverse("participant_reminders"), _settings())
    assert response.status_code == 302
    participant.refresh_from_db()
    assert participant.reminder_channel == "sms"
    assert participant.phone == "+15550102030"
    assert (participant.quiet_hours_start, participant.quiet_hours_end) == (time(21), time(8))
    assert replans == [participant.pk]
    body = client.get(reverse("participant_home")).content.decode()
    assert "text message to" in body and "21:00–08:00" in body


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"reminder_channel": "email", "email": ""}, "Email reminders need an email address"),
        ({"reminder_channel": "sms", "phone": ""}, "Text reminders need a phone number"),
        ({"phone": "555-0102"}, "with its country code"),
        ({"quiet_hours_end": ""}, "Give both ends of the quiet hours"),
        ({"reminder_channel": "none"}, "Choose email or text message"),
        ({"email": "not-an-address", "reminder_channel": "email"}, "does not look like an email"),
    ],
)
def test_it_explains_reminder_settings_that_do_not_fit(
    client, participant, replans, overrides, message
):
    before = Participant.objects.values().get(pk=participant.pk)
    client.force_login(participant.user)
    response = client.post(reverse("participant_reminders"), _settings(**overrides))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Participant.objects.values().get(pk=participant.pk) == before
    assert replans == []


def test_it_comes_back_to_the_reminders_with_their_confirmation(client, participant, replans):
    client.force_login(participant.user)
    response = client.post(reverse("participant_reminders"), _settings(), follow=True)
    assert response.redirect_chain[-1][0] == reverse("participant_home") + "#reminders"
    assert "Your reminder settings are saved." in part(response.content.decode(), "reminders").text


def test_it_opens_the_reminders_fold_after_a_change(client, participant, replans):
    client.force_login(participant.user)
    response = client.post(reverse("participant_reminders"), _settings(), follow=True)
    assert part(response.content.decode(), "reminders-body").folds == [True]


def test_it_folds_the_reminder_settings(client, participant):
    client.force_login(participant.user)
    body = client.get(reverse("participant_home")).content.decode()
    assert part(body, "reminders-body").folds == [False]


def test_it_says_on_the_fold_whether_reminders_are_on(client, participant):
    participant_services.participant_reminders_stop(participant=participant)
    client.force_login(participant.user)
    body = client.get(reverse("participant_home")).content.decode()
    assert part(body, "reminders-summary").text == "Reminders (off)"


def test_it_stops_reminders_from_a_link_only_when_the_button_is_pressed(
    client, participant, replans
):
    url = _link(participant, "stop")
    assert "Stop reminders" in client.get(url).content.decode()
    participant.refresh_from_db()
    assert participant.reminders_opt_in

    response = client.post(url, follow=True)
    assert response.redirect_chain[-1][0] == reverse("participant_home") + "#reminders"
    assert "Reminders stopped" in part(response.content.decode(), "reminders").text
    participant.refresh_from_db()
    assert not participant.reminders_opt_in
    assert participant.reminders_stopped_at is not None
    assert replans == [participant.pk]


def test_it_takes_a_mail_clients_one_click_unsubscribe(participant, replans):
    # RFC 8058: the mail client POSTs "List-Unsubscribe=One-Click" with no cookie and
    # no CSRF token; the signed link alone says who is stopping.
    mail_client = Client(enforce_csrf_checks=True)
    response = mail_client.post(_link(participant, "stop"), {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 302
    participant.refresh_from_db()
    assert not participant.reminders_opt_in
    assert replans == [participant.pk]


def test_it_stops_reminders_from_the_page_and_shows_it_to_staff(
    client, participant, therapist, replans
):
    client.force_login(participant.user)
    client.post(reverse("participant_reminders_stop"))
    participant.refresh_from_db()
    assert not participant.reminders_opt_in and participant.reminders_stopped_at
    client.force_login(therapist)
    page = client.get(reverse("participant_detail", args=[participant.pk])).content.decode()
    assert "They stopped reminders on" in page


def test_it_forgets_the_stop_when_they_opt_in_again(participant):
    participant_services.participant_reminders_stop(participant=participant)
    participant_services.participant_reminders_update(
        participant=participant,
        reminder_channel="email",
        reminders_opt_in=True,
        email="dee@example.org",
        phone="",
        quiet_hours_start=None,
        quiet_hours_end=None,
    )
    participant.refresh_from_db()
    assert participant.reminders_opt_in and participant.reminders_stopped_at is None


def test_it_works_without_the_reminder_outbox(participant, monkeypatch):
    from sessions_app.services import reminders

    monkeypatch.delattr(reminders, "reminders_plan_for_participant", raising=False)
    participant_services.participant_reminders_stop(participant=participant)
    participant.refresh_from_db()
    assert not participant.reminders_opt_in


# --- Calendar link -------------------------------------------------------------------------


def test_it_comes_back_to_the_calendar_link_made(client, participant):
    client.force_login(participant.user)
    response = client.post(reverse("participant_calendar"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("participant_home") + "#calendar"
    assert "Your calendar link is ready." in part(response.content.decode(), "calendar").text


def test_it_opens_the_calendar_fold_after_a_new_link(client, participant):
    client.force_login(participant.user)
    response = client.post(reverse("participant_calendar"), follow=True)
    assert part(response.content.decode(), "calendar-body").folds == [True]


def test_it_offers_a_copy_button_for_the_calendar_link(client, participant):
    client.force_login(participant.user)
    body = client.post(reverse("participant_calendar"), follow=True).content.decode()
    # Hidden until js/copy_link.js shows it: without JavaScript it could do nothing.
    assert re.search(
        r'<button type="button"[^>]*data-copy-target="calendar-url"[^>]*hidden>Copy<', body
    )


def test_it_loads_the_copy_script_from_static_files(client, participant):
    client.force_login(participant.user)
    body = client.get(reverse("participant_home")).content.decode()
    assert re.search(r'<script src="[^"]*/js/copy_link\.js" defer></script>', body)


# --- Bounded queries ---------------------------------------------------------------------------


def test_it_renders_the_participants_page_in_bounded_queries(
    client, participant, group, site, therapist
):
    def grow(n):
        now = timezone.now()
        for i in range(n):
            g = f.GroupFactory(site=site)
            f.EnrollmentFactory(group=g, participant=participant)
            (upcoming,) = _future_sessions(g, 1)
            Rsvp.objects.create(session=upcoming, participant=participant, answer="confirmed")
            start = now - timedelta(days=1 + i % 10, hours=i)
            held = f.SessionFactory(
                group=g, starts_at=start, ends_at=start + timedelta(hours=1), status="held"
            )
            f.AttendanceFactory(session=held, participant=participant, recorded_by=therapist)
            if i % 2:
                Reflection.objects.create(
                    session=held,
                    participant=participant,
                    mood_before=3,
                    mood_after=6,
                    connection=4,
                    entered_by=therapist,
                )

    client.force_login(participant.user)
    url = reverse("participant_home")
    grow(1)
    one = count_queries(client, url)
    grow(29)
    assert count_queries(client, url) == one
    # Session and user; the participant, their enrolments, the sessions ahead and at hand,
    # those to reflect on, their reflections, lullaby project, open requests, goals, trends.
    assert one <= 11


@pytest.mark.parametrize("count", [1, 20])
def test_it_answers_every_session_in_bounded_queries(
    client, participant, group, django_assert_max_num_queries, count
):
    first = timezone.now() + timedelta(hours=2)
    for i in range(count):  # two days apart, so that all 20 are within the page's weeks
        start = first + timedelta(days=2 * i)
        f.SessionFactory(group=group, starts_at=start, ends_at=start + timedelta(hours=1))
    client.force_login(participant.user)
    url = reverse("participant_home")
    client.get(url)  # warms per-process caches
    # As test_it_renders_the_participants_page_in_bounded_queries.
    with django_assert_max_num_queries(11):
        body = client.get(url).content.decode()
    assert body.count('name="answer" value="confirmed"') == count
