"""A reminder says when and where, never why. Every kind is rendered through every
channel and checked against words that would say what the meeting is for, the group's
own name and its clinical focus."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.utils import timezone

from sessions_app.messaging.compose import compose
from sessions_app.models import Reminder, SessionChange
from sessions_app.services import reminders
from tests import factories as f

DENY = (
    "recovery",
    "recover",
    "treatment",
    "rehab",
    "addiction",
    "addict",
    "substance",
    "opioid",
    "detox",
    "sober",
    "therapy",
    "therapist",
    "therapeutic",
    "counsel",
    "clinic",
    "diagnos",
    "methadone",
    "suboxone",
    "relapse",
    "music therapy",
    "group",
)
# The same in Spanish, for participants who read Refrain in Spanish (accents both ways:
# a message may drop them).
DENY_ES = (
    "adicción",
    "adiccion",
    "adicto",
    "recuperación",
    "recuperacion",
    "tratamiento",
    "rehabilitación",
    "rehabilitacion",
    "terapia",
    "terapeut",
    "terapéut",
    "sustancia",
    "opioide",
    "opiáceo",
    "desintoxicación",
    "desintoxicacion",
    "sobriedad",
    "sobrio",
    "consejería",
    "clínic",
    "diagnóstic",
    "metadona",
    "recaída",
    "recaida",
    "droga",
    "alcohol",
    "consumo",
    "musicoterapia",
    "grupo",
)
GROUP_NAME = "Opioid Recovery Harmony Circle"
FOCUS = "Relapse prevention and craving management for people with OUD"
KINDS = [
    "upcoming",
    "moved",
    "restored",
    "cancelled",
    "reflection",
    "agenda",
    "measure",
    "alert",
    "escalated",
    "family",
]
# Messages to staff, and those that are about no session (no when and where to say).
STAFF_KINDS = {"agenda", "alert", "escalated"}
SESSIONLESS = {"agenda", "measure", "alert", "escalated", "family"}
# To someone with no record here (a lullaby's family): no stop link, nothing to stop.
NOT_TO_PARTICIPANTS = STAFF_KINDS | {"family"}
URL = re.compile(r"https?://\S+")


@pytest.fixture
def world(db):
    site = f.SiteFactory(
        name="Harbor Street Center",
        address="214 Harbor Street, Suite 3, Portland, ME 04101",
        time_zone="America/New_York",
    )
    lead = f.TherapistFactory(first_name="Maya", last_name="Okafor", email="maya@example.org")
    group = f.GroupFactory(site=site, name=GROUP_NAME, focus=FOCUS, lead=lead, room="Studio B")
    person = f.ParticipantFactory(
        site=site,
        first_name="Dana",
        last_name="Whitfield",
        preferred_name="Dee",
        email="dee@example.org",
        phone="+15555550123",
    )
    f.EnrollmentFactory(group=group, participant=person)
    start = datetime(2026, 12, 8, 15, 0, tzinfo=UTC)  # Tuesday 10:00 in Portland
    session = f.SessionFactory(
        group=group, starts_at=start, ends_at=start + timedelta(hours=1), room="Studio B"
    )
    return {"group": group, "person": person, "session": session, "lead": lead}


def _reminder(world, kind: str, channel: str) -> Reminder:
    session, person = world["session"], world["person"]
    if kind == "agenda":
        return Reminder.objects.create(
            kind="agenda",
            channel=channel,
            staff_user=world["lead"],
            slot=20261208,
            due_at=session.starts_at - timedelta(hours=3),
        )
    if kind in ("alert", "escalated"):
        return Reminder.objects.create(
            kind=kind, channel="email", staff_user=world["lead"], slot=1, due_at=session.starts_at
        )
    if kind == "family":
        return _family_reminder(world, channel)
    if kind == "measure":
        return Reminder.objects.create(
            kind="measure",
            channel=channel,
            participant=person,
            slot=20261208,
            due_at=session.starts_at - timedelta(days=1),
        )
    slot = {"upcoming": 1440}.get(kind, 0)
    if kind in ("moved", "restored", "cancelled"):
        change_kind = {"moved": "moved", "restored": "restored", "cancelled": "cancelled"}[kind]
        SessionChange.objects.create(
            session=session,
            kind=change_kind,
            old_starts_at=session.starts_at - timedelta(days=1),
            old_ends_at=session.ends_at - timedelta(days=1),
            new_starts_at=session.starts_at,
            new_ends_at=session.ends_at,
            reason="Clinic closed for staff treatment-planning day",  # never shown
        )
        slot = 1
    return Reminder.objects.create(
        kind="moved" if kind == "restored" else kind,
        channel=channel,
        participant=person,
        session=session,
        slot=slot,
        due_at=session.starts_at - timedelta(hours=1),
    )


def _family_reminder(world, channel: str) -> Reminder:
    from django.core.files.base import ContentFile

    from sessions_app.services import family_links

    person, lead = world["person"], world["lead"]
    project = f.LullabyProjectFactory(
        participant=person,
        therapist=lead,
        title="Harbor Lullaby for Recovery",  # a telling title stays off the message
        recipient_name="Eli",
    )
    f.ProjectConsentFactory(project=project, kind="share")
    take = f.TakeFactory(recording_session=f.RecordingSessionFactory(project=project))
    take.audio.save("take.wav", ContentFile(f.wav_bytes()), save=True)
    project.final_take = take
    project.save()
    address = "eli@example.org" if channel == "email" else "+15555550199"
    issued = family_links.family_link_issue(
        by=lead,
        project=project,
        recipient_name="Eli",
        recipient_relationship="son",
        send_by=channel,
        send_to=address,
    )
    return issued.link.messages.get()


def _everything(message) -> str:
    return "\n".join([message.subject, message.body, message.html, *message.headers.values()])


@pytest.mark.parametrize("channel", ["email", "sms"])
@pytest.mark.parametrize("kind", KINDS)
def test_it_never_says_what_the_meeting_is_for(world, kind, channel):
    message = compose(_reminder(world, kind, channel))
    text = URL.sub(" ", _everything(message)).lower()

    # Every telling word of the group's name and focus (not "with" or "people").
    words = re.findall(r"[A-Za-z]{4,}", GROUP_NAME + " " + FOCUS)
    group_words = {w.lower() for w in words} - {"with", "people"}
    said = [w for w in (*DENY, *group_words) if w in text]
    assert not said, f"{kind} by {channel} says {said}:\n{text}"
    assert "oud" not in re.findall(r"[a-z]+", text)
    assert "staff" not in text and "planning day" not in text  # the change's reason


@pytest.mark.parametrize("channel", ["email", "sms"])
@pytest.mark.parametrize("kind", [k for k in KINDS if k not in STAFF_KINDS])
def test_it_never_says_what_the_meeting_is_for_in_spanish(world, kind, channel):
    world["person"].language = "es"
    world["person"].save(update_fields=["language"])

    message = compose(_reminder(world, kind, channel))

    text = URL.sub(" ", _everything(message)).lower()
    said = [w for w in (*DENY, *DENY_ES) if w in text]
    assert not said, f"{kind} by {channel} says {said}:\n{text}"
    assert "hola" in text  # in Spanish, not English with no word to catch


@pytest.mark.parametrize("channel", ["email", "sms"])
@pytest.mark.parametrize("kind", [k for k in KINDS if k not in SESSIONLESS])
def test_it_says_when_and_where_to_the_participant_by_their_preferred_name(world, kind, channel):
    message = compose(_reminder(world, kind, channel))
    text = _everything(message)

    assert "Dee" in text
    assert "Dana" not in text and "Whitfield" not in text
    assert "10:00" in text and "EST" in text  # local time at the site
    assert "Tue" in text and "8 Dec" in text or "8 December" in text
    assert "Harbor Street Center" in text
    if kind != "reflection":  # a thank-you needs no directions
        assert "Studio B" in text
    if channel == "email":
        if kind != "reflection":
            assert "214 Harbor Street" in message.body
        assert message.to == "dee@example.org"
    else:
        assert message.to == "+15555550123"


@pytest.mark.parametrize("channel", ["email", "sms"])
@pytest.mark.parametrize("kind", [k for k in KINDS if k not in NOT_TO_PARTICIPANTS])
def test_every_participant_message_has_a_stop_link(world, kind, channel, settings):
    settings.SITE_URL = "https://refrain.example.org"
    message = compose(_reminder(world, kind, channel))
    links = URL.findall(message.body)
    assert links, message.body
    assert all(link.startswith("https://refrain.example.org/p/") for link in links), links
    assert re.search(
        r"Stop (these reminders|texts): https://refrain\.example\.org/p/", message.body
    )
    if channel == "email":
        stop = re.search(r"Stop these reminders: (\S+)", message.body).group(1)
        assert message.headers["List-Unsubscribe"] == f"<{stop}>"
        assert stop in message.html


def test_the_stop_link_is_the_participants_signed_stop_link(world):
    from sessions_app import links

    message = compose(_reminder(world, "upcoming", "email"))
    stop = re.search(r"Stop these reminders: \S+/p/([^/]+)/", message.body).group(1)
    link = links.link_read(stop)
    assert (link.participant, link.action) == (world["person"], "stop")


def test_the_moved_notice_says_what_it_was_and_is(world):
    message = compose(_reminder(world, "moved", "email"))
    assert "it was Monday 7 December, 10:00 EST" in message.body
    assert message.subject == "New time or place: your session Tue 8 Dec 10:00 EST"


def test_the_agenda_leaves_out_group_names_too(world):
    message = compose(_reminder(world, "agenda", "email"))
    assert message.subject == "Your sessions on Tue 8 Dec"
    assert "10:00–11:00 EST" in message.body
    assert f"/sessions/{world['session'].pk}/" in message.body
    assert GROUP_NAME not in _everything(message)


def test_it_logs_ids_never_names_or_contacts(world, caplog, settings):
    settings.EMAIL_BACKEND = "tests.test_reminders_dispatch.RefusingBackend"
    from tests.test_reminders_dispatch import SMTP_REPLY

    SMTP_REPLY.update(code=451, text=b"4.3.0 Try again later")
    start = timezone.now() + timedelta(hours=4)
    world["session"].starts_at, world["session"].ends_at = start, start + timedelta(hours=1)
    world["session"].save()
    reminder = _reminder(world, "upcoming", "email")
    Reminder.objects.filter(pk=reminder.pk).update(due_at=timezone.now())
    with caplog.at_level("DEBUG"):
        reminders.reminder_send(reminder_id=reminder.pk)
    assert caplog.records, "expected the retry to be logged"
    logged = caplog.text.lower()
    for secret in ("dee", "dana", "whitfield", "dee@example.org", "harmony", "opioid"):
        assert secret not in logged, secret
    assert str(reminder.pk) in logged


def test_a_sent_email_is_plain_text_with_an_html_alternative(world):
    reminder = _reminder(world, "upcoming", "email")
    from sessions_app.messaging.delivery import deliver

    deliver(compose(reminder))
    sent = mail.outbox[0]
    assert sent.alternatives[0].mimetype == "text/html"
    assert sent.from_email == "Refrain <no-reply@localhost>" or "@" in sent.from_email


@pytest.mark.parametrize("channel", ["email", "sms"])
def test_the_questions_invitation_says_only_that_there_are_a_few_questions(world, channel):
    message = compose(_reminder(world, "measure", channel))
    text = URL.sub("<link>", message.body)
    if channel == "sms":
        expected = (
            "Hi Dee, a few questions for you when you have a moment: <link> Stop texts: <link>"
        )
    else:
        expected = (
            "Hi Dee,\n\nA few questions for you, when you have a couple of minutes:\n"
            "  <link>\n\nIt is up to you: skip any you would rather not answer.\n\n--\n"
            "Your schedule and settings: <link>\nStop these reminders: <link>\n"
        )
        assert message.subject == "A few questions for you"
    assert text == expected


def test_the_questions_link_opens_the_participants_questions(world):
    from sessions_app import links

    message = compose(_reminder(world, "measure", "email"))
    token = re.search(r"/p/([^/]+)/", URL.findall(message.body)[0]).group(1)
    assert links.link_read(token).action == "questions"


def test_the_last_reminder_before_the_session_carries_the_check_in(world):
    from sessions_app import links

    world["group"].reminder_hours = [24, 2]
    world["group"].save()
    reminder = _reminder(world, "upcoming", "email")
    Reminder.objects.filter(pk=reminder.pk).update(slot=120)
    reminder.refresh_from_db()
    message = compose(reminder)
    found = re.search(r"about 20 seconds\):\n\s+\S+/p/([^/]+)/", message.body)
    link = links.link_read(found.group(1))
    assert (link.action, link.session_id) == ("checkin", world["session"].pk)


def test_an_earlier_reminder_leaves_the_check_in_out(world):
    world["group"].reminder_hours = [24, 2]
    world["group"].save()
    message = compose(_reminder(world, "upcoming", "email"))
    assert "20 seconds" not in message.body


@pytest.mark.parametrize("channel", ["email", "sms"])
def test_the_family_message_says_only_that_a_song_was_made_for_them(world, channel):
    message = compose(_reminder(world, "family", channel))
    text = _everything(message)
    assert "Eli" in text
    for secret in ("Dee", "Dana", "Harbor", "Lullaby", "Maya", "Okafor"):
        assert secret not in URL.sub(" ", text), secret
    assert message.to == ("eli@example.org" if channel == "email" else "+15555550199")
    assert "/song/" in URL.findall(message.body)[0]
