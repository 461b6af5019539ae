"""Forms, one module per area. Forms only normalise input; services decide.

Helpers every area uses live here.
"""

from dataclasses import dataclass
from datetime import date

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy

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


# What an error summary says above its links, unless the form says otherwise
# (`error_intro` on a form that saves nothing, such as a search).
SAVE_ERROR_INTRO = gettext_lazy("Nothing was saved. Fix these:")


@dataclass(frozen=True)
class FormError:
    """One line of a form's error summary (templates/partials/error_summary.html)."""

    # The id of the control to go to; "" for an error about the form as a whole.
    field_id: str
    label: str
    message: str


def _target_id(bound: forms.BoundField) -> str:
    if bound.is_hidden or not bound.auto_id:
        return ""
    # A group of radios or checkboxes has no id of its own: go to its first option,
    # as Django and the field partial number them.
    return bound.id_for_label or f"{bound.auto_id}_0"


def form_errors(*bound_forms: object) -> list[FormError]:
    """What is wrong with each bound form, errors about the whole form first, then the
    fields' in the order the form lists them: what the error summary links to. Anything
    else given (a page without that form passes None or "") is skipped."""
    found: list[FormError] = []
    for form in bound_forms:
        if not isinstance(form, forms.BaseForm) or not form.is_bound or not form.errors:
            continue
        found += [FormError("", "", str(m)) for m in form.errors.get(NON_FIELD_ERRORS, [])]
        for name in form.fields:
            if name in form.errors:
                bound = form[name]
                label = str(bound.label or name)
                found += [FormError(_target_id(bound), label, str(m)) for m in form.errors[name]]
    return found
