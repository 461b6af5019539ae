"""Song library forms: they only normalise input; services/music.py decides."""

from crispy_forms.bootstrap import InlineCheckboxes
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row
from django import forms

from ..models import GoalArea, Song, Theme
from ..selectors.music import SongFilters, SubstanceUseLyrics


class SongForm(forms.Form):
    title = forms.CharField(max_length=200)
    artist = forms.CharField(label="Artist or composer", max_length=200, required=False)
    key = forms.CharField(
        max_length=20, required=False, help_text="e.g. G major, D minor. Leave blank if unsure."
    )
    tempo_bpm = forms.IntegerField(label="Tempo (BPM)", min_value=20, max_value=300, required=False)
    source = forms.ChoiceField(choices=Song.Source.choices, initial=Song.Source.PUBLISHED)
    goal_areas = forms.ModelMultipleChoiceField(
        queryset=GoalArea.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="What the song serves well in a session.",
    )
    themes = forms.ModelMultipleChoiceField(
        label="Lyric themes",
        queryset=Theme.objects.order_by("name"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="What the words are about. Pick any that fit.",
    )
    new_themes = forms.CharField(
        label="Other lyric themes",
        max_length=300,
        required=False,
        help_text="Not in the list? Type them here, separated by commas (e.g. courage, family).",
    )
    mentions_substance_use = forms.BooleanField(
        label="Lyrics mention substance use",
        required=False,
        help_text="Drinking or drugs, even in passing: so that a group can leave such songs "
        "out, or choose them on purpose.",
    )
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            "title",
            "artist",
            Row(Column("key", css_class="col-sm-6"), Column("tempo_bpm", css_class="col-sm-6")),
            "source",
            InlineCheckboxes("goal_areas"),
            InlineCheckboxes("themes"),
            "new_themes",
            "mentions_substance_use",
            "notes",
        )

    @classmethod
    def initial_for(cls, song: Song) -> dict:
        return {
            "title": song.title,
            "artist": song.artist,
            "key": song.key,
            "tempo_bpm": song.tempo_bpm,
            "source": song.source,
            "goal_areas": list(song.goal_areas.all()),
            "themes": list(song.themes.all()),
            "mentions_substance_use": song.mentions_substance_use,
            "notes": song.notes,
        }

    def theme_names(self) -> list[str]:
        picked = [t.name for t in self.cleaned_data["themes"]]
        typed = [n for n in self.cleaned_data["new_themes"].split(",") if n.strip()]
        return picked + typed

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "title": data["title"],
            "artist": data["artist"],
            "key": data["key"],
            "tempo_bpm": data["tempo_bpm"],
            "source": data["source"],
            "goal_areas": list(data["goal_areas"]),
            "themes": self.theme_names(),
            "mentions_substance_use": data["mentions_substance_use"],
            "notes": data["notes"],
        }


class SongFilterForm(forms.Form):
    """The search box and filters above the song list (a GET form)."""

    error_intro = "Fix these to search:"

    q = forms.CharField(label="Search", required=False, max_length=100)
    theme = forms.ModelChoiceField(
        label="Lyric theme",
        queryset=Theme.objects.order_by("name"),
        required=False,
        empty_label="Any lyric theme",
    )
    goal_area = forms.ModelChoiceField(
        queryset=GoalArea.objects.all(), required=False, empty_label="Any goal area"
    )
    substance_use = forms.ChoiceField(
        label="Lyrics mentioning substance use",
        choices=SubstanceUseLyrics.choices,
        required=False,
    )
    key = forms.ChoiceField(required=False)
    tempo_min = forms.IntegerField(label="Min BPM", min_value=0, max_value=400, required=False)
    tempo_max = forms.IntegerField(label="Max BPM", min_value=0, max_value=400, required=False)
    source = forms.ChoiceField(choices=[("", "Any source"), *Song.Source.choices], required=False)

    def __init__(self, *args, keys: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["key"].choices = [("", "Any key"), *((k, k) for k in keys)]

    def clean(self):
        data = super().clean()
        low, high = data.get("tempo_min"), data.get("tempo_max")
        if low is not None and high is not None and low > high:
            self.add_error("tempo_max", "The upper tempo must not be below the lower one.")
        return data

    def filters(self) -> SongFilters:
        """The filters that are valid; an invalid one is ignored (and shown as an error)."""
        data = self.cleaned_data if self.is_bound else {}
        return SongFilters(
            q=(data.get("q") or "").strip(),
            theme=data.get("theme"),
            goal_area=data.get("goal_area"),
            substance_use=data.get("substance_use") or SubstanceUseLyrics.ANY,
            key=data.get("key") or "",
            tempo_min=data.get("tempo_min"),
            tempo_max=data.get("tempo_max"),
            source=data.get("source") or "",
        )

    @property
    def active(self) -> bool:
        return any(
            v not in (None, "") for v in (self.cleaned_data if self.is_bound else {}).values()
        )
