"""The song library."""

from django.conf import settings
from django.db import models
from django.db.models import Q


class Theme(models.Model):
    name = models.CharField(max_length=60, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Song(models.Model):
    class Source(models.TextChoices):
        PUBLISHED = "published", "Published"
        PUBLIC_DOMAIN = "public_domain", "Public domain / traditional"
        PARTICIPANT = "participant", "Written by a participant"

    title = models.CharField(max_length=200)
    artist = models.CharField("artist or composer", max_length=200, blank=True)
    key = models.CharField(max_length=20, blank=True, help_text="e.g. G major, D minor.")
    tempo_bpm = models.PositiveSmallIntegerField("tempo (BPM)", null=True, blank=True)
    source = models.CharField(max_length=20, choices=Source.choices, default=Source.PUBLISHED)
    themes = models.ManyToManyField(
        Theme, blank=True, related_name="songs", verbose_name="lyric themes"
    )
    goal_areas = models.ManyToManyField(
        "GoalArea", blank=True, related_name="songs", help_text="What the song serves well."
    )
    # Some groups steer clear of lyrics that mention drinking or drugs; others choose
    # them on purpose for lyric analysis. Either way the planner must be able to tell.
    mentions_substance_use = models.BooleanField(
        "lyrics mention substance use", default=False, db_default=False
    )
    notes = models.TextField(blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["title", "artist"]
        constraints = [
            models.UniqueConstraint(fields=["title", "artist"], name="song_unique_title_artist"),
            models.CheckConstraint(
                name="song_tempo_sane",
                condition=Q(tempo_bpm__isnull=True) | Q(tempo_bpm__gte=20, tempo_bpm__lte=300),
                violation_error_message="Tempo is between 20 and 300 BPM.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.artist})" if self.artist else self.title
