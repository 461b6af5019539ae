"""Logging in and out, and throttling of guesses."""

from django.urls import reverse

from tests import factories as f


def test_it_logs_in_and_lands_on_home(client, therapist):
    response = client.post(
        reverse("login"), {"username": "therapist", "password": f.PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("home")
    assert "Your sessions" in response.content.decode()


def test_it_says_what_is_wrong_and_keeps_the_username(client, therapist):
    response = client.post(reverse("login"), {"username": "therapist", "password": "nope"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Please enter a correct username and password" in body
    assert 'value="therapist"' in body


def test_it_refuses_an_overlong_username_and_keeps_the_form(client, db):
    response = client.post(reverse("login"), {"username": "x" * 10_000, "password": "guess"})
    assert response.status_code == 200
    assert "Ensure this value has at most 150 characters" in response.content.decode()


def test_it_locks_out_after_repeated_failures(client, therapist, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "therapist", "password": "guess"})
    response = client.post(reverse("login"), {"username": "therapist", "password": f.PASSWORD})
    assert response.status_code == 429
    assert "Too many failed log-in attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_it_logs_out_with_a_post(client, therapist):
    client.force_login(therapist)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 302


def test_it_serves_the_login_page_with_local_bootstrap(client, db):
    body = client.get(reverse("login")).content.decode()
    assert "/static/vendor/bootstrap/bootstrap.csp.min.css" in body
    assert "cdn" not in body.lower()
