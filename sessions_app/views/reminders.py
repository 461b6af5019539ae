from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from ..permissions import check_reminder_pages_access, get_reminder_for_user
from ..selectors import reminders as selectors_reminders
from ..services import reminders
from ..services.errors import ServiceError
from .navigation import safe_next
from .paging import slice_page

# Newest first, a page at a time: a network's outbox keeps thousands of failures.
FAILURES_PER_PAGE = 50


@login_required
def reminder_failures(request: HttpRequest) -> HttpResponse:
    """Failed and interrupted reminders across the sites (or groups) the user may see."""
    check_reminder_pages_access(request)
    # Not counted: counting what a therapist may see means joining every failure to
    # its session, slower than the page itself.
    rows = selectors_reminders.reminder_failures(user=request.user)
    page = slice_page(rows, request.GET.get("page"), FAILURES_PER_PAGE)
    ctx = {"page": page, "max_attempts": settings.REMINDER_MAX_ATTEMPTS}
    return render(request, "reminders/failures.html", ctx)


@login_required
@require_POST
def reminder_retry(request: HttpRequest, reminder_id: int) -> HttpResponse:
    reminder = get_reminder_for_user(request, reminder_id)
    try:
        reminders.reminder_retry(reminder=reminder, user=request.user)
    except ServiceError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "The reminder will be sent again in a moment.")
    back = safe_next(request)
    if back:
        return HttpResponseRedirect(back)
    if reminder.session_id:
        return redirect("session_detail", session_id=reminder.session_id)
    return redirect("reminder_failures")
