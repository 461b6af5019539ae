"""Session notes: a group note with per-participant notes, signed once, then addenda.

A note by a supervised therapist (an intern, a new clinician) is final only once their
supervisor co-signs it: signed by its author it waits for co-signature, and the
supervisor either co-signs it or sends it back to draft with a comment.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from .meetings import Session
from .people import Participant


class SessionNote(models.Model):
    class Format(models.TextChoices):
        SOAP = "soap", "SOAP (subjective, objective, assessment, plan)"
        DAP = "dap", "DAP (data, assessment, plan)"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        # Signed by a supervised author, waiting for their supervisor's co-signature.
        REVIEW = "review", "Awaiting co-signature"
        # Final: signed (and co-signed where the author is supervised).
        SIGNED = "signed", "Signed"

    # Which fields each format fills, in the order they are written.
    SECTIONS = {
        Format.SOAP: ("subjective", "objective", "assessment", "plan"),
        Format.DAP: ("data", "assessment", "plan"),
    }

    session = models.OneToOneField(Session, on_delete=models.PROTECT, related_name="note")
    format = models.CharField(max_length=4, choices=Format.choices, default=Format.SOAP)
    subjective = models.TextField(blank=True)
    objective = models.TextField(blank=True)
    data = models.TextField(blank=True)
    assessment = models.TextField(blank=True)
    plan = models.TextField(blank=True)
    status = models.CharField(max_length=6, choices=Status.choices, default=Status.DRAFT)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    signed_at = models.DateTimeField(null=True, blank=True)
    cosigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    cosigned_at = models.DateTimeField(null=True, blank=True)
    # The supervisor's comment when they last sent the note back; cleared when it is
    # signed again (the audit trail keeps every one).
    returned_comment = models.TextField(blank=True, db_default="")
    returned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    returned_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                name="sessionnote_signed_has_signer",
                condition=Q(
                    status="draft",
                    signed_at__isnull=True,
                    signed_by__isnull=True,
                    cosigned_at__isnull=True,
                    cosigned_by__isnull=True,
                )
                | Q(
                    status="review",
                    signed_at__isnull=False,
                    signed_by__isnull=False,
                    cosigned_at__isnull=True,
                    cosigned_by__isnull=True,
                )
                | Q(
                    Q(cosigned_at__isnull=True, cosigned_by__isnull=True)
                    | Q(cosigned_at__isnull=False, cosigned_by__isnull=False),
                    status="signed",
                    signed_at__isnull=False,
                    signed_by__isnull=False,
                ),
                violation_error_message=(
                    "A draft has no signature; a note awaiting co-signature has its "
                    "author's; a final note has its author's and, if any, a co-signer's."
                ),
            ),
            models.CheckConstraint(
                name="sessionnote_cosigner_not_signer",
                condition=~Q(cosigned_by=F("signed_by")),
                violation_error_message="A note is co-signed by someone other than its signer.",
            ),
            models.CheckConstraint(
                name="sessionnote_returned_has_comment",
                condition=Q(returned_at__isnull=True, returned_by__isnull=True, returned_comment="")
                | (
                    Q(status="draft", returned_at__isnull=False, returned_by__isnull=False)
                    & ~Q(returned_comment="")
                ),
                violation_error_message="A note sent back is a draft, with who, when and why.",
            ),
        ]

    def __str__(self) -> str:
        return f"Note for {self.session}"

    @property
    def is_signed(self) -> bool:
        """Final: part of the record, locked, counted as signed."""
        return self.status == self.Status.SIGNED

    @property
    def awaits_cosignature(self) -> bool:
        return self.status == self.Status.REVIEW

    @property
    def is_locked(self) -> bool:
        """Signed by its author: no longer a draft, whether or not it is final yet."""
        return self.status != self.Status.DRAFT

    @property
    def was_returned(self) -> bool:
        return self.returned_at is not None

    @property
    def sections(self) -> list[tuple[str, str]]:
        """(label, text) of the sections this note's format uses."""
        return [
            (self._meta.get_field(name).verbose_name.capitalize(), getattr(self, name))
            for name in self.SECTIONS[self.format]
        ]


class ParticipantNote(models.Model):
    note = models.ForeignKey(
        SessionNote, on_delete=models.CASCADE, related_name="participant_notes"
    )
    participant = models.ForeignKey(
        Participant, on_delete=models.PROTECT, related_name="session_notes"
    )
    text = models.TextField(blank=True)

    class Meta:
        ordering = ["participant__last_name", "participant__first_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["note", "participant"], name="participantnote_unique_per_note"
            )
        ]

    def __str__(self) -> str:
        return f"{self.participant} — {self.note.session}"


class Addendum(models.Model):
    """A dated correction or addition to a signed document, which itself never changes."""

    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    text = models.TextField()

    class Meta:
        abstract = True
        ordering = ["created_at"]
        constraints = [
            models.CheckConstraint(
                name="%(class)s_has_text",
                condition=~Q(text=""),
                violation_error_message="An addendum needs some text.",
            )
        ]


class NoteAddendum(Addendum):
    note = models.ForeignKey(SessionNote, on_delete=models.PROTECT, related_name="addenda")

    class Meta(Addendum.Meta):
        verbose_name_plural = "note addenda"

    def __str__(self) -> str:
        return f"Addendum {self.created_at:%Y-%m-%d} to {self.note}"
