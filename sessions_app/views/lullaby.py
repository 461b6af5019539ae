"""Lullaby projects: the board, a project, its consent, drafts, recordings, takes,
delivery and the printable recording log.

Who sees what is decided in `permissions`: staff pages go through
`get_project_for_user` (its therapist, its teaching artists, the site's administrators
read-only), forms through `get_project_for_editor` or `get_project_for_manager`, so a
user who may not write never sees a form (404). The participant reads their own project
and log through their login or a link session (`links.participant_from_request`).
Audio is served only by `take_audio`, never from a public URL.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from .. import languages, links, permissions
from ..forms.lullaby import (
    CompareForm,
    ConsentForm,
    DeliveryForm,
    DraftForm,
    FamilyLinkForm,
    IdeaForm,
    ProjectForm,
    RecordingSessionForm,
    StageForm,
    TakeEditForm,
    TakeForm,
    TrackForm,
)
from ..messaging.compose import site_url
from ..models import LullabyProject, Track
from ..permissions import (
    check_lullaby_pages_access,
    get_draft_for_user,
    get_family_link_for_manager,
    get_own_project,
    get_project_for_editor,
    get_project_for_manager,
    get_project_for_user,
    get_recording_for_user,
    get_take_for_user,
    get_track_for_user,
    may_edit_project,
    may_hear_take,
    may_manage_project,
    may_start_project,
    participants_for_new_project,
    projects_for,
)
from ..selectors.lullaby import (
    Audience,
    consent_state,
    drafts_compare,
    project_board,
    project_record,
    sharing_in_force,
)
from ..services import family_links
from ..services import lullaby as services
from ..services.errors import ServiceError
from .audio import audio_response
from .submit import submit


def _site_today(project: LullabyProject):
    # Dates of recordings and deliveries are the participant's site's dates.
    return timezone.now().astimezone(project.participant.site.tz).date()


def _project_url(project: LullabyProject, anchor: str = "") -> str:
    url = reverse("lullaby_project", args=[project.pk])
    return f"{url}#{anchor}" if anchor else url


# --- Board and project -----------------------------------------------------------------


def board_page(request: HttpRequest) -> HttpResponse:
    """The board of the user's projects by stage; also a teaching artist's home page."""
    check_lullaby_pages_access(request)
    ctx = {
        "board": project_board(projects=projects_for(request.user)),
        "may_start": may_start_project(request.user),
        "may_program": permissions.may_make_programs(request.user),
    }
    return render(request, "lullaby/board.html", ctx)


@login_required
def project_board_view(request: HttpRequest) -> HttpResponse:
    return board_page(request)


@login_required
def project_new(request: HttpRequest) -> HttpResponse:
    check_lullaby_pages_access(request)
    if not may_start_project(request.user):
        raise Http404("Only therapists start lullaby projects.")
    participants = participants_for_new_project(request.user)
    form = ProjectForm(request.POST or None, participants=participants)
    if done := submit(
        request,
        form,
        lambda data: services.project_start(
            by=request.user,
            participant=data["participant"],
            recipient_name=data["recipient_name"],
            recipient_relationship=data["recipient_relationship"],
            title=data["title"],
            teaching_artists=data["teaching_artists"],
        ),
    ):
        messages.success(request, "Project started. Record the participant's consent next.")
        return redirect(_project_url(done.value))
    return render(request, "lullaby/project_form.html", {"form": form, "project": None})


@never_cache
@login_required
def project_detail(request: HttpRequest, project_id: int) -> HttpResponse:
    project = get_project_for_user(request, project_id)
    record = project_record(project=project)
    may_edit = may_edit_project(request.user, project)
    ctx = {
        "project": project,
        "record": record,
        "may_edit": may_edit,
        "may_manage": may_manage_project(request.user, project),
        # The therapist and artists work with every take; an administrator reads the
        # record but never gets the recordings.
        "may_hear": may_edit,
        "stage_form": StageForm(initial={"stage": project.stage}),
        "family_sharing": record.sharing(Audience.FAMILY),
        "now": timezone.now(),
    }
    return render(request, "lullaby/project.html", ctx)


@login_required
def project_edit(request: HttpRequest, project_id: int) -> HttpResponse:
    project = get_project_for_manager(request, project_id)
    form = ProjectForm(request.POST or None, initial=ProjectForm.initial_for(project))
    if submit(
        request,
        form,
        lambda data: services.project_update(by=request.user, project=project, **data),
    ):
        messages.success(request, "Project details saved.")
        return redirect(_project_url(project))
    return render(request, "lullaby/project_form.html", {"form": form, "project": project})


@require_POST
@login_required
def project_stage(request: HttpRequest, project_id: int) -> HttpResponse:
    project = get_project_for_manager(request, project_id)
    form = StageForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose one of the stages.")
        return redirect(_project_url(project, "stage"))
    try:
        services.project_stage_set(
            by=request.user, project=project, stage=form.cleaned_data["stage"]
        )
    except ServiceError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        label = LullabyProject.Stage(form.cleaned_data["stage"]).label
        messages.success(request, f"Moved to “{label}”.")
    return redirect(_project_url(project, "stage"))


@never_cache
@login_required
def project_consent(request: HttpRequest, project_id: int) -> HttpResponse:
    project = get_project_for_manager(request, project_id)
    form = ConsentForm(request.POST or None)
    if done := submit(
        request,
        form,
        lambda data: services.consent_record(by=request.user, project=project, **data),
    ):
        consent = done.value
        verb = "given" if consent.granted else "withdrawn"
        messages.success(request, f"Recorded: {consent.get_kind_display().lower()} {verb}.")
        return redirect(_project_url(project, "consent"))
    record = project_record(project=project)
    return render(
        request, "lullaby/consent.html", {"project": project, "record": record, "form": form}
    )


@never_cache
@login_required
def project_delivery(request: HttpRequest, project_id: int) -> HttpResponse:
    project = get_project_for_manager(request, project_id)
    record = project_record(project=project)
    form = DeliveryForm(
        request.POST or None,
        initial={"delivered_on": _site_today(project), "delivered_to": record.consent.share_with},
    )
    if submit(
        request,
        form,
        lambda data: services.delivery_record(
            by=request.user,
            project=project,
            delivered_on=data["delivered_on"],
            method=data["method"],
            delivered_to=data["delivered_to"],
        ),
    ):
        messages.success(request, "Delivery recorded; the song is delivered.")
        return redirect(_project_url(project, "delivery"))
    ctx = {"project": project, "record": record, "form": form}
    return render(request, "lullaby/delivery.html", ctx)


# --- Lyric drafts ----------------------------------------------------------------------


@login_required
def draft_new(request: HttpRequest, project_id: int) -> HttpResponse:
    project = get_project_for_editor(request, project_id)
    latest = project.drafts.order_by("-number").first()
    # A new version starts from the latest one: a draft is edited by saving the next.
    form = DraftForm(request.POST or None, initial={"text": latest.text if latest else ""})
    if done := submit(
        request, form, lambda data: services.draft_add(by=request.user, project=project, **data)
    ):
        messages.success(request, f"Saved as draft {done.value.number}.")
        return redirect(_project_url(project, "drafts"))
    ctx = {"project": project, "form": form, "latest": latest}
    return render(request, "lullaby/draft_form.html", ctx)


@never_cache
@login_required
def draft_detail(request: HttpRequest, project_id: int, draft_id: int) -> HttpResponse:
    project = get_project_for_user(request, project_id)
    draft = get_draft_for_user(request, project, draft_id)
    numbers = list(project.drafts.order_by("number").values_list("number", flat=True))
    ctx = {
        "project": project,
        "draft": draft,
        "previous": max((n for n in numbers if n < draft.number), default=None),
        "may_edit": may_edit_project(request.user, project),
    }
    return render(request, "lullaby/draft.html", ctx)


@never_cache
@login_required
@require_GET
def draft_compare(request: HttpRequest, project_id: int) -> HttpResponse:
    project = get_project_for_user(request, project_id)
    drafts = {d.number: d for d in project.drafts.select_related("created_by")}
    numbers = sorted(drafts)
    ctx: dict = {"project": project, "numbers": numbers, "diff": None, "form": None}
    if len(numbers) >= 2:
        data = request.GET if {"a", "b"} <= set(request.GET) else None
        form = CompareForm(data, numbers=numbers, initial={"a": numbers[-2], "b": numbers[-1]})
        if data is None:
            a, b = numbers[-2], numbers[-1]
        elif form.is_valid():
            a, b = form.cleaned_data["a"], form.cleaned_data["b"]
        else:
            a = b = None
        if a is not None:
            old, new = sorted((a, b))
            ctx["diff"] = drafts_compare(old=drafts[old], new=drafts[new])
        ctx["form"] = form
    return render(request, "lullaby/compare.html", ctx)


# --- Recording sessions and takes ------------------------------------------------------


@login_required
def recording_new(request: HttpRequest, project_id: int) -> HttpResponse:
    project = get_project_for_editor(request, project_id)
    state = consent_state(project=project)
    form = RecordingSessionForm(request.POST or None, initial={"recorded_on": _site_today(project)})
    if done := submit(
        request,
        form,
        lambda data: services.recording_session_add(by=request.user, project=project, **data),
    ):
        messages.success(request, "Recording session logged. Add its takes below.")
        return redirect("lullaby_recording", project.pk, done.value.pk)
    ctx = {"project": project, "form": form, "consent": state}
    return render(request, "lullaby/recording_form.html", ctx)


@never_cache
@login_required
def recording_detail(request: HttpRequest, project_id: int, recording_id: int) -> HttpResponse:
    project = get_project_for_user(request, project_id)
    recording = get_recording_for_user(request, project, recording_id)
    may_edit = may_edit_project(request.user, project)
    ctx = {
        "project": project,
        "recording": recording,
        "takes": list(recording.takes.order_by("number")),
        "may_edit": may_edit,
        "may_hear": may_edit,
        "delivered": project.delivered_on is not None,
    }
    return render(request, "lullaby/recording.html", ctx)


@login_required
def take_new(request: HttpRequest, project_id: int, recording_id: int) -> HttpResponse:
    project = get_project_for_editor(request, project_id)
    recording = get_recording_for_user(request, project, recording_id)
    form = TakeForm(request.POST or None, request.FILES or None)
    if done := submit(
        request,
        form,
        lambda _: services.take_add(
            by=request.user, recording_session=recording, **form.service_kwargs()
        ),
    ):
        take = done.value
        messages.success(request, f"Take {take.number} logged.")
        return redirect(
            reverse("lullaby_recording", args=[project.pk, recording.pk]) + f"#take-{take.pk}"
        )
    ctx = {
        "project": project,
        "recording": recording,
        "form": form,
        "consent": consent_state(project=project),
        "take": None,
    }
    return render(request, "lullaby/take_form.html", ctx)


@login_required
def take_edit(request: HttpRequest, project_id: int, take_id: int) -> HttpResponse:
    project = get_project_for_editor(request, project_id)
    take = get_take_for_user(request, project, take_id)
    initial = {"duration": take.duration_seconds, "rating": take.rating, "notes": take.notes}
    form = TakeEditForm(request.POST or None, initial=initial)
    if submit(
        request,
        form,
        lambda _: services.take_update(by=request.user, take=take, **form.service_kwargs()),
    ):
        messages.success(request, f"Take {take.number} saved.")
        return redirect(
            reverse("lullaby_recording", args=[project.pk, take.recording_session_id])
            + f"#take-{take.pk}"
        )
    ctx = {"project": project, "recording": take.recording_session, "form": form, "take": take}
    return render(request, "lullaby/take_form.html", ctx)


@require_POST
@login_required
def take_final(request: HttpRequest, project_id: int, take_id: int) -> HttpResponse:
    project = get_project_for_editor(request, project_id)
    take = get_take_for_user(request, project, take_id)
    try:
        services.take_choose_final(by=request.user, project=project, take=take)
    except ServiceError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, f"Take {take.number} of {take.recording_session.recorded_on:%-d %B} is final."
        )
    return redirect(_project_url(project, "final"))


# --- What the participant reads, and the audio -----------------------------------------


def _project_for_reader(request: HttpRequest, project_id: int) -> tuple[LullabyProject, bool]:
    """A project for staff who may see it, or for its own participant (login or link
    session); with whether the reader is that participant. Raises Http404 for anyone
    else, and PermissionError for an anonymous visitor who should log in."""
    user = request.user
    if user.is_authenticated and not user.is_participant:
        return get_project_for_user(request, project_id), False
    participant = links.participant_from_request(request)
    if participant is None:
        if not user.is_authenticated:
            raise PermissionError
        raise Http404("No lullaby project here.")
    return get_own_project(request, participant, project_id), True


def _login(request: HttpRequest) -> HttpResponse:
    return redirect_to_login(request.get_full_path())


@never_cache
@require_GET
def recording_log(request: HttpRequest, project_id: int) -> HttpResponse:
    """The printable recording log: for staff who may see the project, and read-only
    for its participant."""
    try:
        project, own = _project_for_reader(request, project_id)
    except PermissionError:
        return _login(request)
    record = project_record(project=project, delivery=False)
    ctx = {
        "project": project,
        "record": record,
        "own": own,
        # A teaching artist knows the participant by their preferred name; the clinical
        # staff and the participant themself get the full name on the record.
        "may_see_full_name": not may_edit_project(request.user, project)
        or may_manage_project(request.user, project),
        "back": reverse("lullaby_own_project", args=[project.pk]) if own else _project_url(project),
        "printed_at": timezone.now(),
    }
    return render(request, "lullaby/log.html", ctx)


@never_cache
@require_GET
def own_project(request: HttpRequest, project_id: int) -> HttpResponse:
    """The participant's own page for their project: read-only."""
    try:
        project, own = _project_for_reader(request, project_id)
    except PermissionError:
        return _login(request)
    if not own:
        # Staff have the project page; this one is the participant's.
        raise Http404("No lullaby project here.")
    languages.activate_for(project.participant)
    return render(request, "lullaby/own_project.html", _own_context(request, project, IdeaForm()))


