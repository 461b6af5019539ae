"""The attendance trend as a server-rendered SVG bar chart: no JavaScript, no CDN.

Readable without colour: one series of dark bars on a white ground, each with its
value written above it, months written below, and a table of the same numbers on the
page. A month without sessions has no bar and a dash instead of a value.
"""

from dataclasses import dataclass

from .selectors.reports import MonthFigures

WIDTH, HEIGHT = 720, 250
LEFT, RIGHT, TOP, BOTTOM = 44, 8, 22, 46
VALUE_LABELS_UP_TO = 18  # beyond this many months the values are in the table only


@dataclass
class Bar:
    x: float
    width: float
    y: float
    height: float
    centre: float
    value: str  # "75%" or "–"
    month: str  # "Mar", or "" when months are thinned out
    year: str  # "2026" under January and under the first month
    title: str  # for hover and screen readers
    has_data: bool


@dataclass
class Gridline:
    y: float
    label: str


@dataclass
class TrendChart:
    width: int
    height: int
    bars: list[Bar]
    gridlines: list[Gridline]
    baseline: float
    left: int
    right: float
    show_values: bool
    description: str


def trend_chart(months: list[MonthFigures]) -> TrendChart:
    plot_w = WIDTH - LEFT - RIGHT
    plot_h = HEIGHT - TOP - BOTTOM
    baseline = TOP + plot_h
    slot = plot_w / max(len(months), 1)
    step = 1 if len(months) <= VALUE_LABELS_UP_TO else 3
    bars = []
    for i, item in enumerate(months):
        rate = item.figures.rate
        height = round((rate or 0) * plot_h, 1)
        x = LEFT + i * slot
        counted = item.figures.attended + item.figures.absent
        title = (
            f"{item.month:%B %Y}: {rate:.0%} attended ({item.figures.attended} of {counted}), "
            f"{item.figures.held} sessions held"
            if rate is not None
            else f"{item.month:%B %Y}: no attendance recorded"
        )
        bars.append(
            Bar(
                x=round(x + slot * 0.18, 1),
                width=round(slot * 0.64, 1),
                y=round(baseline - height, 1),
                height=height,
                centre=round(x + slot / 2, 1),
                value=f"{rate:.0%}" if rate is not None else "–",
                month=f"{item.month:%b}" if i % step == 0 else "",
                year=f"{item.month:%Y}" if i == 0 or item.month.month == 1 else "",
                title=title,
                has_data=rate is not None,
            )
        )
    gridlines = [
        Gridline(y=round(baseline - plot_h * pct / 100, 1), label=f"{pct}%")
        for pct in (0, 25, 50, 75, 100)
    ]
    with_data = [m for m in months if m.figures.rate is not None]
    description = (
        "Attendance rate by month: "
        + "; ".join(f"{m.month:%B %Y} {m.figures.rate:.0%}" for m in with_data)
        if with_data
        else "No attendance was recorded in these months."
    )
    return TrendChart(
        width=WIDTH,
        height=HEIGHT,
        bars=bars,
        gridlines=gridlines,
        baseline=baseline,
        left=LEFT,
        right=WIDTH - RIGHT,
        show_values=len(months) <= VALUE_LABELS_UP_TO,
        description=description,
    )
