"""Reads of measures: a participant's history, a session's change, a group's weeks and the
administrators' outcomes.

Every figure is aggregated in the database, one query per table whatever the history:
first and latest scores come from correlated subqueries over the response indexes
(participant, instrument, answered_at) and (session, instrument, phase), and the check-in's
items are read out of the answers' JSON in SQL. Callers pass querysets already narrowed by
`permissions` (`responses_for`, `own_responses`, `report_sites_for`).
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import connection
from django.db.models import (
    Avg,
    Case,
    Count,
    F,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    When,
    Window,
)
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, RowNumber, TruncDate, TruncWeek
from django.utils import dateformat
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _

from .. import instruments
from ..instruments import Instrument
from ..models import Enrollment, Group, MeasureResponse, Participant, Session, Site
from .reports import Period, _in_period

# Aggregates over fewer people than this are not shown to administrators: with so few,
# a mean is one person's answer.
SMALL_CELL = 5
# A group's chart covers this many weeks, ending with the current one.
GROUP_WEEKS = 26
# Instruments with a total, in the order pages show them.
SCORED = tuple(code for code, i in instruments.CATALOGUE.items() if i.totals)

BEFORE, AFTER = MeasureResponse.Phase.BEFORE, MeasureResponse.Phase.AFTER


def _item(key: str):
    """A check-in item as an integer, read from the answers' JSON in SQL."""
    return Cast(KT(f"answers__{key}"), IntegerField())


# --- One participant --------------------------------------------------------------------


@dataclass
class ScorePoint:
    answered_at: datetime
    day: date
    score: int
    band: str


@dataclass
class InstrumentHistory:
    instrument: Instrument
    points: list[ScorePoint] = field(default_factory=list)


@dataclass
class CheckinRow:
    session_id: int
    day: date
    group: str
    mood_before: int | None
    mood_after: int | None
    craving_before: int | None
    craving_after: int | None
    connection: int | None

    @property
    def mood_change(self) -> int | None:
        if self.mood_before is None or self.mood_after is None:
            return None
        return self.mood_after - self.mood_before


@dataclass
class Milestone:
    day: date
    label: str  # "Joined Tuesday Songwriting", "Left Tuesday Songwriting"


def participant_history(
    *, responses: QuerySet[MeasureResponse], participant: Participant
) -> list[InstrumentHistory]:
    """Each scored instrument the participant answered, oldest answer first (one query)."""
    tz = participant.tz
    rows = (
        responses.filter(participant=participant, instrument__in=SCORED, score__isnull=False)
        .order_by("instrument", "answered_at", "pk")
        .values_list("instrument", "answered_at", "score")
    )
    by_code: dict[str, InstrumentHistory] = {}
    for code, answered_at, score in rows:
        inst = instruments.get(code)
        history = by_code.setdefault(code, InstrumentHistory(inst))
        band = inst.band(score)
        history.points.append(
            ScorePoint(
                answered_at, answered_at.astimezone(tz).date(), score, band.label if band else ""
            )
        )
    return [by_code[code] for code in SCORED if code in by_code]


def participant_checkins(
    *, responses: QuerySet[MeasureResponse], participant: Participant
) -> list[CheckinRow]:
    """The session check-ins, one row per session with before and after side by side, in
    session order (one query)."""
    rows = (
        responses.filter(
            participant=participant,
            instrument__in=("checkin_before", "checkin_after"),
            session__isnull=False,
        )
        .values(
            "session_id",
            "session__starts_at",
            "session__group__name",
            "session__group__site__time_zone",
        )
        .annotate(
            mood_before=Max(Case(When(phase=BEFORE, then=_item("mood")))),
            mood_after=Max(Case(When(phase=AFTER, then=_item("mood")))),
            craving_before=Max(Case(When(phase=BEFORE, then=_item("craving")))),
            craving_after=Max(Case(When(phase=AFTER, then=_item("craving")))),
            connection=Max(Case(When(phase=AFTER, then=_item("connection")))),
        )
        .order_by("session__starts_at", "session_id")
    )
    return [
        CheckinRow(
            session_id=r["session_id"],
            day=r["session__starts_at"]
            .astimezone(ZoneInfo(r["session__group__site__time_zone"]))
            .date(),
            group=r["session__group__name"],
            mood_before=r["mood_before"],
            mood_after=r["mood_after"],
            craving_before=r["craving_before"],
            craving_after=r["craving_after"],
            connection=r["connection"],
        )
        for r in rows
    ]


