"""The period of a report: any dates, this month by default."""

from django import forms

from ..selectors.reports import Period
from . import BoundedDateField
from .groups import DATE

MAX_DAYS = 10 * 366


class PeriodForm(forms.Form):
    error_intro = "Fix these to see the report:"
    start = BoundedDateField(label="From", widget=DATE)
    end = BoundedDateField(label="To (included)", widget=DATE)

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end:
            if end < start:
                self.add_error("end", "The end date is before the start date.")
            elif (end - start).days > MAX_DAYS:
                self.add_error("end", "Choose a period of at most ten years.")
        return data


def period_from(params, *, default: Period) -> tuple[PeriodForm, Period]:
    """The period asked for in the query string, or `default` when none (or a wrong one)
    was asked for; the form carries the errors to show."""
    if "start" not in params and "end" not in params:
        form = PeriodForm(initial={"start": default.start, "end": default.end})
        return form, default
    form = PeriodForm(params)
    if form.is_valid():
        return form, Period(form.cleaned_data["start"], form.cleaned_data["end"])
    return form, default
