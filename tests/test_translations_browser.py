"""A participant who reads Spanish, in a real browser: the reminder's link, the answer,
their page and settings all in Spanish; back to English on the settings page, and the
next reminder is in English."""

from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

from sessions_app.messaging.compose import compose
from sessions_app.models import Reminder
from tests import factories as f
from tests.test_browser import (  # noqa: F401 (fixtures)
    PHONE,
    base_url,
    browser_type_launch_args,
    screenshots,
)


@pytest.mark.browser
def test_a_spanish_reader_answers_a_reminder_then_switches_to_english(
    page: Page,
    base_url: str,  # noqa: F811
    screenshots: Path,  # noqa: F811
    group,
    participant,
):
    participant.language = "es"
    participant.email = "dee@example.org"
    participant.save(update_fields=["language", "email"])
    group.site.time_zone = "America/New_York"
    group.site.save(update_fields=["time_zone"])
    start = datetime.now(UTC).replace(hour=15, minute=0, second=0, microsecond=0)
    start += timedelta(days=2)
    session = f.SessionFactory(group=group, starts_at=start, ends_at=start + timedelta(hours=1))
    reminder = Reminder.objects.create(
        kind="upcoming",
        channel="email",
        participant=participant,
        session=session,
        slot=1440,
        due_at=start - timedelta(days=1),
    )
    message = compose(reminder)
    assert message.subject.startswith("Recordatorio: ")
    confirm = next(line.split()[-1] for line in message.body.splitlines() if "Sí, voy:" in line)

    page.set_viewport_size(PHONE)
    page.goto(base_url + urlsplit(confirm).path)
    expect(page.get_by_role("heading", name="¿Va a venir?")).to_be_visible()
    page.screenshot(path=screenshots / "participant-rsvp-spanish.png", full_page=True)
    page.get_by_role("button", name="Sí, ahí estaré").click()

    expect(page.get_by_role("heading", name="Hola, Dee")).to_be_visible()
    expect(page.locator(f"#session-{session.pk}").get_by_role("status")).to_have_text(
        "Gracias: quien dirige su grupo ya sabe que viene."
    )
    page.get_by_text("Recordatorios", exact=True).click()
    page.get_by_role("link", name="Cambiar su configuración e idioma").click()
    expect(page.get_by_role("heading", name="Configuración de recordatorios")).to_be_visible()
    page.get_by_label("English").check()
    page.get_by_role("button", name="Guardar").click()

    expect(page.get_by_role("heading", name="Hello, Dee")).to_be_visible()
    expect(page.get_by_text("Your reminder settings are saved.")).to_be_visible()
    reminder.participant.refresh_from_db()
    assert compose(reminder).subject.startswith("Reminder: ")
