"""The instrument catalogue: validated questionnaires and the session check-in, as data.

Each instrument carries its exact item wording and answer options, how it is scored, its
severity bands, which direction is better, the published threshold for a reliable change
where there is one, its citation and its terms of use. The rest of Refrain reads these
objects: forms are built from them, scores computed by them, charts banded by them. There
is no survey builder on purpose: a questionnaire's wording is part of its validation.

An instrument is offered in English and in each language it has a `Wording` for: the
published translation where a validated one exists (a questionnaire's translation is part
of its validation too, so it lives here, never in the .po catalogues), Refrain's own
wording for Refrain's own check-in. A participant whose language an instrument has no
wording in is not asked to answer it.

Scales are stored as small integers; `Instrument.score` adds the items (every published
scoring rule here is a plain sum) and refuses incomplete or out-of-range answers.
"""

from dataclasses import dataclass, replace
from functools import lru_cache

from django.utils import translation


@dataclass(frozen=True)
class Option:
    value: int
    label: str


@dataclass(frozen=True)
class Item:
    key: str
    text: str
    # A choice among options, or a number from `low` to `high` (a slider), with the words
    # at each end.
    options: tuple[Option, ...] = ()
    low: int = 0
    high: int = 0
    low_label: str = ""
    high_label: str = ""

    @property
    def is_choice(self) -> bool:
        return bool(self.options)

    def accepts(self, value: object) -> bool:
        if isinstance(value, bool) or not isinstance(value, int):
            return False
        if self.options:
            return value in {o.value for o in self.options}
        return self.low <= value <= self.high

    @property
    def lowest(self) -> int:
        return min(o.value for o in self.options) if self.options else self.low

    @property
    def highest(self) -> int:
        return max(o.value for o in self.options) if self.options else self.high


@dataclass(frozen=True)
class Band:
    low: int
    high: int
    label: str


@dataclass(frozen=True)
class Wording:
    """An instrument in another language. `options` are the choice labels in the order of
    the English ones; `ends` the low and high words of each item ("" for choice items)."""

    plain_title: str
    stem: str
    items: tuple[str, ...]
    source: str
    options: tuple[str, ...] = ()
    ends: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Instrument:
    code: str
    name: str
    # What a participant sees as the title: plain words, never the instrument's name or a
    # treatment word (invitations and kiosk screens are seen over shoulders).
    plain_title: str
    stem: str
    items: tuple[Item, ...]
    higher_is_worse: bool
    citation: str
    terms: str
    bands: tuple[Band, ...] = ()
    # The published change in total score that counts as reliable; None where there is none.
    reliable_change: int | None = None
    # Keys of items whose answer above zero needs a clinician the same day.
    safety_items: tuple[str, ...] = ()
    # Check-in parts have no total: each item is read on its own.
    totals: bool = True
    # How long answering takes, for the invitation ("two minutes").
    minutes: int = 1
    notes: str = ""
    # (language code, wording) for each language besides English.
    translations: tuple[tuple[str, Wording], ...] = ()

    @property
    def languages(self) -> tuple[str, ...]:
        return ("en", *(code for code, _wording in self.translations))

    def offered_in(self, language: str) -> bool:
        return language in self.languages

    def in_language(self, language: str) -> "Instrument":
        """This instrument worded in `language`; as it is (English) without a wording."""
        wording = dict(self.translations).get(language)
        if wording is None:
            return self
        items = []
        for n, item in enumerate(self.items):
            low, high = wording.ends[n] if wording.ends else ("", "")
            options = tuple(
                replace(option, label=wording.options[self._option_index(option)])
                for option in item.options
            )
            items.append(
                replace(
                    item,
                    text=wording.items[n],
                    options=options,
                    low_label=low or item.low_label,
                    high_label=high or item.high_label,
                )
            )
        return replace(
            self,
            plain_title=wording.plain_title,
            stem=wording.stem,
            items=tuple(items),
            translations=(),
        )

    def _option_index(self, option: Option) -> int:
        labels = [o.label for o in self.items[0].options]
        return labels.index(option.label)

    @property
    def min_score(self) -> int:
        return sum(item.lowest for item in self.items)

    @property
    def max_score(self) -> int:
        return sum(item.highest for item in self.items)

    def item(self, key: str) -> Item:
        return next(i for i in self.items if i.key == key)

    def problems(self, answers: dict[str, object], *, partial: bool = False) -> list[str]:
        """What is wrong with a set of answers: missing items (unless `partial`), values
        out of range, items this instrument does not have."""
        keys = {i.key for i in self.items}
        wrong = [f"“{k}” is not a question of {self.name}." for k in answers if k not in keys]
        for item in self.items:
            if item.key not in answers:
                if not partial:
                    wrong.append(f"Answer: {item.text}")
            elif not item.accepts(answers[item.key]):
                wrong.append(f"Choose one of the answers offered for: {item.text}")
        return wrong

    def score(self, answers: dict[str, int]) -> int | None:
        """The total (None for instruments read item by item). Raises ValueError when the
        answers are incomplete or out of range: a partial questionnaire has no score."""
        problems = self.problems(answers)
        if problems:
            raise ValueError("; ".join(problems))
        if not self.totals:
            return None
        return sum(answers[item.key] for item in self.items)

    def band(self, score: int | None) -> Band | None:
        if score is None:
            return None
        return next((b for b in self.bands if b.low <= score <= b.high), None)

    def improved_reliably(self, first: int, latest: int) -> bool | None:
        """Whether a change from `first` to `latest` is a reliable improvement; None when
        the instrument has no published threshold."""
        if self.reliable_change is None:
            return None
        change = first - latest if self.higher_is_worse else latest - first
        return change >= self.reliable_change

    def safety_concern(self, answers: dict[str, int]) -> bool:
        return any(answers.get(key, 0) > 0 for key in self.safety_items)


