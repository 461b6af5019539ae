"""Reads for lullaby projects: the board, a project's page, the recording log, and the
side-by-side comparison of two lyric drafts.

Every function takes a project (or a queryset of projects) already fetched or narrowed
through `permissions`; nothing here decides who may see what.
"""

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Max, Prefetch, QuerySet

from ..models import LullabyProject, LyricDraft, ProjectConsent, RecordingSession, StageChange, Take

Stage = LullabyProject.Stage
STAGE_ORDER: list[str] = list(Stage.values)


def stage_index(stage: str) -> int:
    return STAGE_ORDER.index(stage)


# --- Consent ---------------------------------------------------------------------------


def consent_latest(consents: Iterable[ProjectConsent]) -> dict[str, ProjectConsent]:
    """The row that counts for each kind: the latest one recorded (append-only rows)."""
    latest: dict[str, ProjectConsent] = {}
    for row in sorted(consents, key=lambda c: (c.recorded_at, c.pk)):
        latest[row.kind] = row
    return latest


@dataclass(frozen=True)
class ConsentState:
    record: ProjectConsent | None
    share: ProjectConsent | None

    @property
    def may_record(self) -> bool:
        return self.record is not None and self.record.granted

    @property
    def may_share(self) -> bool:
        return self.share is not None and self.share.granted

    @property
    def share_with(self) -> str:
        return self.share.share_with if self.may_share else ""


def consent_state_of(consents: Iterable[ProjectConsent]) -> ConsentState:
    latest = consent_latest(consents)
    return ConsentState(
        record=latest.get(ProjectConsent.Kind.RECORD),
        share=latest.get(ProjectConsent.Kind.SHARE),
    )


def consent_state(*, project: LullabyProject) -> ConsentState:
    """The consent that counts now, read fresh from the database (one query)."""
    return consent_state_of(ProjectConsent.objects.filter(project=project))


# --- The board -------------------------------------------------------------------------


@dataclass(frozen=True)
class BoardColumn:
    stage: str
    label: str
    projects: list[LullabyProject]


# Up to this many projects the board is one plain list: a column per stage would be
# mostly empty columns around the one project a teaching artist works on.
BOARD_LIST_UP_TO = 3


@dataclass(frozen=True)
class Board:
    # Every stage in the order of the work, empty ones included.
    columns: list[BoardColumn]

    @property
    def total(self) -> int:
        return sum(len(c.projects) for c in self.columns)

    @property
    def as_list(self) -> bool:
        return self.total <= BOARD_LIST_UP_TO

    @property
    def filled(self) -> list[BoardColumn]:
        return [c for c in self.columns if c.projects]

    @property
    def empty_count(self) -> int:
        return sum(1 for c in self.columns if not c.projects)

    @property
    def projects(self) -> list[LullabyProject]:
        """Every project, in the order of the stages."""
        return [p for c in self.columns for p in c.projects]


def project_board(*, projects: QuerySet[LullabyProject]) -> Board:
    """Projects by stage, in the order of the stages; three queries whatever the size.

    Each project gets `stage_since` (its latest stage change), `artists` (its teaching
    artists) and `consents_now` (a ConsentState).
    """
    rows = list(
        projects.select_related("participant", "therapist")
        .annotate(stage_since=Max("stage_changes__changed_at"))
        .prefetch_related(
            Prefetch("teaching_artists", to_attr="artists"),
            Prefetch("consents", to_attr="consent_rows"),
        )
        .order_by("participant__last_name", "participant__first_name", "pk")
    )
    by_stage: dict[str, list[LullabyProject]] = {stage: [] for stage in STAGE_ORDER}
    for project in rows:
        project.consents_now = consent_state_of(project.consent_rows)
        by_stage[project.stage].append(project)
    return Board(
        columns=[
            BoardColumn(stage=stage, label=Stage(stage).label, projects=by_stage[stage])
            for stage in STAGE_ORDER
        ]
    )


# --- One project -----------------------------------------------------------------------


@dataclass(frozen=True)
class TimelineStep:
    stage: str
    label: str
    # When the project last reached this stage; None if it never has.
    reached_at: datetime | None
    current: bool


