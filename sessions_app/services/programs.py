"""Sharing-session and concert programs: the songs staff pick for an event.

A song can be picked only while its consent allows a sharing session or concert, and
the program is read through `selectors.programs.program_songs`, which asks the consent
again: a song whose consent is withdrawn after it was picked is simply not listed.
"""

from collections.abc import Iterable
from datetime import date

from django.db import transaction

from ..models import LullabyProject, ProgramEntry, SharingProgram, Site, User
from ..permissions import may_make_programs, programs_sites_for
from ..selectors.programs import songs_for_program
from .errors import ServiceError


def program_create(
    *, by: User, site: Site, title: str, event_on: date, place: str = ""
) -> SharingProgram:
    title, place = title.strip(), place.strip()
    if not may_make_programs(by) or not programs_sites_for(by).filter(pk=site.pk).exists():
        raise ServiceError({"site": "Choose a site you work at."})
    if not title:
        raise ServiceError({"title": "Give the event a title, e.g. “Winter sharing session”."})
    return SharingProgram.objects.create(
        site=site, title=title, event_on=event_on, place=place, created_by=by
    )


def program_songs_set(
    *, by: User, program: SharingProgram, projects: Iterable[LullabyProject]
) -> list[ProgramEntry]:
    """The program's songs, in the order given. Each must be one the user may pick:
    theirs to see, at the program's site, with a level that allows a sharing session."""
    chosen = list(dict.fromkeys(projects))
    with transaction.atomic():
        program = SharingProgram.objects.select_for_update().get(pk=program.pk)
        allowed = {p.pk for p in songs_for_program(user=by, program=program)}
        refused = [p for p in chosen if p.pk not in allowed]
        if refused:
            raise ServiceError(
                {
                    "projects": f"“{refused[0]}” cannot be in this program: its consent "
                    "does not cover a sharing session or concert."
                }
            )
        program.entries.all().delete()
        return ProgramEntry.objects.bulk_create(
            ProgramEntry(program=program, project=p, position=n)
            for n, p in enumerate(chosen, start=1)
        )
