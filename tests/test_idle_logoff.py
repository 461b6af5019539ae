"""Automatic logoff: idle staff are signed out, and what they were typing is kept."""

import html
import json
import re
from datetime import timedelta

import pytest
from auditlog.models import LogEntry
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from sessions_app import idle
from sessions_app.models import KeptDraft, SessionNote
from sessions_app.services.drafts import draft_keep
from tests.factories import PASSWORD
from tests.test_browser import PHONE, base_url, browser_type_launch_args, screenshots  # noqa: F401
from tests.test_settings import _run, _settings

MINUTE = 60
DESKTOP = {"width": 1024, "height": 768}


class Clock:
    """The idle logoff's clock, moved by hand."""

    def __init__(self):
        self.now = 1_800_000_000.0

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock(monkeypatch):
    c = Clock()
    monkeypatch.setattr(idle, "_now", lambda: c.now)
    return c


@pytest.fixture
def signed_in(client, therapist, clock):
    """The therapist, signed in, with one page seen (the sign-in's first activity)."""
    client.force_login(therapist)
    assert client.get(reverse("home")).status_code == 200
    return client


def _is_signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def _note_url(session) -> str:
    return reverse("note_edit", args=[session.pk])


# --- Signing out ---------------------------------------------------------------------


def test_it_signs_out_after_the_idle_limit(signed_in, clock, session):
    clock.advance(15 * MINUTE)
    response = signed_in.get(_note_url(session))
    assert response.status_code == 302
    assert not _is_signed_in(signed_in)


def test_it_sends_them_to_sign_in_again_and_back_to_the_page(signed_in, clock, session):
    clock.advance(15 * MINUTE)
    response = signed_in.get(_note_url(session))
    assert response["Location"] == f"{reverse('login')}?next={_note_url(session)}"


def test_it_says_why_on_the_login_page(signed_in, clock, session):
    clock.advance(15 * MINUTE)
    response = signed_in.get(_note_url(session), follow=True)
    assert (
        "You were signed out after 15 minutes without activity. Sign in again to carry on; "
        "what you were typing is kept."
    ) in html.unescape(response.content.decode())


def test_it_keeps_them_signed_in_just_before_the_limit(signed_in, clock, session):
    clock.advance(15 * MINUTE - 1)
    assert signed_in.get(_note_url(session)).status_code == 200


def test_it_counts_each_page_as_activity(signed_in, clock, session):
    for _ in range(4):
        clock.advance(10 * MINUTE)
        assert signed_in.get(_note_url(session)).status_code == 200
    assert _is_signed_in(signed_in)


def test_it_follows_the_setting(signed_in, clock, session, settings):
    settings.STAFF_IDLE_SECONDS = 5 * MINUTE
    clock.advance(5 * MINUTE)
    assert signed_in.get(_note_url(session)).status_code == 302


def test_it_does_not_count_static_files_as_activity(signed_in, clock, session):
    clock.advance(14 * MINUTE)
    signed_in.get("/static/css/refrain.css")
    clock.advance(2 * MINUTE)
    assert signed_in.get(_note_url(session)).status_code == 302


def test_it_still_ends_a_busy_sign_in_after_the_session_age(signed_in, clock, settings):
    settings.SESSION_COOKIE_AGE = 60 * MINUTE
    for _ in range(6):
        clock.advance(10 * MINUTE)
        signed_in.get(reverse("home"))
    assert not _is_signed_in(signed_in)


def test_it_leaves_participants_alone(client, participant, clock):
    client.force_login(participant.user)
    client.get(reverse("home"))
    clock.advance(60 * MINUTE)
    client.get(reverse("home"))
    assert _is_signed_in(client)


def test_it_signs_out_teaching_artists_too(client, artist, clock):
    client.force_login(artist)
    client.get(reverse("home"))
    clock.advance(15 * MINUTE)
    assert client.get(reverse("home")).status_code == 302


