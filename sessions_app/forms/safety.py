"""Recording the follow-up of a safety alert."""

from django import forms


class AlertFollowUpForm(forms.Form):
    follow_up = forms.CharField(
        label="What was done",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
        help_text="Who reached the participant, how, and what was agreed. Administrators "
        "never see this text.",
    )
