"""Reads for treatment planning: a participant's record, the objectives a note speaks
to, reviews and reports due, and what administrators and participants may see of it.

Every function is handed people already narrowed by `permissions`.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from django.db.models import F, Max, Min, OuterRef, Prefetch, Q, QuerySet, Subquery

from ..models import (
    Assessment,
    Enrollment,
    Goal,
    Objective,
    ObjectiveProgress,
    Participant,
    ProgressReport,
    SessionNote,
    TreatmentPlan,
    User,
)
from ..timeutil import at_site

# Reviews this close are on the therapist's home.
REVIEW_AHEAD = timedelta(days=7)


def _current() -> Q:
    return Q(status=TreatmentPlan.Status.SIGNED, superseded_at__isnull=True)


def plan_with_goals(plan_id: int) -> TreatmentPlan:
    """A plan with its goals, their areas and objectives (three queries)."""
    return (
        TreatmentPlan.objects.select_related("author", "signed_by", "previous")
        .prefetch_related(
            Prefetch(
                "goals",
                Goal.objects.select_related("area").prefetch_related("objectives"),
            )
        )
        .get(pk=plan_id)
    )


@dataclass
class TreatmentRecord:
    assessments: list[Assessment]
    plans: list[TreatmentPlan]  # newest version first
    reports: list[ProgressReport]

    @property
    def current(self) -> TreatmentPlan | None:
        return next((p for p in self.plans if p.is_current), None)

    @property
    def draft(self) -> TreatmentPlan | None:
        return next((p for p in self.plans if not p.is_signed), None)


def treatment_record(*, participant: Participant) -> TreatmentRecord:
    """Everything of the participant's treatment record, as lists (three queries): the
    documents' headings, not their goals."""
    return TreatmentRecord(
        assessments=list(
            participant.assessments.select_related("author", "signed_by").order_by(
                "-assessed_on", "-pk"
            )
        ),
        plans=list(
            participant.treatment_plans.select_related("author", "signed_by").order_by("-version")
        ),
        reports=list(
            participant.progress_reports.select_related("author", "signed_by").order_by(
                "-period_end", "-pk"
            )
        ),
    )


@dataclass(frozen=True)
class PlanStatus:
    """What an administrator may know of a participant's plan: that it exists, its
    status and its dates, never what it says."""

    version: int
    status: str
    starts_on: date
    review_on: date
    signed_at: object
    draft_open: bool
    last_report_on: date | None
    assessed_on: date | None

    @property
    def review_overdue(self) -> bool:
        return self.review_on < date.today()


def plan_status(*, participant: Participant) -> PlanStatus | None:
    """One query reading dates and statuses only (no clinical column is selected)."""
    last_report = (
        ProgressReport.objects.filter(participant=OuterRef("participant"), status="signed")
        .order_by("-period_end")
        .values("period_end")[:1]
    )
    last_assessment = (
        Assessment.objects.filter(participant=OuterRef("participant"), status="signed")
        .order_by("-assessed_on")
        .values("assessed_on")[:1]
    )
    drafts = TreatmentPlan.objects.filter(participant=OuterRef("participant"), status="draft")
    row = (
        TreatmentPlan.objects.filter(participant=participant)
        .order_by(
            # The plan in force (never superseded) first, else the newest.
            F("superseded_at").asc(nulls_first=True),
            "-version",
        )
        .annotate(
            last_report_on=Subquery(last_report),
            assessed=Subquery(last_assessment),
            draft_id=Subquery(drafts.values("pk")[:1]),
        )
        .values(
            "version",
            "status",
            "starts_on",
            "review_on",
            "signed_at",
            "last_report_on",
            "assessed",
            "draft_id",
            "superseded_at",
        )
        .first()
    )
    if row is None:
        return None
    return PlanStatus(
        version=row["version"],
        status="superseded" if row["superseded_at"] else row["status"],
        starts_on=row["starts_on"],
        review_on=row["review_on"],
        signed_at=row["signed_at"],
        draft_open=row["draft_id"] is not None and row["status"] != "draft",
        last_report_on=row["last_report_on"],
        assessed_on=row["assessed"],
    )


