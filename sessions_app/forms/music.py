"""Song library forms: they only normalise input; services/music.py decides."""

from crispy_forms.bootstrap import InlineCheckboxes
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row
from django import forms

from ..models import Song, Theme
from ..selectors.music import SongFilters


class SongForm(forms.Form):
    title = forms.CharField(max_length=200)
    artist = forms.CharField(label="Artist or composer", max_length=200, required=False)
    key = forms.CharField(
        max_length=20, required=False, help_text="e.g. G major, D minor. Leave blank if unsure."
    )
    tempo_bpm = forms.IntegerField(label="Tempo (BPM)", min_value=20, max_value=300, required=False)
    source = forms.ChoiceField(choices=Song.Source.choices, initial=Song.Source.PUBLISHED)
    themes = forms.ModelMultipleChoiceField(
        queryset=Theme.objects.order_by("name"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Pick any that fit.",
    )
    new_themes = forms.CharField(
        label="Other themes",
        max_length=300,
        required=False,
        help_text="Not in the list? Type them here, separated by commas (e.g. courage, family).",
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
            InlineCheckboxes("themes"),
            "new_themes",
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
            "themes": list(song.themes.all()),
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
            "themes": self.theme_names(),
            "notes": data["notes"],
        }


class SongFilterForm(forms.Form):
    """The search box and filters above the song list (a GET form)."""

    q = forms.CharField(label="Search", required=False, max_length=100)
    theme = forms.ModelChoiceField(
        queryset=Theme.objects.order_by("name"), required=False, empty_label="Any theme"
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
