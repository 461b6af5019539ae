"""Session plan forms: they only normalise input; services/planning.py decides."""

from datetime import date, datetime

from crispy_forms.bootstrap import InlineCheckboxes
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Layout
from django import forms

from ..models import GoalArea, PlanItem, Session, Song
from ..selectors.music import describe_last_use
from .music import SongFilterForm


class SongChoiceField(forms.ModelChoiceField):
    """Songs labelled with when the session's group last used each one."""

    def __init__(self, *args, last_used: dict[int, datetime], tz, today: date, **kwargs):
        self.last_used, self.tz, self.today = last_used, tz, today
        super().__init__(*args, **kwargs)

    def label_from_instance(self, song: Song) -> str:
        used = self.last_used.get(song.pk)
        when = describe_last_use(used.astimezone(self.tz).date() if used else None, self.today)
        flag = " — lyrics mention substance use" if song.mentions_substance_use else ""
        return f"{song} — {when}{flag}"


class SongPickerFilterForm(SongFilterForm):
    """The search and filters that narrow a plan's song picker. Its fields sit inside the
    activity form, so a search without JavaScript keeps everything else typed there."""

    q = forms.CharField(label="Title or artist", required=False, max_length=100)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["source"]
        self.fields["goal_area"].label = "Goal area"
        self.fields["theme"].label = "Lyric theme"
        self.fields["substance_use"].label = "Lyrics mentioning substance use"
        self.fields["tempo_min"].label = "Slowest (BPM)"
        self.fields["tempo_max"].label = "Fastest (BPM)"


class PlanItemForm(forms.Form):
    song = forms.ModelChoiceField(queryset=Song.objects.none(), required=False)
    activity_type = forms.ChoiceField(label="Activity", choices=PlanItem.Activity.choices)
    minutes = forms.IntegerField(
        min_value=1,
        max_value=480,
        error_messages={
            "min_value": "An activity takes at least a minute.",
            "max_value": "One activity cannot take more than 8 hours (480 minutes).",
        },
    )
    purpose = forms.CharField(
        max_length=255,
        required=False,
        help_text="What the activity is for, e.g. “warm up voices together”.",
    )
    goal_areas = forms.ModelMultipleChoiceField(
        queryset=GoalArea.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(
        self,
        *args,
        songs,
        shown: list[Song],
        last_used: dict[int, datetime],
        tz,
        today: date,
        plan_length: int,
        adding: bool,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.fields["song"] = SongChoiceField(
            queryset=songs,
            required=False,
            empty_label="No song",
            last_used=last_used,
            tz=tz,
            today=today,
            help_text="Each song says when this group last used it.",
        )
        # Any song of the library is a valid choice; the list offers the ones the search
        # found, so a library of thousands never renders as one dropdown.
        song_field = self.fields["song"]
        song_field.choices = [
            ("", "No song"),
            *((song.pk, song_field.label_from_instance(song)) for song in shown),
        ]
        # Positions are bounded by the plan as it is now, so they are set per form.
        if adding:
            self.fields["position"] = forms.IntegerField(
                min_value=1,
                max_value=plan_length + 1,
                required=False,
                help_text="1 is first. Leave blank to add it at the end.",
            )
        else:
            self.fields["position"] = forms.IntegerField(
                min_value=1,
                max_value=max(plan_length, 1),
                help_text=f"1 is first, {plan_length} is last.",
            )
        # Only an activity with no goal areas yet takes its song's: once tagged, unticking
        # them all means "none", not "the song's again".
        if adding or not self.initial.get("goal_areas"):
            self.fields["goal_areas"].help_text = (
                "What this activity serves. Left empty, it takes the chosen song's goal "
                "areas when saved."
            )
        else:
            self.fields["goal_areas"].help_text = "What this activity serves."
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            "song",
            "activity_type",
            "minutes",
            "purpose",
            InlineCheckboxes("goal_areas"),
            "position",
        )

    @classmethod
    def initial_for(cls, item: PlanItem) -> dict:
        return {
            "song": item.song_id,
            "activity_type": item.activity_type,
            "minutes": item.minutes,
            "purpose": item.purpose,
            "goal_areas": list(item.goal_areas.all()),
            "position": item.position,
        }

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "song": data["song"],
            "activity_type": data["activity_type"],
            "minutes": data["minutes"],
            "purpose": data["purpose"],
            "goal_areas": list(data["goal_areas"]),
            "position": data["position"],
        }


class PlanCopyForm(forms.Form):
    REPLACE_CHOICES = [
        ("append", "Add them after the activities already planned"),
        ("replace", "Replace the current plan (its activities are deleted)"),
    ]

    source = forms.ModelChoiceField(
        label="Copy the plan of", queryset=Session.objects.none(), empty_label=None
    )
    mode = forms.ChoiceField(
        label="What to do with this session's plan",
        choices=REPLACE_CHOICES,
        initial="append",
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, sources, groups: dict[str, list[Session]], **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["source"]
        field.queryset = sources
        field.choices = [
            (heading, [(s.pk, _session_label(s)) for s in sessions])
            for heading, sessions in groups.items()
            if sessions
        ]

    @property
    def has_sources(self) -> bool:
        return bool(self.fields["source"].choices)


def _session_label(session: Session) -> str:
    start = session.local_starts_at
    minutes = session.plan_minutes or 0
    count = session.item_count
    activities = "1 activity" if count == 1 else f"{count} activities"
    return f"{start:%a %-d %b %Y} · {session.group.name} · {activities}, {minutes} min"