def _own_context(request: HttpRequest, project: LullabyProject, form: IdeaForm) -> dict:
    record = project_record(project=project)
    final = record.final_take
    return {
        "project": project,
        "record": record,
        "idea_form": form,
        "may_hear_final": final is not None
        and bool(final.audio)
        and may_hear_take(
            user=request.user,
            project=project,
            take=final,
            share_granted=record.sharing(Audience.FAMILY) is not None,
            own=True,
        ),
    }


@require_GET
def take_audio(request: HttpRequest, project_id: int, take_id: int) -> HttpResponse:
    """A take's audio, only to those `permissions.may_hear_take` allows. Inline for the
    page's player; `?download=1` for a file to keep."""
    try:
        project, own = _project_for_reader(request, project_id)
    except PermissionError:
        return _login(request)
    take = get_take_for_user(request, project, take_id)
    # Beyond the project's team, a take is heard where the family may hear it.
    share = sharing_in_force(project=project, audience=Audience.FAMILY) is not None
    allowed = may_hear_take(
        user=request.user, project=project, take=take, share_granted=share, own=own
    )
    if not (allowed and take.audio):
        permissions.log.info(
            "denied audio of sessions_app.Take %s for user %s at %s",
            take.pk,
            getattr(request.user, "pk", None),
            request.path,
        )
        raise Http404("No recording here.")
    ext = services.audio_extension(take.audio.name)
    # Says nothing about the person: the song's family name it as they like.
    return _serve(request, take.audio, f"lullaby-take-{take.number}.{ext}", what=take)


