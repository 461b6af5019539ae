"""A participant on a phone, in a real browser: answer a session far down the page and
land back at it; copy the calendar link. Screenshots at phone and tablet sizes land in
test-results/browser/ for a human to look at."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from sessions_app import links
from sessions_app.services.calendar_feeds import participant_calendar_reset
from tests import factories as f
from tests.test_browser import (  # noqa: F401 (fixtures)
    PHONE,
    base_url,
    browser_type_launch_args,
    screenshots,
)

TABLET = {"width": 1024, "height": 768}


@pytest.fixture
def sessions(group, participant):
    first = timezone.now() + timedelta(days=1)
    return [
        f.SessionFactory(
            group=group,
            starts_at=first + timedelta(weeks=i),
            ends_at=first + timedelta(weeks=i, hours=1),
        )
        for i in range(5)
    ]


@pytest.fixture
def phone_page(page: Page, base_url: str, participant) -> Page:  # noqa: F811
    """The participant's page, opened from a reminder's link on a phone (no login)."""
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"script error: {error}"))
    page.on(
        "console",
        lambda message: problems.append(message.text) if message.type == "error" else None,
    )
    page.set_viewport_size(PHONE)
    token = links.link_token(participant=participant, action="me", session_id=None)
    page.goto(base_url + reverse("participant_link", args=[token]))
    expect(page.get_by_role("heading", name=f"Hello, {participant.display_name}")).to_be_visible()
    yield page
    assert problems == []


def _fits(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.browser
def test_it_answers_the_fourth_session_and_comes_back_to_it(
    sessions,
    past_session,
    phone_page: Page,
    screenshots: Path,  # noqa: F811
):
    page = phone_page
    page.screenshot(path=screenshots / "participant-home-phone.png", full_page=True)
    fourth = page.locator(f"#session-{sessions[3].pk}")
    expect(fourth).to_be_hidden()  # folded under "Later sessions"

    page.get_by_text("Later sessions").click()
    fourth.get_by_role("button", name="I’ll be there").click()

    expect(page).to_have_url(re.compile(rf"/me/#session-{sessions[3].pk}$"))
    thanks = fourth.get_by_role("status")
    expect(thanks).to_have_text("Thank you: your group leader knows you are coming.")
    # The page comes back with that session at the top of the screen (Bootstrap scrolls
    # there smoothly, so this waits for the scroll to end).
    page.wait_for_function(
        "id => { const top = document.getElementById(id).getBoundingClientRect().top;"
        " return top >= 0 && top < 40; }",
        arg=f"session-{sessions[3].pk}",
    )
    expect(thanks).to_be_in_viewport(ratio=1)
    expect(fourth.get_by_role("button", name="I’ll be there")).to_have_attribute(
        "aria-pressed", "true"
    )
    assert _fits(page)
    page.screenshot(path=screenshots / "participant-answered-phone.png")


# Reading the clipboard back is switched off by our Permissions-Policy (as it should
# be), so the test notes what the page hands to writeText.
NOTE_CLIPBOARD_WRITES = """
window.__copied = [];
const write = navigator.clipboard.writeText.bind(navigator.clipboard);
navigator.clipboard.writeText = (text) => write(text).then(() => window.__copied.push(text));
"""


@pytest.mark.browser
def test_it_copies_the_calendar_link(participant, phone_page: Page, base_url: str):  # noqa: F811
    participant_calendar_reset(participant=participant)
    page = phone_page
    page.context.grant_permissions(["clipboard-write"], origin=base_url)
    page.add_init_script(NOTE_CLIPBOARD_WRITES)
    page.reload()
    page.get_by_text("Your sessions in your phone’s calendar").click()

    page.get_by_role("button", name="Copy").click()

    expect(page.locator("#calendar-url-copied")).to_have_text("Copied")
    link = page.locator("#calendar-url").input_value()
    assert page.evaluate("window.__copied") == [link]


@pytest.mark.browser
def test_it_copies_by_selecting_where_the_clipboard_api_is_missing(
    participant,
    phone_page: Page,
):
    participant_calendar_reset(participant=participant)
    page = phone_page
    # Older phone browsers, and pages not served over HTTPS, have no navigator.clipboard.
    page.add_init_script("Object.defineProperty(navigator, 'clipboard', {value: undefined})")
    page.reload()
    page.get_by_text("Your sessions in your phone’s calendar").click()

    page.get_by_role("button", name="Copy").click()

    expect(page.locator("#calendar-url-copied")).to_have_text("Copied")
    selected = page.evaluate("window.getSelection().toString() || document.activeElement.value")
    assert selected == page.locator("#calendar-url").input_value()


@pytest.mark.browser
@pytest.mark.parametrize(("size", "name"), [(PHONE, "phone"), (TABLET, "tablet")])
def test_it_fits_every_section_opened(
    participant,
    sessions,
    past_session,
    phone_page: Page,
    screenshots: Path,  # noqa: F811
    size,
    name,
):
    participant_calendar_reset(participant=participant)
    page = phone_page
    page.set_viewport_size(size)
    page.reload()
    for summary in page.locator("details.fold > summary").all():
        summary.click()
    expect(page.locator("#calendar-url")).to_be_visible()
    assert _fits(page)
    page.screenshot(path=screenshots / f"participant-home-open-{name}.png", full_page=True)
