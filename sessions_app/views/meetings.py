from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .. import selectors
from ..permissions import get_session_for_user


@login_required
def session_detail(request: HttpRequest, session_id: int) -> HttpResponse:
    session = get_session_for_user(request, session_id)
    plan = list(session.plan_items.select_related("song"))
    recorded = {a.participant_id: a for a in session.attendance.select_related("recorded_by")}
    roster = [
        (enrollment.participant, recorded.pop(enrollment.participant_id, None))
        for enrollment in selectors.group_roster(group=session.group, day=session.local_date)
    ]
    # Attendance of someone no longer on the roster (e.g. enrollment dates corrected
    # later) is still a record: show it rather than hide it.
    extra = list(recorded.values())
    ctx = {
        "session": session,
        "plan": plan,
        "plan_minutes": sum(item.minutes for item in plan),
        "roster": roster,
        "extra_attendance": extra,
    }
    return render(request, "meetings/session_detail.html", ctx)
