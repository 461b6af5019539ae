"""The golden thread on the music side: songs and planned activities tagged with the goal
areas they serve, and a library and song picker that find songs by them."""

import html
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from sessions_app.models import GoalArea, PlanItem, Song
from sessions_app.services import planning
from tests import factories as f

# The migration's goal areas in their order. Tests that flush tables lose its rows, so
# each test makes sure of the ones it uses.
ORDER = (
    "Social connection",
    "Emotional expression",
    "Coping with craving",
    "Relaxation and self-regulation",
    "Communication",
    "Self-esteem and identity",
    "Attention and focus",
    "Parenting and family",
    "Physical and motor",
)


def _area(name: str) -> GoalArea:
    return GoalArea.objects.get_or_create(name=name, defaults={"position": ORDER.index(name) + 1})[
        0
    ]


@pytest.fixture
def social(db):
    return _area("Social connection")


@pytest.fixture
def craving(db):
    return _area("Coping with craving")


@pytest.fixture
def relaxation(db):
    return _area("Relaxation and self-regulation")


def _song_form(**overrides):
    data = {
        "title": "Hard Times Come Again No More",
        "artist": "Stephen Foster",
        "key": "F major",
        "tempo_bpm": "76",
        "source": Song.Source.PUBLIC_DOMAIN,
        "new_themes": "",
        "notes": "",
    }
    data.update(overrides)
    return data


def _titles(response) -> list[str]:
    """The song titles the library list shows, in order."""
    body = html.unescape(response.content.decode())
    return re.findall(r'<span class="fw-semibold">([^<]*)</span>', body)


def _offered(response) -> list[str]:
    """The titles the plan's song picker offers, in order ("No song" left out)."""
    body = response.content.decode()
    select = re.search(r'<select name="song".*?</select>', body, re.S)
    assert select, "the page has no song picker"
    labels = re.findall(r'<option value="\d+"[^>]*>([^<]*)</option>', select.group(0))
    return [html.unescape(label).split(" (")[0].split(" — ")[0] for label in labels]


def _badges(body: str) -> list[str]:
    """The goal area badges a page shows, in order."""
    return re.findall(r'class="badge[^"]*goal-area"[^>]*>([^<]*)<', html.unescape(body))


@pytest.fixture
def library(social, craving, relaxation):
    """Four songs: two tagged for social connection, two whose lyrics mention drinking."""
    songs = {
        "saints": f.SongFactory(title="When the Saints Go Marching In"),
        "glass": f.SongFactory(title="The Parting Glass", mentions_substance_use=True),
        "whiskey": f.SongFactory(title="Whiskey in the Jar", mentions_substance_use=True),
        "river": f.SongFactory(title="Deep River"),
    }
    songs["saints"].goal_areas.add(social)
    songs["glass"].goal_areas.add(social, craving)
    songs["whiskey"].goal_areas.add(craving)
    songs["river"].goal_areas.add(relaxation)
    return songs


# --- the song form -----------------------------------------------------------------------


def test_it_saves_the_goal_areas_ticked_for_a_new_song(client, therapist, social, craving):
    client.force_login(therapist)
    client.post(reverse("song_new"), _song_form(goal_areas=[social.pk, craving.pk]))
    song = Song.objects.get()
    assert set(song.goal_areas.all()) == {social, craving}


def test_it_saves_that_a_new_songs_lyrics_mention_substance_use(client, therapist):
    client.force_login(therapist)
    client.post(reverse("song_new"), _song_form(mentions_substance_use="on"))
    assert Song.objects.get().mentions_substance_use is True


def test_it_saves_a_new_song_as_not_mentioning_substance_use_unless_ticked(client, therapist):
    client.force_login(therapist)
    client.post(reverse("song_new"), _song_form())
    assert Song.objects.get().mentions_substance_use is False


def test_it_changes_a_songs_goal_areas(client, therapist, social, relaxation):
    song = f.SongFactory(title="Deep River", artist="Traditional")
    song.goal_areas.add(social)
    client.force_login(therapist)
    client.post(
        reverse("song_edit", args=[song.pk]),
        _song_form(title="Deep River", artist="Traditional", goal_areas=[relaxation.pk]),
    )
    assert list(song.goal_areas.all()) == [relaxation]


def test_it_clears_the_substance_use_flag_when_unticked(client, therapist):
    song = f.SongFactory(title="The Parting Glass", mentions_substance_use=True)
    client.force_login(therapist)
    client.post(
        reverse("song_edit", args=[song.pk]),
        _song_form(title="The Parting Glass", artist="Traditional"),
    )
    song.refresh_from_db()
    assert song.mentions_substance_use is False


