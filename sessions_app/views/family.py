"""The family's page: the song a parent made, reached by a private link, no login.

Everything here is for someone outside the programme, on whatever phone they have: one
small page (no scripts), a player that can seek (range requests), the lyrics and the
spoken dedication if the parent chose them, and downloads. It says nothing about
treatment, the programme, the parent's whereabouts or the people who worked on it.

A link that was good once and no longer opens (revoked, expired, consent withdrawn)
answers 410 Gone with a kind page: the family learn it is over, not that they typed it
wrong. A token that is not ours answers 404. Telling the two apart gives nothing away:
a 410 needs a token signed with the site's key. Openings and downloads are recorded on
`FamilyLinkVisit` (time only), not in the audit trail: nobody signed in looked at a
record.
"""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .. import languages
from ..models import FamilyLinkVisit
from ..selectors.lullaby import latest_lyrics
from ..services import family_links
from ..services.lullaby import audio_content_type, audio_extension
from .audio import audio_response

Visit = FamilyLinkVisit.Kind


def _private(response: HttpResponse) -> HttpResponse:
    """Never kept, never indexed, and the link never leaves in a Referer."""
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response


def _link_or_gone(request: HttpRequest, token: str):
    try:
        return family_links.family_link_live(token), None
    except LookupError:
        raise Http404("No song here.") from None
    except family_links.LinkGone:
        response = render(request, "family/gone.html", status=410)
        return None, _private(response)


@never_cache
@require_GET
def family_song(request: HttpRequest, token: str) -> HttpResponse:
    link, gone = _link_or_gone(request, token)
    if gone is not None:
        return gone
    family_links.family_link_visit(link=link, kind=Visit.OPENED)
    project = link.project
    # In the language of the participant who made the song: their family most likely reads it.
    languages.activate_for(project.participant)
    ctx = {
        "token": token,
        "link": link,
        "title": project.title,
        "lyrics": latest_lyrics(project) if link.include_lyrics else "",
        "dedication": family_links.family_dedication(link),
        "song_type": audio_content_type(project.final_take.audio.name),
    }
    return _private(render(request, "family/song.html", ctx))


def _audio(request: HttpRequest, link, audio, name: str) -> HttpResponse:
    downloading = request.GET.get("download") == "1"
    # A download counts once, not once per range a download manager asks for.
    if downloading and request.META.get("HTTP_RANGE", "bytes=0-").startswith("bytes=0-"):
        family_links.family_link_visit(link=link, kind=Visit.DOWNLOADED)
    try:
        handle, size = audio.open("rb"), audio.size
    except FileNotFoundError:
        raise Http404("No song here.") from None
    response = audio_response(
        request,
        handle,
        size=size,
        content_type=audio_content_type(audio.name),
        filename=f"{name}.{audio_extension(audio.name)}",
        as_attachment=downloading,
    )
    return _private(response)


@require_GET
def family_song_audio(request: HttpRequest, token: str) -> HttpResponse:
    link, gone = _link_or_gone(request, token)
    if gone is not None:
        return gone
    return _audio(request, link, link.project.final_take.audio, "a-song-for-you")


@require_GET
def family_dedication_audio(request: HttpRequest, token: str) -> HttpResponse:
    link, gone = _link_or_gone(request, token)
    if gone is not None:
        return gone
    dedication = family_links.family_dedication(link)
    if dedication is None:
        raise Http404("No dedication here.")
    return _audio(request, link, dedication.audio, "a-few-words-for-you")
