"""Which instrument the administrators' outcomes report is about."""

from django import forms

from .. import instruments


class OutcomesForm(forms.Form):
    error_intro = "Fix these to see the outcomes:"
    instrument = forms.ChoiceField(
        label="Measure",
        choices=[(code, instruments.get(code).name) for code in instruments.SCHEDULABLE],
        initial="ucla3",
    )