def test_it_shows_a_songs_goal_areas_ticked_on_its_edit_form(client, therapist, social):
    song = f.SongFactory()
    song.goal_areas.add(social)
    client.force_login(therapist)
    body = client.get(reverse("song_edit", args=[song.pk])).content.decode()
    assert re.search(rf'name="goal_areas" value="{social.pk}"[^>]*checked', body)


def test_it_keeps_the_ticked_goal_areas_when_the_form_has_an_error(client, therapist, social):
    client.force_login(therapist)
    response = client.post(reverse("song_new"), _song_form(tempo_bpm="999", goal_areas=[social.pk]))
    assert response.status_code == 200
    assert re.search(
        rf'name="goal_areas" value="{social.pk}"[^>]*checked', response.content.decode()
    )


# --- the library shows them ------------------------------------------------------------


def test_it_shows_each_songs_goal_areas_in_the_library(client, therapist, library):
    client.force_login(therapist)
    body = client.get(reverse("song_list"), {"q": "parting"}).content.decode()
    assert _badges(body) == ["Social connection", "Coping with craving"]


def test_it_marks_songs_whose_lyrics_mention_substance_use_in_the_library(
    client, therapist, library
):
    client.force_login(therapist)
    body = client.get(reverse("song_list")).content.decode()
    assert body.count("lyrics mention substance use</span>") == 2


def test_it_shows_a_songs_goal_areas_on_its_page(client, therapist, library):
    client.force_login(therapist)
    body = client.get(reverse("song_detail", args=[library["glass"].pk])).content.decode()
    assert _badges(body) == ["Social connection", "Coping with craving"]


def test_it_says_on_a_songs_page_that_its_lyrics_mention_substance_use(client, therapist, library):
    client.force_login(therapist)
    body = client.get(reverse("song_detail", args=[library["glass"].pk])).content.decode()
    assert "Mention drinking or drugs" in body


def test_it_says_nothing_of_substance_use_on_the_page_of_a_song_without(client, therapist, library):
    client.force_login(therapist)
    body = client.get(reverse("song_detail", args=[library["river"].pk])).content.decode()
    assert "drinking or drugs" not in body


# --- the library's filters ---------------------------------------------------------------


def test_it_filters_the_library_by_goal_area(client, therapist, library, social):
    client.force_login(therapist)
    response = client.get(reverse("song_list"), {"goal_area": social.pk})
    assert _titles(response) == ["The Parting Glass", "When the Saints Go Marching In"]


@pytest.mark.parametrize(
    ("choice", "expected"),
    [
        (
            "",
            [
                "Deep River",
                "The Parting Glass",
                "When the Saints Go Marching In",
                "Whiskey in the Jar",
            ],
        ),
        ("leave_out", ["Deep River", "When the Saints Go Marching In"]),
        ("only", ["The Parting Glass", "Whiskey in the Jar"]),
    ],
)
def test_it_filters_the_library_by_lyrics_about_substance_use(
    client, therapist, library, choice, expected
):
    client.force_login(therapist)
    response = client.get(reverse("song_list"), {"substance_use": choice})
    assert _titles(response) == expected


def test_it_combines_the_goal_area_and_substance_use_filters(client, therapist, library, social):
    client.force_login(therapist)
    response = client.get(
        reverse("song_list"), {"goal_area": social.pk, "substance_use": "leave_out"}
    )
    assert _titles(response) == ["When the Saints Go Marching In"]


def test_it_calls_the_theme_filter_lyric_theme(client, therapist):
    client.force_login(therapist)
    body = client.get(reverse("song_list")).content.decode()
    assert '<label for="id_theme" class="form-label">\n  Lyric theme' in body


def test_it_offers_a_clear_filters_link_after_filtering_by_goal_area(
    client, therapist, library, social
):
    client.force_login(therapist)
    body = client.get(reverse("song_list"), {"goal_area": social.pk}).content.decode()
    assert "Clear filters" in body


# --- the plan's song picker ------------------------------------------------------------


def test_it_filters_the_song_picker_by_goal_area(client, therapist, session, library, craving):
    client.force_login(therapist)
    response = client.get(reverse("plan_item_add", args=[session.pk]), {"goal_area": craving.pk})
    assert _offered(response) == ["The Parting Glass", "Whiskey in the Jar"]


def test_it_leaves_out_songs_about_substance_use_from_the_picker(
    client, therapist, session, library
):
    client.force_login(therapist)
    response = client.get(
        reverse("plan_item_add", args=[session.pk]), {"substance_use": "leave_out"}
    )
    assert _offered(response) == ["Deep River", "When the Saints Go Marching In"]


def test_it_offers_only_songs_about_substance_use_when_asked(client, therapist, session, library):
    client.force_login(therapist)
    response = client.get(reverse("plan_item_add", args=[session.pk]), {"substance_use": "only"})
    assert _offered(response) == ["The Parting Glass", "Whiskey in the Jar"]


