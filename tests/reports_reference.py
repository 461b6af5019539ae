"""The attendance reports as they were before they were rewritten for scale, kept as the
reference that the rewrite must agree with, figure for figure and row for row.

Slow by design (correlated subqueries per participant, DISTINCT over joins): use only on
the small data sets of tests.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import (
    Case,
    Count,
    DateTimeField,
    F,
    FloatField,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, TruncMonth

from sessions_app.models import Attendance, Enrollment, Group, Participant, Session, Site, User

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
    """Sessions (or rows reached through `prefix`) in the period, in each site's zone."""
    q = Q(pk__in=[])
    for site in sites:
        start, end = period.bounds(site.tz)
        q |= Q(
            **{
                f"{prefix}group__site": site.pk,
                f"{prefix}starts_at__gte": start,
                f"{prefix}starts_at__lt": end,
            }
        )
    return q


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


def _session_aggregates() -> dict:
    """Counts over sessions, with their attendance joined in, for values()/aggregate()."""
    counts = {
        "held": Count("pk", filter=Q(status=HELD), distinct=True),
        "cancelled": Count("pk", filter=Q(status=CANCELLED), distinct=True),
        "scheduled": Count("pk", filter=Q(status=SCHEDULED), distinct=True),
    }
    for status in Attendance.Status.values:
        counts[status] = Count(
            "attendance", filter=Q(attendance__status=status) & ~Q(status=CANCELLED)
        )
    return counts


def _figures_by(sessions: QuerySet[Session], dimension: str) -> dict[int, dict]:
    rows = sessions.order_by().values(dimension).annotate(**_session_aggregates())
    return {row[dimension]: row for row in rows}


def _total(sessions: QuerySet[Session]) -> dict:
    return sessions.order_by().aggregate(**_session_aggregates())


def _enrollments_in(enrollments: QuerySet[Enrollment], period: Period) -> QuerySet[Enrollment]:
    return enrollments.filter(start_date__lte=period.end).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=period.start)
    )


def _enrolled_by(enrollments: QuerySet[Enrollment], dimension: str) -> dict[int, int]:
    rows = enrollments.order_by().values(dimension).annotate(n=Count("participant", distinct=True))
    return {row[dimension]: row["n"] for row in rows}


def _enrolled_total(enrollments: QuerySet[Enrollment]) -> int:
    return enrollments.order_by().aggregate(n=Count("participant", distinct=True))["n"]


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


# --- Reports ----------------------------------------------------------------------------


def attendance_by_site(*, sites: Sequence[Site], period: Period) -> Report:
    """Each site's figures, and all of them together."""
    sessions = Session.objects.filter(_in_period(period, sites))
    enrollments = _enrollments_in(
        Enrollment.objects.filter(group__site__in=[s.pk for s in sites]), period
    )
    by_site = _figures_by(sessions, "group__site")
    enrolled = _enrolled_by(enrollments, "group__site")
    rows = [
        Row(s.pk, s.name, Figures.from_row(by_site.get(s.pk), enrolled=enrolled.get(s.pk, 0)))
        for s in sites
    ]
    total = Figures.from_row(_total(sessions), enrolled=_enrolled_total(enrollments))
    return Report(total, rows)


def _groups_report(groups: QuerySet[Group], sites: Sequence[Site], period: Period) -> Report:
    sessions = Session.objects.filter(group__in=groups.values("pk")).filter(
        _in_period(period, sites)
    )
    enrollments = _enrollments_in(Enrollment.objects.filter(group__in=groups.values("pk")), period)
    by_group = _figures_by(sessions, "group")
    enrolled = _enrolled_by(enrollments, "group")
    # Groups that met, or were meant to, during the period; not every group ever run.
    shown = (
        groups.filter(
            Q(pk__in=sessions.values("group"))
            | Q(first_date__lte=period.end)
            & (Q(last_date__isnull=True) | Q(last_date__gte=period.start))
        )
        .select_related("site")
        .order_by("site__name", "name")
    )
    rows = [
        Row(
            g.pk,
            g.name,
            Figures.from_row(by_group.get(g.pk), enrolled=enrolled.get(g.pk, 0)),
            detail=g.site.name,
        )
        for g in shown
    ]
    total = Figures.from_row(_total(sessions), enrolled=_enrolled_total(enrollments))
    return Report(total, rows)