def _serve(request: HttpRequest, audio, filename: str, *, what) -> HttpResponse:
    """An audio file already allowed, as the request's Range asks; `?download=1` for a
    file to keep."""
    try:
        handle = audio.open("rb")
        size = audio.size
    except FileNotFoundError:
        permissions.log.warning("audio file of %s %s is missing", what._meta.label, what.pk)
        raise Http404("No recording here.") from None
    return audio_response(
        request,
        handle,
        size=size,
        content_type=services.audio_content_type(audio.name),
        filename=filename,
        as_attachment=request.GET.get("download") == "1",
    )


@require_GET
def track_audio(request: HttpRequest, project_id: int, track_id: int) -> HttpResponse:
    """A spoken dedication or melody idea: for the project's therapist and teaching
    artists, and the participant on their own page."""
    try:
        project, own = _project_for_reader(request, project_id)
    except PermissionError:
        return _login(request)
    track = get_track_for_user(request, project, track_id)
    if not permissions.may_hear_track(user=request.user, project=project, own=own):
        raise permissions.deny(request, "audio", model=Track, pk=track.pk)
    ext = services.audio_extension(track.audio.name)
    name = "dedication" if track.kind == Track.Kind.DEDICATION else "melody-idea"
    return _serve(request, track.audio, f"lullaby-{name}-{track.pk}.{ext}", what=track)