def participant_milestones(
    *, enrollments: QuerySet[Enrollment], participant: Participant
) -> list[Milestone]:
    """Enrolments and discharges in the groups given (one query)."""
    marks = []
    for e in enrollments.filter(participant=participant).select_related("group"):
        marks.append(Milestone(e.start_date, f"Joined {e.group.name}"))
        if e.end_date:
            marks.append(Milestone(e.end_date, f"Left {e.group.name}"))
    return sorted(marks, key=lambda m: m.day)


# What a participant reads about their own answers: plain words, never a questionnaire's
# name or a clinical word.
# The sentence is written whole per topic, so each language can order it its own way.
_LOWER_ALONE = _("a lower score means feeling less alone")
_LOWER_LOW = _("a lower score means feeling less low")
TOPICS = {
    "ucla3": (_("Your loneliness score"), _LOWER_ALONE),
    "phq9": (_("Your mood score"), _LOWER_LOW),
    "phq2": (_("Your mood score"), _LOWER_LOW),
    "gad7": (_("Your worry score"), _("a lower score means worrying less")),
    "craving_vas": (_("Your craving score"), _("a lower score means craving less")),
}


@dataclass
class Trend:
    instrument: Instrument
    first: int
    latest: int
    since: date
    answers: int

    @property
    def better(self) -> bool:
        inst = self.instrument
        return self.latest < self.first if inst.higher_is_worse else self.latest > self.first

    @property
    def same(self) -> bool:
        return self.latest == self.first

    @property
    def sentence(self) -> str:
        """“Your loneliness score went from 7 to 5 since September: a lower score means
        feeling less alone. That is real progress.”"""
        topic, meaning = TOPICS[self.instrument.code]
        values = {"topic": topic, "first": self.first, "latest": self.latest}
        values["since"] = self.since_label
        if self.same:
            return gettext("%(topic)s stayed at %(first)s since %(since)s.") % values
        text = gettext("%(topic)s went from %(first)s to %(latest)s since %(since)s") % values
        if self.better:
            return gettext("%(text)s: %(meaning)s. That is real progress.") % {
                "text": text,
                "meaning": meaning,
            }
        return gettext(
            "%(text)s. Harder weeks happen; your group leaders are glad to talk about it."
        ) % {"text": text}

    @property
    def since_label(self) -> str:
        today = date.today()
        # The month alone ("septiembre") in this year, with its year before.
        fmt = "F" if self.since.year == today.year else pgettext("date format", "F Y")
        return dateformat.format(self.since, fmt)


def own_trends(*, responses: QuerySet[MeasureResponse], participant: Participant) -> list[Trend]:
    """Per scored instrument with at least two answers: the first and latest score and the
    day of the first, in the participant's zone (one query)."""
    mine = responses.filter(participant=participant, score__isnull=False)
    same = mine.filter(instrument=OuterRef("instrument"))
    rows = (
        mine.filter(instrument__in=SCORED)
        .values("instrument")
        .annotate(answers=Count("pk"), since=Min("answered_at"))
        # Annotated after the grouping, the first and latest scores are looked up once per
        # instrument; annotated with it, they were grouped by too, so looked up per answer.
        .annotate(
            first=Subquery(same.order_by("answered_at", "pk").values("score")[:1]),
            latest=Subquery(same.order_by("-answered_at", "-pk").values("score")[:1]),
        )
        .filter(answers__gte=2)
        .order_by("instrument")
    )
    tz = participant.tz
    trends = {
        r["instrument"]: Trend(
            instrument=instruments.get(r["instrument"]),
            first=r["first"],
            latest=r["latest"],
            since=r["since"].astimezone(tz).date(),
            answers=r["answers"],
        )
        for r in rows
    }
    return [trends[code] for code in SCORED if code in trends]


# --- One session ------------------------------------------------------------------------


@dataclass
class SessionChange:
    """Mood and craving before and after one session, over the people who answered both."""

    answered_before: int
    answered_after: int
    pairs: int
    mood_before: float | None
    mood_after: float | None
    mood_improved: int
    craving_before: float | None
    craving_after: float | None
    craving_eased: int
    connection: float | None


