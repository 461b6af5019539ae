"""A participant's reminder settings. The service checks what goes with what (an email
for email reminders, a phone for texts, both ends of quiet hours)."""

from django import forms

from ..models import Participant

TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class ReminderSettingsForm(forms.Form):
    reminders_opt_in = forms.BooleanField(
        label="Send me reminders before my sessions", required=False
    )
    reminder_channel = forms.ChoiceField(
        label="How should we remind you?",
        choices=Participant.Channel.choices,
        widget=forms.RadioSelect,
    )
    email = forms.EmailField(
        required=False,
        error_messages={"invalid": "This does not look like an email address."},
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    phone = forms.CharField(
        label="Mobile number",
        max_length=32,
        required=False,
        help_text="With the country code, e.g. +15551234567.",
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}),
    )
    quiet_hours_start = forms.TimeField(label="Quiet from", required=False, widget=TIME)
    quiet_hours_end = forms.TimeField(label="Quiet until", required=False, widget=TIME)

    @classmethod
    def initial_from(cls, participant: Participant) -> dict:
        return {
            "reminders_opt_in": participant.reminders_opt_in,
            "reminder_channel": participant.reminder_channel,
            "email": participant.email,
            "phone": participant.phone,
            "quiet_hours_start": participant.quiet_hours_start,
            "quiet_hours_end": participant.quiet_hours_end,
        }
