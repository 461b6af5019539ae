"""Treatment planning, the thread from assessment to discharge (AMTA's standards):

assessment → treatment plan (needs → goals → measurable objectives, methods, a review
date) → progress on each objective recorded in the group notes → progress reports and
a discharge summary drafted from that record.

Each document is drafted, then signed; signed, it never changes. A plan is revised by a
new version that carries its objectives forward (`Objective.origin` ties them across
versions, so progress reads as one line), and the old version stays readable. A report
is corrected by addenda.

These are the most clinical words in Refrain: administrators see that a plan exists,
its status and dates, never its text (see permissions and the audit trail's masks).
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from .notes import Addendum, SessionNote
from .people import Participant


class GoalArea(models.Model):
    """A domain a goal, a song or a planned activity speaks to."""

    name = models.CharField(max_length=60, unique=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class SignedDocument(models.Model):
    """Drafted by one of the participant's therapists, then signed once."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SIGNED = "signed", "Signed"

    status = models.CharField(max_length=6, choices=Status.choices, default=Status.DRAFT)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    signed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(
                name="%(class)s_signed_has_signer",
                condition=Q(status="draft", signed_at__isnull=True, signed_by__isnull=True)
                | Q(status="signed", signed_at__isnull=False, signed_by__isnull=False),
                violation_error_message="A draft has no signature; a signed document has one.",
            )
        ]

    @property
    def is_signed(self) -> bool:
        return self.status == self.Status.SIGNED


class Assessment(SignedDocument):
    """A music therapist's assessment: the areas of the AMTA standards, in order."""

    # (field, label, what to write): the form and the page follow this order.
    AREAS = (
        ("referral", "Reason for referral", "Why music therapy, and who referred them."),
        (
            "music_background",
            "Music background and preferences",
            "Instruments played, singing, songs and styles that matter to them, what to avoid.",
        ),
        ("social", "Social", "Relating to others in the group, trust, isolation."),
        ("emotional", "Emotional", "Affect, expression, regulation, what stirs craving."),
        ("cognitive", "Cognitive", "Attention, memory, following structure, insight."),
        ("communication", "Communication", "Verbal and non-verbal, in and through music."),
        ("physical", "Physical", "Motor skills, breath, stamina, anything that limits playing."),
        (
            "strengths",
            "Strengths and recovery supports",
            "What they bring, who supports their recovery, what keeps them going.",
        ),
        ("summary", "Summary and recommendations", "What music therapy should address."),
    )

    participant = models.ForeignKey(
        Participant, on_delete=models.PROTECT, related_name="assessments"
    )
    assessed_on = models.DateField()
    referral = models.TextField(blank=True)
    music_background = models.TextField(blank=True)
    social = models.TextField(blank=True)
    emotional = models.TextField(blank=True)
    cognitive = models.TextField(blank=True)
    communication = models.TextField(blank=True)
    physical = models.TextField(blank=True)
    strengths = models.TextField(blank=True)
    summary = models.TextField(blank=True)

    class Meta(SignedDocument.Meta):
        ordering = ["-assessed_on", "-pk"]
        indexes = [models.Index(fields=["participant", "assessed_on"])]

    def __str__(self) -> str:
        return f"Assessment of {self.participant} on {self.assessed_on:%Y-%m-%d}"

    @property
    def areas(self) -> list[tuple[str, str]]:
        return [(label, getattr(self, name)) for name, label, _ in self.AREAS]


class TreatmentPlan(SignedDocument):
    """One version of a participant's plan. The current plan is the latest signed version;
    signing a new one marks the previous as superseded."""

    class Method(models.TextChoices):
        RECEPTIVE = "receptive", "Receptive (listening, relaxation, lyric analysis)"
        RECREATIVE = "recreative", "Re-creative (singing and playing existing music)"
        IMPROVISATIONAL = "improvisational", "Improvisational"
        COMPOSITIONAL = "compositional", "Compositional (songwriting)"

    participant = models.ForeignKey(
        Participant, on_delete=models.PROTECT, related_name="treatment_plans"
    )
    version = models.PositiveSmallIntegerField()
    previous = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="next_version"
    )
    starts_on = models.DateField()
    review_on = models.DateField("review by")
    methods = models.JSONField(default=list, blank=True)
    superseded_at = models.DateTimeField(null=True, blank=True)

    class Meta(SignedDocument.Meta):
        ordering = ["participant", "-version"]
        constraints = [
            *SignedDocument.Meta.constraints,
            models.UniqueConstraint(
                fields=["participant", "version"], name="treatmentplan_unique_version"
            ),
            # One draft at a time, and one plan in force.
            models.UniqueConstraint(
                fields=["participant"],
                condition=Q(status="draft"),
                name="treatmentplan_one_draft",
            ),
            models.UniqueConstraint(
                fields=["participant"],
                condition=Q(status="signed", superseded_at__isnull=True),
                name="treatmentplan_one_current",
            ),
            models.CheckConstraint(
                name="treatmentplan_review_after_start",
                condition=Q(review_on__gte=F("starts_on")),
                violation_error_message="The review date is on or after the plan's start.",
            ),
        ]
        indexes = [
            # Reviews due: plans in force by review date.
            models.Index(
                fields=["review_on"],
                condition=Q(status="signed", superseded_at__isnull=True),
                name="treatmentplan_current_review",
            )
        ]

    def __str__(self) -> str:
        return f"Treatment plan v{self.version} for {self.participant}"

    @property
    def is_current(self) -> bool:
        return self.is_signed and self.superseded_at is None

    @property
    def method_labels(self) -> list[str]:
        labels = dict(self.Method.choices)
        return [labels[m] for m in self.methods if m in labels]