def session_change(*, session: Session) -> SessionChange:
    """One query: the session's check-ins grouped per person, then averaged over them.

    The ORM reads the items out of each answer; the grouping and the means are written
    out in SQL, because the ORM's aggregate over an aggregated queryset copies the
    per-person expressions for every figure that names them, which cost the session page
    more than all its other queries together."""
    answers = (
        MeasureResponse.objects.filter(
            session=session, instrument__in=("checkin_before", "checkin_after")
        )
        .order_by()
        .values(
            "participant_id",
            "phase",
            mood=_item("mood"),
            craving=_item("craving"),
            connection=_item("connection"),
        )
    )
    answers_sql, answers_params = _sql(answers)
    both = "mb IS NOT NULL AND ma IS NOT NULL"
    sql = (
        f"WITH answers AS ({answers_sql}),"  # noqa: S608 - ORM-compiled SQL, parameters apart
        " per_person AS ("
        "SELECT MAX(CASE WHEN phase = %s THEN mood END) AS mb,"
        " MAX(CASE WHEN phase = %s THEN mood END) AS ma,"
        " MAX(CASE WHEN phase = %s THEN craving END) AS cb,"
        " MAX(CASE WHEN phase = %s THEN craving END) AS ca,"
        " MAX(CASE WHEN phase = %s THEN connection END) AS co"
        " FROM answers GROUP BY participant_id)"
        " SELECT COUNT(mb), COUNT(ma),"
        f" COUNT(CASE WHEN {both} THEN 1 END),"
        f" AVG(CASE WHEN {both} THEN mb END), AVG(CASE WHEN {both} THEN ma END),"
        f" COUNT(CASE WHEN {both} AND ma > mb THEN 1 END),"
        f" AVG(CASE WHEN {both} THEN cb END), AVG(CASE WHEN {both} THEN ca END),"
        f" COUNT(CASE WHEN {both} AND ca < cb THEN 1 END),"
        f" AVG(CASE WHEN {both} THEN co END)"
        " FROM per_person"
    )
    params = [*answers_params, BEFORE, AFTER, BEFORE, AFTER, AFTER]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        before, after, pairs, mb, ma, improved, cb, ca, eased, co = cursor.fetchone()
    return SessionChange(
        answered_before=before,
        answered_after=after,
        pairs=pairs,
        mood_before=_float(mb),
        mood_after=_float(ma),
        mood_improved=improved,
        craving_before=_float(cb),
        craving_after=_float(ca),
        craving_eased=eased,
        connection=_float(co),
    )


def _float(value) -> float | None:
    return None if value is None else float(value)


# --- One group, week by week ------------------------------------------------------------


@dataclass
class Week:
    start: date
    loneliness: float | None = None
    loneliness_people: int = 0
    craving: float | None = None
    craving_people: int = 0
    joined: int = 0
    left: int = 0


@dataclass
class GroupWeeks:
    weeks: list[Week]
    suppressed: bool  # small cells hidden (for administrators)


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def group_weeks(*, group: Group, today: date, suppress: bool) -> GroupWeeks:
    """Loneliness (UCLA 3-item, 3–9) of the group's participants, and craving before the
    group's sessions (the check-in, 0–10), per week over the last GROUP_WEEKS weeks, beside
    how many joined and left. Three queries. With `suppress`, a week's mean over fewer
    than SMALL_CELL people is not given."""
    tz = group.site.tz
    first = _monday(today) - timedelta(weeks=GROUP_WEEKS - 1)
    start = datetime.combine(first, datetime.min.time(), tzinfo=tz)
    weeks = {
        first + timedelta(weeks=i): Week(first + timedelta(weeks=i)) for i in range(GROUP_WEEKS)
    }

    # Answers given while enrolled in the group: the enrolment's dates hold the day.
    lonely = (
        MeasureResponse.objects.filter(instrument="ucla3", answered_at__gte=start)
        .annotate(day=TruncDate("answered_at", tzinfo=tz))
        .filter(
            Q(participant__enrollments__end_date__isnull=True)
            | Q(participant__enrollments__end_date__gte=F("day")),
            participant__enrollments__group=group,
            participant__enrollments__start_date__lte=F("day"),
        )
        .values(week=TruncWeek("answered_at", tzinfo=tz))
        .annotate(mean=Avg("score"), people=Count("participant", distinct=True))
    )
    craving = (
        MeasureResponse.objects.filter(
            session__group=group, instrument="checkin_before", session__starts_at__gte=start
        )
        .values(week=TruncWeek("session__starts_at", tzinfo=tz))
        .annotate(mean=Avg(_item("craving")), people=Count("participant", distinct=True))
    )
    moves = (
        Enrollment.objects.filter(group=group)
        .filter(Q(start_date__gte=first) | Q(end_date__gte=first))
        .values_list("start_date", "end_date")
    )
    for row in lonely:
        week = weeks.get(row["week"].date())
        if week:
            week.loneliness, week.loneliness_people = row["mean"], row["people"]
    for row in craving:
        week = weeks.get(row["week"].date())
        if week:
            week.craving, week.craving_people = row["mean"], row["people"]
    for start_date, end_date in moves:
        if (week := weeks.get(_monday(start_date))) is not None:
            week.joined += 1
        if end_date and (week := weeks.get(_monday(end_date))) is not None:
            week.left += 1
    if suppress:
        for week in weeks.values():
            if week.loneliness_people < SMALL_CELL:
                week.loneliness = None
            if week.craving_people < SMALL_CELL:
                week.craving = None
    return GroupWeeks(list(weeks.values()), suppressed=suppress)


