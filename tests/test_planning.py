"""Planning a session: activities in order, reordering, copying, minutes and songs."""

import html
import random
import re
from datetime import date, timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from sessions_app.models import PlanItem, Session, Theme
from sessions_app.selectors.music import describe_last_use
from sessions_app.services import planning
from sessions_app.services.errors import ServiceError
from tests import factories as f


def _plan(session: Session) -> list[tuple[int, str]]:
    """(position, purpose) of each activity, in order."""
    return list(session.plan_items.order_by("position").values_list("position", "purpose"))


def _make_plan(session: Session, *purposes: str, minutes: int = 10) -> list[PlanItem]:
    return [
        f.PlanItemFactory(session=session, position=n, purpose=p, minutes=minutes)
        for n, p in enumerate(purposes, start=1)
    ]


def _item_form(**overrides):
    data = {"song": "", "activity_type": "listening", "minutes": "10", "purpose": "Arrive"}
    data.update(overrides)
    return data


# --- the plan page ---------------------------------------------------------------------


def test_it_shows_the_plan_in_order_with_its_minutes(client, therapist, session):
    _make_plan(session, "Check in", "Sing together", "Wind down", minutes=15)
    client.force_login(therapist)
    body = client.get(reverse("session_plan", args=[session.pk])).content.decode()
    assert body.index("Check in") < body.index("Sing together") < body.index("Wind down")
    assert "<strong>45</strong> of 60 minutes planned" in body
    assert "15 min left" in body
    assert "minutes over" not in body


def test_it_warns_when_the_plan_runs_over_the_session(client, therapist, session):
    _make_plan(session, "Long improvisation", "Songwriting", minutes=35)
    client.force_login(therapist)
    body = client.get(reverse("session_plan", args=[session.pk])).content.decode()
    assert "<strong>70</strong> of 60 minutes planned" in body
    assert "runs <strong>10 minutes over</strong> the 60-minute session" in body


def test_it_links_the_plan_from_the_session_page(client, therapist, session):
    client.force_login(therapist)
    body = client.get(reverse("session_detail", args=[session.pk])).content.decode()
    assert reverse("session_plan", args=[session.pk]) in body


# --- adding, editing, deleting ---------------------------------------------------------


def test_it_adds_an_activity_at_the_end(client, therapist, session):
    _make_plan(session, "Check in")
    song = f.SongFactory(title="Amazing Grace")
    client.force_login(therapist)
    response = client.post(
        reverse("plan_item_add", args=[session.pk]),
        _item_form(song=song.pk, activity_type="group_singing", minutes="12", purpose="Sing"),
    )
    assert response.status_code == 302
    assert _plan(session) == [(1, "Check in"), (2, "Sing")]
    item = session.plan_items.get(position=2)
    assert (item.song, item.activity_type, item.minutes) == (song, "group_singing", 12)


def test_it_adds_an_activity_where_asked(client, co_therapist, session):
    _make_plan(session, "Check in", "Sing")
    client.force_login(co_therapist)
    client.post(
        reverse("plan_item_add", args=[session.pk]), _item_form(purpose="Breathe", position="1")
    )
    assert _plan(session) == [(1, "Breathe"), (2, "Check in"), (3, "Sing")]


