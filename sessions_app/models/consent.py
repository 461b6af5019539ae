"""Consent to disclose (42 CFR Part 2 style) and the record of each disclosure."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from .people import Participant


class Consent(models.Model):
    """A participant's written consent to disclose records: what, to whom, why, until when.

    Never edited after it is given: revoking it records when and by whom, and a new
    consent is a new row.
    """

    participant = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="consents")
    disclose_what = models.TextField(help_text="The information that may be disclosed.")
    disclose_to = models.CharField(max_length=255, help_text="Person or organisation.")
    purpose = models.CharField(max_length=255)
    signed_on = models.DateField()
    expires_on = models.DateField(
        help_text="Part 2 consents name an expiry date, event or condition; here a date."
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    revocation_note = models.CharField(max_length=255, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["participant", "-signed_on"]
        constraints = [
            models.CheckConstraint(
                name="consent_expires_after_signing",
                condition=Q(expires_on__gte=F("signed_on")),
                violation_error_message="A consent cannot expire before it is signed.",
            ),
        ]

    def __str__(self) -> str:
        return f"Consent of {self.participant} to {self.disclose_to}"


class Disclosure(models.Model):
    """Each export of a participant's clinical records under a consent."""

    participant = models.ForeignKey(
        Participant, on_delete=models.PROTECT, related_name="disclosures"
    )
    consent = models.ForeignKey(Consent, on_delete=models.PROTECT, related_name="disclosures")
    disclosed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    disclosed_at = models.DateTimeField(auto_now_add=True)
    what = models.CharField(max_length=255)

    class Meta:
        ordering = ["-disclosed_at"]

    def __str__(self) -> str:
        return f"Disclosure of {self.participant}'s records to {self.consent.disclose_to}"
