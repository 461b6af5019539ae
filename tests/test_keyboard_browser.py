"""The main flow of each role with the keyboard alone (Tab, Shift+Tab, Enter, Space and
arrows; no clicks), in a real browser: every control reached shows where the focus is,
and a form that comes back with errors puts the focus on its summary, whose links take
it to the field to fix.

Pages are opened by address only where a user would type one or follow a link from
outside (the sign-in page, the link in a participant's reminder, the home page).
Screenshots of roll call with each status chosen land in test-results/browser/.
"""

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import Locator, Page, expect

from sessions_app import links
from sessions_app.models import Attendance, Participant, PlanItem
from tests import factories as f
from tests import test_browser
from tests.test_therapist_day_browser import day  # noqa: F401 (a fixture)

browser_type_launch_args = test_browser.browser_type_launch_args
base_url = test_browser.base_url
screenshots = test_browser.screenshots

TABLET = {"width": 1024, "height": 768}
PHONE = {"width": 390, "height": 844}

# Where the focus is and whether it shows: an outline, or a ring drawn as a box shadow.
# A radio drawn as a button (Bootstrap's .btn-check) is hidden; its label shows the focus.
FOCUS = """(target) => {
  const el = document.activeElement;
  if (!el || el === document.body) return {shown: false, match: false, desc: "nothing"};
  const drawn = el.matches(".btn-check")
    ? document.querySelector(`label[for="${CSS.escape(el.id)}"]`) : el;
  const style = getComputedStyle(drawn);
  const box = drawn.getBoundingClientRect();
  const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
  const ring = style.boxShadow !== "none";
  const text = (el.getAttribute("aria-label") || el.innerText || el.value || "").trim();
  return {
    shown: (outline || ring) && box.width > 0 && box.height > 0,
    match: el === target,
    desc: `<${el.tagName.toLowerCase()} id="${el.id}"> ${text.slice(0, 40)}`,
  };
}"""


def _focus(page: Page, target: Locator | None = None) -> dict:
    return page.evaluate(FOCUS, target.element_handle() if target else None)


def tab_to(page: Page, target: Locator, *, back: bool = False, limit: int = 80) -> None:
    """Tab (or Shift+Tab) until `target` has the focus, checking that the focus shows on
    every control passed on the way."""
    handle = target.element_handle()
    key = "Shift+Tab" if back else "Tab"
    for _ in range(limit):
        if page.evaluate("(t) => document.activeElement === t", handle):
            return
        page.keyboard.press(key)
        state = page.evaluate(FOCUS, handle)
        assert state["shown"], f"{page.url}: no visible focus on {state['desc']}"
    raise AssertionError(f"{page.url}: {limit} presses of {key} never reached {target}")


def press_and_load(page: Page, key: str = "Enter") -> None:
    with page.expect_navigation():
        page.keyboard.press(key)


def _focused_id(page: Page) -> str:
    return page.evaluate("document.activeElement.id")


def _summary_has_focus(page: Page) -> bool:
    return page.evaluate("document.activeElement.matches('[data-error-summary]')")


def _log_in(page: Page, username: str, password: str) -> None:
    page.goto("/login/")
    tab_to(page, page.get_by_label("Username"))
    page.keyboard.type(username)
    tab_to(page, page.get_by_label("Password"))
    page.keyboard.type(password)
    press_and_load(page)


@pytest.fixture
def keyboard_page(page: Page) -> Page:
    """A page that stops at a script error; transitions off, so a focus ring is read as
    it ends rather than as it starts."""
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.emulate_media(reduced_motion="reduce")
    page.set_viewport_size(TABLET)
    yield page
    assert errors == []


# --- Therapist: plan an activity, roll call, note, sign -------------------------------


