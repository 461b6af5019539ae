"""The form that adds a questionnaire to a group's measure schedule."""

from django import forms

from .. import instruments
from ..models import MeasureSchedule


class MeasureScheduleForm(forms.Form):
    instrument = forms.ChoiceField(
        label="Questionnaire",
        choices=[(code, instruments.get(code).name) for code in instruments.SCHEDULABLE],
    )
    when = forms.ChoiceField(choices=MeasureSchedule.When.choices, widget=forms.RadioSelect)
    every_weeks = forms.IntegerField(
        label="Every how many weeks",
        required=False,
        min_value=1,
        max_value=52,
        help_text="Only for “every few weeks”: counted from each participant's start date.",
    )
