"""Reminders as an outbox, and participants' answers to them."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from .meetings import Session
from .people import Participant


class Reminder(models.Model):
    """One message to one recipient through one channel, written before it is sent.

    The row is the promise: it is created in the same transaction as the change that
    causes it, claimed under a row lock when due, and its outcome recorded on it, so a
    crash can neither lose it nor send it twice.
    """

    class Kind(models.TextChoices):
        UPCOMING = "upcoming", "Upcoming session"
        MOVED = "moved", "Session moved"
        CANCELLED = "cancelled", "Session cancelled"
        REFLECTION = "reflection", "Reflection invitation"
        AGENDA = "agenda", "Therapist's daily agenda"
        # A participant's questionnaires due (no session: slot is their due date).
        MEASURE = "measure", "A few questions"
        # To staff: a safety alert to follow up (slot: the alert's id), and the same
        # alert sent on to administrators when nobody acknowledged it in time.
        ALERT = "alert", "Needs follow-up today"
        ESCALATED = "escalated", "Follow-up not yet acknowledged"
        # To the person a lullaby's family link is for, at the address staff typed.
        FAMILY = "family", "A song for you"

    # Kinds about no session.
    SESSIONLESS = ("agenda", "measure", "alert", "escalated", "family")
    # Kinds sent to staff rather than participants.
    STAFF_KINDS = ("agenda", "alert", "escalated")

    class Channel(models.TextChoices):
        EMAIL = "email", "Email"
        SMS = "sms", "SMS"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"
        SKIPPED = "skipped", "Skipped"
        # Claimed, then the worker vanished: it may or may not have gone out. Shown to
        # staff and never resent automatically.
        INTERRUPTED = "interrupted", "Interrupted"

    kind = models.CharField(max_length=12, choices=Kind.choices)
    channel = models.CharField(max_length=6, choices=Channel.choices)
    # Exactly one recipient: a participant, or a staff user (agenda).
    participant = models.ForeignKey(
        Participant, null=True, blank=True, on_delete=models.CASCADE, related_name="reminders"
    )
    staff_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="reminders",
    )
    # Or a family link's recipient, who has no record here: the address is on the link.
    family_link = models.ForeignKey(
        "FamilyLink", null=True, blank=True, on_delete=models.CASCADE, related_name="messages"
    )
    session = models.ForeignKey(
        Session, null=True, blank=True, on_delete=models.CASCADE, related_name="reminders"
    )
    # Which one of its kind: minutes before the start for "upcoming", the change number
    # for "moved", the local date (as YYYYMMDD) for "agenda" and "measure" (the day the
    # questions fell due), the alert's id for "alert" and "escalated"; 0 otherwise.
    slot = models.IntegerField(default=0)
    due_at = models.DateTimeField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["due_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "session", "participant", "channel", "slot"],
                condition=Q(participant__isnull=False),
                name="reminder_unique_per_participant",
            ),
            # The constraint above cannot hold rows without a session (NULLs differ).
            models.UniqueConstraint(
                fields=["kind", "participant", "channel", "slot"],
                condition=Q(participant__isnull=False, session__isnull=True),
                name="reminder_unique_sessionless",
            ),
            models.UniqueConstraint(
                fields=["kind", "staff_user", "channel", "slot"],
                condition=Q(staff_user__isnull=False),
                name="reminder_unique_per_staff",
            ),
            models.UniqueConstraint(
                fields=["kind", "family_link", "channel", "slot"],
                condition=Q(family_link__isnull=False),
                name="reminder_unique_per_family_link",
            ),
            models.CheckConstraint(
                name="reminder_one_recipient",
                condition=Q(participant__isnull=False, staff_user__isnull=True, family_link=None)
                | Q(participant__isnull=True, staff_user__isnull=False, family_link=None)
                | Q(participant__isnull=True, staff_user__isnull=True, family_link__isnull=False),
            ),
            models.CheckConstraint(
                name="reminder_session_unless_sessionless",
                condition=Q(kind__in=["agenda", "measure", "alert", "escalated", "family"])
                | Q(session__isnull=False),
            ),
            models.CheckConstraint(
                name="reminder_sent_has_time",
                condition=~Q(status="sent") | Q(sent_at__isnull=False),
            ),
        ]
        indexes = [
            models.Index(
                fields=["due_at"], condition=Q(status="pending"), name="reminder_due_pending"
            ),
            models.Index(fields=["status", "updated_at"]),
            # The staff list of reminders that did not go out, newest first: read in
            # index order and stopped at the page's length, among 600,000 rows.
            models.Index(
                F("updated_at").desc(),
                F("id").desc(),
                condition=Q(status__in=["failed", "interrupted"]),
                name="reminder_trouble_recent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} by {self.channel} ({self.get_status_display()})"


class Rsvp(models.Model):
    """A participant's answer to "will you come?" for one session; the latest counts."""

    class Answer(models.TextChoices):
        CONFIRMED = "confirmed", "Coming"
        DECLINED = "declined", "Not coming"

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="rsvps")
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="rsvps")
    answer = models.CharField(max_length=10, choices=Answer.choices)
    answered_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["session", "participant"], name="rsvp_unique")
        ]

    def __str__(self) -> str:
        return f"{self.participant}: {self.get_answer_display()}"
