"""The song library: adding and editing songs, their lyric themes and goal areas."""

from collections.abc import Iterable

from django.db import IntegrityError, transaction

from ..models import GoalArea, Song, Theme, User
from .errors import ServiceError

THEME_MAX_LENGTH = Theme._meta.get_field("name").max_length


def _clean_theme_names(names: Iterable[str]) -> list[str]:
    """Trimmed, lower-case, de-duplicated theme names in the order given."""
    cleaned: list[str] = []
    for name in names:
        name = " ".join(name.split()).lower()
        if not name or name in cleaned:
            continue
        if len(name) > THEME_MAX_LENGTH:
            raise ServiceError(
                {
                    "themes": f"“{name[:20]}…” is too long for a theme: keep it under "
                    f"{THEME_MAX_LENGTH} characters."
                }
            )
        cleaned.append(name)
    return cleaned


def _themes(names: Iterable[str]) -> list[Theme]:
    """Existing themes by name (any case), creating the ones nobody has used yet."""
    themes = []
    for name in _clean_theme_names(names):
        theme = Theme.objects.filter(name__iexact=name).first()
        if theme is None:
            theme, _ = Theme.objects.get_or_create(name=name)
        themes.append(theme)
    return themes


def _check(
    *, title: str, artist: str, tempo_bpm: int | None, source: str, exclude_pk: int | None = None
) -> None:
    if not title:
        raise ServiceError({"title": "Give the song a title."})
    if source not in Song.Source.values:
        raise ServiceError({"source": "Choose where the song comes from."})
    if tempo_bpm is not None and not 20 <= tempo_bpm <= 300:
        raise ServiceError(
            {"tempo_bpm": "Tempo is between 20 and 300 BPM; leave it blank if unsure."}
        )
    # Case-insensitive: "amazing grace" by "john newton" is the same song as the one in
    # the library, even though the database constraint only catches exact matches.
    same = Song.objects.filter(title__iexact=title, artist__iexact=artist)
    if exclude_pk is not None:
        same = same.exclude(pk=exclude_pk)
    existing = same.first()
    if existing is not None:
        by = f" by {existing.artist}" if existing.artist else " with no artist"
        raise ServiceError(
            {
                "title": f"“{existing.title}”{by} is already in the library: open it there, "
                "or tell the two apart (e.g. add the arranger to the artist)."
            }
        )


def _save(song: Song, theme_names: Iterable[str], goal_areas: Iterable[GoalArea]) -> Song:
    themes = _themes(theme_names)
    try:
        with transaction.atomic():
            song.save()
    except IntegrityError:
        # Someone saved the same title and artist between our check and this save.
        raise ServiceError(
            {"title": f"“{song.title}” is already in the library: open it there."}
        ) from None
    song.themes.set(themes)
    song.goal_areas.set(list(goal_areas))
    return song


@transaction.atomic
def song_create(
    *,
    title: str,
    artist: str = "",
    key: str = "",
    tempo_bpm: int | None = None,
    source: str = Song.Source.PUBLISHED,
    themes: Iterable[str] = (),
    goal_areas: Iterable[GoalArea] = (),
    mentions_substance_use: bool = False,
    notes: str = "",
    added_by: User | None = None,
) -> Song:
    title, artist, key = title.strip(), artist.strip(), key.strip()
    _check(title=title, artist=artist, tempo_bpm=tempo_bpm, source=source)
    song = Song(
        title=title,
        artist=artist,
        key=key,
        tempo_bpm=tempo_bpm,
        source=source,
        mentions_substance_use=mentions_substance_use,
        notes=notes.strip(),
        added_by=added_by,
    )
    return _save(song, themes, goal_areas)


@transaction.atomic
def song_update(
    *,
    song: Song,
    title: str,
    artist: str = "",
    key: str = "",
    tempo_bpm: int | None = None,
    source: str = Song.Source.PUBLISHED,
    themes: Iterable[str] = (),
    goal_areas: Iterable[GoalArea] = (),
    mentions_substance_use: bool = False,
    notes: str = "",
) -> Song:
    title, artist, key = title.strip(), artist.strip(), key.strip()
    _check(title=title, artist=artist, tempo_bpm=tempo_bpm, source=source, exclude_pk=song.pk)
    song.title, song.artist, song.key = title, artist, key
    song.tempo_bpm, song.source, song.notes = tempo_bpm, source, notes.strip()
    song.mentions_substance_use = mentions_substance_use
    return _save(song, themes, goal_areas)
