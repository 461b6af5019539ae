"""Attendance reports: figures by site, group, therapist, participant and month, and
the participants slipping away.

Everything is counted in the database in one pass: a report's figures and its trend
come from one query over the period's (and the trend's) sessions and their attendance,
with conditional counts grouped by group and by month (`_FIGURES_SQL`); Python only
adds groups up into sites and therapists, which is exact because every session belongs
to one group. The slipping-away signals are one query with a window function
(`_SIGNALS_SQL`). Raw SQL where the ORM cannot say it well, written to run on SQLite too
(the `make run` demo). Query counts never depend on the size of the data.

Periods are dates in each site's own zone: March at a New York site runs from
midnight in New York, at a Denver site from midnight in Denver.

What counts:

- attended: present, late or left early.
- attendance rate: attended ÷ (attended + absent). Excused absences are left out of
  both sides: the person let the group know they could not come (work, court, a
  clinic appointment, a sick child), and staying in touch is what the group is for.
- enrolled: distinct participants with an enrollment on any day of the period.
- slipping away: two or more absences since they last attended (excused absences
  neither count nor break the run), or fewer than SLIPPING_RATE_THRESHOLD of their
  recent sessions attended.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields
from datetime import UTC, date, datetime, time, timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo

from django.db import connection
from django.db.models import Case, Count, DateTimeField, Model, Q, QuerySet, When
from django.db.models.functions import TruncMonth

from ..models import Attendance, Enrollment, Facilitation, Group, Participant, Session, Site, User

HELD, CANCELLED, SCHEDULED = (
    Session.Status.HELD,
    Session.Status.CANCELLED,
    Session.Status.SCHEDULED,
)
ABSENT = Attendance.Status.ABSENT
ATTENDED = list(Attendance.ATTENDED)

# The trend chart shows at least a year, so that a one-month report still shows where
# the month sits, and at most three years, so that the bars stay readable.
TREND_MIN_MONTHS = 12
TREND_MAX_MONTHS = 36

# Slipping away: "recent" is the last eight weeks (eight sessions of a weekly group);
# the rate is judged only once there are three sessions to judge it on, because one
# missed session is not a pattern.
SLIPPING_ABSENCES_IN_A_ROW = 2
SLIPPING_LOOKBACK_DAYS = 56
SLIPPING_MIN_SESSIONS_FOR_RATE = 3

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

M = TypeVar("M", bound=Model)


# --- Periods --------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """From `start` to `end`, both included, as dates in each site's own zone."""

    start: date
    end: date

    @classmethod
    def month_of(cls, day: date) -> "Period":
        start = day.replace(day=1)
        return cls(start, _add_months(start, 1) - timedelta(days=1))

    def bounds(self, tz: ZoneInfo) -> tuple[datetime, datetime]:
        """The period as [start, end) aware datetimes at midnight in `tz`."""
        return (
            datetime.combine(self.start, time.min, tzinfo=tz),
            datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=tz),
        )

    @property
    def label(self) -> str:
        if self.start.day == 1 and self.end == _add_months(self.start, 1) - timedelta(days=1):
            return f"{self.start:%B %Y}"
        return f"{self.start:%-d %b %Y} – {self.end:%-d %b %Y}"


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _in_period(period: Period, sites: Iterable[Site], prefix: str = "") -> Q:
    """Sessions (or rows reached through `prefix`) in the period, in each site's zone.

    The per-site ranges differ only by the sites' offsets; the one range around all of
    them is said as well, so that an index on starts_at can serve the filter.
    """
    q, starts, ends = Q(pk__in=[]), [], []
    for site in sites:
        start, end = period.bounds(site.tz)
        starts.append(start)
        ends.append(end)
        q |= Q(
            **{
                f"{prefix}group__site": site.pk,
                f"{prefix}starts_at__gte": start,
                f"{prefix}starts_at__lt": end,
            }
        )
    if not starts:
        return q
    return Q(**{f"{prefix}starts_at__gte": min(starts), f"{prefix}starts_at__lt": max(ends)}) & q


# --- Figures --------------------------------------------------------------------------


@dataclass
class Figures:
    held: int = 0
    cancelled: int = 0
    scheduled: int = 0
    enrolled: int = 0
    present: int = 0
    late: int = 0
    left_early: int = 0
    excused: int = 0
    absent: int = 0

    @classmethod
    def from_row(cls, row: dict | None, *, enrolled: int = 0) -> "Figures":
        names = {f.name for f in fields(cls)}
        values = {k: v or 0 for k, v in (row or {}).items() if k in names}
        values["enrolled"] = enrolled
        return cls(**values)

    def __add__(self, other: "Figures") -> "Figures":
        return Figures(
            **{f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)}
        )

    @property
    def attended(self) -> int:
        return self.present + self.late + self.left_early

    @property
    def recorded(self) -> int:
        return self.attended + self.excused + self.absent

    @property
    def rate(self) -> float | None:
        """Attended ÷ (attended + absent); None when nobody was expected."""
        counted = self.attended + self.absent
        return self.attended / counted if counted else None


