"""Measures: answers to the instruments of `sessions_app.instruments`, what is due for
whom, and the safety alerts answers raise."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from ..instruments import CHOICES
from .groups import Group
from .meetings import Session
from .people import Participant


class MeasureSchedule(models.Model):
    """Which instrument a group gives its participants, and when. The check-in goes with
    every session and needs no schedule."""

    class When(models.TextChoices):
        ENROLMENT = "enrolment", "At enrolment"
        EVERY_WEEKS = "every_weeks", "Every few weeks"
        DISCHARGE = "discharge", "At discharge"

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="measure_schedules")
    instrument = models.CharField(max_length=20, choices=CHOICES)
    when = models.CharField(max_length=12, choices=When.choices)
    every_weeks = models.PositiveSmallIntegerField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["group", "instrument", "when"]
        constraints = [
            models.UniqueConstraint(
                fields=["group", "instrument", "when"], name="measure_schedule_unique"
            ),
            models.CheckConstraint(
                name="measure_schedule_weeks_when_periodic",
                condition=Q(when="every_weeks", every_weeks__gte=1, every_weeks__lte=52)
                | (~Q(when="every_weeks") & Q(every_weeks__isnull=True)),
                violation_error_message="Every 1 to 52 weeks, only for a periodic measure.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_instrument_display()} {self.get_when_display().lower()} — {self.group}"


class MeasureRequest(models.Model):
    """A questionnaire due from a participant: made from a group's schedule, answered by
    link, on their own page or at the door, or left to lapse."""

    class Reason(models.TextChoices):
        ENROLMENT = "enrolment", "Enrolment"
        PERIODIC = "periodic", "Periodic"
        DISCHARGE = "discharge", "Discharge"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        ANSWERED = "answered", "Answered"
        EXPIRED = "expired", "Expired"

    participant = models.ForeignKey(
        Participant, on_delete=models.PROTECT, related_name="measure_requests"
    )
    instrument = models.CharField(max_length=20, choices=CHOICES)
    schedule = models.ForeignKey(
        MeasureSchedule, null=True, blank=True, on_delete=models.SET_NULL, related_name="requests"
    )
    reason = models.CharField(max_length=10, choices=Reason.choices)
    due_on = models.DateField()
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "instrument", "due_on"], name="measure_request_unique"
            ),
        ]
        indexes = [
            models.Index(
                fields=["participant", "due_on"],
                condition=Q(status="open"),
                name="measure_request_open",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_instrument_display()} due {self.due_on} from {self.participant}"


class MeasureResponse(models.Model):
    """One set of answers to one instrument, scored when it is saved."""

    class Phase(models.TextChoices):
        NONE = "", "—"
        BEFORE = "before", "Before the session"
        AFTER = "after", "After the session"

    class Via(models.TextChoices):
        LINK = "link", "Signed link"
        OWN_PAGE = "own_page", "Their own page"
        KIOSK = "kiosk", "Check-in at the door"
        STAFF = "staff", "Entered by staff"
        REFLECTION = "reflection", "Reflection"

    participant = models.ForeignKey(
        Participant, on_delete=models.PROTECT, related_name="measure_responses"
    )
    instrument = models.CharField(max_length=20, choices=CHOICES)
    # Check-ins (and anything given at a session) name it; phase says before or after.
    session = models.ForeignKey(
        Session, null=True, blank=True, on_delete=models.PROTECT, related_name="measure_responses"
    )
    phase = models.CharField(max_length=6, choices=Phase.choices, blank=True, default="")
    request = models.OneToOneField(
        MeasureRequest, null=True, blank=True, on_delete=models.SET_NULL, related_name="response"
    )
    answers = models.JSONField()
    # The instrument's total (None for the check-in, read item by item).
    score = models.SmallIntegerField(null=True, blank=True)
    answered_at = models.DateTimeField()
    via = models.CharField(max_length=10, choices=Via.choices)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-answered_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "session", "instrument", "phase"],
                condition=Q(session__isnull=False),
                name="measure_response_once_per_session",
            ),
            models.CheckConstraint(
                name="measure_response_phase_needs_session",
                condition=Q(phase="") | Q(session__isnull=False),
            ),
        ]
        indexes = [
            # A participant's chart, and the first and latest score per instrument.
            models.Index(
                fields=["participant", "instrument", "answered_at"], name="measure_resp_person"
            ),
            # A session's before/after, and a group's weeks.
            models.Index(fields=["session", "instrument", "phase"], name="measure_resp_session"),
            # Administrators' outcomes over a period.
            models.Index(fields=["instrument", "answered_at"], name="measure_resp_period"),
        ]

    def __str__(self) -> str:
        return (
            f"{self.get_instrument_display()} by {self.participant} at {self.answered_at:%Y-%m-%d}"
        )


class SafetyAlert(models.Model):
    """An answer that needs a clinician today: PHQ-9 item 9 above zero, or craving at or
    above the site's threshold. The alert names the response, never its content."""

    class Reason(models.TextChoices):
        SELF_HARM = "self_harm", "Thoughts of self-harm (PHQ-9 item 9)"
        CRAVING = "craving", "Craving at or above the threshold"

    participant = models.ForeignKey(
        Participant, on_delete=models.PROTECT, related_name="safety_alerts"
    )
    response = models.ForeignKey(
        MeasureResponse, on_delete=models.PROTECT, related_name="safety_alerts"
    )
    reason = models.CharField(max_length=10, choices=Reason.choices)
    raised_at = models.DateTimeField()
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    followed_up_at = models.DateTimeField(null=True, blank=True)
    followed_up_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    follow_up = models.TextField(blank=True)
    # Sent to the site's administrators when nobody acknowledged it in time.
    escalated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-raised_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["response", "reason"], name="safety_alert_once_per_response"
            ),
            models.CheckConstraint(
                name="safety_alert_follow_up_after_acknowledged",
                condition=Q(followed_up_at__isnull=True)
                | Q(acknowledged_at__isnull=False, followed_up_at__gte=F("acknowledged_at")),
            ),
        ]
        indexes = [
            models.Index(
                fields=["raised_at"],
                condition=Q(followed_up_at__isnull=True),
                name="safety_alert_open",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_reason_display()} — {self.participant}"
