from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from ..forms.meetings import SessionCancelForm, SessionMoveForm, SessionRestoreForm
from ..permissions import get_session_for_user
from ..selectors import meetings as selectors_meetings
from ..selectors import participants as selectors_participants
from ..selectors import reminders as selectors_reminders
from ..services import schedule
from .submit import submit


@login_required
def session_detail(request: HttpRequest, session_id: int) -> HttpResponse:
    session = get_session_for_user(request, session_id, with_note=True)
    plan = list(session.plan_items.select_related("song").prefetch_related("goal_areas"))
    lines = selectors_meetings.session_roster_lines(session=session)
    has_attendance = any(line.attendance is not None for line in lines)
    roster = [(line.participant, line.attendance) for line in lines if line.on_roster]
    # Attendance of someone no longer on the roster (e.g. enrollment dates corrected
    # later) is still a record: show it rather than hide it.
    extra = [line.attendance for line in lines if not line.on_roster]
    now = timezone.now()
    ctx = {
        "session": session,
        "plan": plan,
        "plan_minutes": sum(item.minutes for item in plan),
        "roster": roster,
        "extra_attendance": extra,
        # Schedule changes (move, cancel, restore) and their history.
        "changes": session.changes.select_related("changed_by").order_by("changed_at", "pk"),
        "may_move": schedule.move_refusal(session, now=now) is None,
        "may_cancel": schedule.cancel_refusal(session, has_attendance=has_attendance) is None,
        "may_restore": schedule.restore_refusal(session) is None,
    }
    # ---- RSVPs and reflections (participants' pages): who said they are coming; the
    # reflections' words for the group's therapists, only their number for administrators.
    attended = [p for p, record in roster if record and record.attended]
    attended += [record.participant for record in extra if record.attended]
    ctx["rsvps"] = {line.participant.pk: line.rsvp for line in lines if line.rsvp}
    ctx["reflections"] = selectors_participants.session_reflections(
        user=request.user, session=session, attended=attended
    )
    # ---- /RSVPs and reflections
    # ---- Reminders: each reminder of this session, its status and error.
    ctx["reminders"] = selectors_reminders.session_reminders(user=request.user, session=session)
    # ---- /Reminders
    return render(request, "meetings/session_detail.html", ctx)


def _session_form_page(request, session, form, *, action: str, refusal: str | None):
    ctx = {"session": session, "form": form, "action": action, "refusal": refusal}
    return render(request, "meetings/session_change.html", ctx)


@login_required
def session_move(request: HttpRequest, session_id: int) -> HttpResponse:
    session = get_session_for_user(request, session_id)
    local = session.local_starts_at
    form = SessionMoveForm(
        request.POST or None,
        initial={"day": local.date(), "start_time": local.time(), "room": session.where},
        time_zone=session.group.site.time_zone,
    )
    if submit(
        request,
        form,
        lambda data: schedule.session_move(session=session, user=request.user, **data),
    ):
        messages.success(request, "Session moved; the change is kept in its history.")
        return redirect("session_detail", session_id=session.pk)
    refusal = schedule.move_refusal(session, now=timezone.now())
    return _session_form_page(request, session, form, action="move", refusal=refusal)


@login_required
def session_cancel(request: HttpRequest, session_id: int) -> HttpResponse:
    session = get_session_for_user(request, session_id)
    form = SessionCancelForm(request.POST or None)
    if submit(
        request,
        form,
        lambda data: schedule.session_cancel(session=session, user=request.user, **data),
    ):
        messages.success(request, "Session cancelled.")
        return redirect("session_detail", session_id=session.pk)
    refusal = schedule.cancel_refusal(session, has_attendance=session.attendance.exists())
    return _session_form_page(request, session, form, action="cancel", refusal=refusal)


@login_required
def session_restore(request: HttpRequest, session_id: int) -> HttpResponse:
    session = get_session_for_user(request, session_id)
    form = SessionRestoreForm(request.POST or None)
    if submit(
        request,
        form,
        lambda data: schedule.session_restore(session=session, user=request.user, **data),
    ):
        messages.success(request, "Session restored: it is on again.")
        return redirect("session_detail", session_id=session.pk)
    refusal = schedule.restore_refusal(session)
    return _session_form_page(request, session, form, action="restore", refusal=refusal)
