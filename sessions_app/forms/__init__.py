"""Forms, one module per area. Forms only normalise input; services decide.

Helpers every area uses live here.
"""

from datetime import date

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator

# The dates a form takes. Python's dates run from year 1 to 9999, but a day past either
# end (the day after an "until" date, midnight of year 1 seen from a zone east of UTC)
# no longer exists, and nothing in a programme's records is that far out.
EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2999, 12, 31)


class BoundedDateField(forms.DateField):
    """A date between EARLIEST_DATE and LATEST_DATE, with an error saying so."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        message = f"Enter a date between {EARLIEST_DATE:%Y-%m-%d} and {LATEST_DATE:%Y-%m-%d}."
        self.validators += [
            MinValueValidator(EARLIEST_DATE, message=message),
            MaxValueValidator(LATEST_DATE, message=message),
        ]
