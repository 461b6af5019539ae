"""Plain values for printing a form field in Bootstrap's markup, for the busiest pages.

The everyday pages (the note, the song library's filters) write their fields' markup
themselves (templates/partials/field.html) from these values, the same markup the
crispy Bootstrap 5 pack writes: rendering each field through crispy's templates, and
each widget and each <option> through Django's, took half the time of those pages.
Other pages keep crispy.
"""

from dataclasses import dataclass

from django import forms
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

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


def field_html(f: FieldView, *, block_errors: bool = False) -> SafeString:
    """`partials/field.html` written out in Python, character for character, for the
    note form, which prints a note and two progress fields for every participant: the
    partial's tags cost that page more than the rest of its rendering together. The
    partial stays the reference, for the pages with a few fields; tests/test_field_views.py
    holds the two to the same output."""
    if f.input_type == "radio":
        return mark_safe(_radio(f))  # noqa: S308 - every value in it is escaped
    required = " requiredField" if f.required else ""
    star = _STAR if f.required else ""
    html = (
        f'\n\n<div id="div_{_e(f.id)}" class="mb-3"> <label for="{_e(f.id)}"'
        f' class="form-label{required}">\n  {_e(f.label)}{star}\n</label> {_control(f)}\n'
        f"{_errors(f, block_errors=block_errors)}\n{_help(f)}\n</div>\n\n"
    )
    return mark_safe(html)  # noqa: S308 - every value in it is escaped


_e = conditional_escape
_STAR = '<span class="asteriskField">*</span>'
_INVALID = ' aria-invalid="true"'


def _control(f: FieldView) -> str:
    """The <textarea>, <select> or <input>, its attributes in the partial's order."""
    own = "".join(f' {_e(k)}="{_e(v)}"' for k, v in f.attrs)
    kind = "select" if f.input_type == "select" else "control"
    invalid = " is-invalid" if f.errors else ""
    state = f' class="{_e(f.widget_class)} form-{kind}{invalid}"'
    if f.required:
        state += " required"
    if f.errors:
        state += _INVALID
    if f.describedby:
        state += f' aria-describedby="{_e(f.describedby)}"'
    state += f' id="{_e(f.id)}">'
    if f.input_type == "textarea":
        return f'<textarea name="{_e(f.name)}"{own}{state}\n{_e(f.value)}</textarea>'
    if f.input_type == "select":
        options = "".join(
            f'  <option value="{_e(c.value)}"{" selected" if c.checked else ""}>'
            f"{_e(c.label)}</option>\n"
            for c in f.choices
        )
        return f'<select name="{_e(f.name)}"{own}{state}\n{options}</select>'
    value = f' value="{_e(f.value)}"' if f.value else ""
    return f'<input type="{_e(f.input_type)}" name="{_e(f.name)}"{value}{own}{state}'


def _radio(f: FieldView) -> str:
    """A radio group: a fieldset whose legend is the label; errors after the last choice."""
    described = f' aria-describedby="{_e(f.describedby)}"' if f.describedby else ""
    required = " requiredField" if f.required else ""
    star = _STAR if f.required else ""
    invalid = " is-invalid" if f.errors else ""
    required_attr = " required" if f.required else ""
    aria_invalid = _INVALID if f.errors else ""
    last = len(f.choices) - 1
    choices = ""
    for i, c in enumerate(f.choices):
        checked = " checked" if c.checked else ""
        errors = _radio_errors(f) if i == last else ""
        choices += (
            '\n    <div class="form-check">\n'
            f'      <input type="radio" class="form-check-input{invalid}" name="{_e(f.name)}"'
            f' value="{_e(c.value)}" id="{_e(c.id)}"{required_attr}{checked}{aria_invalid}>\n'
            f'      <label for="{_e(c.id)}" class="form-check-label">{_e(c.label)}</label>\n'
            f"      {errors}\n    </div>\n  "
        )
    return (
        f'\n\n<div id="div_{_e(f.id)}" class="mb-3"><fieldset{described}>\n'
        f'  <legend class="form-label{required} fs-6">{_e(f.label)}{star}</legend>\n'
        f"  <div>\n  {choices}\n  </div>\n  {_help(f)}\n</fieldset></div>\n\n"
    )


def _radio_errors(f: FieldView) -> str:
    if not f.errors:
        return ""
    errors = "".join(
        f'<p id="error_{n}_{_e(f.id)}"><strong>{_e(error)}</strong></p>'
        for n, error in enumerate(f.errors, start=1)
    )
    return f'<div id="{_e(f.id)}_error" class="invalid-feedback">{errors}</div>'


def _errors(f: FieldView, *, block_errors: bool) -> str:
    if not f.errors:
        return ""
    tag = "p" if block_errors else "span"
    errors = "".join(
        f' <{tag} id="error_{n}_{_e(f.id)}"><strong>{_e(error)}</strong></{tag}>'
        for n, error in enumerate(f.errors, start=1)
    )
    return f'<div id="{_e(f.id)}_error" class="invalid-feedback">{errors} </div>'


def _help(f: FieldView) -> str:
    if not f.help_text:
        return ""
    return f'<div id="{_e(f.id)}_helptext" class="form-text">{_e(f.help_text)}</div>'
