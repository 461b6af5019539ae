"""A therapist's first minute, in a real browser: log in and see the sessions ahead.

Drives Debian's Chromium (/usr/bin/chromium) through Playwright; Playwright's own
browser download is not used. Screenshots land in test-results/ for a human to look at.
"""

import os
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, Response, expect

from sessions_app.models import Group

# Playwright's sync API leaves an asyncio event loop running in the test thread, and
# Django then refuses ordinary (blocking) database access from that thread. Nothing
# here is async, so Django's documented escape hatch is safe. It is set at import
# because the loop outlives this module: later tests in the same run need it too.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path("/usr/bin/chromium")
PHONE = {"width": 390, "height": 844}


def _on_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in {"", "0", "false", "no"}


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing (apt-get install chromium)"
        if _on_ci():
            # A browser test that quietly skips on CI is a browser test nobody runs.
            pytest.fail(f"{message}; browser tests must run on CI")
        pytest.skip(message)
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture(scope="session")
def base_url(live_server) -> str:
    # Pages are addressed relative to Django's live server. Defining this here also
    # replaces pytest-playwright's own base_url fixture, which pytest deprecates.
    return live_server.url


@pytest.fixture
def screenshots(pytestconfig) -> Path:
    folder = Path(pytestconfig.getoption("--output")) / "browser"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.mark.browser
def test_it_logs_a_therapist_in_to_their_sessions(page: Page, base_url: str, screenshots: Path):
    # Through base_url this test uses live_server, so its database is transactional and
    # the server's thread sees these rows. The live server runs with DEBUG off, which
    # seed_demo refuses without force.
    call_command("seed_demo", force=True)
    their_groups = set(
        Group.objects.filter(facilitators__username="therapist").values_list("name", flat=True)
    )
    assert their_groups, "the demo data gives the therapist no group"

    broken: list[str] = []

    def note_failure(response: Response) -> None:
        if response.status >= 400:
            broken.append(f"{response.status} {response.url}")

    page.on("response", note_failure)

    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login/\?next=/$"))
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()

    page.get_by_label("Username").fill("therapist")
    page.get_by_label("Password").fill("refrain-demo")
    page.get_by_role("button", name="Log in").click()

    expect(page).to_have_url(base_url + "/")
    heading = page.get_by_role("heading", name="Your sessions")
    expect(heading).to_be_visible()
    upcoming = page.locator("main a[href^='/sessions/']")
    expect(upcoming.first).to_be_visible()
    shown = page.locator("main").inner_text()
    assert any(name in shown for name in their_groups), (their_groups, shown)
    page.screenshot(path=screenshots / "therapist-home-desktop.png", full_page=True)

    page.set_viewport_size(PHONE)
    expect(heading).to_be_visible()
    expect(upcoming.first).to_be_in_viewport()
    # Nothing may push the page sideways on a phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path=screenshots / "therapist-home-phone.png", full_page=True)

    # Stylesheets, scripts and pages all arrived (Bootstrap is served from static/).
    assert broken == []


@pytest.mark.browser
@pytest.mark.parametrize("who", ["admin", "therapist", "artist"])
def test_it_keeps_the_menu_on_one_line_from_tablet_to_desktop(
    page: Page, base_url: str, screenshots: Path, request, project, who
):
    """Tablets are the main device at the door: between 768 and 1024 px the menu either
    fits on one line or folds behind its button, never wraps or squeezes."""
    from tests.factories import PASSWORD

    user = request.getfixturevalue(who)
    page.goto("/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("nav.navbar")).to_be_visible()
    for width in (768, 820, 991, 992, 1024):
        page.set_viewport_size({"width": width, "height": 768})
        height = page.evaluate("document.querySelector('nav.navbar').offsetHeight")
        overflow = page.evaluate(
            "(n => n.scrollWidth - n.clientWidth)(document.querySelector('nav.navbar'))"
        )
        assert height < 70, f"{who} at {width} px: the menu is {height} px high"
        assert overflow <= 0, f"{who} at {width} px: the menu is {overflow} px too wide"
    page.screenshot(path=screenshots / f"menu-{who}-1024.png")
