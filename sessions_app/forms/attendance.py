"""Roll call: one status and a number of minutes per participant on the roster."""

from dataclasses import dataclass

from django import forms

from ..models import Attendance, Participant
from ..selectors.meetings import RosterLine
from ..services.attendance import AttendanceEntry, attendance_entry_problem


@dataclass(frozen=True)
class StatusChoice:
    """One status button of a row, ready to print."""

    value: str
    label: str
    id: str
    checked: bool


@dataclass
class RollCallRow:
    participant: Participant
    attendance: Attendance | None
    status: forms.BoundField
    minutes: forms.BoundField

    @property
    def choices(self) -> list[StatusChoice]:
        """The status buttons, printed by the template itself: rendering each radio
        through Django's widget templates cost more than the rest of the page with a
        full group at the door."""
        current = self.status.value()
        current = "" if current is None else str(current)
        prefix = self.status.auto_id
        return [
            StatusChoice(value, label, f"{prefix}_{i}", value == current)
            for i, (value, label) in enumerate(Attendance.Status.choices)
        ]


class RollCallForm(forms.Form):
    """Fields `status-<participant id>` and `minutes-<participant id>` for the roster.

    Only the participants given as `lines` have fields, so nobody else can be recorded
    through this form whatever the request holds. A participant left without a status
    is left as they were (not recorded yet, or recorded earlier).
    """

    def __init__(self, *args, lines: list[RosterLine], max_minutes: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.lines = [line for line in lines if line.on_roster]
        self.max_minutes = max_minutes
        for line in self.lines:
            pid, record = line.participant.pk, line.attendance
            self.fields[f"status-{pid}"] = forms.ChoiceField(
                label=f"Attendance of {line.participant.short_name}",
                choices=Attendance.Status.choices,
                required=False,
                widget=forms.RadioSelect(attrs={"class": "btn-check", "autocomplete": "off"}),
                initial=record.status if record else None,
            )
            self.fields[f"minutes-{pid}"] = forms.IntegerField(
                label=f"Minutes attended by {line.participant.short_name}",
                required=False,
                min_value=0,
                max_value=max_minutes,
                initial=record.minutes_attended if record else None,
                error_messages={
                    "max_value": f"At most {max_minutes} minutes.",
                    "min_value": "Minutes cannot be negative.",
                    "invalid": "Minutes are a whole number.",
                },
            )

    def clean(self):
        cleaned = super().clean()
        for line in self.lines:
            pid = line.participant.pk
            status, minutes = cleaned.get(f"status-{pid}"), cleaned.get(f"minutes-{pid}")
            if not status:
                if minutes not in (None, 0) and f"minutes-{pid}" not in self.errors:
                    self.add_error(f"status-{pid}", "Choose a status for these minutes.")
                continue
            problem = attendance_entry_problem(
                status=status, minutes=minutes, max_minutes=self.max_minutes
            )
            if problem and f"minutes-{pid}" not in self.errors:
                self.add_error(f"minutes-{pid}", problem)
        return cleaned

    def rows(self) -> list[RollCallRow]:
        return [
            RollCallRow(
                participant=line.participant,
                attendance=line.attendance,
                status=self[f"status-{line.participant.pk}"],
                minutes=self[f"minutes-{line.participant.pk}"],
            )
            for line in self.lines
        ]

    def entries(self) -> dict[int, AttendanceEntry]:
        """What the roll call says, for the participants given a status."""
        entries = {}
        for line in self.lines:
            pid = line.participant.pk
            status = self.cleaned_data.get(f"status-{pid}")
            if status:
                entries[pid] = AttendanceEntry(status, self.cleaned_data.get(f"minutes-{pid}"))
        return entries