# --- PHQ-9, PHQ-2, GAD-7 -----------------------------------------------------------------

_PHQ_TERMS = (
    "Developed by Drs. Robert L. Spitzer, Janet B.W. Williams, Kurt Kroenke and colleagues, "
    "with an educational grant from Pfizer Inc. No permission required to reproduce, "
    "translate, display or distribute."
)
_FREQUENCY = (
    Option(0, "Not at all"),
    Option(1, "Several days"),
    Option(2, "More than half the days"),
    Option(3, "Nearly every day"),
)
_PHQ9_ITEMS = (
    "Little interest or pleasure in doing things",
    "Feeling down, depressed, or hopeless",
    "Trouble falling or staying asleep, or sleeping too much",
    "Feeling tired or having little energy",
    "Poor appetite or overeating",
    "Feeling bad about yourself — or that you are a failure or have let yourself or your "
    "family down",
    "Trouble concentrating on things, such as reading the newspaper or watching television",
    "Moving or speaking so slowly that other people could have noticed? Or the opposite — "
    "being so fidgety or restless that you have been moving around a lot more than usual",
    "Thoughts that you would be better off dead or of hurting yourself in some way",
)
_PHQ_STEM = (
    "Over the last 2 weeks, how often have you been bothered by any of the following problems?"
)
# The Spanish (USA) PHQ-9 and GAD-7 from the PHQ screeners' site (Pfizer; free to use).
_PHQ_SOURCE_ES = (
    "PHQ-9 and GAD-7, Spanish version for the USA, as published with the PHQ screeners "
    "(Pfizer Inc.)."
)
_FREQUENCY_ES = ("Ningún día", "Varios días", "Más de la mitad de los días", "Casi todos los días")
_PHQ_STEM_ES = (
    "Durante las últimas 2 semanas, ¿qué tan seguido ha tenido molestias debido a los "
    "siguientes problemas?"
)
_PHQ9_ITEMS_ES = (
    "Poco interés o placer en hacer cosas",
    "Se ha sentido decaído(a), deprimido(a) o sin esperanzas",
    "Ha tenido dificultad para quedarse o permanecer dormido(a), o ha dormido demasiado",
    "Se ha sentido cansado(a) o con poca energía",
    "Sin apetito o ha comido en exceso",
    "Se ha sentido mal con usted mismo(a) – o que es un fracaso o que ha quedado mal con "
    "usted mismo(a) o con su familia",
    "Ha tenido dificultad para concentrarse en ciertas actividades, tales como leer el "
    "periódico o ver la televisión",
    "¿Se ha movido o hablado tan lento que otras personas podrían haberlo notado? o lo "
    "contrario – muy inquieto(a) o agitado(a) que ha estado moviéndose mucho más de lo normal",
    "Pensamientos de que estaría mejor muerto(a) o de lastimarse de alguna manera",
)