@pytest.mark.browser
def test_it_takes_a_therapist_through_the_day_by_keyboard(
    keyboard_page: Page,
    screenshots: Path,
    day,  # noqa: F811
):
    page = keyboard_page
    therapist, session = day
    dana = session.group.enrollments.get().participant
    _log_in(page, therapist.username, f.PASSWORD)

    # Plan: home → the session → its plan → add an activity, its minutes cleared first.
    today = page.locator(f"[data-today-session='{session.pk}']")
    tab_to(page, today.get_by_role("link", name=session.group.name))
    press_and_load(page)
    tab_to(page, page.get_by_role("link", name="Edit plan"))
    press_and_load(page)
    tab_to(page, page.get_by_role("link", name="Add an activity"))
    press_and_load(page)
    tab_to(page, page.get_by_label("Minutes"))
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    tab_to(page, page.get_by_role("button", name="Add to the plan"))
    press_and_load(page)
    assert _summary_has_focus(page)
    page.keyboard.press("Tab")
    assert _focus(page)["desc"].endswith("Minutes: This field is required.")
    page.keyboard.press("Enter")
    assert _focused_id(page) == "id_minutes"
    page.keyboard.type("10")
    tab_to(page, page.get_by_role("button", name="Add to the plan"))
    press_and_load(page)
    expect(page).to_have_url(re.compile(rf"/sessions/{session.pk}/plan/"))
    assert PlanItem.objects.filter(session=session).count() == 2

    # Roll call: Late by arrows, a negative number of minutes, then the fix.
    page.goto("/")
    tab_to(page, today.get_by_role("link", name="Roll call"))
    press_and_load(page)
    tab_to(page, page.locator(f"#id_status-{dana.pk}_0"))
    page.keyboard.press("Space")
    page.keyboard.press("ArrowRight")
    expect(page.locator(f"#id_status-{dana.pk}_1")).to_be_checked()
    assert "✓" in _tick(page.locator(f"label[for='id_status-{dana.pk}_1']"))
    tab_to(page, page.get_by_label(f"Minutes attended by {dana.short_name}"))
    page.keyboard.press("Control+A")
    page.keyboard.type("-5")
    tab_to(page, page.get_by_role("button", name="Save roll call"))
    press_and_load(page)
    assert _summary_has_focus(page)
    minutes = page.get_by_label(f"Minutes attended by {dana.short_name}")
    expect(minutes).to_have_attribute("aria-invalid", "true")
    assert page.evaluate(SMALL_TARGETS) == []
    page.screenshot(path=screenshots / "roll-call-error-tablet.png")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    assert _focused_id(page) == f"id_minutes-{dana.pk}"
    page.keyboard.press("Control+A")
    page.keyboard.type("45")
    tab_to(page, page.get_by_role("button", name="Save roll call"))
    press_and_load(page)
    attendance = Attendance.objects.get(session=session, participant=dana)
    assert (attendance.status, attendance.minutes_attended) == ("late", 45)

    # The note, then signing it.
    page.goto("/")
    tab_to(page, today.get_by_role("link", name="Write the note"))
    press_and_load(page)
    for label in ("Subjective", "Objective", "Assessment", "Plan"):
        tab_to(page, page.get_by_label(label, exact=True))
        page.keyboard.type(f"{label}: the group wrote a chorus.")
    tab_to(page, page.get_by_role("button", name="Save and review for signing…"))
    press_and_load(page)
    tab_to(page, page.get_by_role("button", name=re.compile("^Sign note")))
    press_and_load(page)
    expect(page.locator("h1 .badge")).to_have_text("Signed")


# --- Roll call's statuses, each chosen, at tablet and phone sizes ---------------------


