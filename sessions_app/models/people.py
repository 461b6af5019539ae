"""People: sites, staff users and participants."""

import zoneinfo
from datetime import time

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from .. import languages


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"“{value}” is not a time zone; use a name such as America/New_York.")


class Site(models.Model):
    """Where groups meet. Times are stored in UTC and shown in the site's zone."""

    name = models.CharField(max_length=120, unique=True)
    # Shown to participants in reminders: it must say where, never what for.
    address = models.CharField(max_length=255, blank=True)
    time_zone = models.CharField(max_length=64, validators=[validate_time_zone])
    # A craving answer at or above this (on the 0–100 scale; the check-in's 0–10 craving
    # counts tenfold) raises a safety alert for the participant's therapists.
    craving_alert_threshold = models.PositiveSmallIntegerField(
        default=80, db_default=80, help_text="0 to 100: a craving answer this high raises an alert."
    )
    # Treatment planning, as each programme runs it.
    progress_required_to_sign = models.BooleanField(
        "progress on every objective before signing",
        default=False,
        db_default=False,
        help_text="A group note is signed only once progress is recorded on every active "
        "objective of each participant who attended.",
    )
    goals_shown_to_participants = models.BooleanField(
        "participants see their goals",
        default=True,
        db_default=True,
        help_text="Participants see their goals, in plain words, on their own page.",
    )
    progress_report_every_days = models.PositiveSmallIntegerField(
        "progress report every (days)",
        default=30,
        db_default=30,
        help_text="A progress report is due this many days after the plan or the last report.",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)


class User(AbstractUser):
    class Role(models.TextChoices):
        ADMINISTRATOR = "administrator", "Administrator"
        THERAPIST = "therapist", "Therapist"
        PARTICIPANT = "participant", "Participant"
        TEACHING_ARTIST = "teaching_artist", "Teaching artist"

    # Least privilege by default: a user nobody gave a role to sees nothing.
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.PARTICIPANT)
    credentials = models.CharField(
        max_length=60, blank=True, help_text="Professional credentials, e.g. MT-BC."
    )
    sites = models.ManyToManyField(
        Site,
        blank=True,
        related_name="administrators",
        help_text="Sites an administrator administers, or a therapist works at.",
    )
    # Interns and new clinicians: their notes are final only once this therapist
    # co-signs them.
    supervisor = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="supervisees",
        limit_choices_to={"role": "therapist"},
        help_text="For an intern or new clinician: the board-certified therapist who "
        "co-signs their session notes.",
    )
    # Secret of the therapist's calendar feed URL; reset to revoke every subscription.
    calendar_token = models.CharField(max_length=64, unique=True, null=True, blank=True)
    # Staff pages are in English unless the staff member picks another language.
    language = models.CharField(
        max_length=8,
        choices=languages.CHOICES,
        default=languages.ENGLISH,
        # Also in the database: bulk loads (seed_scale's COPY) that name no language.
        db_default=languages.ENGLISH,
        help_text="The language of Refrain's staff pages for this user.",
    )

    objects = UserManager()

    class Meta:
        ordering = ["last_name", "first_name", "username"]
        constraints = [
            models.CheckConstraint(
                name="user_not_own_supervisor",
                condition=~Q(supervisor=models.F("id")),
                violation_error_message="A therapist cannot supervise themself.",
            )
        ]

    def __str__(self) -> str:
        full = self.get_full_name() or self.username
        return f"{full}, {self.credentials}" if self.credentials else full

    def clean(self) -> None:
        super().clean()
        if self.supervisor_id is None:
            return
        if self.role != self.Role.THERAPIST:
            raise ValidationError({"supervisor": "Only a therapist's notes are co-signed."})
        if self.pk is not None and self.supervisor_id == self.pk:
            raise ValidationError({"supervisor": "A therapist cannot supervise themself."})
        supervisor = self.supervisor
        if supervisor.role != self.Role.THERAPIST or supervisor.is_superuser:
            raise ValidationError({"supervisor": "Choose a therapist as the supervisor."})
        if self.pk is not None and supervisor.supervisor_id == self.pk:
            raise ValidationError(
                {"supervisor": f"{supervisor} is supervised by this therapist: choose another."}
            )

    @property
    def is_administrator(self) -> bool:
        return self.is_superuser or self.role == self.Role.ADMINISTRATOR

    @property
    def is_therapist(self) -> bool:
        return self.role == self.Role.THERAPIST and not self.is_superuser

    @property
    def is_participant(self) -> bool:
        return self.role == self.Role.PARTICIPANT and not self.is_superuser

    @property
    def is_teaching_artist(self) -> bool:
        return self.role == self.Role.TEACHING_ARTIST and not self.is_superuser


