"""Planning in a real browser: drag an activity to a new place, filter songs as one types.

Screenshots land in test-results/browser/ at tablet (1024 × 768) and phone (390 × 844) size.
"""

from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from playwright.sync_api import Page, expect

from sessions_app.models import GoalArea, Theme
from tests import factories as f
from tests.test_browser import (  # noqa: F401 (fixtures)
    PHONE,
    base_url,
    browser_type_launch_args,
    screenshots,
)
from tests.test_security_headers_browser import COLLECT_VIOLATIONS

TABLET = {"width": 1024, "height": 768}


def _sign_in(page: Page, user, base_url: str) -> None:  # noqa: F811
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": base_url,
            }
        ]
    )


def _watch(page: Page) -> list[str]:
    """Script errors and CSP violations, collected while the test runs."""
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"script error: {error}"))
    page.add_init_script(COLLECT_VIOLATIONS)
    return problems


def _violations(page: Page) -> list[str]:
    return page.evaluate("window.__cspViolations")


def _order(page: Page) -> list[str]:
    return page.locator("ol.plan-list > li .small:not(.text-body-secondary)").all_inner_texts()


@pytest.fixture
def plan(session):
    purposes = ["Warm up voices", "Write a verse together", "Share and listen", "Breathe"]
    return [
        f.PlanItemFactory(session=session, position=n, purpose=p, minutes=10)
        for n, p in enumerate(purposes, start=1)
    ]


@pytest.mark.browser
def test_it_keeps_a_dragged_order_after_reload(
    page: Page,
    base_url: str,  # noqa: F811
    screenshots: Path,  # noqa: F811
    therapist,
    session,
    plan,
):
    problems = _watch(page)
    _sign_in(page, therapist, base_url)
    page.set_viewport_size(TABLET)
    page.goto(base_url + reverse("session_plan", args=[session.pk]))
    handles = page.locator(".plan-handle")
    expect(handles.first).to_be_visible()

    # Drag the last activity above the first, in small steps as a hand would.
    source = handles.nth(3).bounding_box()
    target = page.locator("ol.plan-list > li").first.bounding_box()
    page.mouse.move(source["x"] + source["width"] / 2, source["y"] + source["height"] / 2)
    page.mouse.down()
    page.mouse.move(target["x"] + 40, target["y"] + 5, steps=20)
    page.mouse.up()

    expect(page.locator("[data-plan-status]")).to_have_text("New order saved.")
    expect(page.locator("[data-position]").first).to_have_text("1")
    first_up = page.locator("ol.plan-list > li").first.locator("[data-move=up]")
    expect(first_up).to_be_disabled()
    page.screenshot(path=screenshots / "plan-dragged-tablet.png", full_page=True)
    # Where a hand's drag lands depends on the pointer's last steps (on a busy machine
    # one place up or down): whatever order the page shows is the one the server keeps.
    shown = _order(page)
    assert shown.index("Breathe") < 3

    page.reload()
    assert _order(page) == shown
    page.set_viewport_size(PHONE)
    page.screenshot(path=screenshots / "plan-dragged-phone.png", full_page=True)
    assert not problems + _violations(page), "\n".join(problems + _violations(page))


@pytest.mark.browser
def test_it_puts_the_list_back_when_the_plan_changed_meanwhile(
    page: Page,
    base_url: str,  # noqa: F811
    therapist,
    session,
    plan,
):
    _sign_in(page, therapist, base_url)
    page.set_viewport_size(TABLET)
    page.goto(base_url + reverse("session_plan", args=[session.pk]))
    f.PlanItemFactory(session=session, position=5, purpose="Added in another tab")
    before = _order(page)

    page.locator(".plan-handle").nth(0).drag_to(page.locator("ol.plan-list > li").nth(3))

    expect(page.locator("[data-plan-status]")).to_contain_text("The plan has changed")
    assert _order(page) == before


@pytest.mark.browser
def test_it_filters_songs_as_one_types(
    page: Page,
    base_url: str,  # noqa: F811
    screenshots: Path,  # noqa: F811
    therapist,
    session,
):
    problems = _watch(page)
    calm = Theme.objects.create(name="Calm")
    f.SongFactory(title="Amazing Grace", key="G major").themes.add(calm)
    f.SongFactory(title="Lean on Me", artist="Bill Withers", key="C major")
    f.SongFactory(title="Stand by Me", artist="Ben E. King", key="A major")
    _sign_in(page, therapist, base_url)
    page.set_viewport_size(TABLET)
    page.goto(base_url + reverse("plan_item_add", args=[session.pk]))
    page.get_by_label("Purpose").fill("Settle in")

    page.get_by_label("Title or artist").press_sequentially("me", delay=30)

    options = page.locator("select[name=song] option")
    expect(options).to_have_count(3)  # "No song" and the two that match
    expect(page.locator("[data-song-count]")).to_have_text("2 songs to choose from.")
    expect(page.get_by_label("Purpose")).to_have_value("Settle in")
    page.screenshot(path=screenshots / "plan-song-search-tablet.png", full_page=True)
    page.set_viewport_size(PHONE)
    page.screenshot(path=screenshots / "plan-song-search-phone.png", full_page=True)
    assert not problems + _violations(page), "\n".join(problems + _violations(page))


@pytest.mark.browser
def test_it_filters_songs_by_goal_area_and_lyrics_as_one_chooses(
    page: Page,
    base_url: str,  # noqa: F811
    screenshots: Path,  # noqa: F811
    therapist,
    session,
):
    problems = _watch(page)
    # The live server's database is flushed between tests: the migration's rows are gone.
    craving = GoalArea.objects.get_or_create(name="Coping with craving")[0]
    f.SongFactory(title="Amazing Grace").goal_areas.add(craving)
    f.SongFactory(title="Whiskey in the Jar", mentions_substance_use=True).goal_areas.add(craving)
    f.SongFactory(title="Deep River")
    _sign_in(page, therapist, base_url)
    page.set_viewport_size(TABLET)
    page.goto(base_url + reverse("plan_item_add", args=[session.pk]))

    page.get_by_label("Goal area", exact=True).select_option(label="Coping with craving")
    page.get_by_label("Lyrics mentioning substance use").select_option("leave_out")

    options = page.locator("select[name=song] option")
    expect(options).to_have_count(2)  # "No song" and Amazing Grace
    expect(page.locator("[data-song-count]")).to_have_text("1 song to choose from.")
    page.screenshot(path=screenshots / "plan-song-goal-area-tablet.png", full_page=True)
    assert not problems + _violations(page), "\n".join(problems + _violations(page))
