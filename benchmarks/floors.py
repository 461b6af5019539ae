"""The floors every page is compared with.

- `trivial`: a login-required view answering a short text. What a request costs before a
  page does anything: gunicorn, the middleware (sessions, auth, audit) and the user lookup.
- `rows`: a login-required view rendering 50 sessions with their group names through the
  app's own base template, the layout every page pays for. A page that shows a screenful of
  data should cost about this much; the everyday pages are held to half its throughput.
"""

from pathlib import Path

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.template import engines

from sessions_app.models import Session

ROWS = 50

# The template lives with the benchmark, not in the app's template folders, so the app's
# settings stay untouched. It is read once and compiled by the app's own template engine,
# as the cached loader does for the app's pages with DEBUG off.
_TEMPLATE = engines["django"].from_string(
    (Path(__file__).resolve().parent / "templates" / "bench" / "floor_rows.html").read_text()
)


@login_required
def trivial(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


@login_required
def rows(request: HttpRequest) -> HttpResponse:
    # Newest by id: an index every table has, so the floor measures rendering, not a sort.
    sessions = Session.objects.select_related("group").order_by("-pk")[:ROWS]
    return HttpResponse(_TEMPLATE.render({"sessions": sessions}, request))
