"""The therapist's day in a real browser, on a tablet at the door: home → roll call →
note → signed, and the to-do list is shorter. Screenshots of the home at tablet and
phone sizes land in test-results/browser/ for a human to look at."""

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests import factories as f
from tests import test_browser

# The browser set-up of test_browser.py: Debian's Chromium, the live server, screenshots.
browser_type_launch_args = test_browser.browser_type_launch_args
base_url = test_browser.base_url
screenshots = test_browser.screenshots

TABLET = {"width": 1024, "height": 768}
PHONE = {"width": 390, "height": 844}


def _midday_zone(now: datetime) -> str:
    """A time zone where it is around midday now, so that a session that ended a few
    minutes ago is "today" there whatever time the test runs."""
    offset = max(-12, min(14, 12 - now.hour))
    # POSIX-style names: Etc/GMT-5 is five hours ahead of UTC.
    return "Etc/GMT" if offset == 0 else f"Etc/GMT{-offset:+d}"


@pytest.fixture
def day(db, settings):
    settings.STAFF_MFA_REQUIRED = False
    now = datetime.now(UTC)
    site = f.SiteFactory(name="Harbor Street Center", time_zone=_midday_zone(now))
    therapist = f.TherapistFactory(
        username="maya", first_name="Maya", last_name="Okafor", sites=[site]
    )
    group = f.GroupFactory(site=site, name="Tuesday Songwriting", lead=therapist)
    participant = f.ParticipantFactory(site=site, first_name="Dana", last_name="Reyes")
    f.EnrollmentFactory(group=group, participant=participant)
    start = now.replace(second=0, microsecond=0) - timedelta(minutes=61)
    session = f.SessionFactory(group=group, starts_at=start, ends_at=start + timedelta(hours=1))
    f.PlanItemFactory(session=session, position=1)
    return therapist, session


def _todo_items(page: Page) -> int:
    return page.locator("[data-todo]").count()


def _no_overflow(page: Page, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.browser
def test_it_takes_the_therapist_from_home_to_a_signed_note(
    page: Page, base_url: str, screenshots: Path, day
):
    therapist, session = day
    page.set_viewport_size(TABLET)
    page.goto("/")
    page.get_by_label("Username").fill(therapist.username)
    page.get_by_label("Password").fill(f.PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Today")).to_be_visible()
    before = _todo_items(page)
    assert before == 1  # the roll call of the session that just ended
    _no_overflow(page, TABLET["width"])
    page.screenshot(path=screenshots / "therapist-day-tablet.png", full_page=True)
    page.set_viewport_size(PHONE)
    _no_overflow(page, PHONE["width"])
    page.screenshot(path=screenshots / "therapist-day-phone.png", full_page=True)
    page.set_viewport_size(TABLET)

    today = page.locator(f"[data-today-session='{session.pk}']")
    today.get_by_role("link", name="Roll call").click()
    expect(page).to_have_url(re.compile(rf"/sessions/{session.pk}/attendance/"))
    page.get_by_text("Present", exact=True).first.click()
    page.get_by_role("button", name="Save roll call").click()

    page.goto("/")
    page.locator(f"[data-today-session='{session.pk}']").get_by_role(
        "link", name="Write the note"
    ).click()
    for label in ("Subjective", "Objective", "Assessment", "Plan"):
        page.get_by_label(label, exact=True).fill(f"{label}: the group wrote a chorus.")
    page.get_by_role("button", name="Save and review for signing…").click()
    page.get_by_role("button", name=re.compile("^Sign")).click()
    expect(page.locator("h1 .badge")).to_have_text("Signed")

    page.goto("/")
    expect(page.locator("[data-todo-empty]")).to_be_visible()
    assert _todo_items(page) < before


@pytest.mark.browser
@pytest.mark.parametrize(("username", "size"), [("therapist", TABLET), ("therapist", PHONE)])
def test_it_shows_the_demo_therapists_day_without_overflow(
    page: Page, base_url: str, screenshots: Path, settings, username, size
):
    from django.core.management import call_command

    settings.STAFF_MFA_REQUIRED = False
    call_command("seed_demo", force=True)
    page.set_viewport_size(size)
    page.goto("/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("refrain-demo")
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("[data-todo='cosign']")).to_have_count(1)
    _no_overflow(page, size["width"])
    name = f"demo-{username}-home-{size['width']}x{size['height']}.png"
    page.screenshot(path=screenshots / name, full_page=True)
