"""Participants read Refrain in their own language: Spanish to start.

The Spanish catalogue must cover every string a participant can be shown (templates and
Python alike), and each participant page rendered for a Spanish reader must hold none of
those strings in English. Reminders, the calendar and the questionnaires follow the
participant's language as it is when they are sent or shown.
"""

import ast
import html
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation.template import templatize

from sessions_app import instruments, links
from sessions_app.messaging.compose import compose
from sessions_app.models import MeasureRequest, MeasureSchedule, Reminder
from sessions_app.services import measure_requests
from tests import factories as f

ROOT = Path(settings.BASE_DIR)
CATALOGUE = ROOT / "locale" / "es" / "LC_MESSAGES" / "django.po"
# What a participant can be shown: their pages, the kiosk's screens for them, the
# messages sent to them, their lullaby project's page and its family's, and the pieces
# those include.
PARTICIPANT_TEMPLATES = [
    *sorted((ROOT / "templates" / "participant").glob("*.html")),
    *sorted((ROOT / "templates" / "kiosk").glob("*.html")),
    *sorted((ROOT / "templates" / "reminders" / "sms").glob("*.txt")),
    *(
        path
        for path in sorted((ROOT / "templates" / "reminders" / "email").glob("*"))
        if not path.name.startswith(("agenda", "alert", "escalated"))
    ),
    *sorted((ROOT / "templates" / "family").glob("*.html")),
    *(
        ROOT / "templates" / "lullaby" / name
        for name in (
            "own_project.html",
            "_timeline.html",
            "_consent_status.html",
            "_sharing_now.html",
        )
    ),
    ROOT / "templates" / "measures" / "_own_trend_lines.html",
    ROOT / "templates" / "partials" / "error_summary.html",
]
GETTEXT = {"gettext", "gettext_lazy", "_", "ngettext", "pgettext", "npgettext", "gettext_noop"}


def _catalogue() -> dict[tuple[str | None, str], polib.POEntry]:
    return {(e.msgctxt, e.msgid): e for e in polib.pofile(str(CATALOGUE))}


def _msgids(python: str) -> set[tuple[str | None, str]]:
    """The (context, message) pairs of every gettext call with literal arguments."""
    found = set()
    for node in ast.walk(ast.parse(python)):
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Name | ast.Attribute):
            continue
        name = node.func.id if isinstance(node.func, ast.Name) else node.func.attr
        args = [a.value for a in node.args if isinstance(a, ast.Constant)]
        if name not in GETTEXT or not args or not all(isinstance(a, str) for a in args):
            continue
        if name.startswith(("pgettext", "npgettext")):
            found.add((args[0], args[1]))
        else:
            found.add((None, args[0]))
    return found


def _template_msgids(path: Path) -> set[tuple[str | None, str]]:
    """Django's own reading of {% translate %} and {% blocktranslate %}, as makemessages
    does: templatize writes each as a gettext call amid filler that is not Python."""
    text = templatize(path.read_text(), origin=str(path))
    found = set()
    for start in (m.start() for m in re.finditer(r"\bn?p?gettext\(", text)):
        end = text.find(")", start)
        while end != -1:
            try:
                found |= _msgids(text[start : end + 1])
                break
            except SyntaxError:
                end = text.find(")", end + 1)
    return found


def _translated(entry: polib.POEntry | None) -> bool:
    if entry is None or "fuzzy" in entry.flags:
        return False
    if entry.msgid_plural:
        return all(entry.msgstr_plural.get(n) for n in (0, 1))
    return bool(entry.msgstr)


def test_it_translates_every_string_of_the_participant_templates():
    catalogue = _catalogue()
    missing = {
        f"{path.relative_to(ROOT)}: {msgid!r}"
        for path in PARTICIPANT_TEMPLATES
        for msgid in _template_msgids(path)
        if not _translated(catalogue.get(msgid))
    }
    assert not missing, "Not in the Spanish catalogue (make messages, then translate):\n" + (
        "\n".join(sorted(missing))
    )


def test_it_translates_every_string_marked_in_the_code():
    catalogue = _catalogue()
    missing = {
        f"{path.relative_to(ROOT)}: {msgid!r}"
        for path in sorted((ROOT / "sessions_app").rglob("*.py"))
        if "migrations" not in path.parts
        for msgid in _msgids(path.read_text())
        if not _translated(catalogue.get(msgid))
    }
    assert not missing, "Not in the Spanish catalogue:\n" + "\n".join(sorted(missing))


