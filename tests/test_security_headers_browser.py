"""Every kind of page under the Content-Security-Policy, in a real browser.

Each kind of user opens every page of the URLconf they can open (one per URL name, its
values filled as in test_security_headers.py), plus the Django admin for a superuser and
the pages anyone sees; the browser reports every `securitypolicyviolation` and console
error, and the test lists them all. An inline style, script or handler anywhere (our
templates, crispy-forms' output, an SVG chart, the admin) fails it.
"""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from playwright.sync_api import ConsoleMessage, Page, Response

from tests import factories as f
from tests.test_browser import base_url, browser_type_launch_args  # noqa: F401 (fixtures)
from tests.test_security_headers import ALL_URLS, ROLES, url_for  # noqa: F401 (fixture)

# Runs in every document before its own scripts; Playwright injects it outside the page's
# policy. The event fires for blocked attributes and elements as well as for fetches.
COLLECT_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(
    `${event.effectiveDirective} blocked ${event.blockedURI || "inline"} ` +
    `(${event.sourceFile || "page"}:${event.lineNumber})`
  );
});
"""

ADMIN_PAGES = [
    ("admin:index", []),
    ("admin:sessions_app_group_changelist", []),
    ("admin:sessions_app_group_add", []),
    ("admin:sessions_app_group_change", ["group"]),
    # Date and time pickers: the admin's own scripts draw them.
    ("admin:sessions_app_session_change", ["past_session"]),
    ("admin:sessions_app_user_changelist", []),
    ("admin:auditlog_logentry_changelist", []),
]


def _html_pages(client: Client, urls: list[str]) -> list[str]:
    """The URLs that answer this user a web page (not a download, a redirect or 404)."""
    pages = []
    for url in urls:
        response = client.get(url)
        if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
            pages.append(url)
    return pages


def _sign_in(page: Page, client: Client, user, base_url: str) -> None:  # noqa: F811
    client.force_login(user)
    page.context.clear_cookies()
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": base_url,
            }
        ]
    )


@pytest.mark.browser
def test_it_opens_every_page_type_without_a_csp_violation(
    page: Page,
    base_url: str,  # noqa: F811
    cast,
    project,
    group,
    past_session,
    url_for,  # noqa: F811
):
    problems: list[str] = []
    where = {"url": ""}

    def on_console(message: ConsoleMessage) -> None:
        # A failed load is listed with its address by on_response instead.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            problems.append(f"{where['url']}: console: {message.text}")

    def on_response(response: Response) -> None:
        if response.status >= 400 and response.request.resource_type != "document":
            problems.append(f"{where['url']}: {response.status} for {response.url}")

    page.on("console", on_console)
    page.on("response", on_response)
    page.on("pageerror", lambda error: problems.append(f"{where['url']}: script error: {error}"))
    page.add_init_script(COLLECT_VIOLATIONS)

    def visit(who: str, url: str) -> None:
        where["url"] = f"{who} {url}"
        page.goto(base_url + url, wait_until="load")
        for violation in page.evaluate("window.__cspViolations"):
            problems.append(f"{where['url']}: {violation}")

    urls = [url_for(name, kwargs) for name, kwargs in ALL_URLS]
    opened = 0
    for role in ROLES:
        client = Client()
        _sign_in(page, client, cast[role], base_url)
        for url in _html_pages(client, urls):
            visit(role, url)
            opened += 1

    root = f.UserFactory(username="root", is_superuser=True, is_staff=True)
    client = Client()
    _sign_in(page, client, root, base_url)
    objects = {"group": group, "past_session": past_session}
    for name, needs in ADMIN_PAGES:
        visit("root", reverse(name, args=[objects[o].pk for o in needs]))

    page.context.clear_cookies()
    anonymous = (
        reverse("login"),
        reverse("admin:login"),
        "/no-such-page/",
        reverse("participant_link", args=["x"]),
    )
    for url in anonymous:
        visit("anonymous", url)

    assert opened > len(ALL_URLS) / 2, "too few pages opened to vouch for the policy"
    assert not problems, "\n".join(problems)