class TherapistManager(UserManager):
    def get_queryset(self):
        return super().get_queryset().filter(role=User.Role.THERAPIST)


class Therapist(User):
    """Therapists, as a view on users, for the admin and for pickers."""

    objects = TherapistManager()

    class Meta:
        proxy = True


class Participant(models.Model):
    class Channel(models.TextChoices):
        EMAIL = "email", "Email"
        SMS = "sms", "Text message (SMS)"
        NONE = "none", "No reminders"

    # Participants may have no login at all and act through signed links.
    user = models.OneToOneField(
        User,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="participant_profile",
    )
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="participants")
    first_name = models.CharField(max_length=80)
    last_name = models.CharField(max_length=80)
    preferred_name = models.CharField(max_length=80, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=32, blank=True, help_text="E.164, e.g. +15551234567.")
    reminder_channel = models.CharField(
        max_length=10, choices=Channel.choices, default=Channel.NONE
    )
    reminders_opt_in = models.BooleanField(
        default=False, help_text="The participant has agreed to receive reminders."
    )
    quiet_hours_start = models.TimeField(null=True, blank=True)
    quiet_hours_end = models.TimeField(null=True, blank=True)
    time_zone = models.CharField(
        max_length=64,
        blank=True,
        validators=[validate_time_zone],
        help_text="Leave blank to use the site's time zone.",
    )
    # Their pages, reminders, kiosk screens and calendar are in this language.
    language = models.CharField(
        max_length=8,
        choices=languages.CHOICES,
        default=languages.ENGLISH,
        # Also in the database: bulk loads (seed_scale's COPY) that name no language.
        db_default=languages.ENGLISH,
        help_text="Their pages, reminders and calendar are written in this language.",
    )
    # When the participant pressed "stop": kept so staff can see why nothing is sent.
    reminders_stopped_at = models.DateTimeField(null=True, blank=True)
    # Raising it invalidates every signed link sent to the participant so far.
    link_version = models.PositiveIntegerField(default=0)
    calendar_token = models.CharField(max_length=64, unique=True, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["last_name", "first_name"]
        constraints = [
            models.CheckConstraint(
                name="participant_email_channel_needs_email",
                condition=~Q(reminder_channel="email", email=""),
                violation_error_message="Email reminders need an email address.",
            ),
            models.CheckConstraint(
                name="participant_sms_channel_needs_phone",
                condition=~Q(reminder_channel="sms", phone=""),
                violation_error_message="Text-message reminders need a phone number.",
            ),
            models.CheckConstraint(
                name="participant_quiet_hours_both_or_neither",
                condition=Q(quiet_hours_start__isnull=True, quiet_hours_end__isnull=True)
                | Q(quiet_hours_start__isnull=False, quiet_hours_end__isnull=False),
                violation_error_message="Give both ends of the quiet hours, or neither.",
            ),
        ]

    def __str__(self) -> str:
        return self.short_name

    @property
    def display_name(self) -> str:
        return self.preferred_name or self.first_name

    @property
    def short_name(self) -> str:
        """Preferred name and last initial: enough for a sign-in sheet, no more."""
        initial = f" {self.last_name[:1]}." if self.last_name else ""
        return f"{self.display_name}{initial}"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone or self.site.time_zone)

    def in_quiet_hours(self, local: time) -> bool:
        start, end = self.quiet_hours_start, self.quiet_hours_end
        if start is None or end is None or start == end:
            return False
        if start < end:
            return start <= local < end
        return local >= start or local < end  # spans midnight, e.g. 21:00–08:00