def attendance_by_group(*, site: Site, period: Period) -> Report:
    """Each group of the site."""
    return _groups_report(Group.objects.filter(site=site), [site], period)


def attendance_of_group(*, group: Group, period: Period) -> Report:
    """The group's own figures (its total)."""
    return _groups_report(Group.objects.filter(pk=group.pk), [group.site], period)


def attendance_by_therapist(*, sites: Sequence[Site], period: Period) -> Report:
    """Each therapist who facilitates groups at these sites, over their groups there.

    A session counts for each of its facilitators, so the rows do not add up to the
    total when groups have co-facilitators; the total counts each session once.
    """
    site_ids = [s.pk for s in sites]
    sessions = Session.objects.filter(group__site__in=site_ids).filter(_in_period(period, sites))
    enrollments = _enrollments_in(Enrollment.objects.filter(group__site__in=site_ids), period)
    dimension = "group__facilitations__therapist"
    by_therapist = _figures_by(sessions, dimension)
    enrolled = _enrolled_by(enrollments, dimension)
    therapists = User.objects.filter(
        pk__in=Group.objects.filter(site__in=site_ids).values("facilitations__therapist")
    ).order_by("last_name", "first_name")
    rows = [
        Row(
            t.pk,
            t.get_full_name() or t.username,
            Figures.from_row(by_therapist.get(t.pk), enrolled=enrolled.get(t.pk, 0)),
            detail=t.credentials,
        )
        for t in therapists
    ]
    total = Figures.from_row(_total(sessions), enrolled=_enrolled_total(enrollments))
    return Report(total, rows)


def groups_of_therapist(*, therapist: User, sites: Sequence[Site], period: Period) -> Report:
    """Each group the therapist facilitates at these sites."""
    groups = Group.objects.filter(
        site__in=[s.pk for s in sites], facilitations__therapist=therapist
    )
    return _groups_report(groups, sites, period)


def _attendance_counts() -> dict:
    return {status: Count("pk", filter=Q(status=status)) for status in Attendance.Status.values}


@dataclass
class ParticipantRow:
    participant: Participant
    figures: Figures
    signal: "Signal | None" = None


def participants_of_group(
    *, group: Group, period: Period, now: datetime, threshold: float
) -> list[ParticipantRow]:
    """Everyone enrolled in the group during the period (or recorded at one of its
    sessions), with their attendance in the period and how they have been coming to
    this group lately. Three queries, whatever the size of the group."""
    attendance = Attendance.objects.filter(
        _in_period(period, [group.site], prefix="session__"), session__group=group
    ).exclude(session__status=CANCELLED)
    counts = {
        row["participant"]: row
        for row in attendance.order_by().values("participant").annotate(**_attendance_counts())
    }
    enrolled = _enrollments_in(Enrollment.objects.filter(group=group), period)
    people = attendance_signals(
        participants=Participant.objects.filter(
            Q(pk__in=enrolled.values("participant")) | Q(pk__in=attendance.values("participant"))
        ),
        site_ids=[group.site_id],
        now=now,
        group=group,
    ).order_by("last_name", "first_name", "pk")
    people = list(people)
    signals = signals_for(people, threshold=threshold)
    return [ParticipantRow(p, Figures.from_row(counts.get(p.pk)), signals[p.pk]) for p in people]


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


def attendance_trend(
    *, sessions: QuerySet[Session], sites: Sequence[Site], period: Period
) -> list[MonthFigures]:
    """Figures month by month, each session in the month of its own site's calendar.

    One query per time zone among `sites` (TruncMonth takes one zone per query), so the
    number of queries depends on the sites, never on how many sessions there are.
    """
    months = trend_period(period)
    by_zone: dict[str, list[Site]] = {}
    for site in sites:
        by_zone.setdefault(site.time_zone, []).append(site)
    found: dict[date, Figures] = {}
    for zone, zone_sites in by_zone.items():
        rows = (
            sessions.filter(_in_period(months, zone_sites))
            .annotate(month=TruncMonth("starts_at", tzinfo=ZoneInfo(zone)))
            .order_by()
            .values("month")
            .annotate(**_session_aggregates())
        )
        for row in rows:
            month = row["month"]
            key = month.date() if isinstance(month, datetime) else month
            found[key] = found.get(key, Figures()) + Figures.from_row(row)
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