# --- Dedication and melody ideas -------------------------------------------------------


@login_required
def track_new(request: HttpRequest, project_id: int) -> HttpResponse:
    """Upload a spoken dedication or a melody idea (the therapist, a teaching artist)."""
    project = get_project_for_editor(request, project_id)
    kind = request.GET.get("kind") if request.GET.get("kind") in Track.Kind.values else None
    form = TrackForm(request.POST or None, request.FILES or None, initial={"kind": kind})
    if done := submit(
        request,
        form,
        lambda data: services.track_add(
            by=request.user,
            project=project,
            kind=data["kind"],
            audio=data["audio"],
            notes=data["notes"],
        ),
    ):
        track = done.value
        messages.success(request, f"{track.get_kind_display()} added.")
        anchor = "dedication" if track.kind == Track.Kind.DEDICATION else "drafts"
        return redirect(_project_url(project, anchor))
    ctx = {"project": project, "form": form, "consent": consent_state(project=project)}
    return render(request, "lullaby/track_form.html", ctx)


@require_POST
def own_idea_new(request: HttpRequest, project_id: int) -> HttpResponse:
    """The participant adds a melody idea from their own page (a phone's recorder)."""
    try:
        project, own = _project_for_reader(request, project_id)
    except PermissionError:
        return _login(request)
    if not own:
        raise permissions.deny(request, "own project", model=LullabyProject, pk=project.pk)
    languages.activate_for(project.participant)
    form = IdeaForm(request.POST, request.FILES)
    if submit(
        request,
        form,
        lambda data: services.track_add(
            by=request.user if request.user.is_authenticated else None,
            project=project,
            kind=Track.Kind.IDEA,
            audio=data["audio"],
            notes=data["notes"],
            participant=project.participant,
        ),
    ):
        messages.success(request, gettext("Your melody idea is saved with your song."))
        return redirect(reverse("lullaby_own_project", args=[project.pk]) + "#ideas")
    return render(request, "lullaby/own_project.html", _own_context(request, project, form))