def test_it_answers_song_choices_filtered_by_goal_area_and_lyrics(
    client, therapist, session, library, social
):
    client.force_login(therapist)
    response = client.get(
        reverse("plan_song_choices", args=[session.pk]),
        {"goal_area": social.pk, "substance_use": "only"},
    )
    assert [song["id"] for song in response.json()["songs"]] == [library["glass"].pk]


def test_it_labels_a_picked_song_whose_lyrics_mention_substance_use(
    client, therapist, session, library
):
    client.force_login(therapist)
    response = client.get(reverse("plan_song_choices", args=[session.pk]), {"q": "whiskey"})
    label = response.json()["songs"][0]["label"]
    assert label.endswith("— lyrics mention substance use")


def test_it_keeps_the_picker_filters_when_searching(client, therapist, session, library, craving):
    client.force_login(therapist)
    response = client.post(
        reverse("plan_item_add", args=[session.pk]),
        {
            "activity_type": "lyric_analysis",
            "minutes": "20",
            "goal_area": craving.pk,
            "substance_use": "only",
            "search": "1",
        },
    )
    body = response.content.decode()
    assert re.search(rf'<option value="{craving.pk}" selected>', body)
    assert '<option value="only" selected>' in body


# --- tags on planned activities ---------------------------------------------------------


def _item_form(**overrides):
    data = {"song": "", "activity_type": "group_singing", "minutes": "10", "purpose": "Sing"}
    data.update(overrides)
    return data


def test_it_saves_the_goal_areas_ticked_for_an_activity(
    client, therapist, session, social, relaxation
):
    client.force_login(therapist)
    client.post(
        reverse("plan_item_add", args=[session.pk]),
        _item_form(goal_areas=[social.pk, relaxation.pk]),
    )
    assert set(session.plan_items.get().goal_areas.all()) == {social, relaxation}


def test_it_gives_an_untagged_activity_its_songs_goal_areas(
    client, therapist, session, library, social, craving
):
    client.force_login(therapist)
    client.post(reverse("plan_item_add", args=[session.pk]), _item_form(song=library["glass"].pk))
    assert set(session.plan_items.get().goal_areas.all()) == {social, craving}


def test_it_keeps_the_goal_areas_ticked_rather_than_the_songs(
    client, therapist, session, library, relaxation
):
    client.force_login(therapist)
    client.post(
        reverse("plan_item_add", args=[session.pk]),
        _item_form(song=library["glass"].pk, goal_areas=[relaxation.pk]),
    )
    assert list(session.plan_items.get().goal_areas.all()) == [relaxation]


def test_it_leaves_an_activity_without_a_song_untagged(client, therapist, session):
    client.force_login(therapist)
    client.post(reverse("plan_item_add", args=[session.pk]), _item_form())
    assert not session.plan_items.get().goal_areas.exists()


def test_it_gives_an_edited_untagged_activity_its_songs_goal_areas(
    client, therapist, session, library, relaxation
):
    item = f.PlanItemFactory(session=session, position=1, song=None)
    client.force_login(therapist)
    client.post(
        reverse("plan_item_edit", args=[session.pk, item.pk]),
        _item_form(song=library["river"].pk, position="1"),
    )
    assert list(item.goal_areas.all()) == [relaxation]


def test_it_lets_a_tagged_activity_lose_all_its_goal_areas(
    client, therapist, session, library, social
):
    item = f.PlanItemFactory(session=session, position=1, song=library["saints"])
    item.goal_areas.add(social)
    client.force_login(therapist)
    client.post(
        reverse("plan_item_edit", args=[session.pk, item.pk]),
        _item_form(song=library["saints"].pk, position="1"),
    )
    assert not item.goal_areas.exists()


def test_it_says_an_untagged_activity_takes_its_songs_goal_areas(client, therapist, session):
    client.force_login(therapist)
    body = html.unescape(client.get(reverse("plan_item_add", args=[session.pk])).content.decode())
    assert "Left empty, it takes the chosen song's goal areas when saved." in body


def test_it_ticks_an_activitys_goal_areas_on_its_edit_form(client, therapist, session, social):
    item = f.PlanItemFactory(session=session, position=1)
    item.goal_areas.add(social)
    client.force_login(therapist)
    body = client.get(reverse("plan_item_edit", args=[session.pk, item.pk])).content.decode()
    assert re.search(rf'name="goal_areas" value="{social.pk}"[^>]*checked', body)


def test_it_keeps_the_ticked_goal_areas_when_searching_songs(
    client, therapist, session, library, social
):
    client.force_login(therapist)
    response = client.post(
        reverse("plan_item_add", args=[session.pk]),
        {**_item_form(goal_areas=[social.pk]), "q": "river", "search": "1"},
    )
    assert re.search(
        rf'name="goal_areas" value="{social.pk}"[^>]*checked', response.content.decode()
    )
    assert not session.plan_items.exists()