@dataclass
class ProjectRecord:
    """Everything the project page and the recording log show, read in a fixed number
    of queries."""

    project: LullabyProject
    artists: list
    changes: list[StageChange]
    consents: list[ProjectConsent]
    consent: ConsentState
    drafts: list[LyricDraft]
    recordings: list[RecordingSession]
    final_take: Take | None
    timeline: list[TimelineStep] = field(default_factory=list)

    @property
    def latest_draft(self) -> LyricDraft | None:
        return self.drafts[-1] if self.drafts else None

    @property
    def current_index(self) -> int:
        return stage_index(self.project.stage)

    @property
    def take_count(self) -> int:
        return sum(len(r.takes.all()) for r in self.recordings)


def _timeline(project: LullabyProject, changes: list[StageChange]) -> list[TimelineStep]:
    reached: dict[str, datetime] = {}
    for change in changes:
        reached[change.stage] = change.changed_at
    current = stage_index(project.stage)
    steps = []
    for index, stage in enumerate(STAGE_ORDER):
        # Stages after the current one are not reached (yet), even if they were once,
        # before the project went back a step.
        when = reached.get(stage) if index <= current else None
        steps.append(TimelineStep(stage, Stage(stage).label, when, index == current))
    return steps


def project_record(*, project: LullabyProject) -> ProjectRecord:
    """A project with its history, consents, drafts, recordings and takes."""
    changes = list(project.stage_changes.select_related("changed_by").order_by("changed_at", "pk"))
    consents = list(project.consents.select_related("recorded_by").order_by("recorded_at", "pk"))
    drafts = list(project.drafts.select_related("created_by").order_by("number"))
    recordings = list(
        project.recording_sessions.order_by("recorded_on", "pk").prefetch_related(
            Prefetch("takes", queryset=Take.objects.order_by("number"))
        )
    )
    takes = {t.pk: t for r in recordings for t in r.takes.all()}
    for recording in recordings:
        for take in recording.takes.all():
            # Saves a query per take where a template asks for the session's date.
            take.recording_session = recording
    record = ProjectRecord(
        project=project,
        artists=list(project.teaching_artists.order_by("last_name", "first_name")),
        changes=changes,
        consents=consents,
        consent=consent_state_of(consents),
        drafts=drafts,
        recordings=recordings,
        final_take=takes.get(project.final_take_id),
    )
    record.timeline = _timeline(project, changes)
    return record


# --- Comparing lyric drafts ------------------------------------------------------------

# Words, runs of spaces, and line breaks: a word-level comparison that keeps the lines.
_TOKENS = re.compile(r"\n|[^\S\n]+|\S+")


@dataclass(frozen=True)
class Segment:
    kind: str  # "same", "removed" or "added"
    text: str


@dataclass(frozen=True)
class DraftDiff:
    old: LyricDraft
    new: LyricDraft
    # The old draft with what was removed marked, and the new one with what was added.
    left: list[Segment]
    right: list[Segment]
    words_removed: int
    words_added: int

    @property
    def changed(self) -> bool:
        return bool(self.words_removed or self.words_added)


def _tokens(text: str) -> list[str]:
    return _TOKENS.findall(text.replace("\r\n", "\n").replace("\r", "\n"))


def _words(tokens: list[str]) -> int:
    return sum(1 for t in tokens if not t.isspace())


def _is_junk(word: str) -> bool:
    # Spaces never anchor a match (they would line up unrelated words); line breaks do.
    return word.isspace() and word != "\n"


def drafts_compare(*, old: LyricDraft, new: LyricDraft) -> DraftDiff:
    a, b = _tokens(old.text), _tokens(new.text)
    matcher = difflib.SequenceMatcher(_is_junk, a, b, autojunk=False)
    left: list[Segment] = []
    right: list[Segment] = []
    removed = added = 0
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            text = "".join(a[i1:i2])
            left.append(Segment("same", text))
            right.append(Segment("same", text))
            continue
        if i2 > i1:
            left.append(Segment("removed", "".join(a[i1:i2])))
            removed += _words(a[i1:i2])
        if j2 > j1:
            right.append(Segment("added", "".join(b[j1:j2])))
            added += _words(b[j1:j2])
    return DraftDiff(old, new, left, right, removed, added)