# --- Administrators' outcomes -----------------------------------------------------------


@dataclass
class OutcomeRow:
    """Figures for one site or group. Counts of people only: never one person's answers."""

    label: str
    site_id: int
    group_id: int | None = None
    measured: int = 0
    followed: int = 0  # answered at least twice in the period
    mean_change: float | None = None  # latest minus first, over those followed
    reliable: int = 0
    checkin_people: int = 0
    checkin_change: float | None = None  # mood after minus before, per session and person
    reliable_published: bool = False

    @property
    def measured_shown(self) -> bool:
        return self.measured >= SMALL_CELL

    @property
    def change_shown(self) -> bool:
        return self.followed >= SMALL_CELL

    @property
    def checkin_shown(self) -> bool:
        return self.checkin_people >= SMALL_CELL

    @property
    def reliable_share(self) -> float | None:
        """None where the instrument has no published threshold."""
        if not self.reliable_published or not self.followed:
            return None
        return self.reliable / self.followed


@dataclass
class Outcomes:
    instrument: Instrument
    sites: list[OutcomeRow]
    groups: list[OutcomeRow]


def _answered_in(period: Period, sites: Iterable[Site]) -> Q:
    """Answers given in the period, in the zone of the participant's site."""
    q = Q(pk__in=[])
    for site in sites:
        start, end = period.bounds(site.tz)
        q |= Q(participant__site=site.pk, answered_at__gte=start, answered_at__lt=end)
    return q


def _answers(instrument: Instrument, period: Period, sites: list[Site]) -> QuerySet:
    return MeasureResponse.objects.filter(
        _answered_in(period, sites), instrument=instrument.code, score__isnull=False
    )


def _figures_sql(instrument: Instrument) -> tuple[str, list]:
    """The columns of one site's or group's row, over `people` (one row per person)."""
    gain = (
        "p.first_score - p.latest_score"
        if instrument.higher_is_worse
        else ("p.latest_score - p.first_score")
    )
    if instrument.reliable_change is None:
        reliable, params = "1 = 0", []
    else:
        reliable, params = f"p.n >= 2 AND {gain} >= %s", [instrument.reliable_change]
    columns = (
        "COUNT(*),"
        " SUM(CASE WHEN p.n >= 2 THEN 1 ELSE 0 END),"
        " AVG(CASE WHEN p.n >= 2 THEN p.latest_score - p.first_score END),"
        f" SUM(CASE WHEN {reliable} THEN 1 ELSE 0 END)"
    )
    return columns, params


def _sql(queryset: QuerySet) -> tuple[str, tuple]:
    return queryset.query.sql_with_params()


