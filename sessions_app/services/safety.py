"""Safety alerts: an answer that needs a clinician today.

Raised at once when a response is saved (PHQ-9 item 9 above zero; a craving at or above
the site's threshold). An alert names the response, never its content: what reaches a
screen, an email or the audit trail is that a participant needs follow-up today.
"""

from datetime import datetime

from django.utils import timezone

from .. import instruments
from ..models import MeasureResponse, SafetyAlert

# The check-in asks craving on 0–10; thresholds are set on the 0–100 scale.
CRAVING_SCALES = {"craving_vas": 1, "checkin_before": 10, "checkin_after": 10}


def alert_reasons(response: MeasureResponse) -> list[str]:
    """Why this response needs follow-up today, if it does."""
    instrument = instruments.get(response.instrument)
    reasons = []
    if instrument.safety_concern(response.answers):
        reasons.append(SafetyAlert.Reason.SELF_HARM)
    factor = CRAVING_SCALES.get(response.instrument)
    craving = response.answers.get("craving")
    if factor is not None and isinstance(craving, int):
        threshold = response.participant.site.craving_alert_threshold
        if craving * factor >= threshold:
            reasons.append(SafetyAlert.Reason.CRAVING)
    return reasons


def alerts_raise(*, response: MeasureResponse, now: datetime | None = None) -> list[SafetyAlert]:
    """Raise the alerts a response calls for (once per response and reason)."""
    now = now or timezone.now()
    raised = []
    for reason in alert_reasons(response):
        alert, created = SafetyAlert.objects.get_or_create(
            response=response,
            reason=reason,
            defaults={"participant_id": response.participant_id, "raised_at": now},
        )
        if created:
            raised.append(alert)
    return raised
