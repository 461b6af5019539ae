"""Emergency access and the review of first looks. Forms only normalise input;
`sessions_app.services.access` decides."""

from django import forms


class EmergencyFindForm(forms.Form):
    error_intro = "Fix these to search:"
    q = forms.CharField(
        label="Participant’s name",
        min_length=2,
        max_length=80,
        help_text="First, preferred or last name; at least two letters.",
    )


class EmergencyAccessForm(forms.Form):
    error_intro = "The record was not opened. Fix these:"
    reason = forms.CharField(
        label="Why do you need this record now?",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="e.g. “In crisis at the door after group; her therapist is on leave "
        "and I need her safety plan contacts.” Administrators review every emergency access.",
    )
    understood = forms.BooleanField(
        label="I understand that this access, and every page I open under it, is recorded, "
        "reviewed by an administrator and shown to the participant’s own therapists.",
    )


class ReviewForm(forms.Form):
    note = forms.CharField(
        label="Review note", max_length=500, required=False, help_text="Optional."
    )


class FirstLookForm(forms.Form):
    decision = forms.ChoiceField(choices=[("confirm", "Confirm"), ("undo", "Undo")])
