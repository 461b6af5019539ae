"""Planning a session: its ordered activities, each with an optional song."""

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Sum
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from ..forms.planning import PlanCopyForm, PlanItemForm, SongChoiceField, SongPickerFilterForm
from ..models import PlanItem, Session, Song
from ..permissions import get_plan_item_for_user, get_session_for_user, songs_for
from ..selectors import music as selectors_music
from ..services import planning
from ..services.errors import ServiceError
from .submit import submit


def _plan_url(session: Session, item_id: int | None = None) -> str:
    url = reverse("session_plan", args=[session.pk])
    return f"{url}#item-{item_id}" if item_id else url


def _refuse_if_cancelled(session: Session) -> HttpResponse | None:
    # The plan page says why it cannot be changed; a flash message would say it twice.
    if session.status != Session.Status.CANCELLED:
        return None
    return redirect(_plan_url(session))


def _plan_totals(session: Session) -> dict[str, int]:
    totals = session.plan_items.aggregate(count=Count("pk"), minutes=Sum("minutes"))
    return {"count": totals["count"], "minutes": totals["minutes"] or 0}


@login_required
def session_plan(request: HttpRequest, session_id: int) -> HttpResponse:
    session = get_session_for_user(request, session_id)
    items = list(session.plan_items.select_related("song").prefetch_related("goal_areas"))
    now = timezone.now()
    tz = session.group.site.tz
    today = now.astimezone(tz).date()
    last_used = selectors_music.songs_last_used_by_group(
        group=session.group, now=now, exclude_session=session
    )
    rows = [
        (
            item,
            selectors_music.describe_last_use(
                last_used[item.song_id].astimezone(tz).date()
                if item.song_id in last_used
                else None,
                today,
            )
            if item.song_id
            else "",
        )
        for item in items
    ]
    total = sum(item.minutes for item in items)
    length = session.duration_minutes
    ctx = {
        "session": session,
        "rows": rows,
        "total": total,
        "length": length,
        "over": max(total - length, 0),
        "left": max(length - total, 0),
        "scale": max(total, length, 1),
        "cancelled": session.status == Session.Status.CANCELLED,
        "can_reorder": session.status != Session.Status.CANCELLED and len(items) > 1,
    }
    return render(request, "planning/plan.html", ctx)


# The activity's own fields; the song search's fields travel in the same form.
ITEM_FIELDS = ("song", "activity_type", "minutes", "purpose", "position")
PICKER_FIELDS = ("q", "goal_area", "theme", "substance_use", "key", "tempo_min", "tempo_max")


def _as_id(value: object) -> int | None:
    try:
        return int(str(value))
    except ValueError:
        return None


def _song_picker(
    request: HttpRequest, *, chosen: object
) -> tuple[SongPickerFilterForm, list[Song], bool]:
    """The search form over the song picker, the songs it offers and whether more match."""
    data = request.POST if request.method == "POST" else request.GET
    searched = any(data.get(name) for name in PICKER_FIELDS)
    picker = SongPickerFilterForm(data if searched else None, keys=selectors_music.song_keys())
    if picker.is_bound:
        picker.is_valid()  # an invalid filter is shown as an error and ignored
    songs, more = selectors_music.song_picker(
        user=request.user, filters=picker.filters(), keep=_as_id(chosen)
    )
    return picker, songs, more


def _item_page(
    request: HttpRequest,
    session: Session,
    *,
    item: PlanItem | None,
    initial: dict,
    save: Callable[[dict], PlanItem],
    saved: Callable[[PlanItem], str],
) -> HttpResponse:
    """The add and edit pages: one form holding the activity and the song search.

    "Search" submits the whole form so that, without JavaScript, narrowing the songs
    keeps what was typed in the other fields; it saves nothing and shows no errors.
    (A GET search would put the form's CSRF token in the address.)
    """
    searching = request.method == "POST" and "search" in request.POST
    if searching:
        initial = {name: request.POST.get(name, "") for name in ITEM_FIELDS}
        initial["goal_areas"] = request.POST.getlist("goal_areas")
    data = request.POST if request.method == "POST" and not searching else None
    chosen = (data or {}).get("song") or initial.get("song")
    picker, shown, more = _song_picker(request, chosen=chosen)
    totals = _plan_totals(session)
    now = timezone.now()
    tz = session.group.site.tz
    form = PlanItemForm(
        data,
        initial=initial,
        songs=songs_for(request.user),
        shown=shown,
        last_used=selectors_music.songs_last_used_by_group(
            group=session.group, now=now, exclude_session=session
        ),
        tz=tz,
        today=now.astimezone(tz).date(),
        plan_length=totals["count"],
        adding=item is None,
    )
    # A search posts the form unbound (data is None): submit then saves nothing.
    if done := submit(request, form, lambda _: save(form.service_kwargs())):
        messages.success(request, saved(done.value))
        return redirect(_plan_url(session, done.value.pk))
    ctx = {
        "session": session,
        "form": form,
        "picker": picker,
        "shown_songs": len(shown),
        "more_songs": more,
        "picker_limit": selectors_music.SONG_PICKER_LIMIT,
        "item": item,
        "totals": totals,
    }
    return render(request, "planning/item_form.html", ctx)


