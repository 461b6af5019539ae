"""A participant's own words after a session."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from .meetings import Session
from .music import Song
from .people import Participant


class Reflection(models.Model):
    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="reflections")
    participant = models.ForeignKey(
        Participant, on_delete=models.PROTECT, related_name="reflections"
    )
    mood_before = models.PositiveSmallIntegerField(help_text="1 (very low) to 10 (very good).")
    mood_after = models.PositiveSmallIntegerField(help_text="1 (very low) to 10 (very good).")
    connection = models.PositiveSmallIntegerField(
        help_text="How connected you felt to the group: 1 (not at all) to 5 (very)."
    )
    craving = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Optional: 0 (none) to 10 (strongest)."
    )
    song = models.ForeignKey(
        Song, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    song_text = models.CharField("the song that stayed with you", max_length=200, blank=True)
    text = models.TextField("in your own words", blank=True)
    # Progress reports quote a participant's words only where they said they may.
    quotable = models.BooleanField(
        "my therapist may quote this in my progress reports", default=False, db_default=False
    )
    # Set when a therapist entered it on the participant's behalf.
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-session__starts_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "participant"], name="reflection_one_per_session"
            ),
            models.CheckConstraint(
                name="reflection_scores_in_range",
                condition=Q(mood_before__gte=1, mood_before__lte=10)
                & Q(mood_after__gte=1, mood_after__lte=10)
                & Q(connection__gte=1, connection__lte=5)
                & (Q(craving__isnull=True) | Q(craving__gte=0, craving__lte=10)),
                violation_error_message="Scores are out of range.",
            ),
        ]

    def __str__(self) -> str:
        return f"Reflection by {self.participant} on {self.session}"
