"""Progress reports and discharge summaries: the period to draft, the sections to edit,
an addendum. Forms only normalise input; `services.progress_reports` decides."""

from django import forms

from ..models import ProgressReport
from . import BoundedDateField
from .field_views import FieldView, field_view
from .groups import DATE

SECTION_HELP = {
    "attendance": "Drafted from the roll calls of the period.",
    "progress": "Drafted from the progress recorded in signed notes: add what the levels "
    "do not say.",
    "measures": "Drafted from the questionnaires answered in the period.",
    "own_words": "Only reflections the participant allowed to be quoted are drafted here.",
    "recommendations": "Needed to sign, e.g. “Continue weekly group music therapy; review "
    "the plan by …”.",
    "discharge_reason": "Needed to sign a discharge summary: why treatment ends, and where "
    "they go from here.",
}


class ReportNewForm(forms.Form):
    kind = forms.ChoiceField(
        choices=ProgressReport.Kind.choices,
        widget=forms.RadioSelect,
        label="Report",
        initial=ProgressReport.Kind.PROGRESS,
    )
    period_start = BoundedDateField(label="Period from", widget=DATE)
    period_end = BoundedDateField(label="Period to", widget=DATE)

    def fields_shown(self) -> list[FieldView]:
        return [field_view(self[name]) for name in ("kind", "period_start", "period_end")]


class ReportForm(forms.Form):
    """A draft's sections; a discharge summary also has its reason."""

    def __init__(self, *args, report: ProgressReport, **kwargs):
        super().__init__(*args, **kwargs)
        self.names = [name for name, _ in ProgressReport.SECTIONS]
        labels = dict(ProgressReport.SECTIONS)
        if report.kind == ProgressReport.Kind.DISCHARGE:
            self.names.append("discharge_reason")
            labels["discharge_reason"] = "Reason for discharge"
        for name in self.names:
            self.fields[name] = forms.CharField(
                label=labels[name],
                required=False,
                help_text=SECTION_HELP[name],
                widget=forms.Textarea(attrs={"rows": 8 if name == "progress" else 4}),
            )
            self.initial.setdefault(name, getattr(report, name))

    def sections(self) -> list[FieldView]:
        return [field_view(self[name]) for name in self.names]

    def texts(self) -> dict[str, str]:
        return {name: self.cleaned_data.get(name, "") for name in self.names}


class ReportAddendumForm(forms.Form):
    text = forms.CharField(
        label="New addendum",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Dated and signed with your name. The report stays as it was signed.",
        error_messages={"required": "Write the addendum before adding it."},
    )

    def text_field(self) -> FieldView:
        return field_view(self["text"])
