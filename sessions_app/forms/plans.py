"""Assessment and treatment plan forms.

The plan form has a slot for each goal and objective the draft has, one empty goal and
one empty objective under each goal: a therapist adds a goal or an objective by filling
the empty slot and saving, and removes one by clearing it. No script needed, and a
form that comes back with errors keeps every slot as it was typed (`shape`).
"""

from dataclasses import dataclass

from django import forms

from ..models import Assessment, GoalArea, Objective, TreatmentPlan
from ..services.plans import GoalDraft, ObjectiveDraft, PlanDraft
from . import BoundedDateField
from .field_views import FieldView, field_view
from .groups import DATE

# Examples under a goal's first objective only: on every one they would crowd the form.
BEHAVIOUR_HELP = "What they will do, e.g. “share one feeling through a song choice”."
CRITERION_HELP = "e.g. “in 3 of 4 sessions”."
MAX_GOALS = 8
MAX_OBJECTIVES = 8


class AssessmentForm(forms.Form):
    assessed_on = BoundedDateField(label="Assessed on", widget=DATE)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, label, help_text in Assessment.AREAS:
            self.fields[name] = forms.CharField(
                label=label,
                required=False,
                help_text=help_text,
                widget=forms.Textarea(attrs={"rows": 3}),
            )

    @classmethod
    def initial_for(cls, assessment: Assessment) -> dict:
        initial = {"assessed_on": assessment.assessed_on}
        initial.update({name: getattr(assessment, name) for name, _, _ in Assessment.AREAS})
        return initial

    def fields_shown(self) -> list[FieldView]:
        return [field_view(self[name]) for name in self.fields]

    def texts(self) -> dict[str, str]:
        return {name: self.cleaned_data.get(name, "") for name, _, _ in Assessment.AREAS}


@dataclass
class ObjectiveSlot:
    behaviour: FieldView
    criterion: FieldView
    target: FieldView
    outcome: FieldView | None  # only for an objective carried from the last version
    carried_from: forms.BoundField
    number: int


@dataclass
class GoalSlot:
    number: int
    need: FieldView
    area: FieldView
    statement: FieldView
    plain: FieldView
    objectives: list[ObjectiveSlot]
    is_new: bool


def _parse_shape(text: str) -> list[int]:
    """ "2.1.0" → objective slots per goal slot; anything odd gives one empty goal."""
    try:
        shape = [int(n) for n in text.split(".") if n != ""]
    except ValueError:
        return [1]
    shape = [min(max(n, 1), MAX_OBJECTIVES) for n in shape[:MAX_GOALS]]
    return shape or [1]