def test_it_keeps_the_placeholders_of_each_string_in_spanish():
    placeholder = re.compile(r"%\(\w+\)s")
    wrong = [
        e.msgid
        for e in polib.pofile(str(CATALOGUE))
        if e.msgstr
        and sorted(placeholder.findall(e.msgid)) != sorted(placeholder.findall(e.msgstr))
    ]
    assert not wrong


# --- What a Spanish reader sees ------------------------------------------------------------


def _english_sentences() -> set[str]:
    """Whole English sentences of the participant templates: none may show in Spanish."""
    sentences = set()
    for path in PARTICIPANT_TEMPLATES:
        for _context, msgid in _template_msgids(path):
            words = re.sub(r"%\(\w+\)s|<[^>]+>", "\n", msgid)
            sentences |= {part.strip() for part in words.split("\n") if len(part.strip()) >= 14}
    return sentences


@pytest.fixture
def spanish(participant, therapist):
    participant.language = "es"
    participant.save(update_fields=["language"])
    return participant


@pytest.fixture
def attended(group, spanish, therapist):
    start = datetime.now(UTC) - timedelta(hours=3)
    session = f.SessionFactory(
        group=group, starts_at=start, ends_at=start + timedelta(hours=1), status="held"
    )
    f.AttendanceFactory(session=session, participant=spanish, recorded_by=therapist)
    return session


def _pages(spanish, session, attended) -> dict[str, str]:
    def link(action, s=None):
        return reverse(
            "participant_link",
            kwargs={
                "token": links.link_token(
                    participant=spanish, action=action, session_id=s.pk if s else None
                )
            },
        )

    return {
        "home": reverse("participant_home"),
        "reminder settings": reverse("participant_reminders"),
        "reflection": reverse("participant_reflection", args=[attended.pk]),
        "questions": reverse("participant_questions"),
        "check-in": reverse("participant_checkin", args=[session.pk]) + "?phase=before",
        "rsvp link": link("confirm", session),
        "decline link": link("decline", session),
        "stop link": link("stop"),
    }


def test_it_shows_every_participant_page_in_spanish(client, spanish, session, attended):
    english = _english_sentences()
    client.force_login(spanish.user)
    for name, url in _pages(spanish, session, attended).items():
        response = client.get(url, follow=True)
        assert response.status_code == 200, name
        page = html.unescape(response.content.decode())
        said = sorted(s for s in english if s in page)
        assert not said, f"{name} says in English: {said}"
        assert '<html lang="es">' in page, name


def test_it_writes_the_reflection_form_and_its_errors_in_spanish(client, spanish, attended):
    client.force_login(spanish.user)

    response = client.post(reverse("participant_reflection", args=[attended.pk]), {})

    page = html.unescape(response.content.decode())
    assert response.status_code == 400
    assert "¿Cómo era su ánimo antes de la sesión?" in page
    assert "Elija un número del 1 al 10." in page


def test_it_writes_the_session_date_the_spanish_way(client, spanish, group):
    start = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)  # 10:00 in New York
    group.site.time_zone = "America/New_York"
    group.site.save(update_fields=["time_zone"])
    session = f.SessionFactory(group=group, starts_at=start, ends_at=start + timedelta(hours=1))
    token = links.link_token(participant=spanish, action="confirm", session_id=session.pk)

    response = client.get(reverse("participant_link", kwargs={"token": token}))

    assert "mar 1 dic 2026, 10:00–11:00 EST" in response.content.decode()


def test_it_explains_a_spent_link_in_the_language_of_whom_it_was_for(client, spanish):
    token = links.link_token(participant=spanish, action="stop")
    links.links_revoke(participant=spanish)

    response = client.get(reverse("participant_link", kwargs={"token": token}))

    assert response.status_code == 410
    assert "Este enlace ya no es válido." in response.content.decode()


def test_it_keeps_staff_pages_in_english_whatever_the_browser_asks(client, therapist, group):
    client.force_login(therapist)

    response = client.get(reverse("group_roster", args=[group.pk]), HTTP_ACCEPT_LANGUAGE="es")

    assert '<html lang="en">' in response.content.decode()


def test_it_shows_a_participants_language_on_the_roster(client, therapist, group, spanish):
    client.force_login(therapist)

    response = client.get(reverse("group_roster", args=[group.pk]))

    assert "Español" in response.content.decode()


# --- Reminders and the calendar --------------------------------------------------------------