def test_it_records_the_idle_sign_out_in_the_audit_trail(signed_in, clock, therapist):
    clock.advance(15 * MINUTE)
    signed_in.get(reverse("home"))
    entry = LogEntry.objects.filter(actor=therapist, additional_data__what="logout").get()
    assert entry.additional_data["reason"] == "idle"


# --- An idle POST: the laptop slept, no script ran -------------------------------------


def _post_note(client, session, **fields):
    data = {"csrfmiddlewaretoken": "x", "format": "dap", "data": "Drummed together.", **fields}
    return client.post(
        _note_url(session), data, HTTP_REFERER="http://testserver" + _note_url(session)
    )


def test_it_keeps_an_idle_post_as_a_draft(signed_in, clock, session, therapist):
    clock.advance(20 * MINUTE)
    _post_note(signed_in, session)
    draft = KeptDraft.objects.get(user=therapist)
    assert (draft.path, draft.data) == (
        _note_url(session),
        {"format": ["dap"], "data": ["Drummed together."]},
    )


def test_it_saves_nothing_from_an_idle_post(signed_in, clock, session):
    clock.advance(20 * MINUTE)
    _post_note(signed_in, session)
    assert not SessionNote.objects.filter(session=session).exists()


def test_it_redirects_an_idle_post_to_sign_in_and_back(signed_in, clock, session):
    clock.advance(20 * MINUTE)
    response = _post_note(signed_in, session)
    assert response["Location"] == f"{reverse('login')}?next={_note_url(session)}"


def test_it_never_keeps_passwords_or_tokens(signed_in, clock, session, therapist):
    clock.advance(20 * MINUTE)
    _post_note(signed_in, session, password="hunter2-secret", otp_token="123456")
    assert set(KeptDraft.objects.get(user=therapist).data) == {"format", "data"}


# --- Drafts come back once, to the same person on the same page ------------------------


def _kept_draft_on(response) -> dict | None:
    body = response.content.decode()
    marker = '<script id="kept-draft" type="application/json">'
    if marker not in body:
        return None
    return json.loads(body.split(marker, 1)[1].split("</script>", 1)[0])


def test_it_gives_the_draft_back_on_the_same_page(signed_in, clock, session, therapist):
    clock.advance(20 * MINUTE)
    _post_note(signed_in, session)
    signed_in.force_login(therapist)
    response = signed_in.get(_note_url(session))
    assert _kept_draft_on(response) == {"format": ["dap"], "data": ["Drummed together."]}


def test_it_shows_the_notice_with_the_draft(signed_in, clock, session, therapist):
    clock.advance(20 * MINUTE)
    _post_note(signed_in, session)
    signed_in.force_login(therapist)
    body = signed_in.get(_note_url(session)).content.decode()
    assert "We kept what you were typing when you were signed out. Check it and save." in body


def test_it_gives_a_draft_back_only_once(signed_in, clock, session, therapist):
    clock.advance(20 * MINUTE)
    _post_note(signed_in, session)
    signed_in.force_login(therapist)
    signed_in.get(_note_url(session))
    assert _kept_draft_on(signed_in.get(_note_url(session))) is None


def test_it_keeps_the_draft_for_its_own_page(signed_in, clock, session, therapist):
    clock.advance(20 * MINUTE)
    _post_note(signed_in, session)
    signed_in.force_login(therapist)
    signed_in.get(reverse("roll_call", args=[session.pk]))
    assert KeptDraft.objects.filter(user=therapist).exists()


def test_it_never_gives_a_draft_on_another_page(client, therapist, session):
    draft_keep(by=therapist, path=_note_url(session), data={"data": ["Drummed."]})
    client.force_login(therapist)
    response = client.get(reverse("roll_call", args=[session.pk]))
    assert _kept_draft_on(response) is None


def test_it_never_gives_a_draft_to_another_user(client, therapist, co_therapist, session):
    draft_keep(by=therapist, path=_note_url(session), data={"data": ["Drummed."]})
    client.force_login(co_therapist)
    response = client.get(_note_url(session))
    assert _kept_draft_on(response) is None


