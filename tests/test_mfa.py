"""Two-step sign-in for staff: setting it up, the second step, recovery codes, the login
throttle, administrators' resets, and the Django admin behind the same door."""

import html
import os
import re

import pytest
from auditlog.models import LogEntry
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from tests import factories as f
from tests.test_browser import base_url, browser_type_launch_args  # noqa: F401
from tests.test_settings import _failure, _settings

# As in test_browser: Playwright leaves an event loop in the test thread.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

SECURITY = reverse("mfa_security")
VERIFY = reverse("mfa_verify")


@pytest.fixture
def required(settings):
    settings.STAFF_MFA_REQUIRED = True


def code_of(device: TOTPDevice) -> str:
    """The code the user's authenticator app shows now."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():06d}"


def set_up(user, codes=("abcdefgh", "ijklmnop")) -> TOTPDevice:
    """`user` with a confirmed authenticator and the given recovery codes."""
    static = StaticDevice.objects.create(user=user, name="Recovery codes", confirmed=True)
    for code in codes:
        StaticToken.objects.create(device=static, token=code)
    return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)


def log_in(client, username: str, next_url: str = ""):
    data = {"username": username, "password": f.PASSWORD}
    if next_url:
        data["next"] = next_url
    return client.post(reverse("login"), data)


def entries(user, what: str):
    return LogEntry.objects.filter(
        action=LogEntry.Action.ACCESS, object_id=user.pk, additional_data__what=what
    )


# --- The setting ------------------------------------------------------------------------------

PRODUCTION = {"DEBUG": "0", "SECRET_KEY": "k" * 50, "ALLOWED_HOSTS": "refrain.example.org"}


def test_it_is_required_with_debug_off(tmp_path):
    assert _settings(tmp_path, ["STAFF_MFA_REQUIRED"], **PRODUCTION)["STAFF_MFA_REQUIRED"]


def test_it_is_not_required_with_debug_on(tmp_path):
    assert not _settings(tmp_path, ["STAFF_MFA_REQUIRED"], DEBUG="1")["STAFF_MFA_REQUIRED"]


def test_it_may_be_turned_off_with_debug_off(tmp_path):
    env = {**PRODUCTION, "STAFF_MFA_REQUIRED": "0"}
    assert not _settings(tmp_path, ["STAFF_MFA_REQUIRED"], **env)["STAFF_MFA_REQUIRED"]


def test_it_refuses_a_setting_it_cannot_read(tmp_path):
    line = _failure(tmp_path, STAFF_MFA_REQUIRED="sometimes")
    assert "STAFF_MFA_REQUIRED must be one of" in line


# --- Who is sent where --------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/groups/", "/songs/", "/account/calendar/", "/lullaby/"])
def test_it_sends_a_therapist_to_set_up_from_every_page(client, therapist, required, path):
    client.force_login(therapist)
    response = client.get(path)
    assert response["Location"] == f"{SECURITY}?next={path.replace('/', '%2F')}"


@pytest.mark.parametrize("who", ["admin", "artist"])
def test_it_sends_other_staff_to_set_up_too(client, cast, required, who):
    client.force_login(cast[who])
    response = client.get("/")
    assert response["Location"].startswith(SECURITY)


def test_it_leaves_participants_alone(client, participant, required):
    client.force_login(participant.user)
    response = client.get(reverse("participant_home"))
    assert response.status_code == 200


def test_it_lets_staff_in_without_a_second_factor_when_not_required(client, therapist):
    client.force_login(therapist)
    response = client.get("/")
    assert response.status_code == 200


def test_it_asks_a_therapist_who_set_it_up_even_when_not_required(client, therapist):
    set_up(therapist)
    client.force_login(therapist)
    response = client.get("/groups/")
    assert response["Location"] == f"{VERIFY}?next=%2Fgroups%2F"


def test_it_sends_someone_set_up_to_the_second_step_not_to_set_up(client, therapist, required):
    set_up(therapist)
    client.force_login(therapist)
    response = client.get(SECURITY)
    assert response["Location"].startswith(VERIFY)


def test_it_leaves_the_health_probe_open(client, therapist, required, redis_url):
    client.force_login(therapist)
    response = client.get(reverse("healthz"))
    assert "Location" not in response


def test_it_guards_the_django_admin(client, db, required):
    boss = f.UserFactory(username="boss", is_superuser=True, is_staff=True)
    set_up(boss)
    client.force_login(boss)
    response = client.get("/admin/")
    assert response["Location"] == f"{VERIFY}?next=%2Fadmin%2F"


def test_it_guards_the_django_admin_for_staff_of_no_role(client, db, required):
    clerk = f.ParticipantUserFactory(username="clerk", is_staff=True)
    client.force_login(clerk)
    response = client.get("/admin/")
    assert response["Location"].startswith(SECURITY)


def test_it_still_answers_404_for_unknown_addresses(client, therapist, required):
    client.force_login(therapist)
    assert client.get("/no-such-page/").status_code == 404


# --- Setting it up --------------------------------------------------------------------------


def test_it_shows_the_secret_for_typing_by_hand(client, therapist, required):
    client.force_login(therapist)
    body = client.get(SECURITY).content.decode()
    secret = re.search(r'id="mfa-secret">([A-Z2-7 ]+)<', body).group(1)
    device = TOTPDevice.objects.get(user=therapist, confirmed=False)
    assert TOTP(_b32(secret), device.step).token() == TOTP(device.bin_key, device.step).token()


def _b32(secret: str) -> bytes:
    from base64 import b32decode

    return b32decode(secret.replace(" ", ""))


def test_it_serves_the_qr_code_as_an_svg_without_styles(client, therapist, required):
    client.force_login(therapist)
    response = client.get(reverse("mfa_qr"))
    assert (response["Content-Type"], b"style" in response.content) == ("image/svg+xml", False)


def test_it_shows_no_qr_code_once_set_up(client, therapist):
    set_up(therapist)
    client.force_login(therapist)
    device = TOTPDevice.objects.get(user=therapist)
    client.post(VERIFY, {"code": code_of(device)})
    assert client.get(reverse("mfa_qr")).status_code == 404


def test_it_enrols_with_a_code_from_the_devices_key(client, therapist, required):
    client.force_login(therapist)
    client.get(SECURITY)
    device = TOTPDevice.objects.get(user=therapist, confirmed=False)
    client.post(SECURITY, {"code": code_of(device)})
    device.refresh_from_db()
    assert device.confirmed


def test_it_shows_ten_recovery_codes_after_enrolling(client, therapist, required):
    client.force_login(therapist)
    client.get(SECURITY)
    device = TOTPDevice.objects.get(user=therapist, confirmed=False)
    body = client.post(SECURITY, {"code": code_of(device)}).content.decode()
    shown = re.findall(r"<li>([a-z2-7]{4}-[a-z2-7]{4})</li>", body)
    assert len(set(shown)) == 10


def test_it_lets_the_therapist_in_once_enrolled(client, therapist, required):
    client.force_login(therapist)
    client.get(SECURITY)
    device = TOTPDevice.objects.get(user=therapist, confirmed=False)
    client.post(SECURITY, {"code": code_of(device)})
    assert client.get("/").status_code == 200


def test_it_audits_enrolment(client, therapist, required):
    client.force_login(therapist)
    client.get(SECURITY)
    device = TOTPDevice.objects.get(user=therapist, confirmed=False)
    client.post(SECURITY, {"code": code_of(device)})
    assert entries(therapist, "mfa_enrolled").get().actor == therapist


def test_it_refuses_a_wrong_code_when_enrolling(client, therapist, required):
    client.force_login(therapist)
    client.get(SECURITY)
    response = client.post(SECURITY, {"code": "000000x"})
    assert "That code did not match" in html.unescape(response.content.decode())


def test_it_keeps_the_device_unconfirmed_after_a_wrong_code(client, therapist, required):
    client.force_login(therapist)
    client.get(SECURITY)
    client.post(SECURITY, {"code": "12"})
    assert not TOTPDevice.objects.filter(user=therapist, confirmed=True).exists()


def test_it_keeps_the_security_page_for_staff(client, participant):
    client.force_login(participant.user)
    assert client.get(SECURITY).status_code == 404


# --- The second step ----------------------------------------------------------------------


def test_it_accepts_a_code_from_the_authenticator(client, therapist, required):
    device = set_up(therapist)
    client.force_login(therapist)
    response = client.post(VERIFY, {"code": code_of(device), "next": "/songs/"})
    assert response["Location"] == "/songs/"


def test_it_audits_a_passed_second_step(client, therapist, required):
    device = set_up(therapist)
    client.force_login(therapist)
    client.post(VERIFY, {"code": code_of(device)})
    assert entries(therapist, "mfa_verified").count() == 1


def test_it_refuses_a_wrong_code(client, therapist, required):
    set_up(therapist)
    client.force_login(therapist)
    client.post(VERIFY, {"code": "000000"})
    assert client.get("/").status_code == 302


def test_it_says_a_wrong_code_did_not_work(client, therapist, required):
    set_up(therapist)
    client.force_login(therapist)
    response = client.post(VERIFY, {"code": "000000"})
    assert "That code did not work" in response.content.decode()


def test_it_audits_a_wrong_code_as_a_failed_second_step(client, therapist, required):
    set_up(therapist)
    client.force_login(therapist)
    client.post(VERIFY, {"code": "000000"})
    assert entries(therapist, "mfa_failed").count() == 1


def test_it_names_a_failed_second_step_on_the_audit_page(client, admin, therapist, group):
    set_up(therapist)
    client.force_login(therapist)
    client.post(VERIFY, {"code": "000000"})
    client.force_login(admin)
    body = client.get(reverse("audit_log")).content.decode()
    assert "Failed the second step" in body


def test_it_does_not_record_the_wrong_code(client, therapist, required):
    set_up(therapist)
    client.force_login(therapist)
    client.post(VERIFY, {"code": "314159"})
    assert "314159" not in str(entries(therapist, "mfa_failed").get().additional_data)


def test_it_takes_a_recovery_code(client, therapist, required):
    set_up(therapist)
    client.force_login(therapist)
    client.post(VERIFY, {"code": "ABCD-EFGH"})
    assert client.get("/").status_code == 200


def test_it_takes_a_recovery_code_only_once(client, therapist, required):
    set_up(therapist)
    client.force_login(therapist)
    client.post(VERIFY, {"code": "abcdefgh"})
    client.post(reverse("logout"))
    client.force_login(therapist)
    client.post(VERIFY, {"code": "abcdefgh"})
    assert client.get("/").status_code == 302


def test_it_audits_a_recovery_code_used(client, therapist, required):
    set_up(therapist)
    client.force_login(therapist)
    client.post(VERIFY, {"code": "abcdefgh"})
    assert entries(therapist, "mfa_recovery_used").get().additional_data["codes_left"] == 1


def test_it_locks_out_after_the_failure_limit(client, therapist, required, settings):
    set_up(therapist)
    client.force_login(therapist)
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        client.post(VERIFY, {"code": "000000"})
    response = client.post(VERIFY, {"code": "000000"})
    assert response.status_code == 429


def test_it_ends_the_session_of_a_locked_out_account(client, therapist, required, settings):
    set_up(therapist)
    client.force_login(therapist)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(VERIFY, {"code": "000000"})
    assert "_auth_user_id" not in client.session


def test_it_refuses_the_password_after_a_second_step_lockout(client, therapist, required, settings):
    set_up(therapist)
    client.force_login(therapist)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(VERIFY, {"code": "000000"})
    assert log_in(client, "therapist").status_code == 429


def test_it_keeps_next_through_login_and_second_step(client, therapist, required, group):
    device = set_up(therapist)
    target = f"/groups/{group.pk}/"
    response = log_in(client, "therapist", next_url=target)
    response = client.get(response["Location"])
    assert response["Location"] == f"{VERIFY}?next={target.replace('/', '%2F')}"
    response = client.post(response["Location"], {"code": code_of(device), "next": target})
    assert response["Location"] == target


def test_it_keeps_next_through_enrolment(client, therapist, required):
    client.force_login(therapist)
    response = client.get("/songs/")
    client.get(response["Location"])
    device = TOTPDevice.objects.get(user=therapist, confirmed=False)
    body = client.post(response["Location"], {"code": code_of(device), "next": "/songs/"})
    assert 'href="/songs/"' in body.content.decode()


def test_it_ignores_a_next_on_another_site(client, therapist, required):
    device = set_up(therapist)
    client.force_login(therapist)
    response = client.post(VERIFY, {"code": code_of(device), "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_it_sends_someone_reset_meanwhile_to_set_up_again(client, therapist, required):
    set_up(therapist)
    client.force_login(therapist)
    TOTPDevice.objects.filter(user=therapist).delete()
    response = client.get(VERIFY)
    assert response["Location"].startswith(SECURITY)


# --- Recovery codes -------------------------------------------------------------------------


def _verified(client, user) -> TOTPDevice:
    device = set_up(user)
    client.force_login(user)
    client.post(VERIFY, {"code": code_of(device)})
    return device


def test_it_makes_ten_new_recovery_codes(client, therapist):
    _verified(client, therapist)
    client.post(reverse("mfa_recovery_codes"))
    assert StaticToken.objects.filter(device__user=therapist).count() == 10


def test_it_retires_the_old_recovery_codes(client, therapist):
    _verified(client, therapist)
    client.post(reverse("mfa_recovery_codes"))
    assert not StaticToken.objects.filter(token="abcdefgh").exists()


def test_it_audits_new_recovery_codes(client, therapist):
    _verified(client, therapist)
    client.post(reverse("mfa_recovery_codes"))
    assert entries(therapist, "mfa_codes_generated").count() == 1


def test_it_makes_new_codes_only_with_a_post(client, therapist):
    _verified(client, therapist)
    assert client.get(reverse("mfa_recovery_codes")).status_code == 405


def test_it_shows_how_many_codes_are_left(client, therapist):
    _verified(client, therapist)
    text = re.sub(r"<[^>]+>", "", client.get(SECURITY).content.decode())
    assert "You have 2 unused recovery codes" in " ".join(text.split())


# --- Administrators' resets -----------------------------------------------------------------


def test_it_lets_an_administrator_reset_a_therapist_at_their_site(client, admin, therapist, group):
    set_up(therapist)
    client.force_login(admin)
    client.post(reverse("mfa_reset", args=[therapist.pk]))
    assert not TOTPDevice.objects.filter(user=therapist).exists()


def test_it_removes_the_recovery_codes_on_reset(client, admin, therapist, group):
    set_up(therapist)
    client.force_login(admin)
    client.post(reverse("mfa_reset", args=[therapist.pk]))
    assert not StaticToken.objects.filter(device__user=therapist).exists()


def test_it_audits_who_reset_whose(client, admin, therapist, group):
    set_up(therapist)
    client.force_login(admin)
    client.post(reverse("mfa_reset", args=[therapist.pk]))
    entry = entries(therapist, "mfa_reset").get()
    assert (entry.actor, entry.additional_data["by"]) == (admin, "admin")


def test_it_asks_before_resetting(client, admin, therapist, group):
    set_up(therapist)
    client.force_login(admin)
    client.get(reverse("mfa_reset", args=[therapist.pk]))
    assert TOTPDevice.objects.filter(user=therapist).exists()


def test_it_hides_a_therapist_from_an_outsider_administrator(client, other_admin, therapist, group):
    set_up(therapist)
    client.force_login(other_admin)
    assert client.post(reverse("mfa_reset", args=[therapist.pk])).status_code == 404


def test_it_keeps_the_device_when_an_outsider_tries(client, other_admin, therapist, group):
    set_up(therapist)
    client.force_login(other_admin)
    client.post(reverse("mfa_reset", args=[therapist.pk]))
    assert TOTPDevice.objects.filter(user=therapist).exists()


def test_it_does_not_let_a_therapist_reset_anyone(client, therapist, co_therapist, group):
    set_up(co_therapist)
    client.force_login(therapist)
    assert client.post(reverse("mfa_reset", args=[co_therapist.pk])).status_code == 404


def test_it_does_not_let_an_administrator_reset_a_superuser(client, admin, site):
    boss = f.AdministratorFactory(username="boss", is_superuser=True, sites=[site])
    client.force_login(admin)
    assert client.get(reverse("mfa_reset", args=[boss.pk])).status_code == 404


def test_it_lets_an_administrator_reset_a_teaching_artist_on_a_project_there(
    client, admin, artist, project
):
    client.force_login(admin)
    assert client.get(reverse("mfa_reset", args=[artist.pk])).status_code == 200


def test_it_lists_who_has_it_set_up(client, admin, therapist, co_therapist, group):
    set_up(therapist)
    client.force_login(admin)
    body = client.get(reverse("mfa_staff")).content.decode()
    assert reverse("mfa_reset", args=[therapist.pk]) in body


def test_it_lists_no_staff_of_other_sites(client, admin, outsider, other_group):
    set_up(outsider)
    client.force_login(admin)
    body = client.get(reverse("mfa_staff")).content.decode()
    assert "outsider" not in body


def test_it_asks_again_once_reset(client, admin, therapist, group, required):
    device = set_up(therapist)
    client.force_login(therapist)
    client.post(VERIFY, {"code": code_of(device)})
    TOTPDevice.objects.filter(user=therapist).delete()
    assert client.get("/").status_code == 302


# --- In a browser, with DEBUG-off-like settings -------------------------------------------


@pytest.mark.browser
def test_it_has_a_therapist_set_up_an_authenticator_on_first_login(
    page: Page,
    base_url: str,  # noqa: F811
    settings,
    transactional_db,
):
    from base64 import b32decode

    settings.STAFF_MFA_REQUIRED = True
    therapist = f.TherapistFactory(username="newcomer", first_name="Nia")
    base = base_url

    page.goto(base + "/groups/")
    page.get_by_label("Username").fill("newcomer")
    page.get_by_label("Password").fill(f.PASSWORD)
    page.get_by_role("button", name="Log in").click()

    expect(page.get_by_role("heading", name="Set up two-step sign-in")).to_be_visible()
    secret = page.locator("#mfa-secret").inner_text()
    device = TOTPDevice.objects.get(user=therapist, confirmed=False)
    code = TOTP(b32decode(secret.replace(" ", "")), device.step).token()
    page.get_by_label("Code").fill(f"{code:06d}")
    page.get_by_role("button", name="Turn on two-step sign-in").click()

    expect(page.get_by_role("heading", name="Your recovery codes")).to_be_visible()
    expect(page.locator("#recovery-codes li")).to_have_count(10)
    page.get_by_role("link", name="I have kept them, continue").click()
    expect(page).to_have_url(base + "/groups/")
    page.goto(base + "/")
    expect(page.get_by_role("heading", name="Your sessions")).to_be_visible()
