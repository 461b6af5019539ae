"""Session plans: an ordered list of activities, kept numbered 1..n.

Positions are unique per session. PostgreSQL checks that at commit (the constraint is
deferred); SQLite cannot defer, so Django leaves the constraint out there and these
functions alone keep the numbering right, taking turns on a lock of the session. A
reorder never writes a position another row still holds, so it is also safe where
uniqueness is checked row by row: it first lifts the whole plan above its highest
position, then sets the final numbers, both inside one transaction.
"""

from collections.abc import Iterable, Sequence

from django.db import transaction
from django.db.models import Case, F, IntegerField, Value, When

from ..models import GoalArea, PlanItem, Session, Song
from .errors import ServiceError


def _lock_plan(session: Session) -> tuple[Session, list[PlanItem]]:
    """The session, locked so two people editing one plan take turns, and its items."""
    locked = Session.objects.select_for_update().select_related("group").get(pk=session.pk)
    if locked.status == Session.Status.CANCELLED:
        raise ServiceError(
            "This session was cancelled, so its plan cannot be changed. "
            "Restore the session first if it is going ahead after all."
        )
    items = list(PlanItem.objects.filter(session=locked).order_by("position", "pk"))
    return locked, items


def _renumber(session: Session, ordered: Sequence[PlanItem]) -> None:
    """Number `ordered` 1..n in that order, in two statements whatever n is."""
    wanted = {item.pk: number for number, item in enumerate(ordered, start=1)}
    current = dict(
        PlanItem.objects.filter(session=session).values_list("pk", "position").order_by()
    )
    if current == wanted:
        return
    plan = PlanItem.objects.filter(session=session)
    # Lift every row above the highest position in use: no row's new number can then
    # collide with a number still held, even where uniqueness is checked row by row.
    plan.update(position=F("position") + max(current.values()) + 1)
    plan.update(
        position=Case(
            *(When(pk=pk, then=Value(number)) for pk, number in wanted.items()),
            output_field=IntegerField(),
        )
    )
    for item in ordered:
        item.position = wanted[item.pk]


def _check_fields(*, activity_type: str, minutes: int) -> None:
    if activity_type not in PlanItem.Activity.values:
        raise ServiceError({"activity_type": "Choose the kind of activity."})
    if minutes is None or minutes < 1:
        raise ServiceError({"minutes": "An activity takes at least a minute."})
    if minutes > 480:
        raise ServiceError({"minutes": "One activity cannot take more than 8 hours."})


def _insert_at(items: list[PlanItem], item: PlanItem, position: int | None) -> list[PlanItem]:
    """`items` with `item` placed at 1-based `position` (the end when None or past it)."""
    others = [i for i in items if i.pk != item.pk]
    if position is None or position > len(others):
        return [*others, item]
    if position < 1:
        raise ServiceError({"position": "Positions start at 1."})
    return [*others[: position - 1], item, *others[position - 1 :]]


def _goal_areas(
    chosen: Iterable[GoalArea], *, song: Song | None, tagged_before: bool
) -> list[GoalArea]:
    """The goal areas an activity is saved with: those chosen; or, when none are and the
    activity had none yet, its song's, so that what a song serves follows it into plans."""
    areas = list(chosen)
    if areas or tagged_before or song is None:
        return areas
    return list(song.goal_areas.all())


@transaction.atomic
def plan_item_add(
    *,
    session: Session,
    activity_type: str,
    minutes: int,
    song: Song | None = None,
    purpose: str = "",
    goal_areas: Iterable[GoalArea] = (),
    position: int | None = None,
) -> PlanItem:
    """Add an activity at `position` (1 is first), or at the end of the plan. With no
    goal areas given, it takes its song's."""
    session, items = _lock_plan(session)
    _check_fields(activity_type=activity_type, minutes=minutes)
    free = max((i.position for i in items), default=0) + 1
    item = PlanItem.objects.create(
        session=session,
        position=free,
        song=song,
        activity_type=activity_type,
        minutes=minutes,
        purpose=purpose.strip(),
    )
    if areas := _goal_areas(goal_areas, song=song, tagged_before=False):
        item.goal_areas.add(*areas)
    _renumber(session, _insert_at(items, item, position))
    return item


