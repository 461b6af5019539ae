"""Reads for sharing-session programs: which songs may be picked, and what the printed
program lists. Both ask `sharing_in_force` for the sharing-session audience, so a song
is never listed beyond what its consent allows, and under the name it allows."""

from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet

from ..models import LullabyProject, ProjectConsent, SharingProgram, User
from ..permissions import projects_for
from .lullaby import Audience, Sharing, sharing_in_force


@dataclass(frozen=True)
class ProgramSong:
    position: int
    project: LullabyProject
    sharing: Sharing

    @property
    def title(self) -> str:
        return self.project.title or "Untitled lullaby"

    @property
    def dedication(self) -> str:
        """“For Eli, her son” with the first name only; under a stage name nothing that
        would say who the singer is."""
        if self.sharing.under_stage_name:
            return ""
        project = self.project
        return f"For {project.recipient_name}, {project.recipient_relationship}"


def _with_consents(projects: QuerySet[LullabyProject]) -> QuerySet[LullabyProject]:
    return projects.select_related("participant").prefetch_related(
        Prefetch("consents", queryset=ProjectConsent.objects.all(), to_attr="consent_rows")
    )


def songs_for_program(*, user: User, program: SharingProgram) -> list[LullabyProject]:
    """Projects the user may put in this program: theirs to see, at its site, with a
    final take, whose consent allows a sharing session or concert now."""
    projects = _with_consents(
        projects_for(user).filter(participant__site=program.site_id, final_take__isnull=False)
    ).order_by("title", "pk")
    chosen = []
    for project in projects:
        sharing = sharing_in_force(
            project=project, audience=Audience.SESSION, consents=project.consent_rows
        )
        if sharing is not None:
            project.sharing = sharing
            chosen.append(project)
    return chosen


def program_songs(*, program: SharingProgram) -> list[ProgramSong]:
    """What the program lists now: its songs in order, leaving out any whose consent no
    longer covers a sharing session (two queries)."""
    entries = program.entries.select_related("project__participant").prefetch_related(
        Prefetch("project__consents", queryset=ProjectConsent.objects.all(), to_attr="consent_rows")
    )
    songs = []
    for entry in entries.order_by("position", "pk"):
        project = entry.project
        sharing = sharing_in_force(
            project=project, audience=Audience.SESSION, consents=project.consent_rows
        )
        if sharing is not None:
            songs.append(ProgramSong(len(songs) + 1, project, sharing))
    return songs
