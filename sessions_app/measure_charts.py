"""Server-rendered SVG charts of measures: no JavaScript, nothing from a CDN.

As in `charts.py`, a chart is readable without colour: each series has its own marker
shape and line dash and is named in a legend and at its last point; a severity band is
named on the chart, not only shaded; enrolment and discharge are labelled lines. Every
page shows the same numbers as a table under the chart. One template draws every chart
here (templates/measures/_line_chart.html).
"""

from dataclasses import dataclass, field
from datetime import date

from . import charts
from .charts import Point
from .instruments import Instrument
from .selectors.measures import CheckinRow, InstrumentHistory, Milestone, SessionChange, Week

WIDTH = 640
LEFT, RIGHT = 44, 120  # y axis labels; band names and end-of-line labels
INSET = 16
MAX_X_LABELS = 8
VALUE_LABELS_UP_TO = 12
MIN_LABEL_GAP = 64  # pixels between two date labels


@dataclass
class Series(charts.Series):
    """A series whose line breaks where a value is missing (a week without answers)."""

    breaks: set[int] = field(default_factory=set)

    @property
    def path(self) -> str:
        parts = []
        for i, p in enumerate(self.points):
            parts.append(f"{'M' if i == 0 or i in self.breaks else 'L'}{p.x:.1f},{p.y:.1f}")
        return " ".join(parts)


@dataclass
class BandArea:
    y: float
    height: float
    label: str
    css: str  # alternate shading; the label carries the meaning

    @property
    def label_y(self) -> str:
        return f"{self.y + self.height / 2 + 4:.1f}"


@dataclass
class Panel:
    title: str
    top: float
    height: float
    low: int
    high: int
    series: list[Series] = field(default_factory=list)
    bands: list[BandArea] = field(default_factory=list)
    ticks: list[tuple[float, int]] = field(default_factory=list)

    @property
    def bottom(self) -> float:
        return self.top + self.height

    def y(self, value: float) -> float:
        return self.bottom - (value - self.low) / (self.high - self.low) * self.height


@dataclass
class Mark:
    """A labelled vertical line: an enrolment or a discharge."""

    x: float
    label: str


@dataclass
class LineChart:
    title: str
    description: str
    panels: list[Panel]
    x_labels: list[tuple[float, str]]
    marks: list[Mark] = field(default_factory=list)
    # Text under the x labels: who joined and left each week.
    footnotes: list[tuple[float, str]] = field(default_factory=list)
    show_values: bool = True
    width: int = WIDTH
    left: int = LEFT
    right: int = RIGHT

    @property
    def height(self) -> float:
        bottom = max(p.bottom for p in self.panels)
        return bottom + (52 if self.footnotes else 32)

    @property
    def plot_right(self) -> int:
        return self.width - self.right

    @property
    def marks_top(self) -> int:
        return int(self.panels[0].top)

    @property
    def plot_width(self) -> int:
        return self.width - self.right - self.left

    @property
    def x_label_y(self) -> float:
        return max(p.bottom for p in self.panels) + 18

    @property
    def footnote_y(self) -> float:
        return self.x_label_y + 18

    @property
    def legend(self) -> list[tuple[float, Series]]:
        seen, out = set(), []
        for panel in self.panels:
            for s in panel.series:
                if s.label not in seen:
                    seen.add(s.label)
                    out.append((len(out) * 150.0, s))
        return out


def _panel(title: str, *, top: float, height: float, low: int, high: int, every: int) -> Panel:
    panel = Panel(title, top, height, low, high)
    values = [v for v in range(low, high + 1) if (v - low) % every == 0]
    if values[-1] != high:
        # The top of the scale, unless it would print over the tick below it.
        if high - values[-1] < every / 2:
            values.pop()
        values.append(high)
    panel.ticks = [(panel.y(v), v) for v in values]
    return panel


def _evenly(n: int) -> list[float]:
    span = WIDTH - LEFT - RIGHT - 2 * INSET
    if n == 1:
        return [LEFT + INSET + span / 2]
    return [LEFT + INSET + i * span / (n - 1) for i in range(n)]


