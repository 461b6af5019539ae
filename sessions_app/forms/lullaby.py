"""Forms for lullaby projects. They only normalise input: `services.lullaby` decides,
and its refusals go back on the form with `add_service_error`."""

import re

from django import forms
from django.conf import settings

from ..models import LullabyProject, Participant, ProjectConsent, User
from ..services.lullaby import AUDIO_EXTENSIONS, audio_upload_problem
from . import BoundedDateField
from .groups import DATE, add_service_error

__all__ = [
    "CompareForm",
    "ConsentForm",
    "DeliveryForm",
    "DraftForm",
    "ProjectForm",
    "RecordingSessionForm",
    "StageForm",
    "TakeEditForm",
    "TakeForm",
    "add_service_error",
    "format_duration",
]

_DURATION = re.compile(r"^(?:(\d+):)?(\d{1,3}):(\d{2})$")


def format_duration(seconds: int | None) -> str:
    """3:25 for 205 seconds; 1:02:03 past an hour."""
    if seconds is None:
        return ""
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


class DurationField(forms.Field):
    """A take's length as minutes:seconds (3:25), stored as seconds."""

    widget = forms.TextInput

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", "Minutes and seconds, e.g. 3:25.")
        super().__init__(**kwargs)
        self.widget.attrs.update({"placeholder": "m:ss", "maxlength": 12})

    def prepare_value(self, value):
        return format_duration(value) if isinstance(value, int) else value

    def to_python(self, value) -> int | None:
        text = str(value or "").strip()
        if not text:
            return None
        match = _DURATION.match(text)
        if not match:
            raise forms.ValidationError("Give the duration as minutes:seconds, e.g. 3:25.")
        hours, minutes, seconds = (int(g) if g else 0 for g in match.groups())
        if seconds >= 60 or (match.group(1) and minutes >= 60):
            raise forms.ValidationError(
                "Seconds (and minutes, after hours) go up to 59, e.g. 3:25."
            )
        return hours * 3600 + minutes * 60 + seconds


class ArtistChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return obj.get_full_name() or obj.username


class ParticipantChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Participant) -> str:
        return f"{obj.short_name} ({obj.site.name})"


def teaching_artist_choices():
    return User.objects.filter(role=User.Role.TEACHING_ARTIST, is_active=True).order_by(
        "last_name", "first_name", "username"
    )


class ProjectForm(forms.Form):
    """Starting a project (with a participant) or changing its details (without)."""

    title = forms.CharField(
        max_length=200, required=False, help_text="Optional; the song's title can come later."
    )
    recipient_name = forms.CharField(
        max_length=80, label="Who the song is for (first name)", help_text="e.g. Eli."
    )
    recipient_relationship = forms.CharField(
        max_length=80, label="Who they are to the participant", help_text="e.g. son, niece."
    )
    teaching_artists = ArtistChoiceField(
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="They see and work on this project only: its drafts and recordings.",
    )

    def __init__(self, *args, participants=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["teaching_artists"].queryset = teaching_artist_choices()
        if participants is not None:
            self.fields = {
                "participant": ParticipantChoiceField(
                    queryset=participants.select_related("site").order_by(
                        "last_name", "first_name"
                    ),
                    help_text="Participants in your groups.",
                ),
                **self.fields,
            }

    @classmethod
    def initial_for(cls, project: LullabyProject) -> dict:
        return {
            "title": project.title,
            "recipient_name": project.recipient_name,
            "recipient_relationship": project.recipient_relationship,
            "teaching_artists": list(project.teaching_artists.all()),
        }


class StageForm(forms.Form):
    stage = forms.ChoiceField(choices=LullabyProject.Stage.choices)


class ConsentForm(forms.Form):
    kind = forms.ChoiceField(
        choices=ProjectConsent.Kind.choices, widget=forms.RadioSelect, label="Consent"
    )
    granted = forms.TypedChoiceField(
        choices=[("yes", "Given"), ("no", "Withdrawn or refused")],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
        label="The participant has",
    )
    share_with = forms.CharField(
        max_length=255,
        required=False,
        label="Share with whom",
        help_text="For consent to share: who may receive the recording, e.g. “her son Eli "
        "and his grandmother”.",
    )
    note = forms.CharField(
        max_length=255,
        required=False,
        help_text="e.g. “signed form on file”, or what changed the participant's mind.",
    )


class DraftForm(forms.Form):
    text = forms.CharField(
        label="Lyrics",
        widget=forms.Textarea(attrs={"rows": 14, "class": "font-monospace"}),
        strip=False,
    )
    notes = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What changed and why, ideas for next time.",
    )


class RecordingSessionForm(forms.Form):
    recorded_on = BoundedDateField(label="Date", widget=DATE)
    place = forms.CharField(max_length=200, required=False, help_text="e.g. Studio B.")
    engineer = forms.CharField(max_length=120, required=False)
    musicians = forms.CharField(
        max_length=255, required=False, help_text="Who played and sang, e.g. “Tess (voice)”."
    )
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))


class TakeEditForm(forms.Form):
    duration = DurationField(required=False)
    rating = forms.TypedChoiceField(
        choices=[("", "Not rated")] + [(str(n), f"{n} of 5") for n in range(1, 6)],
        coerce=int,
        empty_value=None,
        required=False,
    )
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "duration_seconds": data["duration"],
            "rating": data["rating"],
            "notes": data["notes"],
        }


class TakeForm(TakeEditForm):
    audio = forms.FileField(
        required=False,
        label="Audio file",
        widget=forms.ClearableFileInput(
            attrs={"accept": ",".join(f".{ext}" for ext in AUDIO_EXTENSIONS) + ",audio/*"}
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[
            "audio"
        ].help_text = (
            f"Optional. {', '.join(AUDIO_EXTENSIONS)}; up to {settings.LULLABY_MAX_UPLOAD_MB} MB."
        )

    def clean_audio(self):
        audio = self.cleaned_data.get("audio")
        if audio:
            problem = audio_upload_problem(audio)
            if problem:
                raise forms.ValidationError(problem)
        return audio or None

    def service_kwargs(self) -> dict:
        return {**super().service_kwargs(), "audio": self.cleaned_data["audio"]}


class DeliveryForm(forms.Form):
    delivered_on = BoundedDateField(label="Delivered on", widget=DATE)
    method = forms.ChoiceField(
        choices=LullabyProject.DeliveryMethod.choices, widget=forms.RadioSelect, label="How"
    )
    delivered_to = forms.CharField(
        max_length=200, label="To whom", help_text="Only people the consent to share names."
    )


class CompareForm(forms.Form):
    """Which two drafts to put side by side, by number."""

    error_intro = "Choose two of the drafts listed:"

    a = forms.TypedChoiceField(coerce=int, label="Compare")
    b = forms.TypedChoiceField(coerce=int, label="With")

    def __init__(self, *args, numbers: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(n, f"Draft {n}") for n in numbers]
        self.fields["a"].choices = choices
        self.fields["b"].choices = choices