def test_it_keeps_the_input_when_an_activity_is_invalid(client, therapist, session):
    client.force_login(therapist)
    response = client.post(
        reverse("plan_item_add", args=[session.pk]), _item_form(minutes="0", purpose="Drum")
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert 'value="Drum"' in body
    assert "An activity takes at least a minute." in body
    assert not session.plan_items.exists()


def test_it_edits_an_activity(client, admin, session):
    first, second = _make_plan(session, "Check in", "Sing")
    client.force_login(admin)
    response = client.post(
        reverse("plan_item_edit", args=[session.pk, second.pk]),
        _item_form(activity_type="relaxation", minutes="7", purpose="Body scan", position="2"),
    )
    assert response.status_code == 302
    second.refresh_from_db()
    assert (second.activity_type, second.minutes, second.purpose) == ("relaxation", 7, "Body scan")
    assert second.song is None


def test_it_moves_an_activity_by_setting_its_position(client, therapist, session):
    items = _make_plan(session, "A", "B", "C", "D")
    client.force_login(therapist)
    client.post(
        reverse("plan_item_edit", args=[session.pk, items[3].pk]),
        _item_form(purpose="D", position="2"),
    )
    assert _plan(session) == [(1, "A"), (2, "D"), (3, "B"), (4, "C")]


def test_it_asks_before_deleting_and_closes_the_gap(client, therapist, session):
    items = _make_plan(session, "A", "B", "C")
    url = reverse("plan_item_delete", args=[session.pk, items[1].pk])
    client.force_login(therapist)
    confirm = client.get(url)
    assert "Delete activity 2?" in confirm.content.decode()
    assert session.plan_items.count() == 3
    client.post(url)
    assert _plan(session) == [(1, "A"), (2, "C")]


def test_it_answers_404_for_an_item_of_another_session(client, therapist, session, past_session):
    other_item = past_session.plan_items.get()
    client.force_login(therapist)
    for name in ("plan_item_edit", "plan_item_delete"):
        assert client.get(reverse(name, args=[session.pk, other_item.pk])).status_code == 404
    response = client.post(reverse("plan_item_delete", args=[session.pk, other_item.pk]))
    assert response.status_code == 404
    assert PlanItem.objects.filter(pk=other_item.pk).exists()


# --- reordering ------------------------------------------------------------------------


def _move(client, session, item, direction):
    return client.post(
        reverse("plan_item_move", args=[session.pk, item.pk]), {"direction": direction}
    )


@pytest.mark.django_db(transaction=True)
def test_it_moves_activities_up_and_down_and_commits(client, therapist, session):
    # Transactional: PostgreSQL checks the deferred unique position at commit, so this
    # is where a reorder that left two activities on one position would fail.
    a, b, c = _make_plan(session, "A", "B", "C")
    client.force_login(therapist)
    assert _move(client, session, c, "up").status_code == 302
    assert _plan(session) == [(1, "A"), (2, "C"), (3, "B")]
    _move(client, session, a, "down")
    assert _plan(session) == [(1, "C"), (2, "A"), (3, "B")]
    _move(client, session, c, "up")  # already first: nothing changes
    _move(client, session, b, "down")  # already last
    assert _plan(session) == [(1, "C"), (2, "A"), (3, "B")]


def test_it_keeps_positions_contiguous_through_any_reordering(therapist, session):
    _make_plan(session, *"ABCDEFG")
    rng = random.Random(7)
    for _ in range(40):
        action = rng.choice(["move", "move", "add", "delete"])
        live = list(session.plan_items.order_by("position"))
        if action == "move" and live:
            planning.plan_item_move(item=rng.choice(live), position=rng.randint(0, len(live) + 2))
        elif action == "add":
            planning.plan_item_add(
                session=session,
                activity_type="listening",
                minutes=5,
                purpose="new",
                position=rng.choice([None, rng.randint(1, len(live) + 1)]),
            )
        elif live:
            planning.plan_item_delete(item=rng.choice(live))
        positions = [p for p, _ in _plan(session)]
        assert positions == list(range(1, len(positions) + 1))
    if connection.vendor == "postgresql":
        # Check the deferred constraint now rather than at a commit that never comes.
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def test_it_reorders_under_a_position_check_that_cannot_wait(therapist, session):
    # SQLite cannot defer the unique position (Django leaves the constraint out there)
    # and a plain unique index checks every row as it is written. A reorder must never
    # write a position another activity still holds, even for a moment.
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE UNIQUE INDEX planitem_position_now ON sessions_app_planitem "
            "(session_id, position)"
        )
    a, b, c = _make_plan(session, "A", "B", "C")
    planning.plan_item_move(item=a, position=3)
    planning.plan_item_move(item=b, position=2)
    planning.plan_item_delete(item=c)
    planning.plan_item_add(session=session, activity_type="listening", minutes=5, position=1)
    assert [p for p, _ in _plan(session)] == [1, 2, 3]
    assert [p for _, p in _plan(session)][1:] == ["B", "A"]


def test_it_reorders_exactly_as_asked(therapist, session):
    a, b, c, d = _make_plan(session, "A", "B", "C", "D")
    planning.plan_item_move(item=a, position=3)
    assert _plan(session) == [(1, "B"), (2, "C"), (3, "A"), (4, "D")]
    planning.plan_item_move(item=d, position=1)
    assert _plan(session) == [(1, "D"), (2, "B"), (3, "C"), (4, "A")]


def test_it_explains_a_move_without_a_direction(client, therapist, session):
    (a,) = _make_plan(session, "A")
    client.force_login(therapist)
    response = client.post(reverse("plan_item_move", args=[session.pk, a.pk]), follow=True)
    assert "Say where to move the activity" in response.content.decode()


