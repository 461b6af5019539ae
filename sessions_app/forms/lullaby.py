"""Forms for lullaby projects. They only normalise input: `services.lullaby` decides,
and its refusals go back on the form with `add_service_error`."""

import re

from django import forms
from django.conf import settings
from django.utils.translation import gettext

from ..models import LullabyProject, Participant, ProjectConsent, Reminder, Site, Track, User
from ..services.lullaby import AUDIO_EXTENSIONS, audio_upload_problem, track_upload_problem
from . import BoundedDateField
from .groups import DATE, add_service_error

__all__ = [
    "CompareForm",
    "ConsentForm",
    "DeliveryForm",
    "DraftForm",
    "FamilyLinkForm",
    "IdeaForm",
    "ProgramForm",
    "ProgramSongsForm",
    "ProjectForm",
    "RecordingSessionForm",
    "StageForm",
    "TakeEditForm",
    "TakeForm",
    "TrackForm",
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
    level = forms.ChoiceField(
        choices=ProjectConsent.Level.choices,
        widget=forms.RadioSelect,
        required=False,
        initial=ProjectConsent.Level.FAMILY,
        label="Shared how",
        help_text="For consent to share: each level is given or withdrawn on its own.",
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
        help_text="For the family: who may receive the recording, e.g. “her son Eli and his "
        "grandmother”.",
    )
    stage_name = forms.CharField(
        max_length=80,
        required=False,
        help_text="For a stage name level: the name the song goes under. Never the "
        "participant's or the child's real name, nor the programme's.",
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


def _audio_input(capture: bool = False) -> forms.ClearableFileInput:
    if capture:
        # A phone opens its sound recorder for `audio/*` with `capture`; the file is then
        # checked by its name and first bytes like any other.
        return forms.ClearableFileInput(attrs={"accept": "audio/*", "capture": True})
    return forms.ClearableFileInput(
        attrs={"accept": ",".join(f".{ext}" for ext in AUDIO_EXTENSIONS) + ",audio/*"}
    )


class TrackForm(forms.Form):
    """A spoken dedication or a melody idea: an audio file from a computer or a phone."""

    kind = forms.ChoiceField(choices=Track.Kind.choices, widget=forms.RadioSelect, label="What")
    audio = forms.FileField(label="Audio file", widget=_audio_input(capture=True))
    notes = forms.CharField(
        max_length=255, required=False, help_text="e.g. “the tune for the chorus”."
    )

    def __init__(self, *args, kinds: list[str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if kinds is not None:
            self.fields["kind"].choices = [c for c in Track.Kind.choices if c[0] in kinds]
        self.fields["audio"].help_text = (
            f"{', '.join(AUDIO_EXTENSIONS)}; up to {settings.LULLABY_MAX_UPLOAD_MB} MB. On a "
            "phone you can record straight away."
        )

    def clean(self):
        data = super().clean()
        audio, kind = data.get("audio"), data.get("kind")
        if audio and kind:
            problem = track_upload_problem(audio, kind)
            if problem:
                self.add_error("audio", problem)
        return data


class IdeaForm(TrackForm):
    """The participant's own: a melody idea only."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, kinds=[Track.Kind.IDEA], **kwargs)
        self.fields["kind"].initial = Track.Kind.IDEA
        self.fields["kind"].widget = forms.HiddenInput()
        # The participant reads this one, in their language.
        self.fields["audio"].label = gettext("Your voice memo")
        self.fields["notes"].label = gettext("Notes")
        self.fields["notes"].help_text = gettext("e.g. “the tune for the chorus”.")
        self.fields["audio"].help_text = gettext(
            "%(formats)s; up to %(size)s MB. On a phone you can record straight away."
        ) % {"formats": ", ".join(AUDIO_EXTENSIONS), "size": settings.LULLABY_MAX_UPLOAD_MB}


class FamilyLinkForm(forms.Form):
    recipient_name = forms.CharField(max_length=80, label="For (first name)")
    recipient_relationship = forms.CharField(max_length=80, label="Who they are to the participant")
    include_lyrics = forms.BooleanField(required=False, label="Show the lyrics")
    include_dedication = forms.BooleanField(required=False, label="Include the spoken dedication")
    send_by = forms.ChoiceField(
        choices=[("", "Don't send it: I will copy the link"), *Reminder.Channel.choices],
        required=False,
        widget=forms.RadioSelect,
        label="Send it",
    )
    send_to = forms.CharField(
        max_length=255,
        required=False,
        label="Email address or phone number",
        help_text="The message says only that a song was made for them, with the link.",
    )


class ProgramForm(forms.Form):
    title = forms.CharField(max_length=200, help_text="e.g. “Winter sharing session”.")
    event_on = BoundedDateField(label="Date", widget=DATE)
    place = forms.CharField(max_length=200, required=False)
    site = forms.ModelChoiceField(queryset=Site.objects.none())

    def __init__(self, *args, sites=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites if sites is not None else Site.objects.none()


class ProgramSongsForm(forms.Form):
    projects = forms.ModelMultipleChoiceField(
        queryset=LullabyProject.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Songs",
    )

    def __init__(self, *args, songs: list[LullabyProject], **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["projects"]
        field.queryset = LullabyProject.objects.filter(pk__in=[p.pk for p in songs])
        names = {p.pk: f"{p.title or 'Untitled'} — {p.sharing.name_shown}" for p in songs}
        field.label_from_instance = lambda obj: names.get(obj.pk, str(obj))
