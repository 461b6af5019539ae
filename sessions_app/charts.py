"""Server-rendered SVG charts: no JavaScript, nothing from a CDN.

A chart must be readable without colour (printed in grey, or by someone who does not
tell red from green): each series has its own marker shape and line dash, is labelled
at its last point, and has a legend that shows marker and dash; the page also gives the
same numbers as a table.
"""

from dataclasses import dataclass, field
from datetime import date

from .models import Reflection

WIDTH = 640
LEFT, RIGHT = 44, 88  # room for the y axis labels, and for end-of-line labels
INSET = 16  # keeps the first and last markers off the axis labels
MAX_X_LABELS = 8
VALUE_LABELS_UP_TO = 12  # beyond this many points, values are in the table only


@dataclass
class Point:
    x: float
    y: float
    value: int | str  # shown above the marker and in the table

    @property
    def square(self) -> tuple[str, str]:
        return f"{self.x - 4:.1f}", f"{self.y - 4:.1f}"

    @property
    def triangle(self) -> str:
        x, y = self.x, self.y
        return f"{x:.1f},{y - 5:.1f} {x + 5:.1f},{y + 4:.1f} {x - 5:.1f},{y + 4:.1f}"

    @property
    def above(self) -> str:
        return f"{self.y - 9:.1f}"

    @property
    def below(self) -> str:
        return f"{self.y + 16:.1f}"


@dataclass
class Series:
    label: str
    marker: str  # "circle" (open), "square" (filled), "triangle" (filled)
    dash: str  # SVG stroke-dasharray; "" for a solid line
    css: str  # a class for colour, which only adds to shape and dash
    points: list[Point] = field(default_factory=list)

    @property
    def path(self) -> str:
        return " ".join(
            f"{'M' if i == 0 else 'L'}{p.x:.1f},{p.y:.1f}" for i, p in enumerate(self.points)
        )

    @property
    def last(self) -> Point | None:
        return self.points[-1] if self.points else None


@dataclass
class Panel:
    title: str
    top: float
    height: float
    low: int
    high: int
    ticks: list[tuple[float, int]]
    series: list[Series]

    @property
    def bottom(self) -> float:
        return self.top + self.height

    def y(self, value: int) -> float:
        return self.bottom - (value - self.low) / (self.high - self.low) * self.height


@dataclass
class ReflectionChart:
    width: int
    height: int
    left: int
    right: int
    panels: list[Panel]
    x_labels: list[tuple[float, str]]
    show_values: bool
    count: int

    @property
    def plot_right(self) -> int:
        return self.width - self.right


def _x_positions(n: int) -> list[float]:
    span = WIDTH - LEFT - RIGHT - 2 * INSET
    if n == 1:
        return [LEFT + INSET + span / 2]
    step = span / (n - 1)
    return [LEFT + INSET + i * step for i in range(n)]


def _panel(title: str, *, top: float, height: float, low: int, high: int, tick_every: int) -> Panel:
    panel = Panel(title, top, height, low, high, [], [])
    panel.ticks = [
        (panel.y(v), v) for v in range(low, high + 1) if (v - low) % tick_every == 0 or v == high
    ]
    return panel


def reflection_chart(reflections: list[Reflection]) -> ReflectionChart:
    """Mood before and after (1–10) in one panel, connection (1–5) in another, one
    point per reflection in session order, oldest on the left."""
    xs = _x_positions(len(reflections)) if reflections else []
    mood = _panel("Mood (1–10)", top=64, height=180, low=1, high=10, tick_every=3)
    connection = _panel("Connection (1–5)", top=296, height=100, low=1, high=5, tick_every=1)

    before = Series("Mood before", "circle", "6 4", "series-before")
    after = Series("Mood after", "square", "", "series-after")
    connected = Series("Connection", "triangle", "2 3", "series-connection")

    for x, r in zip(xs, reflections, strict=True):
        before.points.append(Point(x, mood.y(r.mood_before), r.mood_before))
        after.points.append(Point(x, mood.y(r.mood_after), r.mood_after))
        connected.points.append(Point(x, connection.y(r.connection), r.connection))
    mood.series = [before, after]
    connection.series = [connected]

    every = max(1, -(-len(reflections) // MAX_X_LABELS))  # ceiling division
    days: list[date] = [r.session.local_date for r in reflections]
    labelled = [i for i in range(len(xs)) if i % every == 0]
    if labelled and labelled[-1] != len(xs) - 1 and len(xs) - 1 - labelled[-1] > every / 2:
        labelled.append(len(xs) - 1)  # the latest date, unless it would crowd the one before
    x_labels = [(xs[i], f"{days[i]:%-d %b}") for i in labelled]
    return ReflectionChart(
        width=WIDTH,
        height=436,
        left=LEFT,
        right=RIGHT,
        panels=[mood, connection],
        x_labels=x_labels,
        show_values=len(reflections) <= VALUE_LABELS_UP_TO,
        count=len(reflections),
    )