def test_it_drops_a_draft_after_a_day(client, therapist, session):
    draft = draft_keep(by=therapist, path=_note_url(session), data={"data": ["Drummed."]})
    KeptDraft.objects.filter(pk=draft.pk).update(
        created_at=timezone.now() - timedelta(hours=24, minutes=1)
    )
    client.force_login(therapist)
    client.get(_note_url(session))
    assert not KeptDraft.objects.filter(pk=draft.pk).exists()


def test_it_gives_back_a_draft_of_less_than_a_day(client, therapist, session):
    draft = draft_keep(by=therapist, path=_note_url(session), data={"data": ["Drummed."]})
    KeptDraft.objects.filter(pk=draft.pk).update(created_at=timezone.now() - timedelta(hours=23))
    client.force_login(therapist)
    assert _kept_draft_on(client.get(_note_url(session))) == {"data": ["Drummed."]}


def test_it_loads_idle_js_for_staff(signed_in):
    assert "js/idle.js" in signed_in.get(reverse("home")).content.decode()


def test_it_does_not_load_idle_js_for_participants(client, participant):
    client.force_login(participant.user)
    assert "js/idle.js" not in client.get(reverse("home")).content.decode()


# --- The keepalive ----------------------------------------------------------------------


def test_it_extends_the_session_on_a_keepalive(signed_in, clock):
    clock.advance(14 * MINUTE)
    signed_in.post(reverse("idle_keepalive"))
    clock.advance(14 * MINUTE)
    assert signed_in.get(reverse("home")).status_code == 200


def test_it_answers_the_time_left(signed_in, clock):
    clock.advance(5 * MINUTE)
    answer = signed_in.get(reverse("idle_keepalive")).json()
    assert answer == {"signed_in": True, "left": 10 * MINUTE}


def test_it_does_not_count_asking_the_time_left_as_activity(signed_in, clock):
    clock.advance(14 * MINUTE)
    signed_in.get(reverse("idle_keepalive"))
    clock.advance(2 * MINUTE)
    assert signed_in.get(reverse("home")).status_code == 302


def test_it_does_not_revive_an_idle_session_with_a_keepalive(signed_in, clock):
    clock.advance(16 * MINUTE)
    answer = signed_in.post(reverse("idle_keepalive")).json()
    assert answer["left"] == 0


def test_it_needs_the_csrf_token_for_a_keepalive(therapist, clock):
    client = Client(enforce_csrf_checks=True)
    client.force_login(therapist)
    assert client.post(reverse("idle_keepalive")).status_code == 403


# --- Expiring from the page: idle.js at the limit -------------------------------------


def _expire(client, session, fields=None):
    body = {"path": _note_url(session), "next": _note_url(session), "fields": fields or {}}
    return client.post(reverse("idle_expire"), json.dumps(body), content_type="application/json")


def test_it_keeps_the_typing_sent_at_the_limit(signed_in, clock, session, therapist):
    clock.advance(15 * MINUTE)
    _expire(signed_in, session, {"data": ["Half a sentence"], "csrfmiddlewaretoken": ["x"]})
    assert KeptDraft.objects.get(user=therapist).data == {"data": ["Half a sentence"]}


def test_it_signs_out_at_the_limit_and_answers_where_to_sign_in(signed_in, clock, session):
    clock.advance(15 * MINUTE)
    answer = _expire(signed_in, session).json()
    assert answer == {
        "signed_in": False,
        "login_url": f"{reverse('login')}?next={_note_url(session)}",
    }


def test_it_signs_out_at_the_limit_with_nothing_to_keep(signed_in, clock, session):
    clock.advance(15 * MINUTE)
    _expire(signed_in, session)
    assert not _is_signed_in(signed_in)


def test_it_stays_signed_in_when_another_tab_was_in_use(signed_in, clock, session, therapist):
    clock.advance(10 * MINUTE)
    signed_in.get(reverse("home"))
    clock.advance(5 * MINUTE)
    answer = _expire(signed_in, session, {"data": ["Half a sentence"]}).json()
    assert answer == {"signed_in": True, "left": 10 * MINUTE}


