"""The golden thread in a real browser, as a new therapist would walk it: assessment →
plan with two goals and three objectives → a session planned with items tagged to those
goals → progress recorded in the group note and signed → a progress report drafted for
the last 30 days, signed and printed. Then the administrator sees the plan's review
date but not its words, and another therapist gets 404. Screenshots at tablet and phone
sizes land in test-results/browser/."""

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from sessions_app.models import GoalArea, ObjectiveProgress, ProgressReport, TreatmentPlan
from tests import factories as f
from tests import test_browser

browser_type_launch_args = test_browser.browser_type_launch_args
base_url = test_browser.base_url
screenshots = test_browser.screenshots

TABLET = {"width": 1024, "height": 768}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def world(db, settings):
    settings.STAFF_MFA_REQUIRED = False
    now = datetime.now(UTC)
    site = f.SiteFactory(name="Harbor Street Center", time_zone="America/New_York")
    for position, name in enumerate(("Social connection", "Emotional expression"), start=1):
        GoalArea.objects.get_or_create(name=name, defaults={"position": position})
    therapist = f.TherapistFactory(
        username="maya", first_name="Maya", last_name="Okafor", sites=[site]
    )
    admin = f.AdministratorFactory(username="morgan", sites=[site])
    other = f.TherapistFactory(username="jordan", sites=[site])
    group = f.GroupFactory(site=site, name="Tuesday Songwriting", lead=therapist)
    f.GroupFactory(site=site, name="Drum Circle", lead=other)
    participant = f.ParticipantFactory(site=site, first_name="Dana", last_name="Reyes")
    f.EnrollmentFactory(
        group=group, participant=participant, start_date=(now - timedelta(days=40)).date()
    )
    start = now.replace(second=0, microsecond=0) - timedelta(hours=3)
    session = f.SessionFactory(group=group, starts_at=start, ends_at=start + timedelta(hours=1))
    f.AttendanceFactory(session=session, participant=participant, recorded_by=therapist)
    return {
        "therapist": therapist,
        "admin": admin,
        "other": other,
        "participant": participant,
        "session": session,
    }