def _attendance_counts() -> dict:
    return {status: Count("pk", filter=Q(status=status)) for status in Attendance.Status.values}


@dataclass
class _Grid:
    """The period's figures group by group, who was enrolled in each group, and (for
    a trend) the figures month by month.

    Sites, therapists and totals are unions of groups: figures add up (a session
    belongs to one group), enrolled people are counted once over the union.
    """

    figures: dict[int, Figures] = field(default_factory=dict)
    enrolled: dict[int, set[int]] = field(default_factory=dict)
    site_of: dict[int, int] = field(default_factory=dict)
    months: "list[MonthFigures] | None" = None

    def add(self, group_id: int, site_id: int, row: dict) -> None:
        self.figures[group_id] = self.figures.get(group_id, Figures()) + Figures.from_row(row)
        self.site_of[group_id] = site_id

    def of(self, group_ids: Iterable[int]) -> Figures:
        total, people = Figures(), set()
        for pk in group_ids:
            total += self.figures.get(pk, Figures())
            people |= self.enrolled.get(pk, set())
        total.enrolled = len(people)
        return total

    def groups(self) -> set[int]:
        return set(self.figures) | set(self.enrolled)

    def of_site(self, site_id: int) -> Figures:
        return self.of(pk for pk in self.groups() if self.site_of[pk] == site_id)


# The period's sessions, each labelled with the month of its start in its site's own
# calendar and whether it falls in the period, are found by range through the index
# on sessions by (group, starts_at): the labels come from `segments`, [lo, hi) ranges
# cut in Python at each site's local midnights, so no time zone arithmetic runs per
# row. Each session carries its attendance counted by status (the tally_* columns,
# kept by triggers on attendance: migration 0008), so a year of a whole network sums
# one row per session rather than ten attendance rows. Everything is summed by group
# for the period and by month for the trend. Who was enrolled in each group during the
# period comes with them, one (group, participant) row each from the index on
# enrollments by group (migration 0019): the same statement, so no second round trip.
# Portable SQL (PostgreSQL, and SQLite for `make run`).
_FIGURES_SQL = """
WITH segments (site_id, month, in_period, lo, hi) AS (
    VALUES {segments}
),
sessions AS (
    SELECT s.group_id, g.site_id, s.status, b.month, b.in_period,
           s.tally_present, s.tally_late, s.tally_left_early, s.tally_excused, s.tally_absent
    FROM segments b
    JOIN {group} g ON g.site_id = b.site_id
    JOIN {session} s ON s.group_id = g.id AND s.starts_at >= b.lo AND s.starts_at < b.hi
    WHERE s.starts_at >= %s AND s.starts_at < %s AND g.site_id IN ({sites}) {in_groups}
),
cells AS (
    SELECT group_id, site_id, month, in_period,
           COUNT(*) FILTER (WHERE status = 'held') AS held,
           COUNT(*) FILTER (WHERE status = 'cancelled') AS cancelled,
           COUNT(*) FILTER (WHERE status = 'scheduled') AS scheduled,
           COALESCE(SUM(tally_present) FILTER (WHERE status <> 'cancelled'), 0) AS present,
           COALESCE(SUM(tally_late) FILTER (WHERE status <> 'cancelled'), 0) AS late,
           COALESCE(SUM(tally_left_early) FILTER (WHERE status <> 'cancelled'), 0) AS left_early,
           COALESCE(SUM(tally_excused) FILTER (WHERE status <> 'cancelled'), 0) AS excused,
           COALESCE(SUM(tally_absent) FILTER (WHERE status <> 'cancelled'), 0) AS absent
    FROM sessions
    GROUP BY group_id, site_id, month, in_period
)
SELECT 'group' AS kind, group_id, site_id, NULL AS month, {sums}
FROM cells WHERE in_period GROUP BY group_id, site_id
UNION ALL
SELECT 'month', NULL, NULL, month, {sums}
FROM cells WHERE month IS NOT NULL GROUP BY month
UNION ALL
SELECT 'enrolled', e.group_id, g.site_id, NULL, e.participant_id,
       NULL, NULL, NULL, NULL, NULL, NULL, NULL
FROM {enrollment} e
JOIN {group} g ON g.id = e.group_id
WHERE g.site_id IN ({sites}) AND e.start_date <= %s
  AND (e.end_date IS NULL OR e.end_date >= %s) {enrolled_in_groups}
"""

_FIGURE_SUMS = """
    SUM(held), SUM(cancelled), SUM(scheduled), SUM(present), SUM(late), SUM(left_early),
    SUM(excused), SUM(absent)
"""
_FIGURE_COLUMNS = ("held", "cancelled", "scheduled", *Attendance.Status.values)


