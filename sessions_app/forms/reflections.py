"""The reflection form: scores as one-tap choices, a song from the plan or typed in.

The form only normalises input; `services.reflections` decides (ranges included, so a
hand-made request gets the same clear message as the form would give)."""

from django import forms

from ..models import Reflection, Song


def _scale(low: int, high: int, label: str, *, required: bool = True) -> forms.TypedChoiceField:
    choices = [(n, str(n)) for n in range(low, high + 1)]
    if not required:
        choices = [("", "Skip"), *choices]
    return forms.TypedChoiceField(
        label=label,
        choices=choices,
        coerce=int,
        empty_value=None,
        required=required,
        widget=forms.RadioSelect,
        error_messages={
            "required": f"Choose a number from {low} to {high}.",
            "invalid_choice": f"Choose a number from {low} to {high}.",
        },
    )


class SongChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Song) -> str:
        return obj.title


class ReflectionForm(forms.Form):
    mood_before = _scale(1, 10, "How was your mood before the session?")
    mood_after = _scale(1, 10, "And after it?")
    connection = _scale(1, 5, "How connected did you feel to the group?")
    craving = _scale(0, 10, "Any craving today? (optional)", required=False)
    song = SongChoiceField(
        queryset=Song.objects.none(),
        required=False,
        label="The song that stayed with you",
        empty_label="None in particular",
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Choose a song from this session's plan."},
    )
    song_text = forms.CharField(
        label="Or another song", max_length=200, required=False, help_text="Its name, if you like."
    )
    text = forms.CharField(
        label="In your own words",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="What you noticed, what you felt, anything you want your group leader to know.",
    )

    def __init__(self, *args, songs=None, **kwargs):
        super().__init__(*args, **kwargs)
        if songs is not None:
            self.fields["song"].queryset = songs
        # Radio buttons have no blank choice of their own: without this one, a song once
        # tapped could not be untapped.
        self.fields["song"].empty_label = "None in particular"

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
