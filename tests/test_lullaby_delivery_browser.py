"""The song's way home in a real browser: staff issue a family link, a phone with no
account opens it, plays and seeks, downloads; the project shows when it was opened; the
parent withdraws consent to share and the link answers that it is no longer available.

A screenshot of the family's page lands in test-results/browser/.
"""

from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse
from playwright.sync_api import Browser, Page, expect

from tests import factories as f
from tests.test_browser import base_url, browser_type_launch_args, screenshots  # noqa: F401

PHONE = {"width": 360, "height": 740}


def _sign_in(page: Page, user, base_url: str) -> None:  # noqa: F811
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [
            {
                "name": django_settings.SESSION_COOKIE_NAME,
                "value": client.cookies[django_settings.SESSION_COOKIE_NAME].value,
                "url": base_url,
            }
        ]
    )


@pytest.mark.browser
def test_a_family_opens_plays_and_downloads_the_song_until_consent_is_withdrawn(
    page: Page,
    browser: Browser,
    base_url: str,  # noqa: F811
    screenshots: Path,  # noqa: F811
    therapist,
    project,
    settings,
):
    settings.SITE_URL = base_url  # the link shown to copy is the live server's
    # Three seconds of audio: long enough to seek in.
    take = project.final_take
    take.audio.save("take.wav", ContentFile(f.wav_bytes(seconds=3)), save=True)
    project_url = base_url + reverse("lullaby_project", args=[project.pk])

    # Staff make the link; it is shown once, to copy.
    _sign_in(page, therapist, base_url)
    page.goto(project_url)
    page.get_by_role("link", name="Send the song to the family…").click()
    page.get_by_label("Show the lyrics").check()
    page.get_by_role("button", name="Make the link").click()
    family_url = page.locator("#family-url").input_value()
    assert "/song/" in family_url

    # A phone with no account opens it, plays and seeks.
    phone = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    try:
        family = phone.new_page()
        statuses: list[int] = []
        family.on(
            "response",
            lambda r: statuses.append(r.status) if r.url.split("?")[0].endswith("/song/") else None,
        )
        family.goto(family_url)
        expect(family.get_by_role("heading", name="A song for Eli")).to_be_visible()
        family.evaluate(
            """async () => {
                const audio = document.querySelector("#song");
                audio.muted = true;
                await audio.play();
                audio.currentTime = 2;
                await new Promise((done) => audio.addEventListener("seeked", done, {once: true}));
                audio.pause();
            }"""
        )
        assert 206 in statuses, statuses
        family.screenshot(path=screenshots / "family-song-phone.png", full_page=True)
        with family.expect_download() as download:
            family.get_by_role("link", name="Download the song").click()
        assert download.value.suggested_filename == "a-song-for-you.wav"

        # The project shows that the family opened it.
        page.goto(project_url)
        expect(page.locator(".first-opened")).to_contain_text("first opened by the family")
        expect(page.locator("#family .visits")).to_contain_text("Downloaded")

        # The parent withdraws consent to share with the family.
        page.goto(base_url + reverse("lullaby_consent", args=[project.pk]))
        page.get_by_label("To share the recording").check()
        page.get_by_label("With the family only").check()
        page.get_by_label("Withdrawn or refused").check()
        page.get_by_role("button", name="Record").click()

        response = family.goto(family_url)
        assert response.status == 410
        expect(family.get_by_role("heading")).to_have_text("This song is no longer available")
    finally:
        phone.close()