def test_it_keeps_a_second_tabs_typing_after_the_first_signed_out(
    signed_in, clock, session, therapist
):
    clock.advance(15 * MINUTE)
    signed_in.get(reverse("home"))  # the first tab: signed out
    _expire(signed_in, session, {"data": ["From the other tab"]})
    assert KeptDraft.objects.get(user=therapist).data == {"data": ["From the other tab"]}


def test_it_refuses_a_path_of_another_site(signed_in, clock):
    clock.advance(15 * MINUTE)
    body = {"path": "//evil.example/x", "fields": {"data": ["x"]}}
    response = signed_in.post(
        reverse("idle_expire"), json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 400


def test_it_refuses_a_body_that_is_not_json(signed_in):
    response = signed_in.post(reverse("idle_expire"), "data=x", content_type="text/plain")
    assert response.json() == {"error": "The body must be JSON."}


# --- The setting --------------------------------------------------------------------------


def test_it_signs_out_after_15_minutes_by_default(tmp_path):
    assert _settings(tmp_path, ["STAFF_IDLE_SECONDS"]) == {"STAFF_IDLE_SECONDS": 900}


def test_it_reads_the_idle_minutes_from_the_environment(tmp_path):
    values = _settings(tmp_path, ["STAFF_IDLE_SECONDS"], STAFF_IDLE_MINUTES="30")
    assert values == {"STAFF_IDLE_SECONDS": 1800}


def test_it_refuses_an_idle_limit_under_a_minute(tmp_path):
    result = _run(tmp_path, "", {"STAFF_IDLE_MINUTES": "0"})
    assert "STAFF_IDLE_MINUTES must be at least 1; got 0" in result.stderr


# --- In a real browser: the warning, "Stay signed in", and the note kept ---------------


@pytest.fixture
def short_idle_limit(settings):
    """Eight seconds without activity, warned four before; the script pings every two."""
    settings.STAFF_IDLE_SECONDS = 8
    settings.STAFF_IDLE_WARNING_SECONDS = 4


def _sign_in(page: Page, user) -> None:
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


@pytest.mark.browser
def test_it_warns_signs_out_and_gives_the_note_back(
    page: Page,
    base_url: str,  # noqa: F811 (the fixture of tests/test_browser.py, imported above)
    screenshots,  # noqa: F811
    short_idle_limit,
    therapist,
    past_session,
):
    note = _note_url(past_session)
    page.set_viewport_size(DESKTOP)
    page.goto(f"/login/?next={note}")
    _sign_in(page, therapist)
    expect(page).to_have_url(base_url + note)

    page.get_by_label("DAP (data, assessment, plan)").check()
    page.locator("textarea[name=data]").press_sequentially(
        "Group wrote a verse together; D. led the", delay=20
    )

    warning = page.get_by_role("dialog", name="Are you still there?")
    expect(warning).to_be_visible(timeout=15_000)
    stay = warning.get_by_role("button", name="Stay signed in")
    expect(stay).to_be_focused()
    page.screenshot(path=screenshots / "idle-warning-desktop.png")

    stay.click()
    expect(warning).to_be_hidden()
    # Past the limit the warning counted down to: still here, still signed in.
    page.wait_for_timeout(5_000)
    expect(page).to_have_url(base_url + note)

    # Idle again: the warning comes back (on a phone this time), then the limit.
    page.set_viewport_size(PHONE)
    expect(warning).to_be_visible(timeout=15_000)
    page.screenshot(path=screenshots / "idle-warning-phone.png")
    expect(page).to_have_url(re.compile(r"/login/\?next=" + re.escape(note) + "$"), timeout=15_000)
    expect(page.get_by_role("alert")).to_contain_text("what you were typing is kept")

    _sign_in(page, therapist)
    expect(page).to_have_url(base_url + note)
    expect(page.locator("textarea[name=data]")).to_have_value(
        "Group wrote a verse together; D. led the"
    )
    expect(page.get_by_role("status")).to_have_text(
        "We kept what you were typing when you were signed out. Check it and save."
    )
