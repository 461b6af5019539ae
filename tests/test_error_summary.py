"""A form that comes back with errors opens with a summary of them (focused on load by
static/js/error_summary.js), each line a link to its field; each invalid field is marked
invalid and described by its message, for those who cannot see the red."""

import html
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from tests import factories as f
from tests.page_parts import part


class _Elements(HTMLParser):
    """Every element's attributes by id, and the summary's links as (href, text)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.by_id: dict[str, dict] = {}
        self.summaries = 0
        self.links: list[tuple[str, str]] = []
        self._in_summary = 0
        self._href: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        found = {k: v or "" for k, v in attrs}
        if "id" in found:
            self.by_id[found["id"]] = found
        if "data-error-summary" in found:
            self.summaries += 1
            self._in_summary = 1
        elif self._in_summary and tag not in ("input", "br"):
            self._in_summary += 1
        if self._in_summary and tag == "a":
            self._href, self._text = found.get("href", ""), []

    def handle_endtag(self, tag):
        if self._in_summary and tag == "a" and self._href is not None:
            self.links.append((self._href, " ".join("".join(self._text).split())))
            self._href = None
        if self._in_summary:
            self._in_summary -= 1

    def handle_data(self, data):
        if self._href is not None:
            self._text.append(data)


def _page(response) -> tuple[str, _Elements]:
    body = response.content.decode()
    elements = _Elements()
    elements.feed(body)
    return body, elements


def _described_by(elements: _Elements, body: str, element_id: str) -> str:
    """The text of what describes the element: its messages, as a screen reader reads."""
    ids = elements.by_id[element_id].get("aria-describedby", "").split()
    return " ".join(part(body, i).text for i in ids)


# --- Roll call ------------------------------------------------------------------------

STARTS = datetime(2026, 3, 3, 15, 0, tzinfo=UTC)


@pytest.fixture
def held(group, participant):
    return f.SessionFactory(group=group, starts_at=STARTS, ends_at=STARTS + timedelta(hours=1))


def _roll_call(client, session, data):
    return client.post(reverse("roll_call", args=[session.pk]), data)


def test_it_marks_the_invalid_minutes_box_invalid(client, therapist, held, participant):
    client.force_login(therapist)
    response = _roll_call(
        client,
        held,
        {f"status-{participant.pk}": "present", f"minutes-{participant.pk}": "-5"},
    )
    _, elements = _page(response)
    assert elements.by_id[f"id_minutes-{participant.pk}"]["aria-invalid"] == "true"


def test_it_describes_the_invalid_minutes_box_by_its_message(client, therapist, held, participant):
    client.force_login(therapist)
    response = _roll_call(
        client,
        held,
        {f"status-{participant.pk}": "present", f"minutes-{participant.pk}": "-5"},
    )
    body, elements = _page(response)
    described = _described_by(elements, body, f"id_minutes-{participant.pk}")
    assert described == "Minutes cannot be negative."


def test_it_links_the_summary_to_the_invalid_minutes_box(client, therapist, held, participant):
    client.force_login(therapist)
    response = _roll_call(
        client,
        held,
        {f"status-{participant.pk}": "present", f"minutes-{participant.pk}": "-5"},
    )
    _, elements = _page(response)
    assert elements.links == [
        (
            f"#id_minutes-{participant.pk}",
            f"Minutes attended by {participant.short_name}: Minutes cannot be negative.",
        )
    ]


def test_it_marks_the_status_buttons_missing_a_status(client, therapist, held, participant):
    client.force_login(therapist)
    response = _roll_call(client, held, {f"minutes-{participant.pk}": "30"})
    body, elements = _page(response)
    radios = elements.by_id[f"id_status-{participant.pk}_0"]
    assert radios["name"] == f"status-{participant.pk}"
    # The group of buttons is marked and described, and the summary goes to its first.
    assert 'role="radiogroup"' in body
    assert f'aria-describedby="id_status-{participant.pk}_error"' in body
    assert part(body, f"id_status-{participant.pk}_error").text == (
        "Choose a status for these minutes."
    )
    assert elements.links == [
        (
            f"#id_status-{participant.pk}_0",
            f"Attendance of {participant.short_name}: Choose a status for these minutes.",
        )
    ]


def test_it_shows_no_summary_on_a_form_without_errors(client, therapist, held):
    client.force_login(therapist)
    _, elements = _page(client.get(reverse("roll_call", args=[held.pk])))
    assert elements.summaries == 0


# --- Other forms ----------------------------------------------------------------------


def test_it_opens_a_whole_crispy_form_with_the_summary(client, therapist, group):
    client.force_login(therapist)
    response = client.post(reverse("group_skip_date", args=[group.pk]), {"reason": "Holiday"})
    body, elements = _page(response)
    assert elements.summaries == 1
    assert elements.links == [("#id_day", "Date: This field is required.")]
    assert elements.by_id["id_day"]["aria-invalid"] == "true"
    assert _described_by(elements, body, "id_day") == "This field is required."


def test_it_links_a_participants_form_to_the_field_to_fix(client, participant):
    client.force_login(participant.user)
    response = client.post(
        reverse("participant_reminders"),
        {"reminders_opt_in": "on", "reminder_channel": "email", "email": "not an address"},
    )
    body, elements = _page(response)
    assert elements.links == [("#id_email", "Email: This does not look like an email address.")]
    assert elements.by_id["id_email"]["aria-invalid"] == "true"
    assert _described_by(elements, body, "id_email") == (
        "This does not look like an email address."
    )


def test_it_links_a_missing_choice_to_its_first_option(client, participant):
    client.force_login(participant.user)
    response = client.post(reverse("participant_reminders"), {"reminder_channel": ""})
    _, elements = _page(response)
    assert ("#id_reminder_channel_0", "How should we remind you?: This field is required.") in (
        elements.links
    )
    assert "id_reminder_channel_0" in elements.by_id


def test_it_lists_an_error_about_the_whole_form_without_a_link(client, therapist):
    response = client.post(reverse("login"), {"username": "therapist", "password": "wrong"})
    body, elements = _page(response)
    summary = html.unescape(" ".join(body.split()))
    assert elements.summaries == 1
    assert elements.links == []
    assert "You are not signed in. Fix these:" in summary
    assert "Please enter a correct username and password" in summary


def test_it_says_a_search_saves_nothing(client, therapist):
    client.force_login(therapist)
    response = client.get(reverse("song_list"), {"tempo_min": "fast"})
    body, elements = _page(response)
    assert "Fix these to search:" in body
    assert elements.links == [("#id_tempo_min", "Min BPM: Enter a whole number.")]
    assert _described_by(elements, body, "id_tempo_min") == "Enter a whole number."