def active_objectives(*, participant_ids: Iterable[int]) -> dict[int, list[Objective]]:
    """Participant id → the active objectives of their plan in force, in plan order,
    each with its goal and area (one query)."""
    ids = list(participant_ids)
    by_person: dict[int, list[Objective]] = defaultdict(list)
    if not ids:
        return by_person
    rows = (
        Objective.objects.filter(
            goal__plan__participant_id__in=ids,
            goal__plan__status=TreatmentPlan.Status.SIGNED,
            goal__plan__superseded_at__isnull=True,
            outcome__in=Objective.ACTIVE_OUTCOMES,
        )
        .select_related("goal__area", "goal__plan")
        .order_by("goal__position", "position")
    )
    for objective in rows:
        by_person[objective.goal.plan.participant_id].append(objective)
    return by_person


def note_progress(*, note: SessionNote | None) -> dict[int, dict[int, ObjectiveProgress]]:
    """Participant id → objective id → the progress the note records (one query)."""
    by_person: dict[int, dict[int, ObjectiveProgress]] = defaultdict(dict)
    if note is None or note.pk is None:
        return by_person
    for row in ObjectiveProgress.objects.filter(note=note).select_related("objective__goal__area"):
        by_person[row.participant_id][row.objective_id] = row
    return by_person


@dataclass
class ProgressLine:
    """One objective as a note shows it for one participant: what to record, and what
    is recorded."""

    objective: Objective
    progress: ObjectiveProgress | None


def progress_lines(
    *, participant_ids: Iterable[int], note: SessionNote | None, signed: bool
) -> dict[int, list[ProgressLine]]:
    """Participant id → their objectives for this note (two queries).

    A signed note shows what it recorded, whatever the plan says today; a draft the
    active objectives of each plan in force, with anything already recorded, and any
    recorded objective no longer active (so that it can be seen and cleared).
    """
    recorded = note_progress(note=note)
    lines: dict[int, list[ProgressLine]] = defaultdict(list)
    if signed:
        for pid, rows in recorded.items():
            lines[pid] = [ProgressLine(row.objective, row) for row in rows.values()]
        return lines
    active = active_objectives(participant_ids=participant_ids)
    for pid in set(active) | set(recorded):
        mine = recorded.get(pid, {})
        shown = [ProgressLine(o, mine.get(o.pk)) for o in active.get(pid, [])]
        seen = {line.objective.pk for line in shown}
        shown += [ProgressLine(row.objective, row) for oid, row in mine.items() if oid not in seen]
        lines[pid] = shown
    return lines


# --- Due: plan reviews and progress reports ---------------------------------------------


@dataclass(frozen=True)
class Due:
    participant: Participant
    plan: TreatmentPlan
    due_on: date

    def overdue(self, today: date) -> bool:
        return self.due_on < today


@dataclass
class DueWork:
    reviews: list[Due]
    reports: list[Due]

    @property
    def empty(self) -> bool:
        return not (self.reviews or self.reports)


def treatment_work_due(*, user: User, today: date) -> DueWork:
    """Plan reviews due within a week or overdue, and progress reports due, for the
    participants now in the therapist's groups (one query).

    A progress report falls due `progress_report_every_days` (the site's setting) after
    the later of the plan's start and the last signed report's end.
    """
    in_care = Enrollment.objects.filter(
        group__facilitations__therapist=user, status=Enrollment.Status.ACTIVE
    ).values("participant")
    last_report = (
        ProgressReport.objects.filter(
            participant=OuterRef("participant"), status=ProgressReport.Status.SIGNED
        )
        .order_by("-period_end")
        .values("period_end")[:1]
    )
    plans = (
        TreatmentPlan.objects.filter(_current(), participant__in=in_care)
        .select_related("participant")
        .annotate(
            last_report_on=Subquery(last_report),
            # The site's setting as a column: the page shows nothing else of the site.
            report_every_days=F("participant__site__progress_report_every_days"),
        )
        .only(
            "pk",
            "version",
            "starts_on",
            "review_on",
            "participant__first_name",
            "participant__last_name",
            "participant__preferred_name",
        )
    )
    horizon = today + REVIEW_AHEAD
    reviews, reports = [], []
    for plan in plans:
        if plan.review_on <= horizon:
            reviews.append(Due(plan.participant, plan, plan.review_on))
        since = max(filter(None, (plan.starts_on, plan.last_report_on)))
        due_on = since + timedelta(days=plan.report_every_days)
        if due_on <= horizon:
            reports.append(Due(plan.participant, plan, due_on))
    reviews.sort(key=lambda d: (d.due_on, d.participant.last_name))
    reports.sort(key=lambda d: (d.due_on, d.participant.last_name))
    return DueWork(reviews, reports)