def _upcoming(spanish, session, channel="email") -> Reminder:
    return Reminder.objects.create(
        kind="upcoming",
        channel=channel,
        participant=spanish,
        session=session,
        slot=1440,
        due_at=session.starts_at - timedelta(days=1),
    )


@pytest.fixture
def tuesday(group):
    group.site.time_zone = "America/New_York"
    group.site.save(update_fields=["time_zone"])
    start = datetime(2026, 12, 8, 15, 0, tzinfo=UTC)
    return f.SessionFactory(group=group, starts_at=start, ends_at=start + timedelta(hours=1))


def test_it_sends_the_upcoming_reminder_in_spanish(spanish, tuesday):
    spanish.email = "dee@example.org"
    spanish.save(update_fields=["email"])

    message = compose(_upcoming(spanish, tuesday))

    assert message.subject.startswith("Recordatorio: mar 8 dic 10:00 EST en ")
    assert "martes 8 de diciembre, 10:00–11:00 EST" in message.body
    assert "¿Va a venir?" in message.html


def test_it_keeps_a_spanish_text_message_short(spanish, tuesday):
    spanish.phone = "+15555550123"
    spanish.save(update_fields=["phone"])

    body = compose(_upcoming(spanish, tuesday, channel="sms")).body

    # Accents make it UCS-2 (70 characters a segment): the words, links aside, fit in two.
    words = re.sub(r"https?://\S+", "", body)
    assert body.startswith("Hola Dee, recordatorio: mar 8 dic 10:00 EST")
    assert len(words) <= 140


def test_switching_back_to_english_changes_the_next_reminder(client, spanish, tuesday):
    reminder = _upcoming(spanish, tuesday)
    client.force_login(spanish.user)
    data = {"language": "en", "reminder_channel": "email", "email": "dee@example.org"}
    data["reminders_opt_in"] = "on"

    response = client.post(reverse("participant_reminders"), data)

    assert response.status_code == 302
    reminder.participant.refresh_from_db()
    assert compose(reminder).subject.startswith("Reminder: Tue 8 Dec 10:00 EST at ")


def test_it_names_the_calendar_events_in_spanish(client, spanish, session):
    spanish.calendar_token = "t" * 40
    spanish.save(update_fields=["calendar_token"])

    response = client.get(reverse("calendar_feed_participant", args=[spanish.calendar_token]))

    feed = response.content.decode()
    assert "SUMMARY:Sesión de grupo" in feed
    assert "Group session" not in feed


# --- Questionnaires ---------------------------------------------------------------------------


def test_it_words_a_questionnaire_in_its_published_spanish(client, spanish):
    asked = MeasureRequest.objects.create(
        participant=spanish, instrument="phq9", reason="enrolment", due_on=datetime.now(UTC).date()
    )
    client.force_login(spanish.user)

    response = client.get(reverse("participant_measure_answer", args=[asked.pk]))

    page = response.content.decode()
    assert instruments.worded("phq9", "es").stem in page
    assert "Poco interés o placer en hacer cosas" in page
    assert "Little interest or pleasure" not in page


def test_it_does_not_ask_a_questionnaire_that_has_no_spanish_wording(
    group, participant, spanish, therapist
):
    today = datetime.now(UTC).date()
    english = f.ParticipantFactory(site=group.site, first_name="Ann")
    enrollment = f.EnrollmentFactory(group=group, participant=english, start_date=today)
    theirs = spanish.enrollments.get()
    theirs.start_date = today
    theirs.save(update_fields=["start_date"])
    MeasureSchedule.objects.create(group=group, instrument="craving_vas", when="enrolment")

    measure_requests.measure_requests_plan(enrollments=[enrollment, theirs], today=today)

    asked = set(MeasureRequest.objects.values_list("participant__first_name", flat=True))
    assert asked == {"Ann"}


def test_it_tells_staff_who_is_not_asked_a_questionnaire(client, therapist, group, spanish):
    MeasureSchedule.objects.create(group=group, instrument="craving_vas", when="enrolment")
    client.force_login(therapist)

    response = client.get(reverse("group_measures", args=[group.pk]))

    page = html.unescape(response.content.decode())
    assert f"Not asked of {spanish.short_name} (Español)" in page


def test_every_spanish_wording_has_one_text_per_item():
    for instrument in instruments.CATALOGUE.values():
        for _code, wording in instrument.translations:
            assert len(wording.items) == len(instrument.items), instrument.code
            with translation.override("es"):
                assert instruments.worded(instrument.code).plain_title == wording.plain_title