class Goal(models.Model):
    plan = models.ForeignKey(TreatmentPlan, on_delete=models.CASCADE, related_name="goals")
    position = models.PositiveSmallIntegerField()
    need = models.TextField("need it answers")
    area = models.ForeignKey(GoalArea, on_delete=models.PROTECT, related_name="goals")
    statement = models.TextField("goal")
    # Shown to the participant on their own page where the programme allows it.
    plain_words = models.CharField(
        "in plain words, for the participant", max_length=300, blank=True
    )

    class Meta:
        ordering = ["plan", "position"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "position"], name="goal_unique_position")
        ]

    def __str__(self) -> str:
        return f"Goal {self.position} of {self.plan}"


class Objective(models.Model):
    """What the person will do, how often or how well, by when."""

    class Outcome(models.TextChoices):
        # A new objective has no outcome yet; the others are set at a review.
        CONTINUED = "continued", "Continued"
        REVISED = "revised", "Revised"
        MET = "met", "Met"
        DISCONTINUED = "discontinued", "Discontinued"

    ACTIVE_OUTCOMES = ("", Outcome.CONTINUED, Outcome.REVISED)

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="objectives")
    position = models.PositiveSmallIntegerField()
    behaviour = models.CharField("the participant will", max_length=300)
    criterion = models.CharField("how often or how well", max_length=200)
    target_on = models.DateField("by")
    # The same objective in the plan's first version, for one carried forward at a
    # review: its progress reads as one line across versions.
    origin = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    outcome = models.CharField(
        "at review", max_length=12, choices=Outcome.choices, blank=True, default=""
    )

    class Meta:
        ordering = ["goal", "position"]
        constraints = [
            models.UniqueConstraint(fields=["goal", "position"], name="objective_unique_position")
        ]

    def __str__(self) -> str:
        return f"{self.behaviour} {self.criterion}".strip()

    @property
    def is_active(self) -> bool:
        return self.outcome in self.ACTIVE_OUTCOMES

    @property
    def thread(self) -> int:
        """One id for this objective across the plan's versions."""
        return self.origin_id or self.pk


class ObjectiveProgress(models.Model):
    """Progress on one objective, recorded in the group note of a session it was seen in."""

    class Level(models.TextChoices):
        NOT_ADDRESSED = "not_addressed", "Not addressed"
        MINIMAL = "minimal", "Minimal"
        MODERATE = "moderate", "Moderate"
        SIGNIFICANT = "significant", "Significant"
        MET = "met", "Met"

    note = models.ForeignKey(SessionNote, on_delete=models.CASCADE, related_name="progress")
    participant = models.ForeignKey(
        Participant, on_delete=models.PROTECT, related_name="objective_progress"
    )
    objective = models.ForeignKey(Objective, on_delete=models.PROTECT, related_name="progress")
    level = models.CharField(max_length=14, choices=Level.choices)
    observation = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["note", "objective"]
        verbose_name_plural = "objective progress"
        constraints = [
            models.UniqueConstraint(fields=["note", "objective"], name="progress_unique_per_note")
        ]
        indexes = [models.Index(fields=["participant", "note"])]

    def __str__(self) -> str:
        return f"{self.get_level_display()} — {self.objective}"


class ProgressReport(SignedDocument):
    """A periodic progress report or the discharge summary, drafted from the record."""

    class Kind(models.TextChoices):
        PROGRESS = "progress", "Progress report"
        DISCHARGE = "discharge", "Discharge summary"

    # (field, label): the narrative sections, in order; drafted from the record.
    SECTIONS = (
        ("attendance", "Attendance"),
        ("progress", "Progress on objectives"),
        ("measures", "Measures"),
        ("own_words", "In the participant's words"),
        ("recommendations", "Recommendations"),
    )

    participant = models.ForeignKey(
        Participant, on_delete=models.PROTECT, related_name="progress_reports"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.PROGRESS)
    period_start = models.DateField()
    period_end = models.DateField()
    plan = models.ForeignKey(
        TreatmentPlan, null=True, blank=True, on_delete=models.PROTECT, related_name="reports"
    )
    attendance = models.TextField(blank=True)
    progress = models.TextField(blank=True)
    measures = models.TextField(blank=True)
    own_words = models.TextField(blank=True)
    recommendations = models.TextField(blank=True)
    discharge_reason = models.TextField("reason for discharge", blank=True)

    class Meta(SignedDocument.Meta):
        ordering = ["-period_end", "-pk"]
        constraints = [
            *SignedDocument.Meta.constraints,
            models.CheckConstraint(
                name="progressreport_period_in_order",
                condition=Q(period_end__gte=F("period_start")),
                violation_error_message="The period ends on or after it starts.",
            ),
        ]
        indexes = [models.Index(fields=["participant", "period_end"])]

    def __str__(self) -> str:
        return (
            f"{self.get_kind_display()} for {self.participant}, "
            f"{self.period_start:%Y-%m-%d} to {self.period_end:%Y-%m-%d}"
        )

    @property
    def sections(self) -> list[tuple[str, str]]:
        return [(label, getattr(self, name)) for name, label in self.SECTIONS]


class ReportAddendum(Addendum):
    report = models.ForeignKey(ProgressReport, on_delete=models.PROTECT, related_name="addenda")

    class Meta(Addendum.Meta):
        verbose_name_plural = "report addenda"

    def __str__(self) -> str:
        return f"Addendum {self.created_at:%Y-%m-%d} to {self.report}"
