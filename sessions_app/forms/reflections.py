"""The reflection form: scores as one-tap choices, a song from the plan or typed in.

The form only normalises input; `services.reflections` decides (ranges included, so a
hand-made request gets the same clear message as the form would give)."""

from django import forms
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ..models import Reflection, Song


def _between(low: int, high: int) -> str:
    return gettext("Choose a number from %(low)s to %(high)s.") % {"low": low, "high": high}


_between_lazy = lazy(_between, str)


def _scale(low: int, high: int, label: str, *, required: bool = True) -> forms.TypedChoiceField:
    choices = [(n, str(n)) for n in range(low, high + 1)]
    if not required:
        choices = [("", _("Skip")), *choices]
    return forms.TypedChoiceField(
        label=label,
        choices=choices,
        coerce=int,
        empty_value=None,
        required=required,
        widget=forms.RadioSelect,
        error_messages={
            "required": _between_lazy(low, high),
            "invalid_choice": _between_lazy(low, high),
        },
    )


class SongChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Song) -> str:
        return obj.title


class ReflectionForm(forms.Form):
    mood_before = _scale(1, 10, _("How was your mood before the session?"))
    mood_after = _scale(1, 10, _("And after it?"))
    connection = _scale(1, 5, _("How connected did you feel to the group?"))
    craving = _scale(0, 10, _("Any craving today? (optional)"), required=False)
    song = SongChoiceField(
        queryset=Song.objects.none(),
        required=False,
        label=_("The song that stayed with you"),
        empty_label=_("None in particular"),
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("Choose a song from this session's plan.")},
    )
    song_text = forms.CharField(
        label=_("Or another song"),
        max_length=200,
        required=False,
        help_text=_("Its name, if you like."),
    )
    text = forms.CharField(
        label=_("In your own words"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "What you noticed, what you felt, anything you want your group leader to know."
        ),
    )

    def __init__(self, *args, songs=None, **kwargs):
        super().__init__(*args, **kwargs)
        if songs is not None:
            self.fields["song"].queryset = songs
        # Radio buttons have no blank choice of their own: without this one, a song once
        # tapped could not be untapped.
        self.fields["song"].empty_label = _("None in particular")

    @classmethod
    def initial_from(cls, reflection: Reflection) -> dict:
        return {
            "mood_before": reflection.mood_before,
            "mood_after": reflection.mood_after,
            "connection": reflection.connection,
            "craving": reflection.craving,
            "song": reflection.song_id,
            "song_text": reflection.song_text,
            "text": reflection.text,
        }