PHQ9 = Instrument(
    code="phq9",
    name="PHQ-9",
    plain_title="A few questions about the last two weeks",
    stem=_PHQ_STEM,
    items=tuple(Item(f"q{n}", text, options=_FREQUENCY) for n, text in enumerate(_PHQ9_ITEMS, 1)),
    higher_is_worse=True,
    bands=(
        Band(0, 4, "Minimal"),
        Band(5, 9, "Mild"),
        Band(10, 14, "Moderate"),
        Band(15, 19, "Moderately severe"),
        Band(20, 27, "Severe"),
    ),
    # The reliable change index used by England's NHS Talking Therapies (IAPT) for PHQ-9.
    reliable_change=6,
    safety_items=("q9",),
    citation="Kroenke K, Spitzer RL, Williams JB. The PHQ-9: validity of a brief depression "
    "severity measure. J Gen Intern Med. 2001;16(9):606-613.",
    terms=_PHQ_TERMS,
    minutes=3,
    notes="Item 9 above zero raises a safety alert at once, whatever the total.",
    translations=(
        (
            "es",
            Wording(
                plain_title="Unas preguntas sobre las últimas dos semanas",
                stem=_PHQ_STEM_ES,
                items=_PHQ9_ITEMS_ES,
                options=_FREQUENCY_ES,
                source=_PHQ_SOURCE_ES,
            ),
        ),
    ),
)

PHQ2 = Instrument(
    code="phq2",
    name="PHQ-2",
    plain_title="Two questions about the last two weeks",
    stem=_PHQ_STEM,
    items=PHQ9.items[:2],
    higher_is_worse=True,
    # 3 or more: a positive screen, to follow with the PHQ-9.
    bands=(Band(0, 2, "Negative screen"), Band(3, 6, "Positive screen")),
    citation="Kroenke K, Spitzer RL, Williams JB. The Patient Health Questionnaire-2: validity "
    "of a two-item depression screener. Med Care. 2003;41(11):1284-1292.",
    terms=_PHQ_TERMS,
    minutes=1,
    notes="A score of 3 or more is a positive screen: give the PHQ-9.",
    translations=(
        (
            "es",
            Wording(
                plain_title="Dos preguntas sobre las últimas dos semanas",
                stem=_PHQ_STEM_ES,
                items=_PHQ9_ITEMS_ES[:2],
                options=_FREQUENCY_ES,
                source=_PHQ_SOURCE_ES,
            ),
        ),
    ),
)