# Targets in the page's main part under 24 by 24 px whose 24 px circle reaches another
# target (WCAG 2.5.8: smaller targets pass only when spaced that far apart). A radio
# drawn as a button is hidden; its label is the target.
SMALL_TARGETS = """() => {
  const found = [...document.querySelectorAll(
    "main a, main button, main input:not(.btn-check):not([type=hidden]), main select, "
    + "main textarea, main .btn-check + label")]
    .filter((el) => el.getClientRects().length)
    .map((el) => ({el, box: el.getBoundingClientRect()}));
  const centre = (b) => [b.x + b.width / 2, b.y + b.height / 2];
  const reach = (point, b) => Math.hypot(
    Math.max(b.left - point[0], 0, point[0] - b.right),
    Math.max(b.top - point[1], 0, point[1] - b.bottom));
  return found
    .filter(({box}) => box.width < 24 || box.height < 24)
    .filter(({el, box}) => found.some((other) => other.el !== el
      && reach(centre(box), other.box) < 12))
    .map(({el, box}) => `${el.tagName} ${el.textContent.trim().slice(0, 30)}`
      + ` ${Math.round(box.width)}x${Math.round(box.height)}`);
}"""


def _tick(label: Locator) -> str:
    """What is drawn before a status button's word."""
    return label.evaluate("(el) => getComputedStyle(el, '::before').content")


def _contrast(a: str, b: str) -> float:
    def luminance(rgb: str) -> float:
        channels = [int(c) / 255 for c in re.findall(r"\d+", rgb)[:3]]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.fixture
def every_status(group, therapist, settings):
    """A held session with one participant recorded in each status."""
    settings.STAFF_MFA_REQUIRED = False
    start = datetime(2026, 3, 3, 15, 0, tzinfo=UTC)
    session = f.SessionFactory(group=group, starts_at=start, ends_at=start + timedelta(hours=1))
    for status, minutes in (
        ("present", 60),
        ("late", 45),
        ("left_early", 30),
        ("excused", None),
        ("absent", None),
    ):
        who = f.ParticipantFactory(site=group.site, first_name=status.replace("_", " ").title())
        f.EnrollmentFactory(group=group, participant=who)
        f.AttendanceFactory(
            session=session,
            participant=who,
            status=status,
            minutes_attended=minutes,
            recorded_by=therapist,
        )
    return session


@pytest.mark.browser
def test_it_shows_each_chosen_status_by_more_than_colour(
    keyboard_page: Page,
    screenshots: Path,
    every_status,
    therapist,
):
    page = keyboard_page
    _log_in(page, therapist.username, f.PASSWORD)
    page.goto(reverse("roll_call", args=[every_status.pk]))
    chosen = page.locator(".btn-check:checked + .btn")
    expect(chosen).to_have_count(5)
    assert all("✓" in _tick(label) for label in chosen.all())
    others = page.locator(".btn-check:not(:checked) + .btn")
    assert {_tick(label) for label in others.all()} == {"none"}

    # Controls and their states against the white row: 3:1 at least.
    white = "rgb(255, 255, 255)"
    for label in page.locator(".roll-call-status .btn").all():
        style = label.evaluate(
            "(el) => { const s = getComputedStyle(el);"
            " return {border: s.borderTopColor, fill: s.backgroundColor}; }"
        )
        checked = label.evaluate("(el) => el.previousElementSibling.checked")
        shown = style["fill"] if checked else style["border"]
        assert _contrast(shown, white) >= 3, (label.inner_text(), checked, style)

    for name, size in (("tablet", TABLET), ("phone", PHONE)):
        page.set_viewport_size(size)
        assert page.evaluate("document.documentElement.scrollWidth") <= size["width"]
        assert page.evaluate(SMALL_TARGETS) == [], name
        page.screenshot(path=screenshots / f"roll-call-statuses-{name}.png", full_page=True)


# --- Participant: RSVP, a reflection, reminder settings -------------------------------