# --- copying ---------------------------------------------------------------------------


@pytest.fixture
def earlier_plan(group):
    start = timezone.now() - timedelta(days=14)
    earlier = f.SessionFactory(
        group=group, starts_at=start, ends_at=start + timedelta(hours=1), status="held"
    )
    _make_plan(earlier, "Drum check-in", "Lyric analysis")
    return earlier


def test_it_appends_a_copied_plan(client, therapist, session, earlier_plan):
    _make_plan(session, "Already here")
    client.force_login(therapist)
    response = client.post(
        reverse("plan_copy", args=[session.pk]), {"source": earlier_plan.pk, "mode": "append"}
    )
    assert response.status_code == 302
    assert _plan(session) == [(1, "Already here"), (2, "Drum check-in"), (3, "Lyric analysis")]
    assert _plan(earlier_plan) == [(1, "Drum check-in"), (2, "Lyric analysis")]
    copied = session.plan_items.get(position=2)
    original = earlier_plan.plan_items.get(position=1)
    assert (copied.song_id, copied.minutes, copied.activity_type) == (
        original.song_id,
        original.minutes,
        original.activity_type,
    )


def test_it_replaces_the_plan_with_a_copy(client, therapist, session, earlier_plan):
    _make_plan(session, "Old idea")
    client.force_login(therapist)
    client.post(
        reverse("plan_copy", args=[session.pk]), {"source": earlier_plan.pk, "mode": "replace"}
    )
    assert _plan(session) == [(1, "Drum check-in"), (2, "Lyric analysis")]


def test_it_offers_earlier_sessions_of_the_group_first_and_newest_first(
    client, therapist, session, earlier_plan, past_session, other_session
):
    _make_plan(other_session, "Mesa secret")
    client.force_login(therapist)
    body = client.get(reverse("plan_copy", args=[session.pk])).content.decode()
    assert "Add them after the activities already planned" in body
    assert "Replace the current plan" in body
    newest, older = past_session.local_date, earlier_plan.local_date
    assert f"{newest:%a %-d %b %Y}" in body
    assert body.index(f"{newest:%a %-d %b %Y}") < body.index(f"{older:%a %-d %b %Y}")
    assert other_session.group.name not in body


