"""Safety alerts: the page where someone acknowledges one and records the follow-up,
and the list of them (administrators: those sent on to them)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from ..forms.safety import AlertFollowUpForm
from ..permissions import (
    alerts_for,
    check_alert_list_access,
    get_alert_for_user,
    may_see_alert_reason,
)
from ..services import safety
from ..services.errors import ServiceError
from .submit import submit

ALERTS_SHOWN = 100


@login_required
def safety_alert(request: HttpRequest, alert_id: int) -> HttpResponse:
    alert = get_alert_for_user(request, alert_id)
    form = AlertFollowUpForm(request.POST if request.POST.get("action") == "follow_up" else None)
    if request.method == "POST" and request.POST.get("action") == "acknowledge":
        try:
            safety.alert_acknowledge(alert=alert, by=request.user)
        except ServiceError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, "Acknowledged: record what was done once it is.")
        return redirect("safety_alert", alert_id=alert.pk)
    if submit(
        request,
        form,
        lambda data: safety.alert_follow_up(alert=alert, by=request.user, **data),
    ):
        messages.success(request, "Follow-up recorded.")
        return redirect("safety_alert", alert_id=alert.pk)
    ctx = {
        "alert": alert,
        "form": form,
        "clinical": may_see_alert_reason(request.user, alert),
    }
    return render(request, "safety/alert.html", ctx)


@login_required
def safety_alerts(request: HttpRequest) -> HttpResponse:
    check_alert_list_access(request)
    alerts = list(
        alerts_for(request.user)
        .select_related("participant__site", "acknowledged_by", "followed_up_by")
        .order_by("followed_up_at", "-raised_at")[: ALERTS_SHOWN + 1]
    )
    ctx = {"alerts": alerts[:ALERTS_SHOWN], "more": len(alerts) > ALERTS_SHOWN}
    return render(request, "safety/list.html", ctx)
