"""Session notes: the group note, actual times, a note per attending participant."""

from dataclasses import dataclass

from django import forms

from ..models import ObjectiveProgress, SessionNote
from ..selectors.meetings import SessionRecord
from ..services.notes import NoteDraft, section_label
from .field_views import FieldView, field_view

ALL_SECTIONS = ("subjective", "objective", "data", "assessment", "plan")

SECTION_HELP = {
    "subjective": "What participants said or reported, in their words where it helps.",
    "objective": "What you observed: participation, affect, interaction, music-making.",
    "data": "What happened and what you observed, in and through the music.",
    "assessment": "What it means: progress toward the group's goals, concerns.",
    "plan": "What comes next for the group.",
}


@dataclass
class ProgressField:
    """One objective in a participant's section of the note: its level and observation."""

    objective: object
    level: FieldView
    observation: FieldView
    # What in this session's plan was tagged with the objective's goal area.
    served_by: list[str]


@dataclass
class ParticipantSection:
    note: FieldView
    progress: list[ProgressField]


LEVEL_CHOICES = [("", "Not recorded")] + ObjectiveProgress.Level.choices


def _formats_of(name: str) -> str:
    return " ".join(fmt for fmt, names in SessionNote.SECTIONS.items() if name in names)


class NoteForm(forms.Form):
    format = forms.ChoiceField(
        choices=SessionNote.Format.choices, widget=forms.RadioSelect, label="Note format"
    )
    actual_start = forms.TimeField(
        label="Started at",
        required=False,
        widget=forms.TimeInput(format="%H:%M", attrs={"type": "time"}),
    )
    actual_end = forms.TimeField(
        label="Ended at",
        required=False,
        widget=forms.TimeInput(format="%H:%M", attrs={"type": "time"}),
    )

    def __init__(self, *args, record: SessionRecord, tz_label: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.record = record
        for name in ALL_SECTIONS:
            self.fields[name] = forms.CharField(
                label=section_label(name),
                required=False,
                help_text=SECTION_HELP[name],
                widget=forms.Textarea(attrs={"rows": 4}),
            )
        self.tz_label = tz_label

        # A note for each participant who attended, and for anyone who already has one
        # (their attendance changed since), so that it can be seen and cleared.
        self.participant_lines = [
            line
            for line in record.lines
            if line.attended or line.participant.pk in record.participant_notes
        ]
        for line in self.participant_lines:
            status = line.attendance.get_status_display() if line.attendance else "not recorded"
            self.fields[f"pnote-{line.participant.pk}"] = forms.CharField(
                label=f"{line.participant.short_name} ({status.lower()})",
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
            for pl in record.progress.get(line.participant.pk, []):
                oid = pl.objective.pk
                self.fields[f"prog-{oid}-level"] = forms.ChoiceField(
                    label="Progress", choices=LEVEL_CHOICES, required=False
                )
                self.fields[f"prog-{oid}-obs"] = forms.CharField(
                    label="Observation",
                    required=False,
                    max_length=300,
                    widget=forms.TextInput(attrs={"maxlength": 300}),
                )
                if pl.progress is not None:
                    self.initial.setdefault(f"prog-{oid}-level", pl.progress.level)
                    self.initial.setdefault(f"prog-{oid}-obs", pl.progress.observation)
        self._set_initial()

    def _set_initial(self) -> None:
        session, note = self.record.session, self.record.note
        tz = session.group.site.tz
        starts = session.actual_starts_at or session.starts_at
        ends = session.actual_ends_at or session.ends_at
        self.initial.setdefault("actual_start", starts.astimezone(tz).time())
        self.initial.setdefault("actual_end", ends.astimezone(tz).time())
        self.initial.setdefault("format", note.format if note else SessionNote.Format.SOAP)
        if note:
            for name in ALL_SECTIONS:
                self.initial.setdefault(name, getattr(note, name))
        for pid, pn in self.record.participant_notes.items():
            self.initial.setdefault(f"pnote-{pid}", pn.text)

    @property
    def times_from_schedule(self) -> bool:
        """Whether the times shown are the schedule's, none recorded yet."""
        session = self.record.session
        return session.actual_starts_at is None or session.actual_ends_at is None

    def times(self) -> list[FieldView]:
        return [field_view(self["actual_start"]), field_view(self["actual_end"])]

    def note_format(self) -> FieldView:
        return field_view(self["format"])

    def sections(self) -> list[tuple[FieldView, str]]:
        """Each section's field, with the formats (soap, dap) it belongs to."""
        return [(field_view(self[name]), _formats_of(name)) for name in ALL_SECTIONS]

    def participant_fields(self) -> list[FieldView]:
        return [field_view(self[f"pnote-{line.participant.pk}"]) for line in self.participant_lines]

    def participant_sections(self) -> list[ParticipantSection]:
        """Each participant's note, then progress on each of their objectives, with what
        in the session's plan served its goal area: the golden thread, plan to note."""
        by_area = self.record.plan_by_area
        return [
            ParticipantSection(
                note=field_view(self[f"pnote-{line.participant.pk}"]),
                progress=[
                    ProgressField(
                        pl.objective,
                        field_view(self[f"prog-{pl.objective.pk}-level"]),
                        field_view(self[f"prog-{pl.objective.pk}-obs"]),
                        by_area.get(pl.objective.goal.area_id, []),
                    )
                    for pl in self.record.progress.get(line.participant.pk, [])
                ],
            )
            for line in self.participant_lines
        ]

    def draft(self) -> NoteDraft:
        data = self.cleaned_data
        return NoteDraft(
            format=data["format"],
            sections={name: data.get(name, "") for name in ALL_SECTIONS},
            actual_start=data.get("actual_start"),
            actual_end=data.get("actual_end"),
            participant_notes={
                line.participant.pk: data.get(f"pnote-{line.participant.pk}", "")
                for line in self.participant_lines
            },
            progress={
                pl.objective.pk: (
                    data.get(f"prog-{pl.objective.pk}-level", ""),
                    data.get(f"prog-{pl.objective.pk}-obs", ""),
                )
                for line in self.participant_lines
                for pl in self.record.progress.get(line.participant.pk, [])
            },
        )


class AddendumForm(forms.Form):
    text = forms.CharField(
        label="New addendum",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Dated and signed with your name. The note itself stays as it was signed.",
        error_messages={"required": "Write the addendum before adding it."},
    )

    def text_field(self) -> FieldView:
        return field_view(self["text"])


class SendBackForm(forms.Form):
    comment = forms.CharField(
        label="What to change",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Shown to the note's author on the note form. Needed to send it back.",
    )

    def comment_field(self) -> FieldView:
        return field_view(self["comment"])