def _log_in(page: Page, username: str) -> None:
    page.goto("/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(f.PASSWORD)
    page.get_by_role("button", name="Log in").click()


def _fits(page: Page, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def _shoot(page: Page, screenshots: Path, name: str) -> None:
    for size, viewport in (("tablet", TABLET), ("phone", PHONE)):
        page.set_viewport_size(viewport)
        _fits(page, viewport["width"])
        page.screenshot(path=screenshots / f"{name}-{size}.png", full_page=True)
    page.set_viewport_size(TABLET)


def _objective(page: Page, goal: int, n: int, behaviour: str, criterion: str, by: str) -> None:
    page.locator(f"#id_g{goal}_o{n}_behaviour").fill(behaviour)
    page.locator(f"#id_g{goal}_o{n}_criterion").fill(criterion)
    page.locator(f"#id_g{goal}_o{n}_target").fill(by)


@pytest.mark.browser
def test_it_follows_the_thread_from_plan_to_note_to_report(
    page: Page, browser: Browser, base_url: str, screenshots: Path, world
):
    participant, session = world["participant"], world["session"]
    by = (datetime.now(UTC) + timedelta(days=60)).date().isoformat()
    page.set_viewport_size(TABLET)
    _log_in(page, "maya")

    # The assessment, from the participant's page.
    page.goto(f"/participants/{participant.pk}/")
    page.get_by_role("link", name="Treatment record").click()
    page.get_by_role("link", name="Write an assessment").click()
    page.get_by_label("Music background and preferences").fill("Sang in a church choir.")
    page.get_by_label("Summary and recommendations").fill("Group music for connection.")
    page.get_by_role("button", name="Save and sign").click()
    expect(page.get_by_text("Assessment signed.")).to_be_visible()

    # The plan: a first goal with two objectives, saved; then a second with one; signed.
    page.get_by_role("link", name=f"← Treatment record of {participant.short_name}").click()
    page.get_by_role("button", name="Write a treatment plan").click()
    page.get_by_label("Receptive (listening, relaxation, lyric analysis)").check()
    page.get_by_label("Compositional (songwriting)").check()
    page.locator("#id_g0_need").fill("Isolated since entering treatment.")
    page.locator("#id_g0_area").select_option(label="Social connection")
    page.locator("#id_g0_statement").fill("Build trusting connections through music.")
    page.locator("#id_g0_plain").fill("Feel more connected to my group.")
    _objective(page, 0, 0, "sing a verse with a peer", "in 3 of 4 sessions", by)
    _objective(page, 0, 1, "suggest a song to the group", "twice a month", by)
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Draft saved.")).to_be_visible()
    page.locator("#id_g1_need").fill("Few words for feelings.")
    page.locator("#id_g1_area").select_option(label="Emotional expression")
    page.locator("#id_g1_statement").fill("Express feelings through songwriting.")
    _objective(page, 1, 0, "write a lyric line naming a feeling", "in 2 of 4 sessions", by)
    _shoot(page, screenshots, "treatment-plan-form")
    page.get_by_role("button", name="Save and sign").click()
    expect(page.get_by_text("Plan version 1 signed")).to_be_visible()
    _shoot(page, screenshots, "treatment-record")

    # The session's plan: an activity tagged with the first goal's area.
    page.goto(f"/sessions/{session.pk}/plan/add/")
    page.get_by_label("Activity").select_option(label="Songwriting")
    page.get_by_label("Minutes").fill("20")
    page.get_by_label("Social connection").check()
    page.get_by_role("button", name="Add to the plan").click()

    # The note: the group note, progress on each objective, signed.
    page.goto(f"/sessions/{session.pk}/note/")
    expect(page.get_by_text("Today's plan for this area: Songwriting")).to_have_count(2)
    for name, text in (
        ("Subjective", "Members said the chorus felt like home."),
        ("Objective", "All sang; two played drums."),
        ("Assessment", "Cohesion is growing."),
        ("Plan", "Continue the group song."),
    ):
        page.get_by_label(name, exact=True).fill(text)
    levels = page.locator("select[name$='-level']")
    assert levels.count() == 3
    for i, level in enumerate(("Moderate", "Significant", "Minimal")):
        levels.nth(i).select_option(label=level)
    page.locator("input[name$='-obs']").first.fill("Sang the bridge with a peer.")
    page.get_by_role("button", name="Save and review for signing…").click()
    page.get_by_role("button", name="Sign note as").click()
    expect(page.get_by_text("Note signed.")).to_be_visible()
    assert ObjectiveProgress.objects.filter(participant=participant).count() == 3

    # The progress report for the last 30 days, drafted from the record.
    page.goto(f"/participants/{participant.pk}/treatment/")
    page.get_by_role("link", name="Draft a progress report…").click()
    page.get_by_role("button", name="Draft from the record").click()
    expect(page.locator("#id_progress")).to_have_value(
        re.compile("sing a verse with a peer in 3 of 4 sessions — moderate")
    )
    expect(page.locator("#id_attendance")).to_have_value(re.compile("Attended 1 of 1 session"))
    page.get_by_label("Recommendations").fill("Continue weekly group music therapy.")
    page.get_by_role("button", name="Save and review for signing…").click()
    page.get_by_role("button", name="Sign as").click()
    report = ProgressReport.objects.get(participant=participant)
    assert report.is_signed
    page.goto(f"/participants/{participant.pk}/reports/{report.pk}/print/")
    expect(page.get_by_text("Electronically signed by")).to_be_visible()
    _shoot(page, screenshots, "progress-report-print")

    # The administrator: the review date, not the words.
    plan = TreatmentPlan.objects.get(participant=participant)
    admin_page = browser.new_page(base_url=base_url)
    _log_in(admin_page, "morgan")
    admin_page.goto(f"/participants/{participant.pk}/treatment/")
    expect(admin_page.get_by_text(f"{plan.review_on:%-d %b %Y}", exact=True)).to_be_visible()
    expect(admin_page.get_by_text("Build trusting connections")).to_have_count(0)
    assert admin_page.goto(f"/participants/{participant.pk}/plans/{plan.pk}/").status == 404

    # Another therapist: nothing here.
    other_page = browser.new_page(base_url=base_url)
    _log_in(other_page, "jordan")
    assert other_page.goto(f"/participants/{participant.pk}/treatment/").status == 404