def _people_figures(
    instrument: Instrument, period: Period, sites: list[Site]
) -> tuple[dict[int, dict], dict[int, dict]]:
    """Per site and per group: measured, followed, mean change and reliable change (one
    query). Each person's number of answers, first and latest score are computed once, by
    numbering their answers in order, then counted per home site and per group enrolled in
    at any time in the period (an enrolment twice in one group is one person)."""
    person = [F("participant")]
    answers = (
        _answers(instrument, period, sites)
        .order_by()
        .values(
            pid=F("participant"),
            site=F("participant__site"),
            score_value=F("score"),
            r=Window(RowNumber(), partition_by=person, order_by=[F("answered_at"), F("pk")]),
            n=Window(Count("pk"), partition_by=person),
        )
    )
    enrolled = (
        Enrollment.objects.filter(group__site__in=sites, start_date__lte=period.end)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=period.start))
        .order_by()
        .values(gid=F("group"), pid=F("participant"))
        .distinct()
    )
    answers_sql, answers_params = _sql(answers)
    enrolled_sql, enrolled_params = _sql(enrolled)
    columns, column_params = _figures_sql(instrument)
    sql = (
        f"WITH scored AS ({answers_sql}),"  # noqa: S608 - ORM-compiled SQL, parameters apart
        " people AS ("
        "SELECT pid, site, n,"
        " MAX(CASE WHEN r = 1 THEN score_value END) AS first_score,"
        " MAX(CASE WHEN r = n THEN score_value END) AS latest_score"
        " FROM scored GROUP BY pid, site, n),"
        f" enrolled AS ({enrolled_sql})"
        f" SELECT 's', p.site, {columns} FROM people p GROUP BY p.site"
        " UNION ALL"
        f" SELECT 'g', e.gid, {columns}"
        " FROM people p JOIN enrolled e ON e.pid = p.pid GROUP BY e.gid"
    )
    params = [*answers_params, *enrolled_params, *column_params, *column_params]
    by_site, by_group = {}, {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for kind, key, measured, followed, change, reliable in cursor.fetchall():
            (by_site if kind == "s" else by_group)[key] = {
                "measured": measured,
                "followed": followed,
                "mean_change": None if change is None else float(change),
                "reliable": reliable,
            }
    return by_site, by_group


def _checkin_figures(period: Period, sites: list[Site]) -> tuple[dict[int, dict], dict[int, dict]]:
    """Per site and per group: the people who answered both halves of a session's check-in
    in the period, and the mean change of mood over those pairs (one query). Each session
    and person's pair is made once, by conditional aggregation, then counted per site and
    per group."""
    pairs = (
        MeasureResponse.objects.filter(
            _in_period(period, sites, prefix="session__"),
            instrument__in=("checkin_before", "checkin_after"),
        )
        .order_by()
        .values(
            "session",
            pid=F("participant"),
            gid=F("session__group"),
            site=F("session__group__site"),
        )
        .annotate(
            mood_before=Max(Case(When(instrument="checkin_before", then=_item("mood")))),
            mood_after=Max(Case(When(instrument="checkin_after", then=_item("mood")))),
        )
    )
    pairs_sql, pairs_params = _sql(pairs)
    figures = "COUNT(DISTINCT pid), AVG(mood_after - mood_before)"
    both = "WHERE mood_before IS NOT NULL AND mood_after IS NOT NULL"
    sql = (
        f"WITH pairs AS ({pairs_sql})"  # noqa: S608 - ORM-compiled SQL, parameters apart
        f" SELECT 's', site, {figures} FROM pairs {both} GROUP BY site"
        " UNION ALL"
        f" SELECT 'g', gid, {figures} FROM pairs {both} GROUP BY gid"
    )
    by_site, by_group = {}, {}
    with connection.cursor() as cursor:
        cursor.execute(sql, pairs_params)
        for kind, key, people, change in cursor.fetchall():
            (by_site if kind == "s" else by_group)[key] = {
                "people": people,
                "change": None if change is None else float(change),
            }
    return by_site, by_group


def outcomes(*, sites: list[Site], period: Period, instrument: Instrument) -> Outcomes:
    """Per site and per group: people measured with `instrument` in the period, the mean
    change from their first to their latest score, how many improved reliably, and the
    mean within-session change of mood at the check-in. Three queries whatever the history.

    A site's people are those whose home it is; a group's, those enrolled in it at any
    time in the period (someone in two groups counts in both)."""
    published = {"reliable_published": instrument.reliable_change is not None}
    if not sites:
        return Outcomes(instrument, [], [])
    by_site, by_group = _people_figures(instrument, period, sites)
    checkin_by_site, checkin_by_group = _checkin_figures(period, sites)

    site_list = []
    for site in sites:
        row = OutcomeRow(site.name, site.pk, **by_site.get(site.pk, {}), **published)
        _checkin(row, checkin_by_site.get(site.pk))
        site_list.append(row)
    group_ids = set(by_group) | set(checkin_by_group)
    group_list = []
    for group in Group.objects.filter(pk__in=group_ids).order_by("site__name", "name"):
        row = OutcomeRow(
            group.name, group.site_id, group.pk, **by_group.get(group.pk, {}), **published
        )
        _checkin(row, checkin_by_group.get(group.pk))
        group_list.append(row)
    return Outcomes(instrument, site_list, group_list)


def _checkin(row: OutcomeRow, figures: dict | None) -> None:
    if figures is not None:
        row.checkin_people, row.checkin_change = figures["people"], figures["change"]
