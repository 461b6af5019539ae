"""Page titles: each page says what it is and ends with the site's name, and the pages
of one kind for two different objects (two sessions' plans, two participants' records)
can be told apart in a list of tabs or in the browser's history.

The pages are those of the access matrix (tests/test_access_matrix.py), requested by
someone who may see them, plus the pages whose address takes no id.
"""

import html
import re
from datetime import timedelta

import pytest
from django.urls import get_resolver, reverse

from tests import factories as f
from tests.test_access_matrix import (
    AUDIENCE_BY_IDS,
    AUDIENCE_OVERRIDES,
    MAY_SEE,
    OBJECT_URLS,
    _walk,
    url_for,  # noqa: F401 (a fixture)
)

SITE_NAME = "Refrain"
# Who requests a page: the first of these in its audience.
VIEWERS = ("therapist", "artist", "admin", "co_therapist", "outsider", "participant")


def _title(response) -> str | None:
    """The page's <title> (the first one: charts have their own inside <svg>)."""
    if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
        return None
    found = re.search(r"<title>(.*?)</title>", response.content.decode(), re.S)
    return " ".join(html.unescape(found.group(1)).split()) if found else ""


def _viewer(name: str, kwargs: tuple[str, ...]) -> str | None:
    audience = AUDIENCE_OVERRIDES.get(name, AUDIENCE_BY_IDS.get(kwargs, MAY_SEE))
    return next((who for who in VIEWERS if who in audience), None)


def _plain_urls() -> list[str]:
    return [
        name
        for name, pattern in _walk(get_resolver().url_patterns)
        if name and not getattr(pattern.pattern, "converters", {})
    ]


def _get(client, user, url):
    client.force_login(user)
    response = client.get(url)
    client.logout()
    return response


@pytest.fixture
def titled(settings):
    settings.STAFF_MFA_REQUIRED = False


@pytest.mark.usefixtures("titled")
def test_it_names_the_page_and_the_site_in_every_title(client, cast, url_for):  # noqa: F811
    pages = [(name, url_for(name, kwargs), _viewer(name, kwargs)) for name, kwargs in OBJECT_URLS]
    plain = _plain_urls()
    pages += [(name, reverse(name), who) for name in plain for who in ("therapist", "admin")]
    bare, seen = [], 0
    for name, url, who in pages:
        if who is None:
            continue
        title = _title(_get(client, cast[who], url))
        if title is None:
            continue
        seen += 1
        page_part = title.removesuffix(f" · {SITE_NAME}")
        if page_part == title or page_part.strip() in ("", SITE_NAME):
            bare.append(f"{name} ({who}): {title!r}")
    assert seen > 80, f"only {seen} pages answered with HTML"
    assert not bare, "\n".join(bare)


@pytest.fixture
def second(group, past_session, participant, therapist, co_therapist, site):
    """A second object of each kind, like the first: another session of the same group a
    week earlier, another participant of the group, another group of the same therapists."""
    start = past_session.starts_at - timedelta(days=7)
    session = f.SessionFactory(
        group=group, starts_at=start, ends_at=start + timedelta(hours=1), status="held"
    )
    f.PlanItemFactory(session=session, position=1)
    f.AttendanceFactory(session=session, participant=participant, recorded_by=therapist)
    other = f.ParticipantFactory(site=site, first_name="Rosa", last_name="Marsh")
    f.EnrollmentFactory(group=group, participant=other)
    other_group = f.GroupFactory(site=site, name="Thursday Drum Circle", lead=therapist)
    f.FacilitationFactory(group=other_group, therapist=co_therapist)
    return {"session_id": session.pk, "participant_id": other.pk, "group_id": other_group.pk}


@pytest.mark.usefixtures("titled")
@pytest.mark.parametrize("kind", ["session_id", "participant_id", "group_id"])
def test_it_titles_the_same_page_of_two_objects_differently(
    client,
    cast,
    url_for,  # noqa: F811
    second,
    kind,
):
    same_for_both, compared = [], 0
    for name, kwargs in OBJECT_URLS:
        who = _viewer(name, kwargs)
        if kwargs != (kind,) or who is None:
            continue
        first = _title(_get(client, cast[who], url_for(name, kwargs)))
        other = _title(_get(client, cast[who], reverse(name, kwargs={kind: second[kind]})))
        if first is None or other is None:
            continue
        compared += 1
        if first == other:
            same_for_both.append(f"{name}: {first!r}")
    assert compared >= 3, f"only {compared} pages by {kind} answered with HTML"
    assert not same_for_both, "\n".join(same_for_both)