GAD7 = Instrument(
    code="gad7",
    name="GAD-7",
    plain_title="A few more questions about the last two weeks",
    stem="Over the last 2 weeks, how often have you been bothered by the following problems?",
    items=tuple(
        Item(f"q{n}", text, options=_FREQUENCY)
        for n, text in enumerate(
            (
                "Feeling nervous, anxious, or on edge",
                "Not being able to stop or control worrying",
                "Worrying too much about different things",
                "Trouble relaxing",
                "Being so restless that it is hard to sit still",
                "Becoming easily annoyed or irritable",
                "Feeling afraid, as if something awful might happen",
            ),
            1,
        )
    ),
    higher_is_worse=True,
    bands=(
        Band(0, 4, "Minimal"),
        Band(5, 9, "Mild"),
        Band(10, 14, "Moderate"),
        Band(15, 21, "Severe"),
    ),
    # The reliable change index used by NHS Talking Therapies (IAPT) for GAD-7.
    reliable_change=4,
    citation="Spitzer RL, Kroenke K, Williams JBW, Löwe B. A brief measure for assessing "
    "generalized anxiety disorder: the GAD-7. Arch Intern Med. 2006;166(10):1092-1097.",
    terms=_PHQ_TERMS,
    minutes=2,
    translations=(
        (
            "es",
            Wording(
                plain_title="Unas preguntas más sobre las últimas dos semanas",
                stem=_PHQ_STEM_ES,
                items=(
                    "Se ha sentido nervioso(a), ansioso(a) o con los nervios de punta",
                    "No ha sido capaz de parar o controlar su preocupación",
                    "Se ha preocupado demasiado por motivos diferentes",
                    "Ha tenido dificultad para relajarse",
                    "Se ha sentido tan inquieto(a) que no ha podido quedarse quieto(a)",
                    "Se ha molestado o irritado fácilmente",
                    "Ha tenido miedo de que algo terrible fuera a pasar",
                ),
                options=_FREQUENCY_ES,
                source=_PHQ_SOURCE_ES,
            ),
        ),
    ),
)

# --- Loneliness and craving --------------------------------------------------------------

UCLA3 = Instrument(
    code="ucla3",
    name="UCLA 3-item Loneliness Scale",
    plain_title="Three questions about how you have been feeling",
    stem="How often do you feel…",
    items=tuple(
        Item(
            f"q{n}",
            text,
            options=(Option(1, "Hardly ever"), Option(2, "Some of the time"), Option(3, "Often")),
        )
        for n, text in enumerate(
            (
                "…that you lack companionship?",
                "…left out?",
                "…isolated from others?",
            ),
            1,
        )
    ),
    higher_is_worse=True,
    # 6 or more is the cut-off for "lonely" used with this scale (Steptoe et al. 2013).
    bands=(Band(3, 5, "Not lonely"), Band(6, 9, "Lonely")),
    citation="Hughes ME, Waite LJ, Hawkley LC, Cacioppo JT. A short scale for measuring "
    "loneliness in large surveys. Res Aging. 2004;26(6):655-672.",
    terms="Free to use; the items are published in the article cited.",
    minutes=1,
    notes="No reliable-change threshold is published for the three-item scale.",
    translations=(
        (
            "es",
            Wording(
                plain_title="Tres preguntas sobre cómo se ha sentido",
                stem="¿Con qué frecuencia siente…",
                items=(
                    "…que le falta compañía?",
                    "…que lo dejan de lado?",
                    "…que está aislado(a) de los demás?",
                ),
                options=("Casi nunca", "Algunas veces", "A menudo"),
                source="Trucharte A, Calderón L, Cerezo E, Contreras A, Peinado V, Valiente C. "
                "Three-item loneliness scale: psychometric properties and normative data of "
                "the Spanish version. Curr Psychol. 2021. doi:10.1007/s12144-021-02110-x.",
            ),
        ),
    ),
)

CRAVING_VAS = Instrument(
    code="craving_vas",
    name="Craving visual-analogue scale",
    plain_title="One question about right now",
    stem="Right now, how much do you want to use?",
    items=(
        Item(
            "craving",
            "How strong is your craving right now?",
            low=0,
            high=100,
            low_label="Not at all",
            high_label="Extremely",
        ),
    ),
    higher_is_worse=True,
    citation="Visual-analogue craving scale (0–100) as used in trials of the NIDA Clinical "
    "Trials Network, e.g. Lee JD et al. Comparative effectiveness of extended-release "
    "naltrexone versus buprenorphine-naloxone for opioid relapse prevention (X:BOT, "
    "CTN-0051). Lancet. 2018;391(10118):309-318.",
    terms="Public domain.",
    minutes=1,
    # No validated Spanish wording: not offered to participants who read Spanish.
    notes="A score at or above the site's craving threshold raises a safety alert.",
)

# --- The session check-in ----------------------------------------------------------------

