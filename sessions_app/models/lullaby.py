"""Lullaby projects: a participant writes and records a song for a child or loved one."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from .people import Participant


class LullabyProject(models.Model):
    class Stage(models.TextChoices):
        GETTING_STARTED = "getting_started", "Getting started"
        LETTER = "letter", "Letter and ideas"
        LYRICS = "lyrics", "Lyrics"
        MELODY = "melody", "Melody"
        ARRANGEMENT = "arrangement", "Arrangement"
        RECORDING = "recording", "Recording"
        DELIVERED = "delivered", "Delivered"
        SHARED = "shared", "Shared"

    class DeliveryMethod(models.TextChoices):
        FILE = "file", "Audio file"
        CD = "cd", "CD"
        EVENT = "event", "Sharing event"

    participant = models.ForeignKey(
        Participant, on_delete=models.PROTECT, related_name="lullaby_projects"
    )
    therapist = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="lullaby_projects"
    )
    teaching_artists = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="artist_projects"
    )
    title = models.CharField(max_length=200, blank=True)
    recipient_name = models.CharField("recipient's first name", max_length=80)
    recipient_relationship = models.CharField(max_length=80, help_text="e.g. daughter, nephew.")
    stage = models.CharField(max_length=20, choices=Stage.choices, default=Stage.GETTING_STARTED)
    final_take = models.OneToOneField(
        "Take", null=True, blank=True, on_delete=models.SET_NULL, related_name="final_of"
    )
    delivered_on = models.DateField(null=True, blank=True)
    delivery_method = models.CharField(max_length=8, choices=DeliveryMethod.choices, blank=True)
    delivered_to = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at"]
        constraints = [
            models.CheckConstraint(
                name="lullaby_delivery_complete",
                condition=Q(delivered_on__isnull=True, delivery_method="")
                | Q(delivered_on__isnull=False) & ~Q(delivery_method=""),
                violation_error_message="A delivery needs both a date and a method.",
            )
        ]

    def __str__(self) -> str:
        return self.title or f"A song for {self.recipient_name}"


class StageChange(models.Model):
    project = models.ForeignKey(
        LullabyProject, on_delete=models.CASCADE, related_name="stage_changes"
    )
    stage = models.CharField(max_length=20, choices=LullabyProject.Stage.choices)
    changed_at = models.DateTimeField(auto_now_add=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["project", "changed_at"]

    def __str__(self) -> str:
        return f"{self.project}: {self.get_stage_display()}"


class ProjectConsent(models.Model):
    """Consent to record, or to share the recording; the latest row of a kind counts."""

    class Kind(models.TextChoices):
        RECORD = "record", "To be recorded"
        SHARE = "share", "To share the recording"

    project = models.ForeignKey(LullabyProject, on_delete=models.CASCADE, related_name="consents")
    kind = models.CharField(max_length=6, choices=Kind.choices)
    granted = models.BooleanField()
    share_with = models.CharField(max_length=255, blank=True, help_text="For sharing: with whom.")
    note = models.CharField(max_length=255, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["project", "recorded_at"]
        constraints = [
            models.CheckConstraint(
                name="projectconsent_share_names_whom",
                condition=~Q(kind="share", granted=True, share_with=""),
                violation_error_message="Say with whom the recording may be shared.",
            )
        ]

    def __str__(self) -> str:
        verb = "granted" if self.granted else "withdrawn"
        return f"{self.get_kind_display()}: {verb}"


class LyricDraft(models.Model):
    project = models.ForeignKey(LullabyProject, on_delete=models.CASCADE, related_name="drafts")
    number = models.PositiveSmallIntegerField()
    text = models.TextField()
    notes = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["project", "number"]
        constraints = [
            models.UniqueConstraint(fields=["project", "number"], name="lyricdraft_unique_number")
        ]

    def __str__(self) -> str:
        return f"Draft {self.number} of {self.project}"


class RecordingSession(models.Model):
    project = models.ForeignKey(
        LullabyProject, on_delete=models.CASCADE, related_name="recording_sessions"
    )
    recorded_on = models.DateField()
    place = models.CharField(max_length=200, blank=True)
    engineer = models.CharField(max_length=120, blank=True)
    musicians = models.CharField(max_length=255, blank=True)
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["project", "recorded_on", "pk"]

    def __str__(self) -> str:
        return f"Recording {self.recorded_on:%Y-%m-%d} for {self.project}"


def take_upload_to(take: "Take", filename: str) -> str:
    # Under MEDIA_ROOT, never under the static root, with a random name that says
    # nothing about the person; served only through a view that checks permissions.
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"recordings/{uuid.uuid4().hex}.{ext}"


class Take(models.Model):
    recording_session = models.ForeignKey(
        RecordingSession, on_delete=models.CASCADE, related_name="takes"
    )
    number = models.PositiveSmallIntegerField()
    duration_seconds = models.PositiveIntegerField(null=True, blank=True)
    rating = models.PositiveSmallIntegerField(null=True, blank=True, help_text="1 to 5.")
    notes = models.TextField(blank=True)
    audio = models.FileField(upload_to=take_upload_to, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["recording_session", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["recording_session", "number"], name="take_unique_number"
            ),
            models.CheckConstraint(
                name="take_rating_in_range",
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                violation_error_message="Rate a take from 1 to 5.",
            ),
        ]

    def __str__(self) -> str:
        return f"Take {self.number}"