class PlanForm(forms.Form):
    starts_on = BoundedDateField(label="Plan starts", widget=DATE)
    review_on = BoundedDateField(
        label="Review by", widget=DATE, help_text="Shown on your home page a week ahead."
    )
    methods = forms.MultipleChoiceField(
        label="Music-therapy methods",
        choices=TreatmentPlan.Method.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    shape = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, plan: TreatmentPlan, goals: list, **kwargs):
        """`goals`: the draft's goals with objectives prefetched, for the slots."""
        super().__init__(*args, **kwargs)
        self.plan = plan
        areas = [("", "Choose an area…")] + [(a.pk, a.name) for a in GoalArea.objects.all()]
        if self.is_bound:
            shape = _parse_shape(self.data.get("shape", ""))
        else:
            # Each goal's objectives and an empty one; then an empty goal.
            shape = [len(g.objectives.all()) + 1 for g in goals][: MAX_GOALS - 1] + [2]
            self._initial_from(plan, goals)
        self.initial["shape"] = ".".join(str(n) for n in shape)
        self.shape = shape
        for i, count in enumerate(shape):
            p = f"g{i}"
            self.fields[f"{p}_need"] = forms.CharField(
                label="Need it answers",
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
                help_text="What the assessment found: in the clinician's words.",
            )
            self.fields[f"{p}_area"] = forms.TypedChoiceField(
                label="Goal area", choices=areas, required=False, coerce=int, empty_value=None
            )
            self.fields[f"{p}_statement"] = forms.CharField(
                label="Goal", required=False, widget=forms.Textarea(attrs={"rows": 2})
            )
            self.fields[f"{p}_plain"] = forms.CharField(
                label="In plain words, for the participant",
                required=False,
                max_length=300,
                help_text="Shown on their own page (where the programme allows). "
                "Leave blank to keep this goal off it.",
            )
            for j in range(count):
                q = f"{p}_o{j}"
                self.fields[f"{q}_behaviour"] = forms.CharField(
                    label="The participant will",
                    required=False,
                    max_length=300,
                    help_text=BEHAVIOUR_HELP if j == 0 else "",
                )
                self.fields[f"{q}_criterion"] = forms.CharField(
                    label="How often or how well",
                    required=False,
                    max_length=200,
                    help_text=CRITERION_HELP if j == 0 else "",
                )
                self.fields[f"{q}_target"] = BoundedDateField(
                    label="By", required=False, widget=DATE
                )
                self.fields[f"{q}_from"] = forms.IntegerField(
                    required=False, widget=forms.HiddenInput
                )
                self.fields[f"{q}_outcome"] = forms.ChoiceField(
                    label="At this review",
                    choices=Objective.Outcome.choices,
                    required=False,
                )

    def _initial_from(self, plan: TreatmentPlan, goals: list) -> None:
        self.initial.update(
            {"starts_on": plan.starts_on, "review_on": plan.review_on, "methods": plan.methods}
        )
        for i, goal in enumerate(goals[: MAX_GOALS - 1]):
            p = f"g{i}"
            self.initial.update(
                {
                    f"{p}_need": goal.need,
                    f"{p}_area": goal.area_id,
                    f"{p}_statement": goal.statement,
                    f"{p}_plain": goal.plain_words,
                }
            )
            for j, o in enumerate(goal.objectives.all()):
                q = f"{p}_o{j}"
                self.initial.update(
                    {
                        f"{q}_behaviour": o.behaviour,
                        f"{q}_criterion": o.criterion,
                        f"{q}_target": o.target_on,
                        f"{q}_from": o.pk if o.origin_id else None,
                        f"{q}_outcome": o.outcome,
                    }
                )

    def _is_carried(self, q: str) -> bool:
        value = self[f"{q}_from"].value()
        return value not in (None, "")

    def goal_slots(self) -> list[GoalSlot]:
        slots = []
        for i, count in enumerate(self.shape):
            p = f"g{i}"
            objectives = []
            for j in range(count):
                q = f"{p}_o{j}"
                objectives.append(
                    ObjectiveSlot(
                        behaviour=field_view(self[f"{q}_behaviour"]),
                        criterion=field_view(self[f"{q}_criterion"]),
                        target=field_view(self[f"{q}_target"]),
                        outcome=field_view(self[f"{q}_outcome"]) if self._is_carried(q) else None,
                        carried_from=self[f"{q}_from"],
                        number=j + 1,
                    )
                )
            slots.append(
                GoalSlot(
                    number=i + 1,
                    need=field_view(self[f"{p}_need"]),
                    area=field_view(self[f"{p}_area"]),
                    statement=field_view(self[f"{p}_statement"]),
                    plain=field_view(self[f"{p}_plain"]),
                    objectives=objectives,
                    is_new=not any(self[f"{p}_{n}"].value() for n in ("need", "area", "statement")),
                )
            )
        return slots

    def clean(self):
        data = super().clean()
        goals = []
        for i, count in enumerate(self.shape):
            p = f"g{i}"
            objectives = []
            for j in range(count):
                q = f"{p}_o{j}"
                parts = {n: data.get(f"{q}_{n}") for n in ("behaviour", "criterion", "target")}
                if not any(parts.values()):
                    continue
                for name, message in (
                    ("behaviour", "Say what the participant will do."),
                    ("criterion", "Say how often or how well: that is what makes it measurable."),
                    ("target", "Give the date it is to be met by."),
                ):
                    if not parts[name]:
                        self.add_error(f"{q}_{name}", message)
                carried = data.get(f"{q}_from")
                objectives.append(
                    ObjectiveDraft(
                        behaviour=parts["behaviour"] or "",
                        criterion=parts["criterion"] or "",
                        target_on=parts["target"],
                        outcome=(data.get(f"{q}_outcome") or Objective.Outcome.CONTINUED)
                        if carried
                        else "",
                        carried_from=carried,
                    )
                )
            goal = {n: data.get(f"{p}_{n}") for n in ("need", "area", "statement", "plain")}
            if not any(goal.values()) and not objectives:
                continue
            for name, message in (
                ("need", "Say what need this goal answers."),
                ("area", "Choose the goal's area."),
                ("statement", "Write the goal."),
            ):
                if not goal[name]:
                    self.add_error(f"{p}_{name}", message)
            goals.append(
                GoalDraft(
                    need=goal["need"] or "",
                    area_id=goal["area"] or 0,
                    statement=goal["statement"] or "",
                    plain_words=goal["plain"] or "",
                    objectives=tuple(objectives),
                )
            )
        self.goals = goals
        return data

    def draft(self) -> PlanDraft:
        data = self.cleaned_data
        return PlanDraft(
            starts_on=data["starts_on"],
            review_on=data["review_on"],
            methods=tuple(data.get("methods") or ()),
            goals=tuple(self.goals),
        )