def _segments(sites: Sequence[Site], period: Period, months: Period | None) -> list[tuple]:
    """(site, month or None, in the period?, lo, hi) ranges covering the period and the
    trend's months, cut at the period's ends and (within the trend) at each month."""
    cuts = {period.start, period.end + timedelta(days=1)}
    if months is not None:
        month = months.start
        while month <= months.end:
            cuts.add(month)
            month = _add_months(month, 1)
        cuts.add(months.end + timedelta(days=1))
    days = sorted(cuts)
    rows = []
    for site in sites:
        for first, after in zip(days, days[1:], strict=False):
            in_trend = months is not None and months.start <= first <= months.end
            in_period = period.start <= first <= period.end
            if in_trend or in_period:
                lo, hi = Period(first, after - timedelta(days=1)).bounds(site.tz)
                rows.append(
                    (site.pk, first.replace(day=1) if in_trend else None, in_period, lo, hi)
                )
    return rows


def _figure_rows(
    *, sites: Sequence[Site], period: Period, group_ids: Sequence[int] | None, trend: bool
) -> list[tuple]:
    """("group", group, site, None, *figures) for each group with sessions in the period,
    ("month", None, None, month, *figures) for each month of the trend, and ("enrolled",
    group, site, None, participant, …) for each enrollment in the period: one query."""
    segments = _segments(sites, period, trend_period(period) if trend else None)
    if not segments or group_ids == []:
        return []
    ops = connection.ops
    params: list = []
    for site_id, month, in_period, lo, hi in segments:
        params += [
            site_id,
            ops.adapt_datefield_value(month),
            in_period,
            ops.adapt_datetimefield_value(lo),
            ops.adapt_datetimefield_value(hi),
        ]
    # All the ranges together, said once more as one: the index on starts_at then
    # bounds the read to the dates shown, whatever the length of the history. The
    # sites, said once more of the groups, let PostgreSQL count the groups it reads
    # (otherwise guessed from the segments) and read their sessions through the index
    # by group rather than all the sessions of those dates.
    params += [
        ops.adapt_datetimefield_value(min(row[3] for row in segments)),
        ops.adapt_datetimefield_value(max(row[4] for row in segments)),
        *(site.pk for site in sites),
    ]
    in_groups = enrolled_in_groups = ""
    if group_ids is not None:
        in_groups = f"AND s.group_id IN ({_placeholders(group_ids)})"
        enrolled_in_groups = f"AND e.group_id IN ({_placeholders(group_ids)})"
        params += list(group_ids)
    params += [s.pk for s in sites]
    params += [ops.adapt_datefield_value(period.end), ops.adapt_datefield_value(period.start)]
    if group_ids is not None:
        params += list(group_ids)
    sql = _FIGURES_SQL.format(
        segments=", ".join(["(%s, %s, %s, %s, %s)"] * len(segments)),
        group=Group._meta.db_table,
        session=Session._meta.db_table,
        enrollment=Enrollment._meta.db_table,
        in_groups=in_groups,
        enrolled_in_groups=enrolled_in_groups,
        sites=_placeholders(sites),
        sums=_FIGURE_SUMS,
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _grid(
    *,
    sites: Sequence[Site],
    period: Period,
    group_ids: Sequence[int] | None,
    trend: bool = False,
) -> _Grid:
    """The period's figures by group, the trend's by month, and the enrolled (group,
    participant) pairs: one query."""
    grid = _Grid()
    by_month: dict[date, Figures] = {}
    for kind, group_id, site_id, month, *numbers in _figure_rows(
        sites=sites, period=period, group_ids=group_ids, trend=trend
    ):
        if kind == "enrolled":
            grid.enrolled.setdefault(group_id, set()).add(int(numbers[0]))
            grid.site_of[group_id] = site_id
            continue
        # SUM of counts is a decimal on PostgreSQL.
        row = dict(zip(_FIGURE_COLUMNS, map(int, numbers), strict=True))
        if kind == "group":
            grid.add(group_id, site_id, row)
        else:
            by_month[_date(month)] = Figures.from_row(row)
    if trend:
        grid.months = _months(trend_period(period), by_month)
    return grid


def _date(value: date | str) -> date:
    """A date column as a date (SQLite hands back text)."""
    return date.fromisoformat(value) if isinstance(value, str) else value


@dataclass
class Row:
    """One line of a report: what it is about, and its figures."""

    pk: int
    label: str
    figures: Figures
    detail: str = ""


@dataclass
class Report:
    total: Figures
    rows: list[Row]
    # The groups a report over groups covers, shown or not.
    group_ids: list[int] = field(default_factory=list)
    # Month by month, when the report was asked for with its trend.
    months: "list[MonthFigures] | None" = None


# --- Reports ----------------------------------------------------------------------------


def _by_site(grid: _Grid, sites: Sequence[Site]) -> Report:
    rows = [Row(s.pk, s.name, grid.of_site(s.pk)) for s in sites]
    return Report(grid.of(grid.groups()), rows, months=grid.months)


def _by_therapist(grid: _Grid, site_ids: Sequence[int]) -> Report:
    """A session counts for each of its facilitators, so the rows do not add up to the
    total when groups have co-facilitators; the total counts each session once."""
    groups_of: dict[int, list[int]] = {}
    therapists: dict[int, User] = {}
    pairs = (
        Facilitation.objects.filter(group__site__in=site_ids)
        .select_related("therapist")
        .order_by("therapist__last_name", "therapist__first_name", "therapist", "group")
    )
    for pair in pairs:
        groups_of.setdefault(pair.therapist_id, []).append(pair.group_id)
        therapists[pair.therapist_id] = pair.therapist
    rows = [
        Row(t.pk, t.get_full_name() or t.username, grid.of(groups_of[t.pk]), detail=t.credentials)
        for t in therapists.values()
    ]
    return Report(grid.of(grid.groups()), rows)


def site_overview(
    *, sites: Sequence[Site], period: Period, trend: bool = False
) -> tuple[Report, Report]:
    """Each site's figures (with the trend, if asked) and each therapist's over their
    groups there, with the total of all the sites; all from one pass."""
    grid = _grid(sites=sites, period=period, group_ids=None, trend=trend)
    return _by_site(grid, sites), _by_therapist(grid, [s.pk for s in sites])


def _groups_report(grid: _Grid, groups: list[Group], period: Period) -> Report:
    # Groups that met, or were meant to, during the period; not every group ever run.
    def shown(g: Group) -> bool:
        if g.pk in grid.figures:
            return True
        return g.first_date <= period.end and (g.last_date is None or g.last_date >= period.start)

    rows = [
        Row(g.pk, g.name, grid.of([g.pk]), detail=g.site.name)
        for g in sorted(groups, key=lambda g: (g.site.name, g.name))
        if shown(g)
    ]
    group_ids = [g.pk for g in groups]
    return Report(grid.of(group_ids), rows, group_ids, months=grid.months)


def _ordered(groups: QuerySet[Group]) -> list[Group]:
    return list(groups.select_related("site").order_by("site__name", "name"))


def site_groups(*, site: Site, period: Period, trend: bool = False) -> tuple[Report, Report]:
    """Each group of the site (with the trend, if asked), and each therapist over their
    groups there."""
    groups = _ordered(Group.objects.filter(site=site))
    grid = _grid(sites=[site], period=period, group_ids=None, trend=trend)
    return _groups_report(grid, groups, period), _by_therapist(grid, [site.pk])


def attendance_of_group(*, group: Group, period: Period, trend: bool = False) -> Report:
    """The group's own figures (its total)."""
    grid = _grid(sites=[group.site], period=period, group_ids=[group.pk], trend=trend)
    return _groups_report(grid, [group], period)


def groups_of_therapist(
    *, therapist: User, sites: Sequence[Site], period: Period, trend: bool = False
) -> Report:
    """Each group the therapist facilitates at these sites."""
    groups = _ordered(
        Group.objects.filter(site__in=[s.pk for s in sites], facilitations__therapist=therapist)
    )
    grid = _grid(sites=sites, period=period, group_ids=[g.pk for g in groups], trend=trend)
    return _groups_report(grid, groups, period)


@dataclass
class ParticipantRow:
    participant: Participant
    figures: Figures
    signal: "Signal | None" = None


def participants_of_group(
    *, group: Group, period: Period, now: datetime, threshold: float
) -> list[ParticipantRow]:
    """Everyone enrolled in the group during the period (or recorded at one of its
    sessions), with their attendance in the period, how they have been coming to this
    group lately and the session they last came to: one query, whatever the size of
    the group."""
    sql, params = _group_people_sql(group=group, period=period, now=now)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    statuses = Attendance.Status.values
    people = []
    for row in rows:
        person, _listed, counts, signal_row, session = _split(
            row, len(Participant._meta.concrete_fields), 1, len(statuses), 6
        )
        # No signal row: no attendance in scope (a newcomer, or nobody recorded yet).
        signal = (
            _signal(signal_row, threshold)
            if signal_row[0] is not None
            else Signal(0, 0, 0, None, threshold=threshold)
        )
        if session[0] is not None:
            last = _instance(Session, session)
            # Signals are read in this group alone: the session is one of its own.
            last.group = group
            signal.last_attended_session = last
        figures = Figures.from_row(dict(zip(statuses, counts, strict=True)))
        people.append(ParticipantRow(_instance(Participant, person), figures, signal))
    return people


def _split(row: Sequence, *widths: int) -> list[Sequence]:
    """The row cut into consecutive parts of these widths, and the rest."""
    parts, at = [], 0
    for width in widths:
        parts.append(row[at : at + width])
        at += width
    return [*parts, row[at:]]


def participant_figures(*, participant: Participant, sites: Sequence[Site], period: Period):
    """The participant's attendance in the period at these sites: the rows, one per
    session (newest first), and their totals."""
    rows = (
        Attendance.objects.filter(participant=participant)
        .filter(_in_period(period, sites, prefix="session__"))
        .exclude(session__status=CANCELLED)
        .select_related("session__group__site")
        .order_by("-session__starts_at")
    )
    total = Figures.from_row(
        Attendance.objects.filter(participant=participant)
        .filter(_in_period(period, sites, prefix="session__"))
        .exclude(session__status=CANCELLED)
        .aggregate(**_attendance_counts())
    )
    return rows, total


# --- The trend, month by month ------------------------------------------------------------


@dataclass
class MonthFigures:
    month: date
    figures: Figures


def trend_period(period: Period) -> Period:
    """The months the trend chart shows for a report over `period`."""
    last = period.end.replace(day=1)
    first = min(period.start.replace(day=1), _add_months(last, -(TREND_MIN_MONTHS - 1)))
    first = max(first, _add_months(last, -(TREND_MAX_MONTHS - 1)))
    return Period(first, _add_months(last, 1) - timedelta(days=1))


def _local_month(sites: Sequence[Site], prefix: str = "") -> Case:
    """The month of a session's start in its own site's calendar. One CASE over the
    zones, so that every zone is counted in the same query."""
    zones = sorted({s.time_zone for s in sites})
    return Case(
        *[
            When(
                **{f"{prefix}group__site__time_zone": zone},
                then=TruncMonth(f"{prefix}starts_at", tzinfo=ZoneInfo(zone)),
            )
            for zone in zones
        ],
        output_field=DateTimeField(),
    )


def _month_key(value: datetime | date) -> date:
    return value.date() if isinstance(value, datetime) else value


def participant_trend(
    *, participant: Participant, sites: Sequence[Site], period: Period
) -> list[MonthFigures]:
    """The participant's own sessions month by month, each in the month of its site's
    calendar: one query. (Reports over groups get their trend from the same pass as
    their figures: see `_grid`.)"""
    months = trend_period(period)
    found: dict[date, Figures] = {}
    if not sites:
        return _months(months, found)
    # One attendance row per session and participant: counting rows counts sessions.
    not_cancelled = ~Q(session__status=CANCELLED)
    counts = {
        "held": Count("pk", filter=Q(session__status=HELD)),
        "cancelled": Count("pk", filter=Q(session__status=CANCELLED)),
        "scheduled": Count("pk", filter=Q(session__status=SCHEDULED)),
    }
    for status in Attendance.Status.values:
        counts[status] = Count("pk", filter=Q(status=status) & not_cancelled)
    rows = (
        Attendance.objects.filter(participant=participant)
        .filter(_in_period(months, sites, prefix="session__"))
        .annotate(month=_local_month(sites, prefix="session__"))
        .order_by()
        .values("month")
        .annotate(**counts)
    )
    for row in rows:
        key = _month_key(row["month"])
        found[key] = found.get(key, Figures()) + Figures.from_row(row)
    return _months(months, found)


def _months(months: Period, found: dict[date, Figures]) -> list[MonthFigures]:
    result, month = [], months.start
    while month <= months.end:
        result.append(MonthFigures(month, found.get(month, Figures())))
        month = _add_months(month, 1)
    return result


# --- Slipping away -------------------------------------------------------------------------


@dataclass
class Signal:
    """How a participant has been coming lately, and whether it calls for outreach."""

    absences_in_a_row: int
    recent_attended: int
    recent_absent: int
    last_attended_at: datetime | None
    last_attended_session: Session | None = None
    threshold: float = 0.5
    # The attendance row of the session they last came to, to load that session with.
    last_attendance_id: int | None = None

    @property
    def recent_rate(self) -> float | None:
        counted = self.recent_attended + self.recent_absent
        return self.recent_attended / counted if counted else None

    @property
    def reasons(self) -> list[str]:
        reasons = []
        if self.absences_in_a_row >= SLIPPING_ABSENCES_IN_A_ROW:
            reasons.append(f"absent {self.absences_in_a_row} times in a row")
        counted = self.recent_attended + self.recent_absent
        rate = self.recent_rate
        if counted >= SLIPPING_MIN_SESSIONS_FOR_RATE and rate is not None and rate < self.threshold:
            reasons.append(
                f"attended {self.recent_attended} of {counted} recent sessions ({rate:.0%})"
            )
        return reasons

    @property
    def slipping(self) -> bool:
        return bool(self.reasons)


def _quoted(values: Iterable[str]) -> str:
    """Status constants from our own choices, written into the SQL as literals."""
    return ", ".join(f"'{v}'" for v in values if v.replace("_", "").isalnum())


def _placeholders(values: Sequence) -> str:
    return ", ".join(["%s"] * len(values))


# Each participant's attendance in scope (sessions not cancelled, at the sites, in the
# group if one is given), with the start of the last session they came to beside every
# row (a window over the participant's rows); then one GROUP BY counts what follows it.
#
# Only the lookback window is read for everyone ("recent": the sessions since then, and
# their attendance through its index). Whoever came to one of them has their last
# session, and every absence since, inside the window. The others ("lapsed") are read
# back through their whole history, through the index on attendance by participant.
# The same figures as reading everyone's history, at a fraction of the rows.
#
# Portable SQL (PostgreSQL, and SQLite for `make run`): FILTER and window functions, no
# arrays. {who} is a query giving participant ids, written out where it is used rather
# than as a CTE, so that PostgreSQL estimates how many people it gives; {prelude}, CTEs
# that a caller's {who} and its own query read.
_SIGNALS_SQL = """
WITH {prelude}
recent AS (
    SELECT a.id, a.participant_id, a.status, s.starts_at
    FROM {session} s
    JOIN {group} g ON g.id = s.group_id
    JOIN {attendance} a ON a.session_id = s.id
    WHERE s.starts_at >= %s
      AND g.site_id IN ({sites}) AND s.status <> '{cancelled}' {in_group}
      AND a.participant_id IN ({who})
),
lapsed AS (
    SELECT participant_id FROM ({who}) AS who
    EXCEPT
    SELECT participant_id FROM recent WHERE status IN ({attended})
),
older AS (
    {older}
),
seen AS (
    SELECT rows.*,
           MAX(starts_at) FILTER (WHERE status IN ({attended}))
               OVER (PARTITION BY participant_id) AS last_attended_at
    FROM (SELECT * FROM recent UNION ALL SELECT * FROM older) AS rows
),
signals AS (
    SELECT participant_id,
           COUNT(*) FILTER (
               WHERE status = '{absent}' AND starts_at > COALESCE(last_attended_at, %s)
           ) AS absences_in_a_row,
           COUNT(*) FILTER (WHERE status IN ({attended}) AND starts_at >= %s) AS recent_attended,
           COUNT(*) FILTER (WHERE status = '{absent}' AND starts_at >= %s) AS recent_absent,
           MAX(last_attended_at) AS last_attended_at,
           MAX(id) FILTER (
               WHERE status IN ({attended}) AND starts_at = last_attended_at
           ) AS last_attendance_id
    FROM seen
    GROUP BY participant_id
)
"""

# Slipping away: the signals that call for outreach, most urgent first (the order of
# ties is the names', then the id's).
_SLIPPING_SQL = """
{signals}, rated AS (
    SELECT signals.*,
           recent_attended + recent_absent AS recent_counted,
           CASE WHEN recent_attended + recent_absent > 0
                THEN CAST(recent_attended AS DOUBLE PRECISION)
                     / CAST(recent_attended + recent_absent AS DOUBLE PRECISION)
           END AS recent_rate
    FROM signals
)
SELECT r.participant_id, r.absences_in_a_row, r.recent_attended, r.recent_absent,
       r.last_attended_at, r.last_attendance_id
FROM rated r
JOIN {participant} p ON p.id = r.participant_id
WHERE r.absences_in_a_row >= %s OR (r.recent_counted >= %s AND r.recent_rate < %s)
ORDER BY r.absences_in_a_row DESC, r.recent_rate ASC NULLS LAST,
         r.last_attended_at ASC NULLS FIRST, p.last_name, p.first_name, p.id
"""

_SIGNALS_ONLY = """
SELECT participant_id, absences_in_a_row, recent_attended, recent_absent,
       last_attended_at, last_attendance_id
FROM signals
"""

# The lapsed are few (a few hundred of thousands enrolled) but PostgreSQL cannot know
# it from EXCEPT and would read all attendance to find their rows; a LATERAL read per
# person, kept from being flattened by OFFSET 0, goes through the index by participant.
# SQLite (the `make run` demo) has no LATERAL and no such numbers.
_OLDER_ROWS = """
    SELECT a.id, a.participant_id, a.status, s.starts_at
    FROM {attendance} a
    JOIN {session} s ON s.id = a.session_id
    JOIN {group} g ON g.id = s.group_id
    WHERE a.participant_id {whose}
      AND s.starts_at < %s
      AND g.site_id IN ({sites}) AND s.status <> '{cancelled}' {in_group}
"""
_OLDER_LATERAL = """
    SELECT h.* FROM lapsed l CROSS JOIN LATERAL ({rows} OFFSET 0) AS h
"""

_PARTICIPANTS_SQL = """
    SELECT id AS participant_id FROM {participant} WHERE id IN ({ids})
"""

_ENROLLED_TODAY_SQL = """
    SELECT e.participant_id
    FROM {enrollment} e
    JOIN {group} eg ON eg.id = e.group_id
    WHERE eg.site_id IN ({sites})
      AND e.start_date <= %s AND (e.end_date IS NULL OR e.end_date >= %s)
      {in_group}
"""


def _signals_sql(
    *,
    who: str,
    who_params: list,
    site_ids: Sequence[int],
    now: datetime,
    group: Group | None,
    prelude: str = "",
) -> tuple[str, list]:
    ops = connection.ops
    names = {
        "attendance": Attendance._meta.db_table,
        "session": Session._meta.db_table,
        "group": Group._meta.db_table,
        "attended": _quoted(ATTENDED),
        "absent": ABSENT,
        "cancelled": CANCELLED,
        "sites": _placeholders(site_ids),
        "in_group": "AND s.group_id = %s" if group is not None else "",
    }
    if connection.vendor == "postgresql":
        rows = _OLDER_ROWS.format(whose="= l.participant_id", **names)
        older = _OLDER_LATERAL.format(rows=rows)
    else:
        older = _OLDER_ROWS.format(whose="IN (SELECT participant_id FROM lapsed)", **names)
    sql = _SIGNALS_SQL.format(prelude=prelude, who=who, older=older, **names)
    since = ops.adapt_datetimefield_value(now - timedelta(days=SLIPPING_LOOKBACK_DAYS))
    in_scope = [*site_ids] + ([group.pk] if group is not None else [])
    params = [since, *in_scope, *who_params, *who_params, since, *in_scope]
    params += [ops.adapt_datetimefield_value(_EPOCH), since, since]
    return sql, params


# A group's people for its report: who was enrolled in it during the period or
# recorded at one of its sessions then ("listed"), each with their attendance in the
# period counted by status ("period"), their signals in this group and the session they
# last came to, in the order the report lists them. One statement: at a group's size
# every part reads a few dozen rows, and a round trip each would cost more than all of
# them together.
_GROUP_PEOPLE_PRELUDE = """
period AS (
    SELECT a.participant_id, {counts}
    FROM {session} s
    JOIN {attendance} a ON a.session_id = s.id
    WHERE s.group_id = %s AND s.status <> '{cancelled}'
      AND s.starts_at >= %s AND s.starts_at < %s
    GROUP BY a.participant_id
),
listed AS (
    SELECT e.participant_id FROM {enrollment} e
    WHERE e.group_id = %s AND e.start_date <= %s AND (e.end_date IS NULL OR e.end_date >= %s)
    UNION
    SELECT participant_id FROM period
),
"""

_GROUP_PEOPLE_SQL = """
{signals},
shown AS (
    SELECT l.participant_id AS listed_id, {period_columns},
           sg.participant_id, sg.absences_in_a_row, sg.recent_attended, sg.recent_absent,
           sg.last_attended_at, sg.last_attendance_id,
           {session_columns}
    FROM listed l
    LEFT JOIN period pe ON pe.participant_id = l.participant_id
    LEFT JOIN signals sg ON sg.participant_id = l.participant_id
    LEFT JOIN {attendance} la ON la.id = sg.last_attendance_id
    LEFT JOIN {session} ls ON ls.id = la.session_id
)
SELECT {participant_columns}, shown.*
FROM shown
{with_participant}
ORDER BY p.last_name, p.first_name, p.id
"""

# Joined plainly, PostgreSQL would read every participant to find a group's few dozen
# (it cannot tell how few the listed are); a LATERAL read per person, kept from being
# flattened by OFFSET 0, goes through the primary key. SQLite has no LATERAL.
_PARTICIPANT_LATERAL = """
CROSS JOIN LATERAL (
    SELECT * FROM {participant} WHERE id = shown.listed_id OFFSET 0
) AS p
"""
_PARTICIPANT_JOIN = "JOIN {participant} p ON p.id = shown.listed_id"


def _group_people_sql(*, group: Group, period: Period, now: datetime) -> tuple[str, list]:
    ops = connection.ops
    names = {
        "attendance": Attendance._meta.db_table,
        "session": Session._meta.db_table,
        "enrollment": Enrollment._meta.db_table,
        "participant": Participant._meta.db_table,
        "cancelled": CANCELLED,
    }
    statuses = Attendance.Status.values
    prelude = _GROUP_PEOPLE_PRELUDE.format(
        counts=", ".join(f"COUNT(*) FILTER (WHERE a.status = '{v}') AS {v}" for v in statuses),
        **names,
    )
    lo, hi = period.bounds(group.site.tz)
    prelude_params = [
        group.pk,
        ops.adapt_datetimefield_value(lo),
        ops.adapt_datetimefield_value(hi),
        group.pk,
        ops.adapt_datefield_value(period.end),
        ops.adapt_datefield_value(period.start),
    ]
    signals, signals_params = _signals_sql(
        who="SELECT participant_id FROM listed",
        who_params=[],
        site_ids=[group.site_id],
        now=now,
        group=group,
        prelude=prelude,
    )
    lateral = connection.vendor == "postgresql"
    sql = _GROUP_PEOPLE_SQL.format(
        signals=signals,
        period_columns=", ".join(f"pe.{v}" for v in statuses),
        session_columns=_columns(Session, "ls"),
        participant_columns=_columns(Participant, "p"),
        with_participant=(_PARTICIPANT_LATERAL if lateral else _PARTICIPANT_JOIN).format(**names),
        **names,
    )
    return sql, [*prelude_params, *signals_params]


def _columns(model: type[Model], alias: str) -> str:
    """All the model's columns, for `_instance` to build it from a row of raw SQL."""
    quote = connection.ops.quote_name
    return ", ".join(f"{alias}.{quote(f.column)}" for f in model._meta.concrete_fields)


def _instance(model: type[M], values: Sequence) -> M:
    """The model from the values of its `_columns`, converted as the ORM converts them
    (SQLite hands back dates and times as text)."""
    fields = model._meta.concrete_fields
    converted = []
    for f, value in zip(fields, values, strict=True):
        column = f.get_col(model._meta.db_table)
        for convert in [
            *connection.ops.get_db_converters(column),
            *f.get_db_converters(connection),
        ]:
            value = convert(value, column, connection)
        converted.append(value)
    return model.from_db(connection.alias, [f.attname for f in fields], converted)


def _signal(row: Sequence, threshold: float) -> Signal:
    _pk, absences, attended, absent, last_at, last_attendance_id = row
    if isinstance(last_at, str):  # SQLite hands back text for a computed column
        last_at = datetime.fromisoformat(last_at).replace(tzinfo=UTC)
    return Signal(
        absences_in_a_row=absences,
        recent_attended=attended,
        recent_absent=absent,
        last_attended_at=last_at,
        threshold=threshold,
        last_attendance_id=last_attendance_id,
    )


def _with_sessions(signals: Iterable[Signal]) -> None:
    """Load the session each participant last came to (one query for them all)."""
    signals = [s for s in signals if s.last_attendance_id]
    if not signals:
        return
    rows = Attendance.objects.select_related("session__group__site").in_bulk(
        [s.last_attendance_id for s in signals]
    )
    for signal in signals:
        signal.last_attended_session = rows[signal.last_attendance_id].session


def attendance_signals(
    *,
    participant_ids: Sequence[int],
    site_ids: Sequence[int],
    now: datetime,
    threshold: float,
    group: Group | None = None,
) -> dict[int, Signal]:
    """How each participant has been coming lately, with the session they last came to.

    Only attendance at `site_ids` (and in `group`, if given) counts: what the viewer
    may see. Two queries, whatever the number of participants.
    """
    found = {pk: Signal(0, 0, 0, None, threshold=threshold) for pk in participant_ids}
    if not participant_ids or not site_ids:
        return found
    sql, params = _signals_sql(
        who=_PARTICIPANTS_SQL.format(
            participant=Participant._meta.db_table, ids=_placeholders(participant_ids)
        ),
        who_params=list(participant_ids),
        site_ids=site_ids,
        now=now,
        group=group,
    )
    with connection.cursor() as cursor:
        cursor.execute(
            sql + _SIGNALS_ONLY,
            params,
        )
        for row in cursor.fetchall():
            found[row[0]] = _signal(row, threshold)
    _with_sessions(found.values())
    return found


@dataclass
class Slipping:
    """One participant on the slipping-away list; `participant` and the signal's
    session are loaded by `load_slipping` for the rows shown."""

    participant_id: int
    signal: Signal
    participant: Participant | None = None


def slipping_away(
    *,
    site_ids: Sequence[int],
    today: date,
    now: datetime,
    threshold: float,
    group: Group | None = None,
) -> list[Slipping]:
    """Participants enrolled today who are slipping away, most urgent first (one query).

    Discharged and finished participants are left out: outreach is for people still
    in a group. The list is bounded by who is enrolled, so it is computed whole and
    pages are cut from it; load a page's people with `load_slipping`.
    """
    site_ids = list(site_ids)
    if not site_ids:
        return []
    ops = connection.ops
    who = _ENROLLED_TODAY_SQL.format(
        enrollment=Enrollment._meta.db_table,
        group=Group._meta.db_table,
        sites=_placeholders(site_ids),
        in_group="AND e.group_id = %s" if group is not None else "",
    )
    day = ops.adapt_datefield_value(today)
    who_params = [*site_ids, day, day] + ([group.pk] if group is not None else [])
    signals, params = _signals_sql(
        who=who, who_params=who_params, site_ids=site_ids, now=now, group=group
    )
    sql = _SLIPPING_SQL.format(signals=signals, participant=Participant._meta.db_table)
    params += [SLIPPING_ABSENCES_IN_A_ROW, SLIPPING_MIN_SESSIONS_FOR_RATE, threshold]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [Slipping(row[0], _signal(row, threshold)) for row in cursor.fetchall()]


def load_slipping(rows: Sequence[Slipping]) -> list[Slipping]:
    """The rows with their participants (and sites) and last sessions: two queries."""
    rows = list(rows)
    people = Participant.objects.select_related("site").in_bulk([r.participant_id for r in rows])
    for row in rows:
        row.participant = people[row.participant_id]
    _with_sessions(r.signal for r in rows)
    return rows
