"""The two endpoints idle.js talks to (sessions_app/idle.py has the whole story)."""

import json

from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from .. import idle
from ..services.drafts import draft_keep, is_local_path

# A second tab may still post its draft this long after the first one signed out.
_LATE_DRAFT_SECONDS = 10 * 60


@never_cache
@require_http_methods(["GET", "POST"])
def keepalive(request: HttpRequest) -> JsonResponse:
    """GET: how long this sign-in has left (not activity). POST: the person is typing or
    chose "Stay signed in", which is activity, unless the session has already ended."""
    if not idle.signs_out_when_idle(request.user):
        return JsonResponse({"signed_in": False, "left": 0})
    if request.method == "POST" and idle.expiry_reason(request) is None:
        idle.touch(request, exact=True)
    return JsonResponse({"signed_in": True, "left": idle.seconds_left(request)})


@never_cache
@require_POST
def expire(request: HttpRequest) -> JsonResponse:
    """The page reached the idle limit: keep what was typed on it, sign out, and answer
    where to sign in again.

    Body (JSON): {"path": the page's path, "next": path and query to come back to,
    "fields": {name: [values]} of its changed forms}. A session that is not idle after
    all (another tab was in use) stays signed in and says how long it has left.
    """
    try:
        body = json.loads(request.body or b"{}")
    except ValueError:
        return JsonResponse({"error": "The body must be JSON."}, status=400)
    if not isinstance(body, dict) or not is_local_path(body.get("path", "")):
        return JsonResponse({"error": "path must be this site's path of the page."}, status=400)
    path = body["path"]
    next_path = body.get("next") if is_local_path(body.get("next", "")) else path
    fields = body.get("fields") if isinstance(body.get("fields"), dict) else {}

    if idle.signs_out_when_idle(request.user):
        if idle.expiry_reason(request) is None:
            return JsonResponse({"signed_in": True, "left": idle.seconds_left(request)})
        draft_keep(by=request.user, path=path, data=fields)
        idle.sign_out(request, idle.IDLE)
    else:
        # Signed out a moment ago by another tab: this tab's typing is theirs too.
        owner = idle.signed_out_user(request, within=_LATE_DRAFT_SECONDS)
        if owner is not None:
            draft_keep(by=owner, path=path, data=fields)
    return JsonResponse({"signed_in": False, "login_url": idle.login_url(next_path)})