# --- The family link -------------------------------------------------------------------


def _shown_once(request: HttpRequest, project: LullabyProject, issued) -> HttpResponse:
    # Rendered, not redirected: the link is on no URL a browser keeps, and the page
    # is never stored (no-store).
    messages.success(request, f"Family link made for {issued.link.recipient_name}.")
    ctx = {
        "project": project,
        "link": issued.link,
        "url": site_url(issued.url),
        "sent": issued.link.messages.first(),
    }
    return render(request, "lullaby/family_link_issued.html", ctx)


@never_cache
@login_required
def family_link_new(request: HttpRequest, project_id: int) -> HttpResponse:
    project = get_project_for_manager(request, project_id)
    record = project_record(project=project)
    form = FamilyLinkForm(
        request.POST or None,
        initial={
            "recipient_name": project.recipient_name,
            "recipient_relationship": project.recipient_relationship,
            "include_lyrics": True,
            "include_dedication": record.dedication is not None,
        },
    )
    if done := submit(
        request,
        form,
        lambda data: family_links.family_link_issue(by=request.user, project=project, **data),
    ):
        return _shown_once(request, project, done.value)
    ctx = {
        "project": project,
        "record": record,
        "form": form,
        "family": record.sharing(Audience.FAMILY),
        "days": settings.FAMILY_LINK_DAYS,
    }
    return render(request, "lullaby/family_link_form.html", ctx)


@require_POST
@login_required
def family_link_revoke(request: HttpRequest, project_id: int, link_id: int) -> HttpResponse:
    project = get_project_for_manager(request, project_id)
    link = get_family_link_for_manager(request, project, link_id)
    try:
        family_links.family_link_revoke(by=request.user, link=link)
    except ServiceError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"The link for {link.recipient_name} no longer opens.")
    return redirect(_project_url(project, "family"))


@require_POST
@login_required
def family_link_reissue(request: HttpRequest, project_id: int, link_id: int) -> HttpResponse:
    project = get_project_for_manager(request, project_id)
    link = get_family_link_for_manager(request, project, link_id)
    try:
        issued = family_links.family_link_reissue(by=request.user, link=link)
    except ServiceError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(_project_url(project, "family"))
    return _shown_once(request, project, issued)
