"""Forms for groups, facilitators and rosters. They only normalise input: the services
in `sessions_app.services.groups` and `.schedule` decide, and their errors are put back
on the form with `add_service_error`."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Fieldset, Layout, Row
from django import forms
from django.core.exceptions import ValidationError

from .. import languages
from ..models import Enrollment, Group, Participant, Site, User
from . import BoundedDateField

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


def add_service_error(form: forms.Form, error: ValidationError) -> None:
    """Show a service's refusal on the form: on the field it names if the form has that
    field, above the form otherwise."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


class SiteChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Site) -> str:
        return f"{obj.name} ({obj.time_zone})"


class ReminderHoursField(forms.CharField):
    """Hours before a session that participants are reminded, as "24, 2". Blank means no
    reminders before sessions; the service checks the range."""

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return ", ".join(format(v, "g") for v in value)
        return value

    def to_python(self, value) -> list[int | float]:
        text = super().to_python(value)
        hours: list[int | float] = []
        for part in text.replace(",", " ").split():
            try:
                number = float(part)
            except ValueError:
                raise ValidationError(
                    f"“{part}” is not a number of hours; write them like “24, 2”."
                ) from None
            hours.append(int(number) if number.is_integer() else number)
        return hours


class GroupForm(forms.Form):
    name = forms.CharField(max_length=120)
    site = SiteChoiceField(queryset=None, empty_label=None)
    lead = forms.ModelChoiceField(queryset=None, label="Lead therapist")
    focus = forms.CharField(
        max_length=200,
        required=False,
        help_text="For staff only; never shown to participants or in reminders.",
    )
    enrollment = forms.ChoiceField(choices=Group.Enrollment.choices, widget=forms.RadioSelect)
    capacity = forms.IntegerField(help_text="Most participants enrolled at any one time.")
    weekday = forms.TypedChoiceField(choices=Group.Weekday.choices, coerce=int)
    start_time = forms.TimeField(widget=TIME)
    duration_minutes = forms.IntegerField(label="Length (minutes)", initial=60)
    first_date = BoundedDateField(widget=DATE)
    last_date = BoundedDateField(
        widget=DATE, required=False, help_text="Leave blank for a group that keeps going."
    )
    room = forms.CharField(max_length=80, required=False)
    reminder_hours = ReminderHoursField(
        label="Remind participants … hours before",
        required=False,
        initial=[24, 2],
        help_text="Hours before each session, separated by commas, e.g. “24, 2”. Leave "
        "blank for no reminders. Participants choose email, text or none themselves.",
    )

    def __init__(self, *args, sites=None, leads=None, time_zone: str = "", **kwargs):
        """`sites` and `leads` are the choices offered; None leaves the field out (the
        site of an existing group is fixed; a therapist creating a group leads it)."""
        super().__init__(*args, **kwargs)
        for name, queryset in (("site", sites), ("lead", leads)):
            if queryset is None:
                del self.fields[name]
            else:
                self.fields[name].queryset = queryset
        if "site" in self.fields:
            self.fields["start_time"].help_text = "Wall-clock time at the site."
        elif time_zone:
            self.fields["start_time"].help_text = f"Wall-clock time at the site ({time_zone})."
        who = [name for name in ("site", "lead") if name in self.fields]
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            "name",
            *who,
            "focus",
            Fieldset(
                '<span class="fs-5">Weekly schedule</span>',
                Row(Column("weekday"), Column("start_time"), Column("duration_minutes")),
                Row(Column("first_date"), Column("last_date")),
                "room",
            ),
            Fieldset(
                '<span class="fs-5">Participants</span>',
                Row(Column("enrollment"), Column("capacity")),
                "reminder_hours",
            ),
        )

    def clean_reminder_hours(self) -> list[int | float] | None:
        # Not posted at all (an older page, a script): keep the group's hours as they are.
        if self.add_prefix("reminder_hours") not in self.data:
            return None
        return self.cleaned_data["reminder_hours"]

    @classmethod
    def initial_for(cls, group: Group) -> dict:
        return {name: getattr(group, name) for name in cls.base_fields if hasattr(group, name)}


class FacilitatorAddForm(forms.Form):
    therapist = forms.ModelChoiceField(queryset=None, label="Therapist")

    def __init__(self, *args, therapists, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["therapist"].queryset = therapists


class FacilitatorRemoveForm(forms.Form):
    therapist = forms.ModelChoiceField(queryset=User.objects.all())


class GroupFilterForm(forms.Form):
    """The site and name filters above the group list (a GET form). An invalid value is
    shown as an error and ignored."""

    error_intro = "Fix these to search:"

    site = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)
    q = forms.CharField(label="Name", required=False, max_length=100)

    def __init__(self, *args, sites: list[Site], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].choices = [("", "Every site"), *((s.pk, s.name) for s in sites)]

    def chosen(self) -> tuple[int | None, str]:
        """The site id and name part to narrow the list to, from the valid fields."""
        data = getattr(self, "cleaned_data", {}) if self.is_bound else {}
        return data.get("site"), (data.get("q") or "").strip()


class RosterDateForm(forms.Form):
    error_intro = "Showing today. Fix this to see another day:"
    date = BoundedDateField(widget=DATE, label="Who is enrolled on")


class ParticipantChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Participant) -> str:
        preferred = f" (“{obj.preferred_name}”)" if obj.preferred_name else ""
        return f"{obj.last_name}, {obj.first_name}{preferred}"


class EnrollForm(forms.Form):
    participant = ParticipantChoiceField(queryset=None)
    start_date = BoundedDateField(widget=DATE, help_text="The first day they belong on the roster.")
    language = forms.ChoiceField(
        label="Language",
        choices=[("", "As on their record"), *languages.CHOICES],
        required=False,
        help_text="Their pages, reminders and calendar are written in this language; they "
        "can change it on their reminder settings.",
    )

    def __init__(self, *args, participants, offered, **kwargs):
        """`participants`: whom the user may enroll (what a submission is checked
        against); `offered`: those of them the picker lists (not enrolled now). A stale
        page can still send someone enrolled meanwhile: the service then says so."""
        super().__init__(*args, **kwargs)
        field = self.fields["participant"]
        field.queryset = participants
        field.widget.choices = [("", "---------")] + [
            (p.pk, field.label_from_instance(p)) for p in offered
        ]


class DischargeForm(forms.Form):
    end_date = BoundedDateField(
        widget=DATE, help_text="Their last day on the roster (they stay on sessions that day)."
    )
    status = forms.ChoiceField(
        choices=[(s.value, s.label) for s in Enrollment.Status if s != Enrollment.Status.ACTIVE],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        max_length=255, required=False, help_text="Needed for a discharge or a withdrawal."
    )


class SkipDateForm(forms.Form):
    day = BoundedDateField(widget=DATE, label="Date")
    reason = forms.CharField(max_length=255, required=False, initial="Holiday: ")