def own_goals(*, participant: Participant) -> list[Goal]:
    """The goals of the participant's plan in force that have plain words for them, for
    their own page (one query); empty where their programme does not show them."""
    if not participant.site.goals_shown_to_participants:
        return []
    return list(
        Goal.objects.filter(
            plan__participant=participant,
            plan__status=TreatmentPlan.Status.SIGNED,
            plan__superseded_at__isnull=True,
        )
        .exclude(plain_words="")
        .only("pk", "plain_words", "position")
        .order_by("position")
    )


def plan_versions(*, participant: Participant) -> QuerySet[TreatmentPlan]:
    # From the model's manager, not `participant.treatment_plans`: a related manager
    # would set each row's participant, reading the deferred key one query a row.
    return (
        TreatmentPlan.objects.filter(participant=participant)
        .order_by("-version")
        .only("pk", "version", "status", "superseded_at", "starts_on", "review_on", "signed_at")
    )


def last_review_dates(participant_ids: Iterable[int]) -> dict[int, date]:
    rows = (
        TreatmentPlan.objects.filter(_current(), participant_id__in=list(participant_ids))
        .values("participant_id")
        .annotate(review=Max("review_on"))
    )
    return {row["participant_id"]: row["review"] for row in rows}


# Bootstrap's badge for each level: from "not addressed" (outlined) to "met" (green);
# the level's word is always written in it, so colour is never the only cue.
LEVEL_BADGES = {
    "not_addressed": "text-bg-light border",
    "minimal": "text-bg-secondary",
    "moderate": "text-bg-info",
    "significant": "text-bg-primary",
    "met": "text-bg-success",
}


@dataclass(frozen=True)
class ProgressPoint:
    day: date
    level: str
    label: str
    observation: str
    session_id: int

    @property
    def badge(self) -> str:
        return LEVEL_BADGES[self.level]


def objective_history(
    *, participant: Participant, objectives: Iterable[Objective], latest: int = 12
) -> dict[int, list[ProgressPoint]]:
    """Objective thread → its latest progress from signed notes, oldest first (one
    query), whichever version of the plan each entry was recorded against.

    Plain values, not model instances: two years of a participant's progress is a few
    hundred rows, each of which would otherwise build five joined models.
    """
    threads = {o.thread for o in objectives}
    history: dict[int, list[ProgressPoint]] = defaultdict(list)
    if not threads:
        return history
    labels = dict(ObjectiveProgress.Level.choices)
    rows = (
        ObjectiveProgress.objects.filter(
            Q(objective_id__in=threads) | Q(objective__origin_id__in=threads),
            participant=participant,
            note__status=SessionNote.Status.SIGNED,
        )
        .order_by("-note__session__starts_at")
        .values_list(
            "objective_id",
            "objective__origin_id",
            "level",
            "observation",
            "note__session_id",
            "note__session__starts_at",
            "note__session__group__site__time_zone",
        )
    )
    for objective_id, origin_id, level, observation, session_id, starts_at, zone in rows:
        points = history[origin_id or objective_id]
        if len(points) < latest:
            day = at_site(starts_at, ZoneInfo(zone)).date()
            points.append(ProgressPoint(day, level, labels[level], observation, session_id))
    for points in history.values():
        points.reverse()
    return history


