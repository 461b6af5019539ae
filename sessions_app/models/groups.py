"""Groups, who facilitates them, and who is enrolled when."""

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from .people import Participant, Site


def default_reminder_hours() -> list[int]:
    return [24, 2]


class Group(models.Model):
    class Enrollment(models.TextChoices):
        OPEN = "open", "Open (participants may join any week)"
        CLOSED = "closed", "Closed (fixed cohort)"

    class Weekday(models.IntegerChoices):
        MONDAY = 0, "Monday"
        TUESDAY = 1, "Tuesday"
        WEDNESDAY = 2, "Wednesday"
        THURSDAY = 3, "Thursday"
        FRIDAY = 4, "Friday"
        SATURDAY = 5, "Saturday"
        SUNDAY = 6, "Sunday"

    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="groups")
    name = models.CharField(max_length=120)
    # Clinical focus is for staff only: never shown in reminders or participant feeds.
    focus = models.CharField(max_length=200, blank=True)
    enrollment = models.CharField(
        max_length=10, choices=Enrollment.choices, default=Enrollment.OPEN
    )
    capacity = models.PositiveSmallIntegerField(default=10)
    facilitators = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Facilitation", related_name="facilitated_groups"
    )
    # The weekly schedule; times are wall-clock times in the site's zone.
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    start_time = models.TimeField()
    duration_minutes = models.PositiveSmallIntegerField(default=60)
    first_date = models.DateField()
    last_date = models.DateField(null=True, blank=True)
    room = models.CharField(max_length=80, blank=True)
    # Hours before each session that participants are reminded.
    reminder_hours = models.JSONField(default=default_reminder_hours, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["site__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["site", "name"], name="group_unique_name_per_site"),
            models.CheckConstraint(
                name="group_capacity_positive",
                condition=Q(capacity__gte=1),
                violation_error_message="Capacity must be at least 1.",
            ),
            models.CheckConstraint(
                name="group_duration_sane",
                condition=Q(duration_minutes__gte=5, duration_minutes__lte=480),
                violation_error_message="A session lasts between 5 minutes and 8 hours.",
            ),
            models.CheckConstraint(
                name="group_weekday_valid", condition=Q(weekday__gte=0, weekday__lte=6)
            ),
            models.CheckConstraint(
                name="group_last_date_after_first",
                condition=Q(last_date__isnull=True) | Q(last_date__gte=F("first_date")),
                violation_error_message="The last date cannot be before the first date.",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Facilitation(models.Model):
    class Role(models.TextChoices):
        LEAD = "lead", "Lead"
        CO = "co", "Co-facilitator"

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="facilitations")
    therapist = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="facilitations",
        limit_choices_to={"role": "therapist"},
    )
    role = models.CharField(max_length=4, choices=Role.choices, default=Role.CO)

    class Meta:
        ordering = ["role", "therapist__last_name"]
        constraints = [
            models.UniqueConstraint(fields=["group", "therapist"], name="facilitation_unique"),
            models.UniqueConstraint(
                fields=["group"], condition=Q(role="lead"), name="facilitation_one_lead"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.therapist} ({self.get_role_display()}) — {self.group}"


class EnrollmentQuerySet(models.QuerySet):
    def active_on(self, day: date) -> "EnrollmentQuerySet":
        return self.filter(start_date__lte=day).filter(
            Q(end_date__isnull=True) | Q(end_date__gte=day)
        )


class Enrollment(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        COMPLETED = "completed", "Completed"
        DISCHARGED = "discharged", "Discharged"
        WITHDRAWN = "withdrawn", "Withdrew"

    group = models.ForeignKey(Group, on_delete=models.PROTECT, related_name="enrollments")
    participant = models.ForeignKey(
        Participant, on_delete=models.PROTECT, related_name="enrollments"
    )
    start_date = models.DateField()
    # Inclusive: the participant belongs on sessions held on the end date.
    end_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.ACTIVE)
    discharge_reason = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Who enrolled the participant, and whether that gave them their first look at the
    # participant's record: a therapist's enrolment is how they come to see someone, so
    # administrators review each first look and can undo it.
    enrolled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # A database default too: the scale seed loads enrolments with COPY.
    first_look = models.BooleanField(default=False, db_default=False)
    access_reviewed_at = models.DateTimeField(null=True, blank=True)
    access_reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = EnrollmentQuerySet.as_manager()

    class Meta:
        ordering = ["group", "participant__last_name", "start_date"]
        constraints = [
            models.UniqueConstraint(
                fields=["group", "participant", "start_date"], name="enrollment_unique_start"
            ),
            models.CheckConstraint(
                name="enrollment_end_after_start",
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                violation_error_message="The end date cannot be before the start date.",
            ),
            models.CheckConstraint(
                name="enrollment_ended_has_end_date",
                condition=Q(status="active") | Q(end_date__isnull=False),
                violation_error_message="An enrollment that has ended needs an end date.",
            ),
        ]
        indexes = [
            models.Index(fields=["participant", "group"]),
            # The administrators' queue of first looks still to review.
            models.Index(
                fields=["-created_at"],
                condition=Q(first_look=True, access_reviewed_at__isnull=True),
                name="enrollment_first_look_open",
            ),
            # Who was enrolled in a site's groups over a period (the reports): read from
            # the index alone, group by group, instead of the whole table.
            models.Index(
                fields=["group", "start_date"],
                include=["end_date", "participant"],
                name="enrollment_group_period",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.participant} in {self.group}"

    def is_active_on(self, day: date) -> bool:
        return self.start_date <= day and (self.end_date is None or self.end_date >= day)
