"""Where a view goes back to after a form: the page it came from, if that is safe."""

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme


def safe_next(request: HttpRequest) -> str:
    """The `next` of the POST (or query string) when it is a path on this site, else "".

    Only an absolute path qualifies: the pages that send `next` send
    `request.get_full_path()`. Anything else ("0", "session_detail", another host) is
    ignored, never handed to `redirect()`, which would try it as a view name and fail.
    """
    target = request.POST.get("next") or request.GET.get("next") or ""
    if not target.startswith("/") or "\x00" in target:
        return ""
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return ""
    return target