def _count(rows: QuerySet[Attendance]) -> Coalesce:
    return Coalesce(
        Subquery(
            rows.order_by().values("participant").annotate(n=Count("pk")).values("n")[:1],
            output_field=IntegerField(),
        ),
        0,
    )


def attendance_signals(
    *,
    participants: QuerySet[Participant],
    site_ids: Sequence[int] | QuerySet,
    now: datetime,
    group: Group | None = None,
) -> QuerySet[Participant]:
    """`participants` annotated with how they have been coming lately (one query).

    Only attendance at `site_ids` (and in `group`, if given) counts: what the viewer
    may see. Annotations: absences_in_a_row (absent since they last attended; excused
    skipped), recent_attended, recent_absent, recent_counted, recent_rate (the last
    SLIPPING_LOOKBACK_DAYS), last_attended_at and last_attended_session_id.
    """
    scope = Attendance.objects.filter(
        participant=OuterRef("pk"), session__group__site__in=site_ids
    ).exclude(session__status=CANCELLED)
    if group is not None:
        scope = scope.filter(session__group=group)
    attended = scope.filter(status__in=ATTENDED).order_by("-session__starts_at", "-pk")
    since = now - timedelta(days=SLIPPING_LOOKBACK_DAYS)
    return (
        participants.annotate(
            last_attended_at=Subquery(attended.values("session__starts_at")[:1]),
            last_attended_session_id=Subquery(attended.values("session_id")[:1]),
        )
        .annotate(
            absences_in_a_row=_count(
                scope.filter(
                    status=ABSENT,
                    session__starts_at__gt=Coalesce(
                        OuterRef("last_attended_at"),
                        Value(_EPOCH),
                        output_field=DateTimeField(),
                    ),
                )
            ),
            recent_attended=_count(
                scope.filter(status__in=ATTENDED, session__starts_at__gte=since)
            ),
            recent_absent=_count(scope.filter(status=ABSENT, session__starts_at__gte=since)),
        )
        .annotate(recent_counted=F("recent_attended") + F("recent_absent"))
        .annotate(
            recent_rate=Case(
                When(
                    recent_counted__gt=0,
                    then=Cast("recent_attended", FloatField())
                    / Cast("recent_counted", FloatField()),
                ),
                default=None,
                output_field=FloatField(),
            )
        )
    )


def slipping_away(
    *,
    site_ids: Sequence[int] | QuerySet,
    today: date,
    now: datetime,
    threshold: float,
    group: Group | None = None,
) -> QuerySet[Participant]:
    """Participants enrolled today who are slipping away, most urgent first.

    Discharged and finished participants are left out: outreach is for people still
    in a group.
    """
    enrolled = Enrollment.objects.active_on(today).filter(group__site__in=site_ids)
    if group is not None:
        enrolled = enrolled.filter(group=group)
    participants = Participant.objects.filter(pk__in=enrolled.values("participant"))
    return (
        attendance_signals(participants=participants, site_ids=site_ids, now=now, group=group)
        .filter(
            Q(absences_in_a_row__gte=SLIPPING_ABSENCES_IN_A_ROW)
            | Q(recent_counted__gte=SLIPPING_MIN_SESSIONS_FOR_RATE, recent_rate__lt=threshold)
        )
        .select_related("site")
        .order_by(
            "-absences_in_a_row",
            F("recent_rate").asc(nulls_last=True),
            F("last_attended_at").asc(nulls_first=True),
            "last_name",
            "first_name",
            "pk",
        )
    )


def signals_for(participants: Iterable[Participant], *, threshold: float) -> dict[int, Signal]:
    """The annotated participants' signals, with their last attended session loaded
    (one query for the whole page)."""
    participants = list(participants)
    sessions = Session.objects.select_related("group__site").in_bulk(
        {p.last_attended_session_id for p in participants if p.last_attended_session_id}
    )
    return {
        p.pk: Signal(
            absences_in_a_row=p.absences_in_a_row,
            recent_attended=p.recent_attended,
            recent_absent=p.recent_absent,
            last_attended_at=p.last_attended_at,
            last_attended_session=sessions.get(p.last_attended_session_id),
            threshold=threshold,
        )
        for p in participants
    }
