"""Lullaby projects: a participant writes and records a song for a child or loved one."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .people import Participant


class LullabyProject(models.Model):
    class Stage(models.TextChoices):
        GETTING_STARTED = "getting_started", _("Getting started")
        LETTER = "letter", _("Letter and ideas")
        LYRICS = "lyrics", _("Lyrics")
        MELODY = "melody", _("Melody")
        ARRANGEMENT = "arrangement", _("Arrangement")
        RECORDING = "recording", _("Recording")
        DELIVERED = "delivered", _("Delivered")
        SHARED = "shared", _("Shared")

    class DeliveryMethod(models.TextChoices):
        FILE = "file", "Audio file"
        CD = "cd", "CD"
        EVENT = "event", "Sharing event"
        # Set when the family first opens their private link.
        LINK = "link", "Private family link"

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
    """Consent to record, or to share the recording at one level; the latest row of a
    kind (and, for sharing, of a level) counts. Each level is given or withdrawn on its
    own: a new row, never a change to an earlier one."""

    class Kind(models.TextChoices):
        RECORD = "record", "To be recorded"
        SHARE = "share", "To share the recording"

    class Level(models.TextChoices):
        FAMILY = "family", _("With the family only")
        SESSION_NAMED = "session_named", _("At a sharing session or concert, with their first name")
        SESSION_STAGE = "session_stage", _("At a sharing session or concert, under a stage name")
        PUBLIC = "public", _("Public release, under a stage name")

    # Levels whose songs go under a stage name, never a real one.
    STAGE_NAMED = ("session_stage", "public")

    project = models.ForeignKey(LullabyProject, on_delete=models.CASCADE, related_name="consents")
    kind = models.CharField(max_length=6, choices=Kind.choices)
    # For sharing only: to whom. Blank for consent to record.
    level = models.CharField(max_length=16, choices=Level.choices, blank=True)
    granted = models.BooleanField()
    share_with = models.CharField(max_length=255, blank=True, help_text="For sharing: with whom.")
    stage_name = models.CharField(max_length=80, blank=True)
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
                condition=~Q(kind="share", level="family", granted=True, share_with=""),
                violation_error_message="Say with whom the recording may be shared.",
            ),
            models.CheckConstraint(
                name="projectconsent_level_for_sharing",
                condition=Q(kind="record", level="") | (Q(kind="share") & ~Q(level="")),
                violation_error_message="Consent to share names a level; consent to record none.",
            ),
            models.CheckConstraint(
                name="projectconsent_stage_name_given",
                condition=~Q(
                    kind="share", level__in=["session_stage", "public"], granted=True, stage_name=""
                ),
                violation_error_message="Give the stage name the song goes under.",
            ),
        ]

    def __str__(self) -> str:
        verb = "granted" if self.granted else "withdrawn"
        what = self.get_level_display() if self.level else self.get_kind_display()
        return f"{what}: {verb}"


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


def track_upload_to(track: "Track", filename: str) -> str:
    # Like a take's: a random name under MEDIA_ROOT, served only through a view.
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"recordings/{uuid.uuid4().hex}.{ext}"


class Track(models.Model):
    """A recording beside the takes: the spoken dedication that goes to the family with
    the song, or a melody idea (a voice memo from a phone) kept with the lyric drafts."""

    class Kind(models.TextChoices):
        DEDICATION = "dedication", "Spoken dedication"
        IDEA = "idea", "Melody idea"

    project = models.ForeignKey(LullabyProject, on_delete=models.CASCADE, related_name="tracks")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    audio = models.FileField(upload_to=track_upload_to)
    duration_seconds = models.PositiveIntegerField(null=True, blank=True)
    notes = models.CharField(max_length=255, blank=True)
    # Staff who added it; or the participant (`from_participant`), who may be on a link
    # session with no login at all.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    from_participant = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["project", "created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                name="track_has_author",
                condition=Q(from_participant=True) | Q(created_by__isnull=False),
            ),
            models.CheckConstraint(
                name="track_participant_adds_ideas",
                condition=Q(from_participant=False) | Q(kind="idea"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of {self.project}"


class FamilyLink(models.Model):
    """A private link that brings the song to the person the parent named.

    The URL carries the row's id and `nonce`, signed with the site's secret key
    (`lullaby_links`): unguessable, and useless to anyone who reads the database
    without the key. The row is what can be revoked and what expires; whether the
    consent still allows it is asked at every request.
    """

    project = models.ForeignKey(
        LullabyProject, on_delete=models.CASCADE, related_name="family_links"
    )
    recipient_name = models.CharField(max_length=80)
    recipient_relationship = models.CharField(max_length=80)
    nonce = models.CharField(max_length=64, unique=True)
    include_lyrics = models.BooleanField(default=False)
    include_dedication = models.BooleanField(default=False)
    # The email address or phone number staff typed to send the link to, if any.
    sent_to = models.CharField(max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["project", "-created_at"]

    def __str__(self) -> str:
        return f"Family link for {self.recipient_name}"


class FamilyLinkVisit(models.Model):
    """An opening of a family link or a download from it: the time and nothing else
    (no address, no device: the family is not tracked)."""

    class Kind(models.TextChoices):
        OPENED = "opened", "Opened"
        DOWNLOADED = "downloaded", "Downloaded"

    link = models.ForeignKey(FamilyLink, on_delete=models.CASCADE, related_name="visits")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    at = models.DateTimeField()

    class Meta:
        ordering = ["link", "at"]
        indexes = [models.Index(fields=["link", "kind", "at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d %H:%M}"


class SharingProgram(models.Model):
    """A sharing session or concert: the songs chosen for it, in order. Which of them
    are listed is decided when the program is shown, by the consent in force then."""

    site = models.ForeignKey("Site", on_delete=models.PROTECT, related_name="sharing_programs")
    title = models.CharField(max_length=200)
    event_on = models.DateField()
    place = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-event_on", "pk"]

    def __str__(self) -> str:
        return self.title


class ProgramEntry(models.Model):
    program = models.ForeignKey(SharingProgram, on_delete=models.CASCADE, related_name="entries")
    project = models.ForeignKey(
        LullabyProject, on_delete=models.CASCADE, related_name="program_entries"
    )
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["program", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["program", "project"], name="programentry_unique")
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.project}"
