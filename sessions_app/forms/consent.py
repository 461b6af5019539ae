"""Consents to disclose (42 CFR Part 2 style), their revocation, and exports under them.

Forms only normalise input; `sessions_app.services.consent` decides.
"""

from django import forms

from . import BoundedDateField
from .groups import DATE


class ConsentForm(forms.Form):
    disclose_what = forms.CharField(
        label="What may be disclosed",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="As the signed form says, e.g. “attendance and session dates; "
        "the therapist’s notes about the participant”.",
    )
    disclose_to = forms.CharField(
        label="To whom",
        max_length=255,
        help_text="The person or organisation named on the form.",
    )
    purpose = forms.CharField(max_length=255, help_text="e.g. “coordination of care”.")
    signed_on = BoundedDateField(label="Signed on", widget=DATE)
    expires_on = BoundedDateField(
        label="Expires on", widget=DATE, help_text="The date the signed form gives."
    )


class RevokeForm(forms.Form):
    note = forms.CharField(
        label="How was it revoked?",
        max_length=255,
        help_text="e.g. “in writing, letter dated 3 March” or “told M. Reyes by phone”. "
        "A revocation may be oral; say who received it.",
    )


class ExportForm(forms.Form):
    error_intro = "Nothing was exported. Fix these:"
    recipient = forms.ChoiceField(label="Disclose to")
    include_notes = forms.BooleanField(
        required=False,
        label="Include the therapists’ signed notes about the participant",
    )
    include_measures = forms.BooleanField(
        required=False,
        label="Include the participant’s questionnaire scores (dates, names, scores, bands)",
    )
    include_reports = forms.BooleanField(
        required=False,
        label="Include the signed progress reports and discharge summaries (with their "
        "addenda) whose period falls within the dates below",
    )
    start = BoundedDateField(required=False, label="Sessions from", widget=DATE)
    end = BoundedDateField(required=False, label="Sessions to", widget=DATE)
    confirm = forms.BooleanField(
        label="I have checked that this is no more than the consent allows "
        "(what may be disclosed, and for what purpose)."
    )

    def __init__(self, *args, recipients: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["recipient"].choices = [(r, r) for r in recipients]

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", "The end date is before the start date.")
        return data
