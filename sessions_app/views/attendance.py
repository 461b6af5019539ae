from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from ..forms.attendance import RollCallForm
from ..models import Session, SessionNote
from ..permissions import get_session_for_user
from ..selectors import meetings as selectors_meetings
from ..services import attendance as attendance_services
from .submit import submit


@never_cache
@login_required
def roll_call(request: HttpRequest, session_id: int) -> HttpResponse:
    """Roll call at the door: whoever may see the session may take it."""
    session = get_session_for_user(request, session_id, with_note=True)
    lines = selectors_meetings.session_roster_lines(session=session, with_recorder=True)
    closed = attendance_services.attendance_roll_call_problem(session=session)
    note_signed = _note_signed(session)
    form = RollCallForm(
        request.POST if request.method == "POST" else None,
        lines=lines,
        max_minutes=attendance_services.attendance_max_minutes(session=session),
    )
    if done := submit(
        request,
        form,
        lambda _: attendance_services.attendance_record(
            session=session, entries=form.entries(), recorded_by=request.user
        ),
    ):
        if done.value.changed:
            messages.success(request, f"Roll call saved: {_changes(done.value)}.")
        else:
            messages.info(request, "Roll call saved: nothing had changed.")
        return redirect("roll_call", session.pk)
    ctx = {
        "session": session,
        "form": form,
        "rows": form.rows(),
        "extra": [line for line in lines if not line.on_roster],
        "unrecorded": sum(1 for line in lines if line.on_roster and line.attendance is None),
        "closed": closed,
        "note_signed": note_signed,
        # RSVPs (participants' pages): who said they are coming, or not.
        "rsvps": {line.participant.pk: line.rsvp for line in lines if line.rsvp},
    }
    return render(request, "meetings/roll_call.html", ctx)


def _note_signed(session: Session) -> bool:
    try:
        return session.note.is_locked
    except SessionNote.DoesNotExist:
        return False


def _changes(result: attendance_services.RollCallResult) -> str:
    parts = []
    if result.created:
        parts.append(f"{result.created} recorded")
    if result.updated:
        parts.append(f"{result.updated} changed")
    if result.unchanged:
        parts.append(f"{result.unchanged} unchanged")
    return ", ".join(parts)