@pytest.fixture
def participant_week(group, participant, therapist):
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    coming = f.SessionFactory(
        group=group, starts_at=now + timedelta(days=1), ends_at=now + timedelta(days=1, hours=1)
    )
    held = f.SessionFactory(
        group=group,
        starts_at=now - timedelta(days=1),
        ends_at=now - timedelta(days=1) + timedelta(hours=1),
        status="held",
    )
    f.AttendanceFactory(session=held, participant=participant, recorded_by=therapist)
    Participant.objects.filter(pk=participant.pk).update(
        reminders_opt_in=False, reminder_channel=Participant.Channel.NONE, email=""
    )
    return coming, held


@pytest.mark.browser
def test_it_takes_a_participant_through_their_page_by_keyboard(
    keyboard_page: Page, participant, participant_week
):
    page = keyboard_page
    coming, held = participant_week
    token = links.link_token(participant=participant, action="me", session_id=None)
    page.goto(reverse("participant_link", args=[token]))

    # RSVP to the next session.
    card = page.locator(f"#session-{coming.pk}")
    tab_to(page, card.get_by_role("button", name="I’ll be there"))
    press_and_load(page)
    expect(card.get_by_role("status")).to_contain_text("your group leader knows you are coming")

    # A reflection on yesterday's session: a number on each scale.
    tab_to(page, page.get_by_role("link", name=re.compile("Write a reflection")))
    press_and_load(page)
    for field in ("mood_before", "mood_after", "connection"):
        tab_to(page, page.locator(f"#id_{field}_0"))
        page.keyboard.press("ArrowRight")
        page.keyboard.press("ArrowRight")
    tab_to(page, page.get_by_role("button", name="Save my reflection"))
    press_and_load(page)
    reflection = held.reflections.get(participant=participant)
    assert (reflection.mood_before, reflection.mood_after, reflection.connection) == (3, 3, 3)

    # Reminder settings: open the fold, then the form; by email.
    page.goto(reverse("participant_home"))
    tab_to(page, page.locator("#reminders-summary"))
    page.keyboard.press("Enter")
    tab_to(page, page.get_by_role("link", name="Change your settings and language"))
    press_and_load(page)
    tab_to(page, page.get_by_label("Send me reminders before my sessions"))
    page.keyboard.press("Space")
    tab_to(page, page.locator("[name=reminder_channel]:checked"))
    email = page.get_by_role("radio", name="Email")
    for _ in range(3):
        if email.is_checked():
            break
        page.keyboard.press("ArrowUp")
    expect(email).to_be_checked()
    tab_to(page, page.get_by_role("textbox", name="Email"))
    page.keyboard.type("dana@example.org")
    tab_to(page, page.get_by_role("button", name="Save"))
    press_and_load(page)
    participant.refresh_from_db()
    assert (participant.reminders_opt_in, participant.reminder_channel, participant.email) == (
        True,
        Participant.Channel.EMAIL,
        "dana@example.org",
    )


# --- Administrator: a report, its export, the audit trail's filter --------------------


@pytest.mark.browser
def test_it_takes_an_administrator_through_reports_by_keyboard(
    keyboard_page: Page, admin, past_session, settings
):
    settings.STAFF_MFA_REQUIRED = False
    page = keyboard_page
    _log_in(page, admin.username, f.PASSWORD)

    tab_to(page, page.locator("nav").get_by_role("link", name="Reports"))
    press_and_load(page)
    tab_to(page, page.get_by_role("button", name="Show"))
    press_and_load(page)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Attendance")

    with page.expect_download() as download:
        tab_to(page, page.get_by_role("link", name="Download CSV"))
        page.keyboard.press("Enter")
    assert download.value.suggested_filename.endswith(".csv")

    # Back up the page to the tabs, then filter the trail by who did it.
    tab_to(page, page.get_by_role("link", name="Audit trail"), back=True)
    press_and_load(page)
    tab_to(page, page.get_by_label("Who (username)"))
    page.keyboard.type(admin.username)
    press_and_load(page)
    expect(page).to_have_url(re.compile(rf"[?&]user={admin.username}"))
    expect(page.get_by_label("Who (username)")).to_have_value(admin.username)
