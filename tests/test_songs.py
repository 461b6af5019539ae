"""The song library: adding, editing, finding songs, and where each was used."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from sessions_app.models import Song, Theme
from tests import factories as f


def _song_form(**overrides):
    data = {
        "title": "Amazing Grace",
        "artist": "John Newton",
        "key": "G major",
        "tempo_bpm": "72",
        "source": Song.Source.PUBLIC_DOMAIN,
        "new_themes": "",
        "notes": "",
    }
    data.update(overrides)
    return data


def test_it_adds_a_song_with_picked_and_typed_themes(client, therapist):
    hope = Theme.objects.create(name="hope")
    client.force_login(therapist)
    response = client.post(
        reverse("song_new"),
        _song_form(themes=[hope.pk], new_themes=" Courage,  hope , Second Chances,"),
    )
    song = Song.objects.get(title="Amazing Grace")
    assert response.status_code == 302
    assert response["Location"] == reverse("song_detail", args=[song.pk])
    assert song.artist == "John Newton"
    assert song.tempo_bpm == 72
    assert song.added_by == therapist
    assert sorted(t.name for t in song.themes.all()) == ["courage", "hope", "second chances"]
    assert Theme.objects.filter(name__iexact="hope").count() == 1


def test_it_edits_a_song(client, co_therapist):
    song = f.SongFactory(title="Shenandoah", key="D major", tempo_bpm=66)
    song.themes.add(Theme.objects.create(name="home"))
    client.force_login(co_therapist)
    response = client.post(
        reverse("song_edit", args=[song.pk]),
        _song_form(
            title="Shenandoah",
            artist="Traditional",
            key="E♭ major",
            tempo_bpm="",
            source=Song.Source.PUBLIC_DOMAIN,
            new_themes="journey",
        ),
    )
    assert response.status_code == 302
    song.refresh_from_db()
    assert song.key == "E♭ major"
    assert song.tempo_bpm is None
    assert [t.name for t in song.themes.all()] == ["journey"]


def test_it_shows_a_form_error_for_a_duplicate_title_and_artist(client, therapist):
    f.SongFactory(title="Amazing Grace", artist="John Newton")
    client.force_login(therapist)
    response = client.post(
        reverse("song_new"), _song_form(title="amazing grace ", artist="John Newton")
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "is already in the library" in body
    assert 'value="amazing grace "' in body or 'value="amazing grace"' in body
    assert Song.objects.count() == 1


def test_it_refuses_to_rename_a_song_onto_another(client, therapist):
    f.SongFactory(title="Amazing Grace", artist="John Newton")
    other = f.SongFactory(title="Simple Gifts", artist="Joseph Brackett")
    client.force_login(therapist)
    response = client.post(
        reverse("song_edit", args=[other.pk]),
        _song_form(title="Amazing Grace", artist="John Newton"),
    )
    assert response.status_code == 200
    assert "is already in the library" in response.content.decode()
    other.refresh_from_db()
    assert other.title == "Simple Gifts"


def test_it_keeps_the_input_when_the_tempo_is_impossible(client, therapist):
    client.force_login(therapist)
    response = client.post(reverse("song_new"), _song_form(title="Wayfaring", tempo_bpm="999"))
    body = response.content.decode()
    assert response.status_code == 200
    assert 'value="Wayfaring"' in body
    assert "less than or equal to 300" in body
    assert not Song.objects.exists()


def test_it_returns_to_the_plan_after_adding_a_song_from_it(client, therapist, session):
    back = reverse("plan_item_add", args=[session.pk])
    client.force_login(therapist)
    response = client.post(reverse("song_new"), _song_form(next=back))
    song = Song.objects.get()
    assert response["Location"] == f"{back}?song={song.pk}"


def test_it_does_not_follow_a_next_url_to_another_site(client, therapist):
    client.force_login(therapist)
    response = client.post(reverse("song_new"), _song_form(next="https://evil.example/"))
    assert response["Location"] == reverse("song_detail", args=[Song.objects.get().pk])


def test_it_goes_to_the_new_song_when_next_is_not_a_path(client, therapist):
    # "0" passes the host check as a relative URL; it must not be tried as a view name.
    client.force_login(therapist)
    response = client.post(reverse("song_new"), _song_form(next="0"))
    assert response.status_code == 302
    assert response["Location"] == reverse("song_detail", args=[Song.objects.get().pk])


# --- finding songs -------------------------------------------------------------------


@pytest.fixture
def library(db):
    hope, lullaby = Theme.objects.create(name="hope"), Theme.objects.create(name="lullaby")
    grace = f.SongFactory(title="Amazing Grace", artist="John Newton", key="G major", tempo_bpm=72)
    grace.themes.add(hope)
    hush = f.SongFactory(
        title="Hush Little Baby", artist="Traditional", key="C major", tempo_bpm=76
    )
    hush.themes.add(lullaby)
    gifts = f.SongFactory(
        title="Simple Gifts",
        artist="Joseph Brackett",
        key="F major",
        tempo_bpm=110,
        source=Song.Source.PUBLIC_DOMAIN,
    )
    ours = f.SongFactory(
        title="Morning After Rain",
        artist="Tuesday group",
        key="G major",
        tempo_bpm=96,
        source=Song.Source.PARTICIPANT,
    )
    ours.themes.add(hope)
    radio = f.SongFactory(
        title="Here Comes the Sun",
        artist="The Beatles",
        key="A major",
        tempo_bpm=None,
        source=Song.Source.PUBLISHED,
    )
    return {"hope": hope, "lullaby": lullaby, "songs": [grace, hush, gifts, ours, radio]}


ALL_TITLES = {
    "Amazing Grace",
    "Hush Little Baby",
    "Simple Gifts",
    "Morning After Rain",
    "Here Comes the Sun",
}


def _titles_listed(client, **params) -> set[str]:
    body = client.get(reverse("song_list"), params).content.decode()
    return {title for title in ALL_TITLES if title in body}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, ALL_TITLES),
        ({"q": "grace"}, {"Amazing Grace"}),
        ({"q": "brackett"}, {"Simple Gifts"}),  # artist
        ({"q": "the sun"}, {"Here Comes the Sun"}),  # every word must match
        ({"key": "G major"}, {"Amazing Grace", "Morning After Rain"}),
        ({"tempo_min": "75", "tempo_max": "100"}, {"Hush Little Baby", "Morning After Rain"}),
        ({"tempo_min": "100"}, {"Simple Gifts"}),
        ({"tempo_max": "72"}, {"Amazing Grace"}),
        ({"source": "participant"}, {"Morning After Rain"}),
        ({"source": "published"}, {"Here Comes the Sun"}),
        ({"q": "a", "key": "G major", "source": "public_domain"}, {"Amazing Grace"}),
    ],
)
def test_it_searches_and_filters_the_library(client, therapist, library, params, expected):
    client.force_login(therapist)
    assert _titles_listed(client, **params) == expected


def test_it_filters_by_theme(client, admin, library):
    client.force_login(admin)
    assert _titles_listed(client, theme=library["hope"].pk) == {
        "Amazing Grace",
        "Morning After Rain",
    }
    assert _titles_listed(client, theme=library["lullaby"].pk) == {"Hush Little Baby"}


def test_it_says_when_nothing_matches(client, therapist, library):
    client.force_login(therapist)
    body = client.get(reverse("song_list"), {"q": "zzzz"}).content.decode()
    assert "No song matches these filters." in body


def test_it_explains_a_backwards_tempo_range(client, therapist, library):
    client.force_login(therapist)
    body = client.get(reverse("song_list"), {"tempo_min": "120", "tempo_max": "60"}).content
    assert "The upper tempo must not be below the lower one." in body.decode()


def test_it_pages_the_library_keeping_the_filters(client, therapist):
    for i in range(30):
        f.SongFactory(title=f"Blues {i:02d}", key="E minor")
    f.SongFactory(title="Not A Match", key="C major")
    client.force_login(therapist)
    first = client.get(reverse("song_list"), {"key": "E minor"}).content.decode()
    assert "30 songs match" in first
    assert "Blues 00" in first and "Blues 24" in first and "Blues 25" not in first
    assert "?key=E+minor&amp;page=2" in first
    second = client.get(reverse("song_list"), {"key": "E minor", "page": "2"}).content.decode()
    assert "Blues 25" in second and "Blues 29" in second and "Blues 00" not in second


# --- where a song was used -------------------------------------------------------------


def test_it_lists_a_songs_use_only_in_sessions_the_viewer_may_see(
    client, therapist, outsider, past_session, other_group
):
    song = past_session.plan_items.get().song
    start = timezone.now() - timedelta(days=3)
    mesa = f.SessionFactory(
        group=other_group, starts_at=start, ends_at=start + timedelta(hours=1), status="held"
    )
    f.PlanItemFactory(session=mesa, song=song, activity_type="listening", position=1)
    url = reverse("song_detail", args=[song.pk])

    client.force_login(therapist)
    body = client.get(url).content.decode()
    assert past_session.group.name in body
    assert f"{past_session.local_date:%a %-d %b %Y}" in body
    assert "Group singing" in body
    assert other_group.name not in body

    client.force_login(outsider)
    response = client.get(url)
    body = response.content.decode()
    assert response.status_code == 200
    assert song.title in body
    assert other_group.name in body
    assert past_session.group.name not in body
    assert f"{past_session.local_date:%a %-d %b %Y}" not in body


def test_it_shows_the_date_of_use_in_the_sites_zone(client, therapist, group):
    # 02:30 UTC on 4 March is still 3 March in New York.
    start = datetime(2026, 3, 4, 2, 30, tzinfo=UTC)
    s = f.SessionFactory(group=group, starts_at=start, ends_at=start + timedelta(hours=1))
    item = f.PlanItemFactory(session=s, position=1)
    client.force_login(therapist)
    body = client.get(reverse("song_detail", args=[item.song_id])).content.decode()
    assert "Tue 3 Mar 2026" in body
    assert "Wed 4 Mar 2026" not in body


# --- who may use the library -----------------------------------------------------------


@pytest.mark.parametrize("name", ["song_list", "song_new"])
def test_it_hides_the_library_from_participants(client, participant, name):
    client.force_login(participant.user)
    assert client.get(reverse(name)).status_code == 404


@pytest.mark.parametrize("name", ["song_list", "song_new"])
def test_it_sends_anonymous_users_to_log_in(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_it_lets_no_participant_add_or_edit_songs(client, participant):
    song = f.SongFactory(title="Down in the Valley")
    client.force_login(participant.user)
    assert client.post(reverse("song_new"), _song_form()).status_code == 404
    response = client.post(reverse("song_edit", args=[song.pk]), _song_form(title="Changed"))
    assert response.status_code == 404
    song.refresh_from_db()
    assert song.title == "Down in the Valley"
    assert Song.objects.count() == 1


def test_it_lets_staff_of_other_sites_add_and_edit_songs(client, other_admin, outsider):
    client.force_login(outsider)
    assert client.post(reverse("song_new"), _song_form()).status_code == 302
    song = Song.objects.get()
    client.force_login(other_admin)
    response = client.post(reverse("song_edit", args=[song.pk]), _song_form(key="A major"))
    assert response.status_code == 302
    song.refresh_from_db()
    assert song.key == "A major"


def test_it_shows_the_songs_link_to_staff_only(client, therapist, admin, participant):
    for user, shown in ((therapist, True), (admin, True), (participant.user, False)):
        client.force_login(user)
        body = client.get(reverse("home")).content.decode()
        assert (f'href="{reverse("song_list")}"' in body) is shown, user.username


# --- bounded queries -------------------------------------------------------------------


@pytest.mark.parametrize("size", [1, 30])
def test_it_lists_songs_in_bounded_queries(client, therapist, django_assert_max_num_queries, size):
    themes = [Theme.objects.create(name=f"theme {i}") for i in range(3)]
    for i in range(size):
        f.SongFactory(key=f"Key {i}").themes.set(themes)
    client.force_login(therapist)
    # Login (2), the keys, lyric themes and goal areas to filter by (3), the count, the
    # page and its songs' lyric themes and goal areas (4).
    with django_assert_max_num_queries(9):
        response = client.get(reverse("song_list"), {"q": "Song"})
    assert response.status_code == 200


@pytest.mark.parametrize("size", [1, 80])
def test_it_pages_the_whole_library_in_bounded_queries(
    client, therapist, django_assert_max_num_queries, size
):
    themes = [Theme.objects.create(name=f"theme {i}") for i in range(3)]
    for i in range(size):
        f.SongFactory(title=f"Song {i:03}", key=f"Key {i % 7}").themes.set(themes)
    client.force_login(therapist)
    # As above: 7, and the goal areas to filter by and the page's songs' goal areas (2).
    with django_assert_max_num_queries(9):
        response = client.get(reverse("song_list"), {"page": 2})
    assert response.status_code == 200


def test_it_links_the_first_last_and_nearby_pages(client, therapist):
    Song.objects.bulk_create(Song(title=f"Song {i:03}") for i in range(12 * 25))
    client.force_login(therapist)
    body = client.get(reverse("song_list"), {"page": 6}).content.decode()
    linked = {int(n) for n in re.findall(r'href="\?page=(\d+)"', body)}
    assert linked == {1, 4, 5, 7, 8, 12}


def test_it_marks_pages_left_out(client, therapist):
    Song.objects.bulk_create(Song(title=f"Song {i:03}") for i in range(12 * 25))
    client.force_login(therapist)
    body = client.get(reverse("song_list"), {"page": 6}).content.decode()
    assert body.count('<span class="page-link">…</span>') == 2


@pytest.mark.parametrize("size", [1, 30])
def test_it_renders_the_song_page_in_bounded_queries(
    client, therapist, group, django_assert_max_num_queries, size
):
    song = f.SongFactory()
    now = timezone.now()
    for i in range(size):
        start = now - timedelta(days=7 * (i + 1))
        s = f.SessionFactory(group=group, starts_at=start, ends_at=start + timedelta(hours=1))
        f.PlanItemFactory(session=s, song=song, position=1)
    client.force_login(therapist)
    with django_assert_max_num_queries(6):
        response = client.get(reverse("song_detail", args=[song.pk]))
    assert response.status_code == 200
    assert response.content.decode().count(group.name) == size
