"""Answering in a real browser: a check-in on a phone, a questionnaire by link that needs
crisis resources, and three people checking in at the door on a tablet. Screenshots land
in test-results/browser/ for a human to look at."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from sessions_app import links
from sessions_app.models import MeasureRequest, MeasureResponse
from tests import factories as f
from tests.factories import PASSWORD
from tests.test_browser import (  # noqa: F401 (fixtures)
    PHONE,
    base_url,
    browser_type_launch_args,
    screenshots,
)

TABLET = {"width": 1024, "height": 768}


@pytest.fixture
def soon_session(group):
    start = timezone.now() + timedelta(hours=1)
    return f.SessionFactory(group=group, starts_at=start, ends_at=start + timedelta(hours=1))


@pytest.fixture
def watched(page: Page) -> Page:
    """A page whose script errors and failed loads fail the test; a form sent back with
    its errors (400) is no failure."""
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"script error: {error}"))
    page.on(
        "console",
        lambda message: (
            problems.append(message.text)
            if message.type == "error" and "status of 400" not in message.text
            else None
        ),
    )
    yield page
    assert problems == []


def _open_link(page: Page, base_url: str, participant, action, session=None):  # noqa: F811
    token = links.link_token(
        participant=participant, action=action, session_id=session.pk if session else None
    )
    page.goto(base_url + reverse("participant_link", args=[token]))


@pytest.mark.browser
def test_it_checks_in_on_a_phone_with_one_tap_per_item(
    watched: Page,
    base_url: str,  # noqa: F811
    screenshots: Path,  # noqa: F811
    participant,
    soon_session,
):
    page = watched
    page.set_viewport_size(PHONE)
    _open_link(page, base_url, participant, "me")
    expect(page.get_by_role("heading", name="Questions for you")).to_be_visible()
    page.screenshot(path=screenshots / "answering-home-phone.png", full_page=True)

    page.get_by_role("link", name=re.compile("Before we start")).click()
    save = page.get_by_role("button", name="Save")
    # The whole check-in is on the first screen: nothing to scroll to.
    expect(save).to_be_in_viewport()
    page.screenshot(path=screenshots / "answering-checkin-phone.png", full_page=True)

    taps = 0
    page.get_by_role("group", name=re.compile("How are you feeling")).get_by_text(
        "7", exact=True
    ).click()
    taps += 1
    page.get_by_role("group", name=re.compile("Any craving")).get_by_text("2", exact=True).click()
    taps += 1
    save.click()
    taps += 1

    expect(page.get_by_role("status")).to_have_text("Thank you: your answers are saved.")
    assert taps <= 3 * 2  # under three taps per item, saving included
    saved = MeasureResponse.objects.get()
    assert (saved.phase, saved.answers, saved.via) == ("before", {"mood": 7, "craving": 2}, "link")


@pytest.mark.browser
def test_it_shows_988_when_item_nine_is_answered_above_zero_by_link(
    watched: Page,
    base_url: str,  # noqa: F811
    screenshots: Path,  # noqa: F811
    participant,
):
    page = watched
    page.set_viewport_size(PHONE)
    MeasureRequest.objects.create(
        participant=participant,
        instrument="phq9",
        reason=MeasureRequest.Reason.PERIODIC,
        due_on=timezone.localdate(),
    )
    _open_link(page, base_url, participant, "questions")
    page.get_by_role("link", name=re.compile("A few questions about the last two weeks")).click()
    groups = page.locator("fieldset")
    expect(groups).to_have_count(9)
    for n in range(8):
        groups.nth(n).get_by_text("Not at all").click()
    groups.nth(8).get_by_text("Several days").click()
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_role("link", name="Call 988")).to_be_visible()
    expect(page.get_by_text("Tell the person running your group.")).to_be_visible()
    page.screenshot(path=screenshots / "answering-crisis-phone.png", full_page=True)
    assert "Several days" not in page.locator("main").inner_text()


@pytest.fixture
def door_people(group, participant):
    participant.last_name = "Rivera"
    participant.save()
    others = [
        f.ParticipantFactory(site=group.site, first_name=name, last_name=last, preferred_name="")
        for name, last in (("Sam", "Okafor"), ("Lee", "Nguyen"))
    ]
    for person in others:
        f.EnrollmentFactory(group=group, participant=person)
    return [participant, *others]


def _sign_in(page: Page, base_url: str, user) -> None:  # noqa: F811
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": base_url}])


@pytest.mark.browser
def test_it_runs_check_in_at_the_door_for_three_people(
    watched: Page,
    base_url: str,  # noqa: F811
    screenshots: Path,  # noqa: F811
    therapist,
    soon_session,
    door_people,
):
    page = watched
    page.set_viewport_size(TABLET)
    _sign_in(page, base_url, therapist)
    page.goto(base_url + reverse("session_detail", args=[soon_session.pk]))
    page.get_by_role("button", name="Check-in at the door").click()

    roster_url = base_url + reverse("kiosk", args=[soon_session.pk])
    expect(page).to_have_url(roster_url)
    expect(page.get_by_role("heading", name="Before we start")).to_be_visible()
    page.screenshot(path=screenshots / "kiosk-roster-tablet.png", full_page=True)
    assert "Rivera" not in page.locator("main").inner_text()

    for n, name in enumerate(("Dee R.", "Sam O.", "Lee N."), 1):
        page.get_by_role("link", name=re.compile(name)).click()
        page.get_by_role("group", name=re.compile("How are you feeling")).get_by_text(
            str(n + 4), exact=True
        ).click()
        page.get_by_role("group", name=re.compile("Any craving")).get_by_text(
            str(n), exact=True
        ).click()
        if n == 1:
            page.screenshot(path=screenshots / "kiosk-answer-tablet.png", full_page=True)
        page.get_by_role("button", name="Done").click()
        expect(page.get_by_role("heading", name=re.compile("Thank you"))).to_be_visible()
        if n == 1:
            page.screenshot(path=screenshots / "kiosk-thanks-tablet.png", full_page=True)
            # The thanks screen goes back to the roster by itself.
            expect(page).to_have_url(roster_url, timeout=10_000)
        else:
            page.get_by_role("link", name="Next person").click()
        shown = page.locator("main").inner_text()
        assert "How are you feeling" not in shown

    assert MeasureResponse.objects.filter(session=soon_session, via="kiosk").count() == 3
    page.screenshot(path=screenshots / "kiosk-roster-done-tablet.png", full_page=True)

    # A participant holding the tablet reaches nothing else.
    page.goto(base_url + reverse("home"))
    expect(page).to_have_url(roster_url)
    page.goto(base_url + reverse("group_list"))
    expect(page).to_have_url(roster_url)

    # Leaving needs the therapist's password.
    page.get_by_role("link", name="Group leader").click()
    page.get_by_label("Your password").fill("not-the-password")
    page.get_by_role("button", name="Leave check-in").click()
    expect(page.get_by_role("alert")).to_contain_text("That password is not right")
    page.screenshot(path=screenshots / "kiosk-exit-tablet.png", full_page=True)
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_role("button", name="Leave check-in").click()
    expect(page).to_have_url(base_url + reverse("session_detail", args=[soon_session.pk]))
    page.goto(base_url + reverse("home"))
    expect(page).to_have_url(base_url + reverse("home"))
