"""The results table: one row per measurement, with a verdict against the targets."""

from dataclasses import dataclass, field

# Targets. Printed, never asserted: a slow page is news, not a crash.
MAX_SECONDS = 0.5  # every page and export, one request
MAX_SQL_RATIO = 1.2  # a report page's SQL time ÷ the hand-written SQL's
MIN_EVERYDAY_THROUGHPUT = 0.5  # everyday page req/s ÷ the 50-row floor's
MIN_REMINDER_RATIO = 1.0  # reminder sends/s ÷ no-op tasks/s

COLUMNS = [
    "page",
    "as",
    "status",
    "queries",
    "ms",
    "ms ÷ trivial",
    "ms ÷ 50-row",
    "req/s",  # for reminders: sends per second
    "req/s ÷ trivial",
    "req/s ÷ 50-row",
    "÷ reference",
    "page ÷ SQL",  # reports: the whole page's time ÷ the hand-written SQL's
    "verdict",
]

LEGEND = (
    "The floors are measured in the same run, first and again after every few pages; "
    "each page is compared with the mean of the floors measured just before and after it. "
    f"Targets: every page ≤ {MAX_SECONDS * 1000:.0f} ms (median of single requests); "
    f"reports: their SQL ≤ {MAX_SQL_RATIO}× the hand-written SQL giving the same numbers "
    '(÷ reference; "page ÷ SQL" adds the request, template and chart around it); everyday '
    "pages (*) "
    f"≥ {MIN_EVERYDAY_THROUGHPUT}× the 50-row floor's req/s; reminders ≥ "
    f"{MIN_REMINDER_RATIO}× the no-op task rate (÷ reference)."
)


@dataclass
class Row:
    page: str
    role: str
    status: int | None = None
    queries: int | None = None
    seconds: float | None = None
    rate: float | None = None
    everyday: bool = False
    reference: float | None = None  # the page's SQL ÷ the hand-written SQL, or ÷ no-op tasks
    reference_kind: str = ""  # "sql" or "no-op"
    sql_seconds: float | None = None  # the database's part of `seconds`
    page_reference: float | None = None  # the whole page ÷ the hand-written SQL
    # (trivial, 50-row) floors measured around this row, when they were.
    floors: "tuple[Row, Row] | None" = None
    notes: list[str] = field(default_factory=list)

    def failures(self) -> list[str]:
        bad = []
        if self.status is not None and self.status != 200:
            bad.append(f"ERROR {self.status}")
        if self.seconds is not None and self.seconds > MAX_SECONDS:
            bad.append(f"> {MAX_SECONDS} s")
        return bad

    def verdict(self, floor_rate: float | None) -> str:
        bad = self.failures()
        measured = self.everyday and self.rate and floor_rate
        if measured and self.rate / floor_rate < MIN_EVERYDAY_THROUGHPUT:
            bad.append(f"< {MIN_EVERYDAY_THROUGHPUT}× floor req/s")
        if self.reference is not None:
            if self.reference_kind == "sql" and self.reference > MAX_SQL_RATIO:
                bad.append(f"> {MAX_SQL_RATIO}× SQL")
            if self.reference_kind == "no-op" and self.reference < MIN_REMINDER_RATIO:
                bad.append(f"< {MIN_REMINDER_RATIO}× no-op")
        return "; ".join(bad + self.notes) if bad or self.notes else "ok"


def mean_of(rows: list[Row]) -> Row:
    """One floor from several of its measurements."""
    seconds = [r.seconds for r in rows if r.seconds]
    rates = [r.rate for r in rows if r.rate]
    return Row(
        rows[0].page,
        rows[0].role,
        seconds=sum(seconds) / len(seconds) if seconds else None,
        rate=sum(rates) / len(rates) if rates else None,
    )


def _num(value: float | None, fmt: str) -> str:
    return "–" if value is None else format(value, fmt)


def _ratio(a: float | None, b: float | None) -> str:
    return "–" if not a or not b else f"{a / b:.2f}"


def markdown(rows: list[Row], *, trivial: Row, floor: Row) -> str:
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    for row in rows:
        trivial_here, floor_here = row.floors or (trivial, floor)
        cells = [
            row.page + (" *" if row.everyday else ""),
            row.role,
            _num(row.status, "d"),
            _num(row.queries, "d"),
            _num(row.seconds and row.seconds * 1000, ".1f"),
            _ratio(row.seconds, trivial_here.seconds),
            _ratio(row.seconds, floor_here.seconds),
            _num(row.rate, ".1f"),
            # Reminders are sends per second of a worker, not pages: no floor applies.
            "–" if row.reference_kind == "no-op" else _ratio(row.rate, trivial_here.rate),
            "–" if row.reference_kind == "no-op" else _ratio(row.rate, floor_here.rate),
            "n/a"
            if row.reference_kind and row.reference is None
            else _num(row.reference, ".2f") + (f" ({row.reference_kind})" if row.reference else ""),
            _num(row.page_reference, ".2f"),
            row.verdict(floor_here.rate),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n\n" + LEGEND + "\n"
