"""Security headers over the whole URLconf.

Every URL pattern is requested by a user of each kind (administrator, therapist,
participant, teaching artist), whatever it answers them: a signed-in response must never
be stored by a browser or a proxy, and every response carries the Content-Security-Policy,
Permissions-Policy, Cross-Origin-Opener-Policy and Referrer-Policy. A new URL is covered
the moment it is added; if it takes a value this file cannot make, the test fails and
says so.
"""

from collections.abc import Callable

import pytest
from django.conf import settings
from django.test import Client
from django.urls import get_resolver, reverse

from sessions_app import links
from sessions_app.services import calendar_feeds as feed_services
from tests import factories as f
from tests.test_access_matrix import SKIP_NAMESPACES, _object_ids, _walk

ROLES = ("admin", "therapist", "participant", "artist")

# django-csp writes the directives in no fixed order; they are compared sorted.
CSP = "; ".join(
    sorted(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self'",
            "font-src 'self'",
            "connect-src 'self'",
            "media-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "frame-ancestors 'none'",
            "form-action 'self'",
            "report-uri /csp-report/",
        ]
    )
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "Cross-Origin-Opener-Policy": "same-origin",
    "Referrer-Policy": "same-origin or stricter",
    "Permissions-Policy": "present",
}


def all_urls() -> list[tuple[str, tuple[str, ...]]]:
    """Every URL pattern outside the Django admin, by name, with the values it takes."""
    found = []
    for name, pattern in _walk(get_resolver().url_patterns):
        assert name, f"URL pattern {pattern.pattern} has no name"
        found.append((name, tuple(getattr(pattern.pattern, "converters", {}).keys())))
    return found


ALL_URLS = all_urls()


def _tokens(request) -> dict[str, Callable[[], str]]:
    """Secrets in URLs, by URL name: a participant's signed link, calendar feed tokens."""
    return {
        "participant_link": lambda: links.link_token(
            participant=request.getfixturevalue("participant"), action="me"
        ),
        "calendar_feed_therapist": lambda: feed_services.user_calendar_reset(
            user=request.getfixturevalue("therapist")
        ),
        "calendar_feed_participant": lambda: feed_services.participant_calendar_reset(
            participant=request.getfixturevalue("participant")
        ),
        **dict.fromkeys(
            ("family_song", "family_song_audio", "family_dedication_audio"),
            lambda: _family_token(request),
        ),
    }


def _family_token(request) -> str:
    from sessions_app.services import family_links

    project = request.getfixturevalue("project")
    issued = family_links.family_link_issue(
        by=project.therapist, project=project, recipient_name="Eli", recipient_relationship="son"
    )
    return family_links.family_link_token(issued.link)


@pytest.fixture
def url_for(request) -> Callable[[str, tuple[str, ...]], str]:
    makers = _object_ids(request)
    tokens = _tokens(request)

    def build(name: str, kwargs: tuple[str, ...]) -> str:
        values = {}
        for kwarg in kwargs:
            if kwarg == "token" and name in tokens:
                values[kwarg] = tokens[name]()
            elif kwarg in makers:
                values[kwarg] = makers[kwarg]()
            else:
                pytest.fail(f"{name} takes {kwarg}: teach {__name__} how to make one")
        return reverse(name, kwargs=values)

    return build


def fetch(client: Client, url: str):
    response = client.get(url)
    if response.status_code == 405:  # a POST-only view answers its POST too
        response = client.post(url)
    return response


def security_headers(response) -> dict[str, str | None]:
    found = {name: response.get(name) for name in HEADERS}
    if found["Content-Security-Policy"]:
        found["Content-Security-Policy"] = "; ".join(
            sorted(found["Content-Security-Policy"].split("; "))
        )
    # Calendar feeds send none at all: their URL is the secret.
    if found["Referrer-Policy"] in ("same-origin", "no-referrer"):
        found["Referrer-Policy"] = "same-origin or stricter"
    if found["Permissions-Policy"]:
        found["Permissions-Policy"] = "present"
    return found


def test_it_leaves_only_the_admin_to_its_own_test():
    # The admin is the one namespace all_urls() skips; test_it_covers_the_admin covers it.
    assert {"admin"} == SKIP_NAMESPACES


