"""Planning a session: its ordered activities, each with an optional song."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from ..forms.planning import PlanCopyForm, PlanItemForm
from ..models import Session
from ..permissions import get_plan_item_for_user, get_session_for_user, songs_for
from ..selectors import music as selectors_music
from ..services import planning
from ..services.errors import ServiceError


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


def _item_form(
    request: HttpRequest, session: Session, *, totals: dict[str, int], adding: bool, **kwargs
) -> PlanItemForm:
    now = timezone.now()
    tz = session.group.site.tz
    return PlanItemForm(
        request.POST or None,
        songs=songs_for(request.user).order_by("title", "artist"),
        last_used=selectors_music.songs_last_used_by_group(
            group=session.group, now=now, exclude_session=session
        ),
        tz=tz,
        today=now.astimezone(tz).date(),
        plan_length=totals["count"],
        adding=adding,
        **kwargs,
    )


@login_required
def session_plan(request: HttpRequest, session_id: int) -> HttpResponse:
    session = get_session_for_user(request, session_id)
    items = list(session.plan_items.select_related("song"))
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
    }
    return render(request, "planning/plan.html", ctx)


@login_required
def plan_item_add(request: HttpRequest, session_id: int) -> HttpResponse:
    session = get_session_for_user(request, session_id)
    if refused := _refuse_if_cancelled(session):
        return refused
    initial = {"minutes": 10, "song": request.GET.get("song")}
    totals = _plan_totals(session)
    form = _item_form(request, session, totals=totals, adding=True, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            item = planning.plan_item_add(session=session, **form.service_kwargs())
        except ServiceError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"Added “{item.get_activity_type_display()}” to the plan.")
            return redirect(_plan_url(session, item.pk))
    ctx = {"session": session, "form": form, "item": None, "totals": totals}
    return render(request, "planning/item_form.html", ctx)


@login_required
def plan_item_edit(request: HttpRequest, session_id: int, item_id: int) -> HttpResponse:
    session = get_session_for_user(request, session_id)
    item = get_plan_item_for_user(request, session, item_id)
    if refused := _refuse_if_cancelled(session):
        return refused
    totals = _plan_totals(session)
    initial = PlanItemForm.initial_for(item)
    form = _item_form(request, session, totals=totals, adding=False, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            planning.plan_item_update(item=item, **form.service_kwargs())
        except ServiceError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Saved the activity.")
            return redirect(_plan_url(session, item.pk))
    ctx = {"session": session, "form": form, "item": item, "totals": totals}
    return render(request, "planning/item_form.html", ctx)


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
    if request.method == "POST" and form.is_valid():
        source = form.cleaned_data["source"]
        replace = form.cleaned_data["mode"] == "replace"
        try:
            new = planning.plan_copy(source=source, target=session, replace=replace)
        except ServiceError as exc:
            form.add_error(None, exc)
        else:
            how = "in place of the old plan" if replace else "after the activities already there"
            messages.success(
                request,
                f"Copied {len(new)} {'activity' if len(new) == 1 else 'activities'} from "
                f"{source.local_starts_at:%a %-d %b %Y} ({source.group.name}), {how}.",
            )
            return redirect(_plan_url(session))
    ctx = {"session": session, "form": form, "current_count": session.plan_items.count()}
    return render(request, "planning/copy.html", ctx)