def test_it_refuses_to_copy_a_plan_the_user_may_not_see(
    client, therapist, session, other_session, earlier_plan
):
    _make_plan(other_session, "Mesa secret")
    client.force_login(therapist)
    response = client.post(
        reverse("plan_copy", args=[session.pk]), {"source": other_session.pk, "mode": "append"}
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not session.plan_items.exists()


def test_it_refuses_to_copy_a_session_into_itself(session):
    _make_plan(session, "A")
    with pytest.raises(ServiceError):
        planning.plan_copy(source=session, target=session)
    assert _plan(session) == [(1, "A")]


# --- when this group last used a song ----------------------------------------------------


@pytest.mark.parametrize(
    ("days", "expected"),
    [
        (0, "last used today (10 Jun)"),
        (1, "last used yesterday (9 Jun)"),
        (5, "last used 5 days ago (5 Jun)"),
        (21, "last used 3 weeks ago (20 May)"),
        (100, "last used 3 months ago (2 Mar)"),
        (400, "last used a year ago (6 May 2025)"),
    ],
)
def test_it_says_when_a_song_was_last_used(days, expected):
    today = date(2026, 6, 10)
    assert describe_last_use(today - timedelta(days=days), today) == expected


def test_it_shows_when_this_group_last_used_each_song(
    client, therapist, group, session, site, other_group
):
    now = timezone.now()

    def used(song, g, days_ago, **kw):
        start = now - timedelta(days=days_ago)
        s = f.SessionFactory(group=g, starts_at=start, ends_at=start + timedelta(hours=1), **kw)
        f.PlanItemFactory(session=s, song=song, position=1)
        return s

    grace = f.SongFactory(title="Amazing Grace")
    never = f.SongFactory(title="Shenandoah")
    last = used(grace, group, 24)
    used(grace, group, 60)
    used(grace, other_group, 1)  # another therapist's group
    second_group = f.GroupFactory(site=site, name="Thursday Singers", lead=therapist)
    used(grace, second_group, 2)  # this therapist's other group: still not this group
    used(grace, group, 3, status="cancelled", cancel_reason="Snow")
    future = now + timedelta(days=9)
    f.PlanItemFactory(
        session=f.SessionFactory(
            group=group, starts_at=future, ends_at=future + timedelta(hours=1)
        ),
        song=grace,
        position=1,
    )
    client.force_login(therapist)
    body = client.get(reverse("plan_item_add", args=[session.pk])).content.decode()
    when = f"{last.local_date:%-d %b}"
    assert f"Amazing Grace (Traditional) — last used 3 weeks ago ({when}" in body
    assert "Shenandoah (Traditional) — not used by this group yet" in body
    assert never.title in body


def test_it_shows_last_use_next_to_planned_songs(client, therapist, group, session):
    song = f.SongFactory(title="Amazing Grace")
    start = timezone.now() - timedelta(days=24)
    before = f.SessionFactory(group=group, starts_at=start, ends_at=start + timedelta(hours=1))
    f.PlanItemFactory(session=before, song=song, position=1)
    f.PlanItemFactory(session=session, song=song, position=1)
    client.force_login(therapist)
    body = client.get(reverse("session_plan", args=[session.pk])).content.decode()
    assert "last used 3 weeks ago" in body


# --- cancelled sessions ------------------------------------------------------------------


@pytest.fixture
def cancelled(group):
    start = timezone.now() + timedelta(days=5)
    s = f.SessionFactory(
        group=group,
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        status="cancelled",
        cancel_reason="Facility closed",
    )
    _make_plan(s, "Kept as it was")
    return s


def test_it_refuses_to_plan_a_cancelled_session(client, therapist, cancelled, earlier_plan):
    item = cancelled.plan_items.get()
    client.force_login(therapist)
    response = client.post(
        reverse("plan_item_add", args=[cancelled.pk]), _item_form(purpose="New"), follow=True
    )
    body = response.content.decode()
    assert "This session was cancelled (Facility closed), so its plan cannot be changed" in body
    assert 'href="{}"'.format(reverse("plan_item_add", args=[cancelled.pk])) not in body
    client.post(reverse("plan_item_edit", args=[cancelled.pk, item.pk]), _item_form(purpose="X"))
    client.post(reverse("plan_item_delete", args=[cancelled.pk, item.pk]))
    client.post(reverse("plan_item_move", args=[cancelled.pk, item.pk]), {"direction": "down"})
    client.post(
        reverse("plan_copy", args=[cancelled.pk]), {"source": earlier_plan.pk, "mode": "replace"}
    )
    assert _plan(cancelled) == [(1, "Kept as it was")]


def test_it_refuses_a_cancelled_session_in_the_service_too(cancelled):
    with pytest.raises(ServiceError, match="cancelled"):
        planning.plan_item_add(session=cancelled, activity_type="listening", minutes=5)


# --- who may plan ------------------------------------------------------------------------


@pytest.mark.parametrize("username", ["outsider", "other_admin", "participant"])
def test_it_answers_404_to_posts_from_those_who_may_not_see(
    client, cast, session, earlier_plan, username
):
    a, b = _make_plan(session, "A", "B")
    client.force_login(cast[username])
    posts = [
        (reverse("session_plan", args=[session.pk]), {}),
        (reverse("plan_item_add", args=[session.pk]), _item_form(purpose="Intruder")),
        (reverse("plan_item_edit", args=[session.pk, a.pk]), _item_form(purpose="Changed")),
        (reverse("plan_item_delete", args=[session.pk, a.pk]), {}),
        (reverse("plan_item_move", args=[session.pk, b.pk]), {"direction": "up"}),
        (reverse("plan_reorder", args=[session.pk]), {"item": [b.pk, a.pk]}),
        (reverse("plan_copy", args=[session.pk]), {"source": earlier_plan.pk, "mode": "replace"}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 404, url
    assert _plan(session) == [(1, "A"), (2, "B")]


@pytest.mark.parametrize("name", ["session_plan", "plan_item_add", "plan_copy"])
def test_it_sends_anonymous_users_to_log_in(client, session, name):
    url = reverse(name, args=[session.pk])
    for response in (client.get(url), client.post(url, _item_form())):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    assert not session.plan_items.exists()


# --- bounded queries -------------------------------------------------------------------


@pytest.mark.parametrize("size", [1, 30])
def test_it_renders_the_plan_page_in_bounded_queries(
    client, therapist, group, session, django_assert_max_num_queries, size
):
    now = timezone.now()
    for i in range(size):
        song = f.SongFactory()
        start = now - timedelta(days=7 * (i + 1))
        s = f.SessionFactory(group=group, starts_at=start, ends_at=start + timedelta(hours=1))
        f.PlanItemFactory(session=s, song=song, position=1)
        f.PlanItemFactory(session=session, song=song, position=i + 1)
    client.force_login(therapist)
    with django_assert_max_num_queries(6):
        response = client.get(reverse("session_plan", args=[session.pk]))
    assert response.status_code == 200
    assert response.content.decode().count("last used") == size


@pytest.mark.parametrize("size", [1, 30])
def test_it_renders_the_song_picker_in_bounded_queries(
    client, therapist, group, session, django_assert_max_num_queries, size
):
    now = timezone.now()
    for i in range(size):
        song = f.SongFactory()
        start = now - timedelta(days=7 * (i + 1))
        s = f.SessionFactory(group=group, starts_at=start, ends_at=start + timedelta(hours=1))
        f.PlanItemFactory(session=s, song=song, position=1)
    client.force_login(therapist)
    # The two above the plan page's: the key and theme lists of the song search; and the
    # song search's goal areas and the goal areas to tick for the activity (2).
    with django_assert_max_num_queries(10):
        response = client.get(reverse("plan_item_add", args=[session.pk]))
    assert response.status_code == 200
    assert response.content.decode().count("— last used") == size


@pytest.mark.parametrize("size", [1, 30])
def test_it_renders_the_copy_page_in_bounded_queries(
    client, therapist, group, session, django_assert_max_num_queries, size
):
    now = timezone.now()
    for i in range(size):
        start = now - timedelta(days=7 * (i + 1))
        s = f.SessionFactory(group=group, starts_at=start, ends_at=start + timedelta(hours=1))
        _make_plan(s, "A", "B")
    client.force_login(therapist)
    with django_assert_max_num_queries(7):
        response = client.get(reverse("plan_copy", args=[session.pk]))
    assert response.status_code == 200
    assert response.content.decode().count("2 activities, 20 min") == size


# --- the song picker: search and filters ------------------------------------------------


def _offered(response) -> list[str]:
    """The titles the song picker offers, in order ("No song" left out)."""
    body = response.content.decode()
    select = re.search(r'<select name="song".*?</select>', body, re.S)
    assert select, "the page has no song picker"
    labels = re.findall(r'<option value="\d+"[^>]*>([^<]*)</option>', select.group(0))
    return [html.unescape(label).split(" (")[0] for label in labels]


@pytest.fixture
def library():
    calm, hope = Theme.objects.create(name="Calm"), Theme.objects.create(name="Hope")
    songs = {
        "grace": f.SongFactory(title="Amazing Grace", key="G major", tempo_bpm=70),
        "lean": f.SongFactory(
            title="Lean on Me", artist="Bill Withers", key="C major", tempo_bpm=76
        ),
        "stand": f.SongFactory(
            title="Stand by Me", artist="Ben E. King", key="A major", tempo_bpm=118
        ),
        "river": f.SongFactory(title="Down to the River", key="D minor", tempo_bpm=96),
    }
    songs["grace"].themes.add(calm)
    songs["river"].themes.add(calm, hope)
    songs["stand"].themes.add(hope)
    return songs


def _picker(client, session, **params):
    return client.get(reverse("plan_item_add", args=[session.pk]), params)


def test_it_offers_every_song_of_a_small_library(client, therapist, session, library):
    client.force_login(therapist)
    offered = _offered(_picker(client, session))
    assert offered == ["Amazing Grace", "Down to the River", "Lean on Me", "Stand by Me"]


def test_it_searches_songs_by_title(client, therapist, session, library):
    client.force_login(therapist)
    assert _offered(_picker(client, session, q="me")) == ["Lean on Me", "Stand by Me"]


def test_it_searches_songs_by_artist(client, therapist, session, library):
    client.force_login(therapist)
    assert _offered(_picker(client, session, q="withers")) == ["Lean on Me"]


def test_it_filters_songs_by_theme(client, therapist, session, library):
    client.force_login(therapist)
    hope = library["stand"].themes.get()
    assert _offered(_picker(client, session, theme=hope.pk)) == ["Down to the River", "Stand by Me"]


def test_it_filters_songs_by_key(client, therapist, session, library):
    client.force_login(therapist)
    assert _offered(_picker(client, session, key="D minor")) == ["Down to the River"]


def test_it_filters_songs_by_tempo_range(client, therapist, session, library):
    client.force_login(therapist)
    offered = _offered(_picker(client, session, tempo_min=75, tempo_max=100))
    assert offered == ["Down to the River", "Lean on Me"]


def test_it_says_when_no_song_matches(client, therapist, session, library):
    client.force_login(therapist)
    response = _picker(client, session, q="zzz")
    assert "No song in the library matches this search." in response.content.decode()


def test_it_explains_a_tempo_range_upside_down(client, therapist, session, library):
    client.force_login(therapist)
    response = _picker(client, session, tempo_min=120, tempo_max=60)
    body = html.unescape(response.content.decode())
    assert "The upper tempo must not be below the lower one." in body


def test_it_keeps_what_was_typed_when_searching_songs(client, therapist, session, library):
    client.force_login(therapist)
    response = client.post(
        reverse("plan_item_add", args=[session.pk]),
        {**_item_form(minutes="25", purpose="Open with a hymn"), "q": "grace", "search": "1"},
    )
    body = response.content.decode()
    assert 'value="Open with a hymn"' in body
    assert 'name="minutes" value="25"' in body
    assert _offered(response) == ["Amazing Grace"]


def test_it_saves_nothing_when_searching_songs(client, therapist, session, library):
    client.force_login(therapist)
    client.post(
        reverse("plan_item_add", args=[session.pk]),
        {**_item_form(song=library["lean"].pk), "q": "grace", "search": "1"},
    )
    assert not session.plan_items.exists()


def test_it_shows_no_errors_for_a_half_filled_form_when_searching(
    client, therapist, session, library
):
    client.force_login(therapist)
    response = client.post(
        reverse("plan_item_add", args=[session.pk]),
        {**_item_form(minutes=""), "q": "grace", "search": "1"},
    )
    assert "is-invalid" not in response.content.decode()


def test_it_keeps_the_chosen_song_offered_whatever_the_search(client, therapist, session, library):
    item = f.PlanItemFactory(session=session, position=1, song=library["lean"])
    client.force_login(therapist)
    response = client.get(reverse("plan_item_edit", args=[session.pk, item.pk]), {"q": "grace"})
    assert _offered(response) == ["Lean on Me", "Amazing Grace"]


def test_it_saves_a_song_found_by_the_search(client, therapist, session, library):
    client.force_login(therapist)
    client.post(
        reverse("plan_item_add", args=[session.pk]),
        {**_item_form(song=library["river"].pk), "q": "river"},
    )
    assert session.plan_items.get().song == library["river"]


def test_it_offers_a_bounded_number_of_songs_and_says_so(client, therapist, session):
    f.SongFactory.create_batch(52)
    client.force_login(therapist)
    response = _picker(client, session)
    assert len(_offered(response)) == 50
    assert "More than 50 songs match" in response.content.decode()


def test_it_answers_the_song_choices_as_one_types(client, therapist, session, library):
    client.force_login(therapist)
    response = client.get(reverse("plan_song_choices", args=[session.pk]), {"q": "me"})
    labels = [song["label"] for song in response.json()["songs"]]
    assert labels == [
        "Lean on Me (Bill Withers) — not used by this group yet",
        "Stand by Me (Ben E. King) — not used by this group yet",
    ]


def test_it_says_when_more_song_choices_match_than_shown(client, therapist, session):
    f.SongFactory.create_batch(51)
    client.force_login(therapist)
    response = client.get(reverse("plan_song_choices", args=[session.pk]))
    assert response.json()["more"] is True


def test_it_answers_the_song_choices_in_bounded_queries(
    client, therapist, session, django_assert_max_num_queries
):
    f.SongFactory.create_batch(60)
    client.force_login(therapist)
    with django_assert_max_num_queries(7):
        response = client.get(reverse("plan_song_choices", args=[session.pk]), {"q": "song"})
    assert len(response.json()["songs"]) == 50


def test_it_answers_404_to_song_choices_for_another_therapists_session(client, outsider, session):
    client.force_login(outsider)
    assert client.get(reverse("plan_song_choices", args=[session.pk])).status_code == 404


# --- drag to reorder ----------------------------------------------------------------------


def _reorder(client, session, *items):
    return client.post(
        reverse("plan_reorder", args=[session.pk]),
        {"item": [getattr(i, "pk", i) for i in items]},
    )


@pytest.mark.django_db(transaction=True)
def test_it_reorders_the_whole_plan_in_one_request(client, therapist, session):
    a, b, c = _make_plan(session, "A", "B", "C")
    client.force_login(therapist)
    _reorder(client, session, c, a, b)
    assert _plan(session) == [(1, "C"), (2, "A"), (3, "B")]


def test_it_answers_the_new_positions(client, therapist, session):
    a, b, c = _make_plan(session, "A", "B", "C")
    client.force_login(therapist)
    response = _reorder(client, session, b, c, a)
    assert response.json() == {
        "items": [
            {"id": b.pk, "position": 1},
            {"id": c.pk, "position": 2},
            {"id": a.pk, "position": 3},
        ]
    }


def test_it_refuses_an_order_that_leaves_out_an_activity(client, therapist, session):
    a, b, c = _make_plan(session, "A", "B", "C")
    client.force_login(therapist)
    response = _reorder(client, session, c, a)
    assert response.status_code == 400
    assert _plan(session) == [(1, "A"), (2, "B"), (3, "C")]


def test_it_says_why_an_order_was_refused(client, therapist, session):
    a, b = _make_plan(session, "A", "B")
    client.force_login(therapist)
    response = _reorder(client, session, b)
    assert response.json()["error"].startswith("The plan has changed since this page was loaded.")


def test_it_refuses_an_order_naming_an_activity_twice(client, therapist, session):
    a, b = _make_plan(session, "A", "B")
    client.force_login(therapist)
    assert _reorder(client, session, b, a, b).status_code == 400
    assert _plan(session) == [(1, "A"), (2, "B")]


def test_it_refuses_an_order_with_an_activity_of_another_session(
    client, therapist, session, past_session
):
    a, b = _make_plan(session, "A", "B")
    stranger = past_session.plan_items.get()
    client.force_login(therapist)
    assert _reorder(client, session, b, a, stranger).status_code == 400
    assert _plan(session) == [(1, "A"), (2, "B")]


def test_it_refuses_an_order_that_is_not_ids(client, therapist, session):
    a, b = _make_plan(session, "A", "B")
    client.force_login(therapist)
    response = _reorder(client, session, b, "first")
    assert response.status_code == 400
    assert _plan(session) == [(1, "A"), (2, "B")]


def test_it_answers_404_to_reordering_another_therapists_session(client, outsider, session):
    a, b = _make_plan(session, "A", "B")
    client.force_login(outsider)
    assert _reorder(client, session, b, a).status_code == 404
    assert _plan(session) == [(1, "A"), (2, "B")]


def test_it_refuses_to_reorder_a_cancelled_session(client, therapist, cancelled):
    (kept,) = cancelled.plan_items.all()
    f.PlanItemFactory(session=cancelled, position=2, purpose="Second")
    second = cancelled.plan_items.get(position=2)
    client.force_login(therapist)
    response = _reorder(client, cancelled, second, kept)
    assert response.status_code == 400
    assert _plan(cancelled) == [(1, "Kept as it was"), (2, "Second")]


def test_it_reorders_only_by_post(client, therapist, session):
    _make_plan(session, "A", "B")
    client.force_login(therapist)
    assert client.get(reverse("plan_reorder", args=[session.pk])).status_code == 405


def test_it_offers_drag_to_reorder_on_a_plan_that_can_change(client, therapist, session):
    _make_plan(session, "A", "B")
    client.force_login(therapist)
    body = client.get(reverse("session_plan", args=[session.pk])).content.decode()
    assert 'data-reorder-url="{}"'.format(reverse("plan_reorder", args=[session.pk])) in body


def test_it_offers_no_drag_on_a_cancelled_plan(client, therapist, cancelled):
    f.PlanItemFactory(session=cancelled, position=2)
    client.force_login(therapist)
    body = client.get(reverse("session_plan", args=[cancelled.pk])).content.decode()
    assert "data-reorder-url" not in body


@pytest.mark.parametrize("size", [2, 30])
def test_it_reorders_in_bounded_queries(
    client, therapist, session, django_assert_max_num_queries, size
):
    items = _make_plan(session, *(f"Step {n}" for n in range(size)))
    client.force_login(therapist)
    # Sign-in (2), the session, its lock and items, the numbering (3), the savepoint (2).
    with django_assert_max_num_queries(10):
        response = _reorder(client, session, *reversed(items))
    assert response.status_code == 200
