"""Sharing-session and concert programs: a list to start one, a form to pick its songs,
and the printable program. Which songs may be picked and which are printed is asked of
the consent in force (`selectors.programs`), at every request."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from ..forms.lullaby import ProgramForm, ProgramSongsForm
from ..permissions import (
    check_program_pages_access,
    get_program_for_user,
    programs_for,
    programs_sites_for,
)
from ..selectors.programs import program_songs, songs_for_program
from ..services import programs as services
from .submit import submit


@never_cache
@login_required
def program_list(request: HttpRequest) -> HttpResponse:
    check_program_pages_access(request)
    sites = programs_sites_for(request.user).order_by("name")
    form = ProgramForm(request.POST or None, sites=sites)
    if done := submit(request, form, lambda data: services.program_create(by=request.user, **data)):
        messages.success(request, "Program started. Pick its songs.")
        return redirect("lullaby_program_edit", done.value.pk)
    programs = programs_for(request.user).select_related("site").order_by("-event_on", "pk")
    return render(request, "lullaby/programs.html", {"form": form, "programs": programs})


@never_cache
@login_required
def program_edit(request: HttpRequest, program_id: int) -> HttpResponse:
    program = get_program_for_user(request, program_id)
    songs = songs_for_program(user=request.user, program=program)
    chosen = [s.project_id for s in program.entries.all()]
    form = ProgramSongsForm(request.POST or None, songs=songs, initial={"projects": chosen})
    if submit(
        request,
        form,
        lambda data: services.program_songs_set(
            by=request.user, program=program, projects=data["projects"]
        ),
    ):
        messages.success(request, "Songs saved.")
        return redirect("lullaby_program", program.pk)
    ctx = {"program": program, "form": form, "songs": songs}
    return render(request, "lullaby/program_form.html", ctx)


@never_cache
@login_required
@require_GET
def program_detail(request: HttpRequest, program_id: int) -> HttpResponse:
    """The program as it prints: only songs whose consent covers the event now."""
    program = get_program_for_user(request, program_id)
    ctx = {"program": program, "songs": program_songs(program=program)}
    return render(request, "lullaby/program.html", ctx)
