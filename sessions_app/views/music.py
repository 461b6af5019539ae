"""The song library: shared by all staff; a song's use shows only where the viewer may see."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from ..forms.music import SongFilterForm, SongForm
from ..permissions import check_song_library_access, get_song_for_user
from ..selectors import music as selectors_music
from ..services.music import song_create, song_update
from .navigation import safe_next
from .paging import page_links
from .submit import submit

SONGS_PER_PAGE = 25


@login_required
def song_list(request: HttpRequest) -> HttpResponse:
    check_song_library_access(request)
    form = SongFilterForm(request.GET or None, keys=selectors_music.song_keys())
    if form.is_bound:
        form.is_valid()  # invalid filters are shown as errors and ignored
    songs = selectors_music.song_search(user=request.user, filters=form.filters())
    page = Paginator(songs, SONGS_PER_PAGE).get_page(request.GET.get("page"))
    ctx = {
        "form": form,
        "page": page,
        "page_links": page_links(page.number, page.paginator.num_pages),
        "filtered": form.is_bound and form.active,
    }
    return render(request, "songs/list.html", ctx)


@login_required
def song_new(request: HttpRequest) -> HttpResponse:
    check_song_library_access(request)
    # Where to go back to after adding a song (e.g. the plan being written), if safe.
    back = safe_next(request)
    form = SongForm(request.POST or None, initial={"title": request.GET.get("title", "")})
    if done := submit(
        request, form, lambda _: song_create(added_by=request.user, **form.service_kwargs())
    ):
        song = done.value
        messages.success(request, f"“{song.title}” is in the library.")
        if back:
            return HttpResponseRedirect(f"{back}{'&' if '?' in back else '?'}song={song.pk}")
        return redirect("song_detail", song_id=song.pk)
    return render(request, "songs/form.html", {"form": form, "song": None, "next": back})


@login_required
def song_detail(request: HttpRequest, song_id: int) -> HttpResponse:
    song = get_song_for_user(request, song_id)
    usage, usage_total = selectors_music.song_usage(user=request.user, song=song)
    ctx = {
        "song": song,
        "goal_areas": list(song.goal_areas.all()),
        "themes": list(song.themes.all()),
        "usage": usage,
        "usage_total": usage_total,
        "now": timezone.now(),
    }
    return render(request, "songs/detail.html", ctx)


@login_required
def song_edit(request: HttpRequest, song_id: int) -> HttpResponse:
    song = get_song_for_user(request, song_id)
    form = SongForm(request.POST or None, initial=SongForm.initial_for(song))
    if submit(request, form, lambda _: song_update(song=song, **form.service_kwargs())):
        messages.success(request, f"Saved “{song.title}”.")
        return redirect("song_detail", song_id=song.pk)
    ctx = {"form": form, "song": song, "next": "", "cancel": reverse("song_detail", args=[song.pk])}
    return render(request, "songs/form.html", ctx)
