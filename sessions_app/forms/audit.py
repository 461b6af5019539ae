"""Filters of the audit trail's review screen."""

from django import forms

from ..audit import ACCESS_KINDS, access_kinds_label, audited_models
from . import BoundedDateField
from .groups import DATE

ACTIONS = [("create", "Created"), ("update", "Changed"), ("delete", "Deleted")] + [
    (kind, access_kinds_label(kind)) for kind in ACCESS_KINDS
]


def record_types() -> list[tuple[str, str]]:
    return [(m._meta.label_lower, m._meta.verbose_name.capitalize()) for m in audited_models()]


class AuditFilterForm(forms.Form):
    error_intro = "Fix these to filter the trail:"
    user = forms.CharField(required=False, label="Who (username)", max_length=150)
    record_type = forms.ChoiceField(required=False, label="Record")
    record_id = forms.IntegerField(required=False, min_value=1, label="Record id")
    action = forms.ChoiceField(required=False, choices=[("", "Any action"), *ACTIONS])
    start = BoundedDateField(required=False, label="From", widget=DATE)
    end = BoundedDateField(required=False, label="To", widget=DATE)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["record_type"].choices = [("", "Any record"), *record_types()]

    def clean(self):
        data = super().clean()
        if data.get("record_id") and not data.get("record_type"):
            self.add_error("record_type", "Choose the kind of record the id belongs to.")
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", "The end date is before the start date.")
        return data