def test_it_finds_the_urls_of_the_issue():
    names = {name for name, _ in ALL_URLS}
    assert {"session_detail", "participant_detail", "participant_home"} <= names


def test_it_names_the_report_uri_of_the_urlconf():
    assert reverse("csp_report") == settings.CSP_REPORT_PATH


@pytest.mark.parametrize(("name", "kwargs"), ALL_URLS, ids=[n for n, _ in ALL_URLS])
def test_it_forbids_storing_any_signed_in_response(client, cast, project, url_for, name, kwargs):
    url = url_for(name, kwargs)
    stored = []
    for role in ROLES:
        client.force_login(cast[role])
        response = fetch(client, url)
        if "no-store" not in response.get("Cache-Control", ""):
            stored.append(f"{role} got {response.status_code} without no-store")
        client.logout()
    assert stored == []


@pytest.mark.parametrize(("name", "kwargs"), ALL_URLS, ids=[n for n, _ in ALL_URLS])
def test_it_sends_the_security_headers(client, cast, project, url_for, name, kwargs):
    url = url_for(name, kwargs)
    for role in ROLES:
        client.force_login(cast[role])
        assert security_headers(fetch(client, url)) == HEADERS, f"{role} at {url}"
        client.logout()


@pytest.mark.parametrize(
    "name",
    ["admin:index", "admin:sessions_app_group_changelist", "admin:sessions_app_group_change"],
)
def test_it_covers_the_admin(client, group, name):
    # Django's admin goes through the same middleware as every other page; one page of
    # each kind (index, list, form) stands for its whole namespace.
    client.force_login(f.UserFactory(username="root", is_superuser=True, is_staff=True))
    url = reverse(name, args=[group.pk] if name.endswith("_change") else [])
    response = client.get(url)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert security_headers(response) == HEADERS


def test_it_forbids_storing_a_link_sessions_pages(client, participant):
    # A participant without a login, on the link from a reminder: even a page that
    # sets no caching of its own (here a 404) must not be kept on a shared phone.
    client.get(
        reverse("participant_link", args=[links.link_token(participant=participant, action="me")])
    )
    response = client.get("/no-such-page/")
    assert "no-store" in response["Cache-Control"]


def test_it_forbids_storing_the_answer_to_logging_out(client, therapist):
    client.force_login(therapist)
    response = client.post(reverse("logout"))
    assert "no-store" in response["Cache-Control"]


def test_it_leaves_anonymous_pages_to_their_views(client, db):
    response = client.get("/no-such-page/")
    assert response.get("Cache-Control") is None


def test_it_sends_the_security_headers_to_anonymous_visitors(client, db):
    assert security_headers(client.get(reverse("login"))) == HEADERS


def test_it_lets_static_files_be_cached(settings, therapist):
    # WhiteNoise answers static files before the no-store middleware sees them; a new
    # client builds its middleware with WhiteNoise reading static/ directly.
    settings.WHITENOISE_USE_FINDERS = True
    settings.WHITENOISE_AUTOREFRESH = True
    client = Client()
    client.force_login(therapist)
    response = client.get("/static/css/refrain.css")
    assert response.status_code == 200
    assert "no-store" not in response["Cache-Control"]


def test_it_switches_off_the_features_no_page_uses(client, db):
    policy = client.get(reverse("login"))["Permissions-Policy"]
    assert {"camera=()", "microphone=()", "geolocation=()", "payment=()", "usb=()"} <= set(
        policy.split(", ")
    )


def test_it_lets_our_own_pages_write_to_the_clipboard(client, db):
    # The Copy button of a participant's calendar link (js/copy_link.js).
    policy = client.get(reverse("login"))["Permissions-Policy"].split(", ")
    assert "clipboard-write=(self)" in policy


def test_it_keeps_reading_the_clipboard_off(client, db):
    policy = client.get(reverse("login"))["Permissions-Policy"].split(", ")
    assert "clipboard-read=()" in policy


@pytest.mark.parametrize("unsafe", ["'unsafe-inline'", "'unsafe-eval'", "*", "http:", "https:"])
def test_it_allows_nothing_unsafe_in_the_policy(unsafe):
    directives = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]
    assert [d for d, sources in directives.items() if unsafe in sources] == []
