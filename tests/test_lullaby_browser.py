"""The lullaby board on a tablet at the door and on a phone: nothing pushes the page sideways.

Screenshots land in test-results/browser/ for a human to look at.
"""

from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from playwright.sync_api import Page

from sessions_app.models import LullabyProject
from tests import factories as f
from tests.test_browser import base_url, browser_type_launch_args, screenshots  # noqa: F401

SIZES = {"tablet": {"width": 1024, "height": 768}, "phone": {"width": 390, "height": 844}}


def _open_board_as(page: Page, user, base_url: str) -> None:  # noqa: F811
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
    page.goto(base_url + reverse("lullaby_board"), wait_until="load")


def _overflow(page: Page) -> int:
    """How far the page, or a scrolling box inside it, scrolls sideways (0 or less: not
    at all). Content spilling out of a box without a scroll bar widens the page itself."""
    return page.evaluate(
        """() => Math.max(
            document.documentElement.scrollWidth - window.innerWidth,
            ...[...document.querySelectorAll("main *")]
                .filter((e) => ["auto", "scroll"].includes(getComputedStyle(e).overflowX))
                .map((e) => e.scrollWidth - e.clientWidth)
        )"""
    )


@pytest.fixture
def busy_board(therapist, participant, artist) -> None:
    """A project at every stage but one, and three at the first: a full board."""
    stages = list(LullabyProject.Stage.values)
    for stage in stages[:1] * 3 + stages[1:-1]:
        f.LullabyProjectFactory(
            therapist=therapist,
            participant=participant,
            artists=[artist],
            stage=stage,
            title=f"A lullaby for the longest winter nights ({stage})",
        )


@pytest.mark.browser
@pytest.mark.parametrize("size", SIZES)
def test_it_fits_a_full_board_without_sideways_scrolling(
    page: Page,
    base_url: str,  # noqa: F811
    screenshots: Path,  # noqa: F811
    therapist,
    busy_board,
    size,
):
    page.set_viewport_size(SIZES[size])
    _open_board_as(page, therapist, base_url)
    page.screenshot(path=screenshots / f"lullaby-board-{size}.png", full_page=True)
    assert _overflow(page) <= 0


@pytest.mark.browser
@pytest.mark.parametrize("size", SIZES)
def test_it_fits_one_project_as_a_list_without_sideways_scrolling(
    page: Page,
    base_url: str,  # noqa: F811
    screenshots: Path,  # noqa: F811
    artist,
    project,
    size,
):
    page.set_viewport_size(SIZES[size])
    _open_board_as(page, artist, base_url)
    page.screenshot(path=screenshots / f"lullaby-list-{size}.png", full_page=True)
    assert _overflow(page) <= 0
