"""A field printed by `field_html` is exactly what `partials/field.html` prints: the note
form's fields come out as the rest of the app's, labels, errors and aria attributes alike."""

import pytest
from django import forms
from django.template.loader import render_to_string

from sessions_app.forms.field_views import field_html, field_view


class _Every(forms.Form):
    """One field of each kind the partial prints, with the attributes it copies."""

    note = forms.CharField(
        label="Note <for> Ana & Bo",
        required=False,
        help_text="Private to <them>.",
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    level = forms.ChoiceField(
        label="Progress", choices=[("", "Not recorded"), ("some", "Some <a> & b")], required=False
    )
    observation = forms.CharField(
        label="Observation", max_length=300, widget=forms.TextInput(attrs={"maxlength": 300})
    )
    format = forms.ChoiceField(
        label="Note format",
        choices=[("soap", "SOAP"), ("dap", "DAP")],
        widget=forms.RadioSelect,
        help_text="Pick one.",
    )
    optional_format = forms.ChoiceField(
        label="Format",
        choices=[("soap", "SOAP"), ("dap", "DAP")],
        widget=forms.RadioSelect,
        required=False,
    )
    start = forms.TimeField(
        label="Started at",
        required=False,
        widget=forms.TimeInput(format="%H:%M", attrs={"type": "time"}),
    )
    kind = forms.ChoiceField(label="Kind", choices=[("a", "A"), ("b", "B")])


def _unbound() -> forms.Form:
    return _Every(initial={"note": "Sang <loud> & long", "format": "dap", "start": "09:30"})


def _invalid() -> forms.Form:
    form = _Every(
        {"note": 'He said "no"', "level": "some", "format": "", "start": "25:00", "kind": "z"}
    )
    form.is_valid()
    form.add_error("note", "Shorter, <please>.")
    form.add_error("note", "And without names.")
    return form


def _valid() -> forms.Form:
    data = {"observation": "ok", "format": "soap", "optional_format": "dap", "kind": "b"}
    form = _Every(data | {"start": "10:05", "level": ""})
    form.is_valid()
    return form


@pytest.mark.parametrize("make", [_unbound, _invalid, _valid], ids=["unbound", "invalid", "valid"])
@pytest.mark.parametrize("name", list(_Every.base_fields))
@pytest.mark.parametrize("block_errors", [False, True])
def test_it_prints_a_field_as_the_partial_does(make, name, block_errors):
    view = field_view(make()[name])
    partial = render_to_string("partials/field.html", {"f": view, "block_errors": block_errors})
    assert field_html(view, block_errors=block_errors) == partial