# --- Administrators: are plans in place and reviewed on time? ----------------------------

# A participant in care this long without a signed plan is counted as missing one.
PLAN_WITHIN_DAYS = 14
OVERDUE_SHOWN = 50


@dataclass(frozen=True)
class SitePlanFigures:
    site_id: int
    site_name: str
    in_care: int
    with_plan: int
    reviews_overdue: int
    plans_missing: int
    reports_overdue: int


@dataclass(frozen=True)
class OverdueReview:
    participant_id: int
    name: str
    site_name: str
    review_on: date
    version: int


@dataclass
class PlanCompliance:
    sites: list[SitePlanFigures]
    overdue: list[OverdueReview]
    more_overdue: bool


def plan_compliance(*, sites: Iterable, today: date) -> PlanCompliance:
    """For administrators: per site, who is in care (an active enrolment), how many have
    a plan in force, reviews overdue, plans missing, progress reports overdue; and the
    longest-overdue reviews by name. Dates and counts only, never a plan's words.

    Four queries, each one pass over the sites' rows (active enrolments, plans in
    force, signed reports, then the names of those listed), joined here: at the size of
    a regional network, ten thousand people, where a subquery a person took 0.7 s.
    """
    sites = {s.pk: s for s in sites}
    # Each query filters by site through a join, never by a list of thousands of ids.
    in_care = {
        pid: (site_id, since)
        for pid, site_id, since in Enrollment.objects.filter(
            status=Enrollment.Status.ACTIVE, participant__site_id__in=list(sites)
        )
        .order_by()
        .values("participant_id", "participant__site_id")
        .annotate(since=Min("start_date"))
        .values_list("participant_id", "participant__site_id", "since")
    }
    plans = {
        pid: (review_on, starts_on, version)
        for pid, review_on, starts_on, version in TreatmentPlan.objects.filter(
            _current(), participant__site_id__in=list(sites)
        )
        .order_by()
        .values_list("participant_id", "review_on", "starts_on", "version")
    }
    last_reports = dict(
        ProgressReport.objects.filter(
            status=ProgressReport.Status.SIGNED, participant__site_id__in=list(sites)
        )
        .order_by()
        .values("participant_id")
        .annotate(last=Max("period_end"))
        .values_list("participant_id", "last")
    )
    counts = {pk: dict.fromkeys(("n", "plan", "overdue", "missing", "reports"), 0) for pk in sites}
    overdue: list[tuple[date, int]] = []
    missing_before = today - timedelta(days=PLAN_WITHIN_DAYS)
    for pid, (site_id, since) in in_care.items():
        site = sites[site_id]
        c = counts[site.pk]
        c["n"] += 1
        plan = plans.get(pid)
        if plan is None:
            c["missing"] += since <= missing_before
            continue
        review_on, starts_on, _ = plan
        c["plan"] += 1
        if review_on < today:
            c["overdue"] += 1
            overdue.append((review_on, pid))
        since_report = max(starts_on, last_reports.get(pid) or starts_on)
        c["reports"] += since_report + timedelta(days=site.progress_report_every_days) < today
    overdue.sort()
    shown = overdue[:OVERDUE_SHOWN]
    people = Participant.objects.in_bulk([pid for _, pid in shown])
    return PlanCompliance(
        sites=[
            SitePlanFigures(
                site.pk,
                site.name,
                counts[site.pk]["n"],
                counts[site.pk]["plan"],
                counts[site.pk]["overdue"],
                counts[site.pk]["missing"],
                counts[site.pk]["reports"],
            )
            for site in sorted(sites.values(), key=lambda s: s.name)
        ],
        overdue=[
            OverdueReview(
                pid, people[pid].short_name, sites[in_care[pid][0]].name, review_on, plans[pid][2]
            )
            for review_on, pid in shown
        ],
        more_overdue=len(overdue) > OVERDUE_SHOWN,
    )
