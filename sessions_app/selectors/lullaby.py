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

from ..models import (
    FamilyLink,
    FamilyLinkVisit,
    LullabyProject,
    LyricDraft,
    ProjectConsent,
    RecordingSession,
    Reminder,
    StageChange,
    Take,
    Track,
)

Stage = LullabyProject.Stage
STAGE_ORDER: list[str] = list(Stage.values)


def stage_index(stage: str) -> int:
    return STAGE_ORDER.index(stage)


# --- Consent ---------------------------------------------------------------------------


Level = ProjectConsent.Level


class Audience:
    """Who would hear or see the song: the family the parent named, the people at a
    sharing session or concert of the programme, or anyone (a public release)."""

    FAMILY = "family"
    SESSION = "session"
    PUBLIC = "public"


# For each audience, the levels that let a song reach it, the most open first: at a
# concert a song goes under the parent's first name if they allowed that, else under
# their stage name if they allowed that.
AUDIENCE_LEVELS: dict[str, tuple[str, ...]] = {
    Audience.FAMILY: (Level.FAMILY,),
    Audience.SESSION: (Level.SESSION_NAMED, Level.SESSION_STAGE),
    Audience.PUBLIC: (Level.PUBLIC,),
}


def _consent_key(row: ProjectConsent) -> tuple[str, str]:
    return (row.kind, row.level)


def consent_latest(consents: Iterable[ProjectConsent]) -> dict[tuple[str, str], ProjectConsent]:
    """The row that counts for each kind and level: the latest one recorded (rows are
    append-only)."""
    latest: dict[tuple[str, str], ProjectConsent] = {}
    for row in sorted(consents, key=lambda c: (c.recorded_at, c.pk)):
        latest[_consent_key(row)] = row
    return latest


@dataclass(frozen=True)
class Sharing:
    """A level of sharing in force for one audience, and the name the song goes under
    there ("" for the family, who know who sings)."""

    level: str
    consent: ProjectConsent
    name_shown: str

    @property
    def label(self) -> str:
        return Level(self.level).label

    @property
    def under_stage_name(self) -> bool:
        return self.level in ProjectConsent.STAGE_NAMED


@dataclass(frozen=True)
class ConsentState:
    record: ProjectConsent | None
    # The latest row of each sharing level (given or withdrawn), by level.
    levels: dict[str, ProjectConsent] = field(default_factory=dict)

    @property
    def share(self) -> ProjectConsent | None:
        """The consent to share with the family: what delivery needs."""
        return self.levels.get(Level.FAMILY)

    @property
    def may_record(self) -> bool:
        return self.record is not None and self.record.granted

    @property
    def may_share(self) -> bool:
        return self.share is not None and self.share.granted

    @property
    def share_with(self) -> str:
        return self.share.share_with if self.may_share else ""

    def level_rows(self) -> list[tuple[str, str, ProjectConsent | None]]:
        """(level, label, latest row or None) for every level, in the order of openness."""
        return [(value, label, self.levels.get(value)) for value, label in Level.choices]

    def in_force(self, audience: str, *, participant_name: str = "") -> Sharing | None:
        """The level in force for an audience, or None: the song does not reach it."""
        for level in AUDIENCE_LEVELS[audience]:
            row = self.levels.get(level)
            if row is not None and row.granted:
                if level in ProjectConsent.STAGE_NAMED:
                    name = row.stage_name
                elif level == Level.SESSION_NAMED:
                    name = participant_name
                else:
                    name = ""
                return Sharing(level=level, consent=row, name_shown=name)
        return None


def consent_state_of(consents: Iterable[ProjectConsent]) -> ConsentState:
    latest = consent_latest(consents)
    return ConsentState(
        record=latest.get((ProjectConsent.Kind.RECORD, "")),
        levels={
            level: row for (kind, level), row in latest.items() if kind == ProjectConsent.Kind.SHARE
        },
    )


def consent_state(*, project: LullabyProject) -> ConsentState:
    """The consent that counts now, read fresh from the database (one query)."""
    return consent_state_of(ProjectConsent.objects.filter(project=project))


def sharing_in_force(
    *, project: LullabyProject, audience: str, consents: Iterable[ProjectConsent] | None = None
) -> Sharing | None:
    """What level of sharing is in force for this project and this audience, and the
    name the song goes under there; None if the song may not reach it. Every page that
    plays or lists a song asks here. Reads the consents fresh unless given them."""
    state = consent_state_of(consents) if consents is not None else consent_state(project=project)
    return state.in_force(audience, participant_name=project.participant.first_name)


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
    tracks: list[Track] = field(default_factory=list)
    family_links: list[FamilyLink] = field(default_factory=list)
    timeline: list[TimelineStep] = field(default_factory=list)

    def sharing(self, audience: str) -> "Sharing | None":
        """The level in force for an audience (see `sharing_in_force`)."""
        return self.consent.in_force(audience, participant_name=self.project.participant.first_name)

    @property
    def sharing_now(self) -> dict[str, "Sharing | None"]:
        return {audience: self.sharing(audience) for audience in AUDIENCE_LEVELS}

    @property
    def dedication(self) -> Track | None:
        dedications = [t for t in self.tracks if t.kind == Track.Kind.DEDICATION]
        return dedications[-1] if dedications else None

    @property
    def ideas(self) -> list[Track]:
        return [t for t in self.tracks if t.kind == Track.Kind.IDEA]

    @property
    def songwriting(self) -> list[tuple[datetime, str, LyricDraft | Track]]:
        """Lyric drafts and melody ideas together, newest first: (when, kind, item)."""
        items = [(d.created_at, "draft", d) for d in self.drafts]
        items += [(t.created_at, "idea", t) for t in self.ideas]
        return sorted(items, key=lambda i: i[0], reverse=True)

    @property
    def first_opened(self) -> datetime | None:
        opened = [v.at for link in self.family_links for v in link.visit_rows if v.kind == "opened"]
        return min(opened, default=None)

    @property
    def downloaded_before_withdrawal(self) -> datetime | None:
        """When the family last downloaded the song before the consent to share with
        them was withdrawn; None if it is in force, or nothing was downloaded before."""
        share = self.consent.share
        if share is None or share.granted:
            return None
        times = [
            v.at
            for link in self.family_links
            for v in link.visit_rows
            if v.kind == "downloaded" and v.at <= share.recorded_at
        ]
        return max(times, default=None)

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


def project_record(*, project: LullabyProject, delivery: bool = True) -> ProjectRecord:
    """A project with its history, consents, drafts, recordings and takes; with
    `delivery`, also its dedication and melody ideas and its family links with their
    visits and messages (four queries more)."""
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
    links = (
        project.family_links.select_related("created_by")
        .prefetch_related(
            Prefetch(
                "visits", queryset=FamilyLinkVisit.objects.order_by("at"), to_attr="visit_rows"
            ),
            Prefetch("messages", queryset=Reminder.objects.order_by("pk"), to_attr="message_rows"),
        )
        .order_by("-created_at", "-pk")
    )
    tracks = project.tracks.select_related("created_by").order_by("created_at", "pk")
    record = ProjectRecord(
        project=project,
        tracks=list(tracks) if delivery else [],
        family_links=list(links) if delivery else [],
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


def latest_lyrics(project: LullabyProject) -> str:
    draft = project.drafts.order_by("-number").only("text").first()
    return draft.text if draft else ""


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