@login_required
def plan_item_add(request: HttpRequest, session_id: int) -> HttpResponse:
    session = get_session_for_user(request, session_id)
    if refused := _refuse_if_cancelled(session):
        return refused
    return _item_page(
        request,
        session,
        item=None,
        initial={"minutes": 10, "song": request.GET.get("song")},
        save=lambda kwargs: planning.plan_item_add(session=session, **kwargs),
        saved=lambda item: f"Added “{item.get_activity_type_display()}” to the plan.",
    )


@login_required
def plan_item_edit(request: HttpRequest, session_id: int, item_id: int) -> HttpResponse:
    session = get_session_for_user(request, session_id)
    item = get_plan_item_for_user(request, session, item_id)
    if refused := _refuse_if_cancelled(session):
        return refused
    return _item_page(
        request,
        session,
        item=item,
        initial=PlanItemForm.initial_for(item),
        save=lambda kwargs: planning.plan_item_update(item=item, **kwargs),
        saved=lambda item: "Saved the activity.",
    )


@login_required
def plan_song_choices(request: HttpRequest, session_id: int) -> JsonResponse:
    """The song picker's options for the search typed so far, for the add and edit
    pages to filter as one types (the same list "Search" shows without JavaScript)."""
    session = get_session_for_user(request, session_id)
    picker, shown, more = _song_picker(request, chosen=request.GET.get("song"))
    now = timezone.now()
    tz = session.group.site.tz
    field = SongChoiceField(
        queryset=Song.objects.none(),
        last_used=selectors_music.songs_last_used_by_group(
            group=session.group, now=now, exclude_session=session
        ),
        tz=tz,
        today=now.astimezone(tz).date(),
    )
    errors = [str(e) for field_errors in picker.errors.values() for e in field_errors]
    return JsonResponse(
        {
            "songs": [{"id": song.pk, "label": field.label_from_instance(song)} for song in shown],
            "more": more,
            "errors": errors,
        }
    )


@login_required
def plan_item_delete(request: HttpRequest, session_id: int, item_id: int) -> HttpResponse:
    session = get_session_for_user(request, session_id)
    item = get_plan_item_for_user(request, session, item_id)
    if refused := _refuse_if_cancelled(session):
        return refused
    if request.method == "POST":
        try:
            planning.plan_item_delete(item=item)
        except ServiceError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, f"Removed activity {item.position} from the plan.")
        return redirect(_plan_url(session))
    return render(request, "planning/item_delete.html", {"session": session, "item": item})


@login_required
@require_POST
def plan_item_move(request: HttpRequest, session_id: int, item_id: int) -> HttpResponse:
    session = get_session_for_user(request, session_id)
    item = get_plan_item_for_user(request, session, item_id)
    if refused := _refuse_if_cancelled(session):
        return refused
    direction = request.POST.get("direction")
    if direction == "up":
        position = item.position - 1
    elif direction == "down":
        position = item.position + 1
    else:
        try:
            position = int(request.POST.get("position", ""))
        except ValueError:
            messages.error(request, "Say where to move the activity: up, down or a position.")
            return redirect(_plan_url(session, item.pk))
    try:
        planning.plan_item_move(item=item, position=position)
    except ServiceError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(_plan_url(session, item.pk))


@login_required
@require_POST
def plan_reorder(request: HttpRequest, session_id: int) -> JsonResponse:
    """The whole plan's new order after a drag, as item ids (`item`, repeated, first to
    last). Answers the positions now held, or 400 with a message to show."""
    session = get_session_for_user(request, session_id)
    item_ids = [_as_id(value) for value in request.POST.getlist("item")]
    if not item_ids or None in item_ids:
        return JsonResponse({"error": "Say the new order of the activities."}, status=400)
    try:
        ordered = planning.plan_reorder(session=session, item_ids=item_ids)
    except ServiceError as exc:
        return JsonResponse({"error": " ".join(exc.messages)}, status=400)
    return JsonResponse({"items": [{"id": i.pk, "position": i.position} for i in ordered]})


@login_required
def plan_copy(request: HttpRequest, session_id: int) -> HttpResponse:
    session = get_session_for_user(request, session_id)
    if refused := _refuse_if_cancelled(session):
        return refused
    groups = selectors_music.plan_copy_sources(user=request.user, target=session)
    form = PlanCopyForm(
        request.POST or None,
        sources=selectors_music.copyable_sessions(user=request.user, target=session),
        groups=groups,
    )
    if done := submit(
        request,
        form,
        lambda data: planning.plan_copy(
            source=data["source"], target=session, replace=data["mode"] == "replace"
        ),
    ):
        new, source = done.value, form.cleaned_data["source"]
        replace = form.cleaned_data["mode"] == "replace"
        how = "in place of the old plan" if replace else "after the activities already there"
        messages.success(
            request,
            f"Copied {len(new)} {'activity' if len(new) == 1 else 'activities'} from "
            f"{source.local_starts_at:%a %-d %b %Y} ({source.group.name}), {how}.",
        )
        return redirect(_plan_url(session))
    ctx = {"session": session, "form": form, "current_count": session.plan_items.count()}
    return render(request, "planning/copy.html", ctx)
