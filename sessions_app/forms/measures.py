"""Answering a questionnaire or a check-in: one form class, built from the catalogue.

Choice items and the short check-in scales are radio buttons (one tap each, big
targets, no script needed); the 0–100 craving scale is a number field that a script
pairs with a slider. The form only normalises input: `services.measures` validates
against the instrument again, so a hand-made request gets the same clear message.
"""

from django import forms
from django.utils.translation import gettext

from ..instruments import Instrument, Item

# Scales up to this many steps are a row of buttons; longer ones a slider.
MAX_BUTTONS = 11


def _field(item: Item) -> forms.Field:
    between = gettext("Choose a number from %(low)s to %(high)s.") % {
        "low": item.low,
        "high": item.high,
    }
    if item.is_choice:
        choices = [(o.value, o.label) for o in item.options]
    elif item.high - item.low < MAX_BUTTONS:
        choices = [(n, str(n)) for n in range(item.low, item.high + 1)]
    else:
        return forms.IntegerField(
            label=item.text,
            min_value=item.low,
            max_value=item.high,
            widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "form-control"}),
            error_messages={
                "required": between,
                "invalid": between,
                "min_value": between,
                "max_value": between,
            },
        )
    message = gettext("Choose one of the answers.") if item.is_choice else between
    return forms.TypedChoiceField(
        label=item.text,
        choices=choices,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": message, "invalid_choice": message},
    )


class AnswerForm(forms.Form):
    """The items of one instrument, in order, keyed as the instrument keys them."""

    def __init__(self, *args, instrument: Instrument, **kwargs):
        super().__init__(*args, **kwargs)
        self.instrument = instrument
        for item in instrument.items:
            self.fields[item.key] = _field(item)

    def items(self) -> list[tuple[Item, forms.BoundField]]:
        """Each item with its bound field, for templates (they need the end labels)."""
        return [(item, self[item.key]) for item in self.instrument.items]

    @property
    def answers(self) -> dict[str, int]:
        return {item.key: self.cleaned_data[item.key] for item in self.instrument.items}
