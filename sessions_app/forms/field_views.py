"""Plain values for printing a form field in Bootstrap's markup, for the busiest pages.

The everyday pages (the note, the song library's filters) write their fields' markup
themselves (templates/partials/field.html) from these values, the same markup the
crispy Bootstrap 5 pack writes: rendering each field through crispy's templates, and
each widget and each <option> through Django's, took half the time of those pages.
Other pages keep crispy.
"""

from dataclasses import dataclass

from django import forms

# Attributes the template writes itself; anything else the widget has (maxlength,
# min, max, rows, cols) is copied as it is.
_OWN_ATTRS = {"type", "class", "id", "name", "value", "required"}


@dataclass(frozen=True)
class Choice:
    value: str
    label: str
    id: str
    checked: bool


@dataclass(frozen=True)
class FieldView:
    name: str
    id: str
    # "textarea", "select", "radio", or an <input> type such as "text" or "time"
    input_type: str
    # The crispy Bootstrap pack marks each input with its widget's class name.
    widget_class: str
    attrs: list[tuple[str, str]]
    label: str
    value: str
    errors: list[str]
    help_text: str
    describedby: str
    required: bool
    choices: list[Choice]


def _input_type(widget: forms.Widget) -> str:
    if isinstance(widget, forms.Textarea):
        return "textarea"
    if isinstance(widget, forms.RadioSelect):
        return "radio"
    if isinstance(widget, forms.Select):
        return "select"
    return getattr(widget, "input_type", "text")


def field_view(bound: forms.BoundField) -> FieldView:
    """What `partials/field.html` prints for `bound`, computed as Django's widgets do."""
    widget = bound.field.widget
    input_type = _input_type(widget)
    value = bound.value()
    choices: list[Choice] = []
    shown = ""
    if input_type in ("radio", "select"):
        current = "" if value is None else str(value)
        choices = [
            Choice(str(v), str(label), f"{bound.auto_id}_{i}", str(v) == current)
            for i, (v, label) in enumerate(bound.field.choices)
        ]
    else:
        formatted = widget.format_value(value)
        shown = "" if formatted is None else str(formatted)
    return FieldView(
        name=bound.html_name,
        id=bound.auto_id,
        input_type=input_type,
        widget_class=type(widget).__name__.lower(),
        attrs=[(k, str(v)) for k, v in widget.attrs.items() if k not in _OWN_ATTRS],
        label=str(bound.label),
        value=shown,
        errors=list(bound.errors),
        help_text=str(bound.help_text or ""),
        describedby=bound.aria_describedby or "",
        required=bound.field.required,
        choices=choices,
    )
