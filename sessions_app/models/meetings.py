"""Sessions (one meeting of a group), their plans, and attendance."""

from datetime import date, datetime

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from ..timeutil import at_site
from .groups import Group
from .music import Song
from .people import Participant


class Session(models.Model):
    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        HELD = "held", "Held"
        CANCELLED = "cancelled", "Cancelled"

    # Sessions are clinical records: a group with sessions cannot be deleted.
    group = models.ForeignKey(Group, on_delete=models.PROTECT, related_name="sessions")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    room = models.CharField(max_length=80, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    cancel_reason = models.CharField(max_length=255, blank=True)
    # The weekly slot this session was generated for (blank for extra sessions); it
    # makes generation idempotent and survives the session being moved.
    occurrence_date = models.DateField(null=True, blank=True)
    # What actually happened, recorded with the note: groups start late and run over.
    actual_starts_at = models.DateTimeField(null=True, blank=True)
    actual_ends_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(
                name="session_ends_after_start",
                condition=Q(ends_at__gt=F("starts_at")),
                violation_error_message="A session must end after it starts.",
            ),
            models.CheckConstraint(
                name="session_cancelled_has_reason",
                condition=~Q(status="cancelled", cancel_reason=""),
                violation_error_message="Say why the session was cancelled.",
            ),
            models.UniqueConstraint(
                fields=["group", "occurrence_date"], name="session_unique_occurrence"
            ),
            models.CheckConstraint(
                name="session_actual_end_after_start",
                condition=Q(actual_starts_at__isnull=True)
                | Q(actual_ends_at__isnull=True)
                | Q(actual_ends_at__gt=F("actual_starts_at")),
                violation_error_message="A session must end after it starts.",
            ),
        ]
        indexes = [models.Index(fields=["group", "starts_at"]), models.Index(fields=["starts_at"])]

    def __str__(self) -> str:
        return f"{self.group} — {self.local_starts_at:%a %d %b %Y %H:%M}"

    @property
    def local_starts_at(self) -> datetime:
        return at_site(self.starts_at, self.group.site.tz)

    @property
    def local_ends_at(self) -> datetime:
        return at_site(self.ends_at, self.group.site.tz)

    @property
    def local_date(self) -> date:
        return self.local_starts_at.date()

    @property
    def duration_minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)

    @property
    def where(self) -> str:
        return self.room or self.group.room


class SessionChange(models.Model):
    """One move, cancellation or restoration of a session: its history is kept."""

    class Kind(models.TextChoices):
        MOVED = "moved", "Moved"
        CANCELLED = "cancelled", "Cancelled"
        RESTORED = "restored", "Restored"

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="changes")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    old_starts_at = models.DateTimeField()
    old_ends_at = models.DateTimeField()
    old_room = models.CharField(max_length=80, blank=True)
    new_starts_at = models.DateTimeField()
    new_ends_at = models.DateTimeField()
    new_room = models.CharField(max_length=80, blank=True)
    reason = models.CharField(max_length=255, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["session", "changed_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.session}"


class PlanItem(models.Model):
    class Activity(models.TextChoices):
        LISTENING = "listening", "Listening"
        GROUP_SINGING = "group_singing", "Group singing"
        INSTRUMENT_PLAY = "instrument_play", "Instrument play"
        SONGWRITING = "songwriting", "Songwriting"
        LYRIC_ANALYSIS = "lyric_analysis", "Lyric analysis"
        IMPROVISATION = "improvisation", "Improvisation"
        RELAXATION = "relaxation", "Relaxation"
        OTHER = "other", "Other"

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="plan_items")
    position = models.PositiveSmallIntegerField()
    song = models.ForeignKey(
        Song, null=True, blank=True, on_delete=models.PROTECT, related_name="plan_items"
    )
    activity_type = models.CharField(max_length=20, choices=Activity.choices)
    minutes = models.PositiveSmallIntegerField()
    purpose = models.CharField(max_length=255, blank=True)
    goal_areas = models.ManyToManyField(
        "GoalArea", blank=True, related_name="plan_items", help_text="What this activity serves."
    )

    class Meta:
        ordering = ["session", "position"]
        constraints = [
            # Deferred so that a reorder can swap positions inside one transaction.
            models.UniqueConstraint(
                fields=["session", "position"],
                name="planitem_unique_position",
                deferrable=models.Deferrable.DEFERRED,
            ),
            models.CheckConstraint(
                name="planitem_minutes_positive",
                condition=Q(minutes__gte=1),
                violation_error_message="An activity takes at least a minute.",
            ),
        ]

    def __str__(self) -> str:
        what = self.song.title if self.song_id else self.get_activity_type_display()
        return f"{self.position}. {what} ({self.minutes} min)"


class Attendance(models.Model):
    class Status(models.TextChoices):
        PRESENT = "present", "Present"
        LATE = "late", "Late"
        LEFT_EARLY = "left_early", "Left early"
        EXCUSED = "excused", "Excused"
        ABSENT = "absent", "Absent"

    ATTENDED = (Status.PRESENT, Status.LATE, Status.LEFT_EARLY)

    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="attendance")
    participant = models.ForeignKey(
        Participant, on_delete=models.PROTECT, related_name="attendance"
    )
    status = models.CharField(max_length=12, choices=Status.choices)
    minutes_attended = models.PositiveSmallIntegerField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["session", "participant__last_name"]
        verbose_name_plural = "attendance"
        constraints = [
            models.UniqueConstraint(
                fields=["session", "participant"], name="attendance_unique_per_session"
            ),
            models.CheckConstraint(
                name="attendance_absent_has_no_minutes",
                condition=~Q(status__in=["excused", "absent"])
                | Q(minutes_attended__isnull=True)
                | Q(minutes_attended=0),
                violation_error_message="Someone absent or excused attended no minutes.",
            ),
        ]
        indexes = [
            models.Index(fields=["participant", "session"]),
            # Reports count a period's attendance session by session, and the
            # slipping-away signals read a participant's history, from these alone
            # (index-only scans): migration 0005.
            models.Index(
                fields=["session"],
                include=["status", "participant", "id"],
                name="attendance_session_cover",
            ),
            models.Index(
                fields=["participant"],
                include=["session", "status", "id"],
                name="attendance_participant_cover",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.participant}: {self.get_status_display()}"

    @property
    def attended(self) -> bool:
        return self.status in self.ATTENDED
