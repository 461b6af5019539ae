"""Forms for moving, cancelling and restoring one session. Dates and times are the
site's wall-clock; the service turns them into UTC and refuses times a DST change
skips."""

from django import forms

from . import BoundedDateField
from .groups import DATE, TIME


class SessionMoveForm(forms.Form):
    day = BoundedDateField(widget=DATE, label="New date")
    start_time = forms.TimeField(widget=TIME, label="New start time")
    room = forms.CharField(max_length=80, required=False)
    reason = forms.CharField(max_length=255, required=False, help_text="Kept in its history.")

    def __init__(self, *args, time_zone: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        if time_zone:
            self.fields["start_time"].help_text = f"Wall-clock time at the site ({time_zone})."


class SessionCancelForm(forms.Form):
    reason = forms.CharField(
        max_length=255,
        required=False,
        help_text="For a holiday, e.g. “Holiday: Thanksgiving”. Participants see that "
        "the session is cancelled, not why.",
    )


class SessionRestoreForm(forms.Form):
    reason = forms.CharField(max_length=255, required=False, label="Reason (optional)")