def test_it_copies_an_activitys_goal_areas_with_the_plan(session, past_session, social):
    past_session.plan_items.get().goal_areas.add(social)
    [copied] = planning.plan_copy(source=past_session, target=session)
    assert list(copied.goal_areas.all()) == [social]


# --- the plan shows them ---------------------------------------------------------------


@pytest.fixture
def tagged_plan(past_session, social, relaxation):
    item = past_session.plan_items.get()
    item.goal_areas.add(social, relaxation)
    return past_session


def test_it_shows_each_activitys_goal_areas_on_the_plan(client, therapist, tagged_plan):
    client.force_login(therapist)
    body = client.get(reverse("session_plan", args=[tagged_plan.pk])).content.decode()
    assert _badges(body) == ["Social connection", "Relaxation and self-regulation"]


def test_it_shows_each_activitys_goal_areas_on_the_session_page(client, therapist, tagged_plan):
    client.force_login(therapist)
    body = client.get(reverse("session_detail", args=[tagged_plan.pk])).content.decode()
    assert _badges(body) == ["Social connection", "Relaxation and self-regulation"]


def test_it_prints_each_activitys_goal_areas_with_the_note(client, therapist, tagged_plan):
    client.force_login(therapist)
    body = html.unescape(client.get(reverse("note_print", args=[tagged_plan.pk])).content.decode())
    assert "<td>Social connection, Relaxation and self-regulation</td>" in body


# --- bounded queries -------------------------------------------------------------------


@pytest.fixture
def areas(db) -> list[GoalArea]:
    return [_area(name) for name in ("Social connection", "Communication", "Attention and focus")]


@pytest.mark.parametrize("size", [1, 30])
def test_it_lists_tagged_songs_in_bounded_queries(
    client, therapist, areas, django_assert_max_num_queries, size
):
    for i in range(size):
        f.SongFactory(mentions_substance_use=i % 2 == 0).goal_areas.set(areas)
    client.force_login(therapist)
    # Login (2), the goal area asked for (1), the keys, lyric themes and goal areas to
    # filter by (3), the count, the page and its songs' lyric themes and goal areas (4).
    with django_assert_max_num_queries(10):
        response = client.get(reverse("song_list"), {"goal_area": areas[0].pk})
    # 25 songs to a page.
    assert _badges(response.content.decode()).count("Communication") == min(size, 25)


@pytest.mark.parametrize("size", [1, 30])
def test_it_renders_a_tagged_plan_in_bounded_queries(
    client, therapist, session, areas, django_assert_max_num_queries, size
):
    for i in range(size):
        song = f.SongFactory()
        song.goal_areas.set(areas)
        f.PlanItemFactory(session=session, song=song, position=i + 1).goal_areas.set(areas)
    client.force_login(therapist)
    # Login (2), the session, its plan, the plan's goal areas, and when the group last
    # used each song (4).
    with django_assert_max_num_queries(7):
        response = client.get(reverse("session_plan", args=[session.pk]))
    assert _badges(response.content.decode()).count("Communication") == size


@pytest.mark.parametrize("size", [1, 30])
def test_it_renders_the_song_picker_over_tagged_songs_in_bounded_queries(
    client, therapist, session, areas, django_assert_max_num_queries, size
):
    for _ in range(size):
        f.SongFactory().goal_areas.set(areas)
    item = f.PlanItemFactory(session=session, position=1)
    item.goal_areas.set(areas)
    client.force_login(therapist)
    url = reverse("plan_item_edit", args=[session.pk, item.pk])
    # Login (2), the session, the plan item and its goal areas (3), the song search's
    # keys and the goal area asked for (2), the songs offered and the chosen song that
    # the search left out (2), the plan's totals and when the group last used each song
    # (2), the lyric themes and goal areas to search by (2), and the goal areas to tick.
    with django_assert_max_num_queries(14):
        response = client.get(url, {"goal_area": areas[0].pk})
    assert len(_offered(response)) == size + 1


@pytest.mark.django_db
def test_it_copies_a_tagged_plan_in_bounded_queries(
    group, session, areas, django_assert_max_num_queries
):
    start = timezone.now() - timedelta(days=7)
    source = f.SessionFactory(group=group, starts_at=start, ends_at=start + timedelta(hours=1))
    for i in range(20):
        f.PlanItemFactory(session=source, position=i + 1).goal_areas.set(areas)
    # Lock the target and read its plan (2), read the source's plan (1), insert the items
    # (1), read and insert their goal areas (2), renumber (3).
    with django_assert_max_num_queries(9):
        planning.plan_copy(source=source, target=session)
    assert PlanItem.goal_areas.through.objects.filter(planitem__session=session).count() == 60