_MOOD = Item(
    "mood",
    "How are you feeling right now?",
    low=1,
    high=10,
    low_label="Very low",
    high_label="Very good",
)
_CRAVING = Item(
    "craving",
    "Any craving right now?",
    low=0,
    high=10,
    low_label="None",
    high_label="Strongest",
)
_CONNECTION = Item(
    "connection",
    "How connected do you feel to the group?",
    low=1,
    high=5,
    low_label="Not at all",
    high_label="Very",
)
_CHECKIN_TERMS = "Refrain's own; not a validated instrument. Read item by item, never totalled."
# Refrain's own check-in in Refrain's own Spanish (formal "usted", as the PHQ's).
_CHECKIN_SOURCE_ES = "Refrain's own Spanish wording of its check-in."
_CHECKIN_STEM_ES = "Toque lo que le describa: no hay respuestas incorrectas."
_MOOD_ES = ("¿Cómo se siente ahora mismo?", ("Muy mal", "Muy bien"))
_CRAVING_ES = ("¿Siente ansias ahora mismo?", ("Nada", "Muy fuertes"))
_CONNECTION_ES = ("¿Qué tan conectado(a) se siente con el grupo?", ("Nada", "Mucho"))


def _checkin_es(title: str, *items: tuple[str, tuple[str, str]]) -> tuple[tuple[str, Wording]]:
    return (
        (
            "es",
            Wording(
                plain_title=title,
                stem=_CHECKIN_STEM_ES,
                items=tuple(text for text, _ends in items),
                ends=tuple(ends for _text, ends in items),
                source=_CHECKIN_SOURCE_ES,
            ),
        ),
    )


CHECKIN_BEFORE = Instrument(
    code="checkin_before",
    name="Session check-in (before)",
    plain_title="Before we start",
    stem="Tap what fits: there are no wrong answers.",
    items=(_MOOD, _CRAVING),
    higher_is_worse=False,
    totals=False,
    citation="Refrain session check-in; scales as in Refrain's reflections (mood 1–10, "
    "craving 0–10, connection 1–5).",
    terms=_CHECKIN_TERMS,
    minutes=1,
    translations=_checkin_es("Antes de empezar", _MOOD_ES, _CRAVING_ES),
)
CHECKIN_AFTER = Instrument(
    code="checkin_after",
    name="Session check-in (after)",
    plain_title="Before you go",
    stem="Tap what fits: there are no wrong answers.",
    items=(_MOOD, _CRAVING, _CONNECTION),
    higher_is_worse=False,
    totals=False,
    citation=CHECKIN_BEFORE.citation,
    terms=_CHECKIN_TERMS,
    minutes=1,
    translations=_checkin_es("Antes de irse", _MOOD_ES, _CRAVING_ES, _CONNECTION_ES),
)

CATALOGUE: dict[str, Instrument] = {
    i.code: i for i in (UCLA3, PHQ9, PHQ2, GAD7, CRAVING_VAS, CHECKIN_BEFORE, CHECKIN_AFTER)
}
# Questionnaires a group's therapists can schedule (the check-in goes with every session).
SCHEDULABLE = ("ucla3", "phq9", "phq2", "gad7", "craving_vas")
CHOICES = [(i.code, i.name) for i in CATALOGUE.values()]


def get(code: str) -> Instrument:
    try:
        return CATALOGUE[code]
    except KeyError:
        raise ValueError(f"No instrument {code!r}") from None


def worded(code: str, language: str | None = None) -> Instrument:
    """The instrument in `language` (the active language by default), or in English where
    it has no wording in that language (a request made before the participant changed
    language is still answerable)."""
    return _worded(code, language or translation.get_language() or "en")


# The catalogue and its wordings are fixed while the app runs, and instruments are
# immutable: each wording is put together once, not for every line that names it.
@lru_cache(maxsize=128)
def _worded(code: str, language: str) -> Instrument:
    return get(code).in_language(language)


def not_offered_in(language: str) -> list[Instrument]:
    """The schedulable questionnaires a participant reading `language` is never asked."""
    return [CATALOGUE[code] for code in SCHEDULABLE if not CATALOGUE[code].offered_in(language)]
