"""Safety alerts: an answer that needs a clinician today.

Raised at once when a response is saved (PHQ-9 item 9 above zero; a craving at or above
the site's threshold). An alert names the response, never its content: what reaches a
screen, an email or the audit trail is that a participant needs follow-up today.

Raising one writes an email row to each therapist of the participant's current groups
in the reminders outbox, in the same transaction, and nudges the dispatcher after
commit: the email carries a link behind login and nothing else. Someone acknowledges
the alert (who, when), then records what was done. An alert nobody acknowledged within
SAFETY_ALERT_ESCALATE_MINUTES goes to the site's administrators the same way
(`alerts_escalate`, run by beat every few minutes).
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .. import instruments
from ..broker import enqueue_after_commit
from ..models import Enrollment, MeasureResponse, Reminder, SafetyAlert, User
from .errors import ServiceError
from .reminders import DISPATCH_TASK

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
    if raised:
        _notify(raised, to=_therapists_of(response, now), kind=Reminder.Kind.ALERT, now=now)
    return raised


def _therapists_of(response: MeasureResponse, now: datetime) -> list[User]:
    """Those facilitating the participant's current groups."""
    participant = response.participant
    today = timezone.localdate(now, participant.site.tz)
    groups = Enrollment.objects.filter(participant=participant).active_on(today).values("group")
    return list(
        User.objects.filter(facilitations__group__in=groups, is_active=True)
        .exclude(email="")
        .distinct()
    )


def _notify(alerts: list[SafetyAlert], *, to: list[User], kind: str, now: datetime) -> None:
    rows = [
        Reminder(kind=kind, channel=Reminder.Channel.EMAIL, staff_user=user, slot=a.pk, due_at=now)
        for a in alerts
        for user in to
    ]
    if rows:
        Reminder.objects.bulk_create(rows, ignore_conflicts=True)
        enqueue_after_commit(DISPATCH_TASK, what="reminder dispatch")


def alert_acknowledge(*, alert: SafetyAlert, by: User, now: datetime | None = None) -> SafetyAlert:
    """Say that someone is on it: who and when. Once."""
    now = now or timezone.now()
    with transaction.atomic():
        alert = SafetyAlert.objects.select_for_update().get(pk=alert.pk)
        if alert.acknowledged_at is not None:
            raise ServiceError("This alert has already been acknowledged.")
        alert.acknowledged_at, alert.acknowledged_by = now, by
        alert.save(update_fields=["acknowledged_at", "acknowledged_by"])
    return alert


def alert_follow_up(
    *, alert: SafetyAlert, by: User, follow_up: str, now: datetime | None = None
) -> SafetyAlert:
    """Record what was done; the alert is then closed."""
    now = now or timezone.now()
    follow_up = follow_up.strip()
    if not follow_up:
        raise ServiceError({"follow_up": "Say what was done: who was contacted, and how."})
    with transaction.atomic():
        alert = SafetyAlert.objects.select_for_update().get(pk=alert.pk)
        if alert.acknowledged_at is None:
            raise ServiceError("Acknowledge the alert first.")
        if alert.followed_up_at is not None:
            raise ServiceError("The follow-up of this alert has already been recorded.")
        alert.followed_up_at, alert.followed_up_by, alert.follow_up = now, by, follow_up
        alert.save(update_fields=["followed_up_at", "followed_up_by", "follow_up"])
    return alert


def alerts_escalate(*, now: datetime | None = None) -> int:
    """Send every alert nobody acknowledged within SAFETY_ALERT_ESCALATE_MINUTES to the
    administrators of its participant's site, once (`escalated_at`); returns how many.
    Two runs at once take different alerts."""
    now = now or timezone.now()
    late = now - timedelta(minutes=settings.SAFETY_ALERT_ESCALATE_MINUTES)
    with transaction.atomic():
        alerts = list(
            SafetyAlert.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(acknowledged_at__isnull=True, escalated_at__isnull=True, raised_at__lte=late)
            .select_related("participant")
        )
        for alert in alerts:
            admins = list(
                User.objects.filter(
                    sites=alert.participant.site_id,
                    role=User.Role.ADMINISTRATOR,
                    is_active=True,
                ).exclude(email="")
            )
            _notify([alert], to=admins, kind=Reminder.Kind.ESCALATED, now=now)
        SafetyAlert.objects.filter(pk__in=[a.pk for a in alerts]).update(escalated_at=now)
    return len(alerts)