@transaction.atomic
def plan_item_update(
    *,
    item: PlanItem,
    activity_type: str,
    minutes: int,
    song: Song | None = None,
    purpose: str = "",
    goal_areas: Iterable[GoalArea] = (),
    position: int | None = None,
) -> PlanItem:
    """Change an activity, and move it when `position` differs from where it is. An
    activity with no goal areas yet takes its song's when none are given."""
    session, items = _lock_plan(item.session)
    _check_fields(activity_type=activity_type, minutes=minutes)
    item = next((i for i in items if i.pk == item.pk), None)
    if item is None:
        raise ServiceError("That activity is no longer in the plan; it may have been deleted.")
    item.song, item.activity_type = song, activity_type
    item.minutes, item.purpose = minutes, purpose.strip()
    item.save(update_fields=["song", "activity_type", "minutes", "purpose"])
    tagged_before = item.goal_areas.exists()
    item.goal_areas.set(_goal_areas(goal_areas, song=song, tagged_before=tagged_before))
    if position is not None:
        _renumber(session, _insert_at(items, item, position))
    return item


@transaction.atomic
def plan_item_delete(*, item: PlanItem) -> None:
    session, items = _lock_plan(item.session)
    PlanItem.objects.filter(pk=item.pk, session=session).delete()
    _renumber(session, [i for i in items if i.pk != item.pk])


@transaction.atomic
def plan_item_move(*, item: PlanItem, position: int) -> PlanItem:
    """Move an activity to `position` (clamped to the plan), closing up the others."""
    session, items = _lock_plan(item.session)
    item = next((i for i in items if i.pk == item.pk), None)
    if item is None:
        raise ServiceError("That activity is no longer in the plan; it may have been deleted.")
    _renumber(session, _insert_at(items, item, max(position, 1)))
    return item


@transaction.atomic
def plan_copy(*, source: Session, target: Session, replace: bool = False) -> list[PlanItem]:
    """Copy the activities of `source`, with their goal areas, into `target`: after what
    `target` already has, or instead of it when `replace` is true. Returns the new items."""
    if source.pk == target.pk:
        raise ServiceError({"source": "Choose a different session to copy from."})
    target, items = _lock_plan(target)
    copied = list(source.plan_items.order_by("position", "pk"))
    if not copied:
        raise ServiceError({"source": "That session has no plan to copy; choose another."})
    if replace:
        PlanItem.objects.filter(session=target).delete()
        items = []
    start = max((i.position for i in items), default=0)
    new = PlanItem.objects.bulk_create(
        PlanItem(
            session=target,
            position=start + n,
            song_id=old.song_id,
            activity_type=old.activity_type,
            minutes=old.minutes,
            purpose=old.purpose,
        )
        for n, old in enumerate(copied, start=1)
    )
    # bulk_create sets primary keys on PostgreSQL and SQLite alike.
    new_pk = {old.pk: made.pk for old, made in zip(copied, new, strict=True)}
    Tag = PlanItem.goal_areas.through
    tags = Tag.objects.filter(planitem_id__in=new_pk).values_list("planitem_id", "goalarea_id")
    Tag.objects.bulk_create(
        Tag(planitem_id=new_pk[old_id], goalarea_id=area_id) for old_id, area_id in tags
    )
    _renumber(target, [*items, *new])
    return new


@transaction.atomic
def plan_reorder(*, session: Session, item_ids: Sequence[int]) -> list[PlanItem]:
    """Put the whole plan in the order of `item_ids`, which must name every activity of
    the session exactly once: a list made from a stale page (an activity added or
    deleted since) is refused rather than guessed at. Returns the items in order."""
    session, items = _lock_plan(session)
    by_id = {item.pk: item for item in items}
    if len(item_ids) != len(set(item_ids)) or set(item_ids) != set(by_id):
        raise ServiceError(
            "The plan has changed since this page was loaded. "
            "Reload the page to see the plan as it is now, then move the activity again."
        )
    ordered = [by_id[pk] for pk in item_ids]
    _renumber(session, ordered)
    return ordered
