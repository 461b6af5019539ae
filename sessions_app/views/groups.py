from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from .. import selectors
from ..permissions import get_group_for_user


@login_required
def group_detail(request: HttpRequest, group_id: int) -> HttpResponse:
    group = get_group_for_user(request, group_id)
    now = timezone.now()
    today = now.astimezone(group.site.tz).date()
    sessions = selectors.group_sessions_with_counts(group=group)
    ctx = {
        "group": group,
        "facilitations": group.facilitations.select_related("therapist"),
        "roster": selectors.group_roster(group=group, day=today),
        "upcoming": sessions.filter(ends_at__gte=now).order_by("starts_at")[:8],
        "past": sessions.filter(ends_at__lt=now).order_by("-starts_at")[:8],
        "today": today,
    }
    return render(request, "groups/detail.html", ctx)
