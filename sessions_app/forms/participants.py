"""A participant's reminder settings. The service checks what goes with what (an email
for email reminders, a phone for texts, both ends of quiet hours)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .. import languages
from ..models import Participant

TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


# The participant reads these labels, so they are translated here rather than on the model.
CHANNELS = [
    (Participant.Channel.EMAIL, _("Email")),
    (Participant.Channel.SMS, _("Text message (SMS)")),
    (Participant.Channel.NONE, _("No reminders")),
]


class ReminderSettingsForm(forms.Form):
    # Both names in both languages: whoever reads the page can find their own.
    language = forms.ChoiceField(
        label=_("Language · Idioma"),
        choices=languages.CHOICES,
        required=False,  # left out: as it is
        widget=forms.RadioSelect,
        help_text=_("Your page, reminders and calendar are written in this language."),
    )
    reminders_opt_in = forms.BooleanField(
        label=_("Send me reminders before my sessions"), required=False
    )
    reminder_channel = forms.ChoiceField(
        label=_("How should we remind you?"),
        choices=CHANNELS,
        widget=forms.RadioSelect,
    )
    email = forms.EmailField(
        label=_("Email"),
        required=False,
        error_messages={"invalid": _("This does not look like an email address.")},
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    phone = forms.CharField(
        label=_("Mobile number"),
        max_length=32,
        required=False,
        help_text=_("With the country code, e.g. +15551234567."),
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}),
    )
    quiet_hours_start = forms.TimeField(
        label=_("Quiet from"),
        required=False,
        widget=TIME,
        error_messages={"invalid": _("Enter a time, e.g. 21:00.")},
    )
    quiet_hours_end = forms.TimeField(
        label=_("Quiet until"),
        required=False,
        widget=TIME,
        error_messages={"invalid": _("Enter a time, e.g. 07:00.")},
    )

    @classmethod
    def initial_from(cls, participant: Participant) -> dict:
        return {
            "language": languages.language_of(participant),
            "reminders_opt_in": participant.reminders_opt_in,
            "reminder_channel": participant.reminder_channel,
            "email": participant.email,
            "phone": participant.phone,
            "quiet_hours_start": participant.quiet_hours_start,
            "quiet_hours_end": participant.quiet_hours_end,
        }
