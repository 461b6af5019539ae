"""Reads for the song library and session plans.

Every function takes querysets already narrowed by `permissions`.
"""

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Count, Max, Q, QuerySet, Sum, TextChoices

from ..models import GoalArea, Group, PlanItem, Session, Song, Theme, User
from ..permissions import sessions_for, songs_for


class SubstanceUseLyrics(TextChoices):
    """Whether to show songs whose lyrics mention drinking or drugs: some groups steer
    clear of them, others pick them on purpose for lyric analysis."""

    ANY = "", "Any lyrics"
    LEAVE_OUT = "leave_out", "Leave out songs whose lyrics mention substance use"
    ONLY = "only", "Only songs whose lyrics mention substance use"


@dataclass(frozen=True)
class SongFilters:
    q: str = ""
    theme: Theme | None = None
    goal_area: GoalArea | None = None
    substance_use: str = SubstanceUseLyrics.ANY
    key: str = ""
    tempo_min: int | None = None
    tempo_max: int | None = None
    source: str = ""


def song_search(*, user: User, filters: SongFilters) -> QuerySet[Song]:
    """Songs matching the filters, with their lyric themes and goal areas, by title."""
    qs = songs_for(user)
    if filters.q:
        for word in filters.q.split():
            qs = qs.filter(Q(title__icontains=word) | Q(artist__icontains=word))
    if filters.theme is not None:
        qs = qs.filter(themes=filters.theme)
    if filters.goal_area is not None:
        qs = qs.filter(goal_areas=filters.goal_area)
    if filters.substance_use == SubstanceUseLyrics.LEAVE_OUT:
        qs = qs.filter(mentions_substance_use=False)
    elif filters.substance_use == SubstanceUseLyrics.ONLY:
        qs = qs.filter(mentions_substance_use=True)
    if filters.key:
        qs = qs.filter(key__iexact=filters.key)
    if filters.tempo_min is not None:
        qs = qs.filter(tempo_bpm__gte=filters.tempo_min)
    if filters.tempo_max is not None:
        qs = qs.filter(tempo_bpm__lte=filters.tempo_max)
    if filters.source:
        qs = qs.filter(source=filters.source)
    return qs.prefetch_related("themes", "goal_areas").order_by("title", "artist")


SONG_PICKER_LIMIT = 50


def song_picker(
    *, user: User, filters: SongFilters, keep: int | None = None, limit: int = SONG_PICKER_LIMIT
) -> tuple[list[Song], bool]:
    """The songs a plan's song picker offers: the first `limit` matches by title, and
    whether more match. The song already chosen (`keep`) stays offered whatever the
    filters, so narrowing the list never drops the choice. Two queries at most, each
    bounded: the walk follows the (title, artist) index and stops after `limit` + 1."""
    matches = list(song_search(user=user, filters=filters).prefetch_related(None)[: limit + 1])
    more = len(matches) > limit
    songs = matches[:limit]
    if keep is not None and all(song.pk != keep for song in songs):
        kept = songs_for(user).filter(pk=keep).first()
        if kept is not None:
            songs.insert(0, kept)
    return songs, more


def song_keys() -> list[str]:
    """The keys songs in the library are in, for the key filter."""
    # Without order_by(), the default ordering (title, artist) would join the DISTINCT
    # and bring back every song rather than every key.
    keys = Song.objects.exclude(key="").order_by().values_list("key", flat=True).distinct()
    # Case-insensitive de-duplication: "G major" and "g major" are one key.
    seen: dict[str, str] = {}
    for key in keys:
        seen.setdefault(key.strip().lower(), key.strip())
    return sorted(seen.values(), key=str.lower)


def song_usage(*, user: User, song: Song, limit: int = 100) -> tuple[list[PlanItem], int]:
    """The plan items using `song` in sessions the user may see, newest first, and
    how many there are in all. Another therapist's group's use never shows."""
    qs = PlanItem.objects.filter(song=song, session__in=sessions_for(user).values("pk"))
    items = list(
        qs.select_related("session__group__site").order_by("-session__starts_at", "position")[
            :limit
        ]
    )
    total = len(items) if len(items) < limit else qs.count()
    return items, total


def songs_last_used_by_group(
    *, group: Group, now: datetime, exclude_session: Session | None = None
) -> dict[int, datetime]:
    """{song id: start of the latest session of `group` that used it}, in one query.

    Only sessions that have started and were not cancelled count as a use; the session
    being planned is left out so a song does not report itself.
    """
    qs = PlanItem.objects.filter(
        session__group=group, song__isnull=False, session__starts_at__lt=now
    ).exclude(session__status=Session.Status.CANCELLED)
    if exclude_session is not None:
        qs = qs.exclude(session=exclude_session)
    rows = qs.values("song_id").annotate(last=Max("session__starts_at")).order_by()
    return {row["song_id"]: row["last"] for row in rows}


def describe_last_use(used: date | None, today: date) -> str:
    """“last used 3 weeks ago (12 Oct)”, from dates in the site's zone."""
    if used is None:
        return "not used by this group yet"
    days = (today - used).days
    if days <= 0:
        ago = "today"
    elif days == 1:
        ago = "yesterday"
    elif days < 14:
        ago = f"{days} days ago"
    elif days < 60:
        ago = f"{days // 7} weeks ago"
    elif days < 365:
        ago = f"{days // 30} months ago"
    else:
        years = days // 365
        ago = "a year ago" if years == 1 else f"{years} years ago"
    when = f"{used:%-d %b}" if used.year == today.year else f"{used:%-d %b %Y}"
    return f"last used {ago} ({when})"


def copyable_sessions(*, user: User, target: Session) -> QuerySet[Session]:
    """Sessions whose plan the user may copy into `target`: any other they may see."""
    return sessions_for(user).exclude(pk=target.pk).select_related("group__site")


def plan_copy_sources(*, user: User, target: Session, limit: int = 100) -> dict[str, list[Session]]:
    """Sessions with a plan to offer for copying into `target`, newest first: earlier
    sessions of the same group, then any other session the user may see."""
    qs = (
        copyable_sessions(user=user, target=target)
        .annotate(item_count=Count("plan_items"), plan_minutes=Sum("plan_items__minutes"))
        .filter(item_count__gt=0)
        .order_by("-starts_at")
    )
    same_group = qs.filter(group=target.group, starts_at__lt=target.starts_at)
    others = qs.exclude(group=target.group, starts_at__lt=target.starts_at)
    return {
        f"Earlier sessions of {target.group.name}": list(same_group[:limit]),
        "Other sessions you can see": list(others[:limit]),
    }
