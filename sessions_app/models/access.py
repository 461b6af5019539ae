"""Access given outside the usual paths: emergency ("break-glass") access."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q


class EmergencyAccess(models.Model):
    """A therapist opened a participant's record outside their groups, stating why.

    For a participant in crisis whose own therapists are away: a therapist who works at
    the participant's site may open the record for a limited time
    (EMERGENCY_ACCESS_HOURS). Every page seen under it is marked as emergency access in
    the audit trail; administrators review each one, and the participant's own
    therapists see that it happened.
    """

    therapist = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="emergency_accesses"
    )
    participant = models.ForeignKey(
        "sessions_app.Participant", on_delete=models.PROTECT, related_name="emergency_accesses"
    )
    reason = models.TextField()
    started_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    # Ended before it expired: by the therapist ("I am done") or by an administrator.
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    review_note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = "emergency access"
        verbose_name_plural = "emergency accesses"
        constraints = [
            models.CheckConstraint(
                name="emergency_access_expires_after_start",
                condition=Q(expires_at__gt=F("started_at")),
            ),
            models.CheckConstraint(name="emergency_access_reason_given", condition=~Q(reason="")),
        ]
        indexes = [
            # Whether a therapist holds access now: every page of theirs asks.
            models.Index(fields=["therapist", "expires_at"], name="emergency_therapist_open"),
            models.Index(fields=["participant", "-started_at"], name="emergency_participant"),
        ]

    def __str__(self) -> str:
        return f"Emergency access to {self.participant} by {self.therapist}"

    def is_open_at(self, moment) -> bool:
        return self.ended_at is None and self.started_at <= moment < self.expires_at