def _thinned(xs: list[float], labels: list[str]) -> list[tuple[float, str]]:
    every = max(1, -(-len(xs) // MAX_X_LABELS))
    return [
        (x, label) for i, (x, label) in enumerate(zip(xs, labels, strict=True)) if i % every == 0
    ]


def _number(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


# --- A participant's instrument over time -----------------------------------------------


def score_chart(history: InstrumentHistory, milestones: list[Milestone]) -> LineChart:
    """One instrument's score by date, over its severity bands, with the participant's
    enrolments and discharges as labelled lines. Time runs evenly, so that gaps between
    answers show."""
    inst = history.instrument
    days = [p.day for p in history.points]
    first = min(days + [m.day for m in milestones])
    last = max(days + [m.day for m in milestones])
    span = max((last - first).days, 1)
    plot = WIDTH - LEFT - RIGHT - 2 * INSET

    def x(day: date) -> float:
        if first == last:
            return LEFT + INSET + plot / 2
        return LEFT + INSET + (day - first).days / span * plot

    scale = inst.max_score - inst.min_score
    panel = _panel(
        f"{inst.name} ({inst.min_score}–{inst.max_score}, "
        f"{'higher is worse' if inst.higher_is_worse else 'higher is better'})",
        top=56,
        height=200,
        low=inst.min_score,
        high=inst.max_score,
        every=max(1, scale // 5),
    )
    for i, band in enumerate(inst.bands):
        top, bottom = (
            panel.y(min(band.high + 0.5, inst.max_score)),
            panel.y(max(band.low - 0.5, inst.min_score)),
        )
        panel.bands.append(BandArea(top, bottom - top, band.label, f"band-{i % 2}"))
    series = Series("Score", "square", "", "series-after")
    for p in history.points:
        series.points.append(Point(x(p.day), panel.y(p.score), str(p.score)))
    panel.series = [series]
    labels: list[tuple[float, str]] = []
    for d in sorted(set(days)):
        # Answers close together share a label: the first of them.
        if not labels or x(d) - labels[-1][0] >= MIN_LABEL_GAP:
            labels.append((x(d), f"{d:%-d %b %y}"))
    return LineChart(
        title=f"{inst.name} over time",
        description=(
            f"{inst.name}: filled squares on a solid line, one for each answer, oldest on the "
            "left, over the severity bands named on the right. Dashed vertical lines mark "
            "joining and leaving a group."
        ),
        panels=[panel],
        x_labels=labels,
        marks=[Mark(x(m.day), m.label) for m in milestones],
        show_values=len(history.points) <= VALUE_LABELS_UP_TO,
    )


def checkin_chart(rows: list[CheckinRow]) -> LineChart:
    """Mood before and after (1–10), craving before and after (0–10) and connection
    (1–5), one point per session in session order."""
    xs = _evenly(len(rows))
    mood = _panel("Mood (1–10, higher is better)", top=56, height=150, low=1, high=10, every=3)
    craving = _panel(
        "Craving (0–10, higher is stronger)", top=246, height=120, low=0, high=10, every=5
    )
    connection = _panel("Connection (1–5)", top=406, height=80, low=1, high=5, every=1)
    series = {
        "mood_before": (mood, Series("Before", "circle", "6 4", "series-before")),
        "mood_after": (mood, Series("After", "square", "", "series-after")),
        "craving_before": (craving, Series("Before", "circle", "6 4", "series-before")),
        "craving_after": (craving, Series("After", "square", "", "series-after")),
        "connection": (connection, Series("Connection", "triangle", "2 3", "series-connection")),
    }
    for x, row in zip(xs, rows, strict=True):
        for attr, (panel, s) in series.items():
            value = getattr(row, attr)
            if value is None:
                s.breaks.add(len(s.points))
                continue
            s.points.append(Point(x, panel.y(value), str(value)))
    for panel, s in series.values():
        panel.series.append(s)
    return LineChart(
        title="Session check-ins",
        description=(
            "Before each session: open circles on a dashed line. After it: filled squares on "
            "a solid line. Connection after the session: triangles on a dotted line. Oldest "
            "session on the left."
        ),
        panels=[mood, craving, connection],
        x_labels=_thinned(xs, [f"{r.day:%-d %b}" for r in rows]),
        show_values=len(rows) <= VALUE_LABELS_UP_TO,
    )


# --- A group, week by week --------------------------------------------------------------


def group_chart(weeks: list[Week]) -> LineChart:
    xs = _evenly(len(weeks))
    lonely = _panel(
        "Loneliness (3–9, higher is lonelier)", top=56, height=140, low=3, high=9, every=2
    )
    craving = _panel("Craving before sessions (0–10)", top=236, height=140, low=0, high=10, every=5)
    ls = Series("Loneliness", "square", "", "series-after")
    cs = Series("Craving", "circle", "6 4", "series-before")
    for x, week in zip(xs, weeks, strict=True):
        for panel, s, value in ((lonely, ls, week.loneliness), (craving, cs, week.craving)):
            if value is None:
                s.breaks.add(len(s.points))
            else:
                s.points.append(Point(x, panel.y(value), _number(value)))
    lonely.series, craving.series = [ls], [cs]
    footnotes = []
    for x, week in zip(xs, weeks, strict=True):
        text = " ".join(
            t
            for t in (
                f"+{week.joined}" if week.joined else "",
                f"−{week.left}" if week.left else "",
            )
            if t
        )
        if text:
            footnotes.append((x, text))
    return LineChart(
        title="Loneliness and craving, week by week",
        description=(
            "Mean loneliness: filled squares on a solid line. Mean craving before sessions: "
            "open circles on a dashed line. Under each week: how many joined (+) and left (−)."
        ),
        panels=[lonely, craving],
        x_labels=_thinned(xs, [f"{w.start:%-d %b}" for w in weeks]),
        footnotes=footnotes,
        show_values=False,
    )


# --- One session: before and after -----------------------------------------------------


@dataclass
class Bar:
    y: float
    width: float
    label: str
    value: str
    css: str  # "bar-before" (open, outlined) or "bar-after" (hatched)


@dataclass
class BarChart:
    bars: list[Bar]
    width: int = 480
    left: int = 130
    bar_height: int = 18

    @property
    def height(self) -> int:
        return int(self.bars[-1].y + self.bar_height + 12) if self.bars else 0


def session_bars(change: SessionChange) -> BarChart:
    """Mean mood and craving before and after, as bars on the same 0–10 scale: before
    outlined, after hatched, each with its label and value written beside it."""
    scale = (480 - 130 - 60) / 10
    bars, y = [], 8.0
    for label, before, after in (
        ("Mood", change.mood_before, change.mood_after),
        ("Craving", change.craving_before, change.craving_after),
    ):
        if before is None or after is None:
            continue
        bars.append(Bar(y, before * scale, f"{label} before", _number(before), "bar-before"))
        bars.append(Bar(y + 22, after * scale, f"{label} after", _number(after), "bar-after"))
        y += 58
    return BarChart(bars)


def plain_change(instrument: Instrument, first: int, latest: int) -> str:
    """“went from 7 to 5”, or “stayed at 6”."""
    return f"stayed at {first}" if first == latest else f"went from {first} to {latest}"
