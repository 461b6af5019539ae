from datetime import datetime, time, timedelta

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.utils import timezone
from django.views.decorators.http import require_GET

from .. import links
from ..permissions import participant_profile
from ..selectors import access as access_selectors
from ..selectors import day as day_selectors
from ..selectors import groups as groups_selectors
from ..selectors import meetings as meetings_selectors
from ..selectors import plans as plans_selectors

# An administrator of a whole network has a hundred sessions on a weekday: the home
# page lists the first ones and counts the rest per site.
ADMIN_TODAY_SHOWN = 40


def home(request: HttpRequest) -> HttpResponse:
    # A participant's home is their own page, whether they logged in or opened a link.
    if links.participant_from_request(request) is not None:
        return redirect("participant_home")
    return _home(request)


@login_required
def _home(request: HttpRequest) -> HttpResponse:
    user = request.user
    now = timezone.now()
    if user.is_administrator:
        today = timezone.localdate(now)
        week_start = today - timedelta(days=today.weekday())
        start = timezone.make_aware(datetime.combine(week_start, time.min))
        day_start = timezone.make_aware(datetime.combine(today, time.min))
        today_sessions = list(
            meetings_selectors.sessions_between(
                user=user, start=day_start, end=day_start + timedelta(days=1)
            )[: ADMIN_TODAY_SHOWN + 1]
        )
        ctx = {
            "sites": groups_selectors.sites_overview(
                user=user, today=today, week_start=start, week_end=start + timedelta(days=7)
            ),
            "today_sessions": today_sessions[:ADMIN_TODAY_SHOWN],
            "today_truncated": len(today_sessions) > ADMIN_TODAY_SHOWN,
            "week_start": week_start,
            "to_review": access_selectors.access_review_counts(user=user),
        }
        return render(request, "home/administrator.html", ctx)
    if user.is_therapist:
        day = day_selectors.therapist_day(user=user, now=now)
        today = timezone.localdate(now)
        ctx = {
            "today": day.today,
            "days": day.later,
            "todo": day.todo,
            "groups": groups_selectors.groups_enrolled_today(user=user, today=today),
            "emergencies": access_selectors.therapist_emergencies(user=user, now=now),
            "due": plans_selectors.treatment_work_due(user=user, today=today),
            "today_date": today,
        }
        return render(request, "home/therapist.html", ctx)
    # --- Lullaby projects: a teaching artist's home is the board of their projects. ---
    if user.is_teaching_artist:
        from .lullaby import board_page

        return board_page(request)
    # --- end lullaby ---
    participant = participant_profile(user)
    sessions = (
        meetings_selectors.participant_upcoming_sessions(participant=participant, now=now)
        if participant
        else []
    )
    return render(
        request, "home/participant.html", {"participant": participant, "sessions": sessions}
    )


@require_GET
def favicon(request: HttpRequest) -> HttpResponse:
    # Browsers ask for /favicon.ico before reading the page's icon link; the static
    # file's name is known only at run time (hashed in production).
    return redirect(static("favicon.svg"), permanent=True)
