"""Where browsers report what the Content-Security-Policy blocked (its report-uri).

Each report becomes one warning on the "refrain.csp" logger: which directive, what kind
of thing was blocked and on which page, by URL name. Never a path or a full address
(they hold ids and participants' link tokens), never a sample of the blocked code
(it may quote a record). Anyone may post here, so the body is small or refused, and
nothing a client sends can make this view fail.
"""

import json
import logging
import re
from urllib.parse import urlsplit

from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

log = logging.getLogger("refrain.csp")

# A report is a few hundred bytes; a browser batching several stays well under this.
MAX_REPORT_BYTES = 16 * 1024
# Values of blocked-uri that name a kind of thing rather than an address.
KEYWORDS = {"inline", "eval", "wasm-eval", "data", "blob", "self", "trusted-types-policy"}
DIRECTIVE = re.compile(r"[a-z-]{1,40}")


def _page(url: object) -> str:
    """The URL name of the page a report came from, or "other"."""
    if not isinstance(url, str):
        return "unknown"
    try:
        match = resolve(urlsplit(url).path or "/")
    except (Resolver404, ValueError):
        return "other"
    return match.view_name or "other"


def _blocked(value: object) -> str:
    """ "inline", "eval" and the like as they are; an address as its origin only."""
    if not isinstance(value, str) or not value:
        return "unknown"
    if value in KEYWORDS:
        return value
    try:
        parts = urlsplit(value)
    except ValueError:
        return "unreadable"
    if parts.scheme in ("http", "https", "ws", "wss") and parts.netloc:
        return f"{parts.scheme}://{parts.netloc}"
    return parts.scheme or "unreadable"


def _directive(value: object) -> str:
    """The directive's name ("script-src-elem"); older browsers add the policy's text."""
    name = value.split(" ", 1)[0] if isinstance(value, str) else ""
    return name if DIRECTIVE.fullmatch(name) else "unknown"


def _reports(payload: object) -> list[dict]:
    """The reports in either format: report-uri's {"csp-report": {...}}, or the
    Reporting API's list of {"type": "csp-violation", "body": {...}}."""
    if isinstance(payload, dict) and isinstance(payload.get("csp-report"), dict):
        return [payload["csp-report"]]
    if isinstance(payload, list):
        return [
            item["body"]
            for item in payload
            if isinstance(item, dict)
            and item.get("type") == "csp-violation"
            and isinstance(item.get("body"), dict)
        ]
    return []


def _field(report: dict, *names: str) -> object:
    for name in names:
        if name in report:
            return report[name]
    return None


@csrf_exempt  # browsers post reports without a token, and nothing here changes data
@require_POST
def csp_report(request: HttpRequest) -> HttpResponse:
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > MAX_REPORT_BYTES:
        return HttpResponse("Report too large.", status=413, content_type="text/plain")
    body = request.read(MAX_REPORT_BYTES + 1)
    if len(body) > MAX_REPORT_BYTES:
        return HttpResponse("Report too large.", status=413, content_type="text/plain")
    try:
        reports = _reports(json.loads(body))
    except (ValueError, RecursionError):
        reports = []
    if not reports:
        return HttpResponse("Not a CSP report.", status=400, content_type="text/plain")
    for report in reports:
        log.warning(
            "CSP blocked %s by %s on page %s",
            _blocked(_field(report, "blocked-uri", "blockedURL")),
            _directive(
                _field(report, "effective-directive", "effectiveDirective", "violated-directive")
            ),
            _page(_field(report, "document-uri", "documentURL")),
        )
    return HttpResponse(status=204)
