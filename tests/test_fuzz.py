"""No input gives a server error.

Every page of the URLconf is opened by every role of the cast (and by a participant on
a signed link). Each <form method="post"> found is posted with malformed, oversized,
Unicode, NUL-byte and boundary values, field by field and all at once, with keys
repeated and missing; every page that answers is asked again with fuzzed query strings
(its GET forms' fields and the parameters lists and reports read). Any 5xx is collected,
and the test fails once with the whole list.

The values are drawn from random.Random(seed): the seed is in the failure message, and
REFRAIN_FUZZ_SEED runs another one.
"""

import os
import random
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import quote, quote_from_bytes, urljoin, urlsplit

import pytest
from django.test import Client
from django.urls import Resolver404, get_resolver, resolve, reverse

from sessions_app import links
from sessions_app.health import beat_tick_record
from sessions_app.services import family_links
from sessions_app.services.calendar_feeds import (
    participant_calendar_reset,
    user_calendar_reset,
)
from tests.test_access_matrix import _object_ids, _walk

SEED = int(os.environ.get("REFRAIN_FUZZ_SEED", "20261111"))

# Posting to these ends the role's session (logging out, leaving a shared phone), so
# everything after would be fuzzed as anonymous; they take no fields anyway.
SKIP_POST = {"logout", "participant_leave"}

# --- Values ------------------------------------------------------------------------------

# A value is str, or bytes sent as they are (invalid UTF-8 included).
Value = str | bytes

TEXT: list[Value] = [
    "x" * 10_000,
    "a\x00b",
    "\x00",
    b"\xed\xa0\x80",  # a lone surrogate, as UTF-8 would write it (invalid)
    b"\xff\xfe\xfd",
    b"caf\xe9",  # Latin-1 where UTF-8 was promised
    "\u202eevil\u202c \u05e9\u05dc\u05d5\u05dd",  # right-to-left override, Hebrew
    "👩‍👩‍👧‍👦🎶🏳️‍🌈",
    "e\u0301\u0308\u20dd" * 200,  # stacked combining marks
    "",
    "   ",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "%00%ff",
    "\r\n=cmd|' /C calc'!A0",
]
NUMBERS: list[Value] = [
    "-1",
    "0",
    "-2147483649",
    "2147483648",
    "9223372036854775808",
    "9" * 40,
    "1e309",
    "-1e-400",
    "NaN",
    "inf",
    "1.5",
    "0.000000001",
    "abc",
    "0x10",
    "١٢٣",  # Arabic-Indic digits
    "1,000",
]
DATES: list[Value] = [
    "0001-01-01",
    "9999-12-31",
    "2026-02-30",
    "2026-13-01",
    "garbage",
    "99999-01-01",
    "1900-01-01",
    "2999-12-31",
    "31/12/2026",
]
TIMES: list[Value] = ["25:61", "23:59:60", "24:00", "-1:00", "00:00", "noon", "12:00:00.999999"]
DATETIMES: list[Value] = [
    "9999-12-31T23:59",
    "0001-01-01T00:00",
    "2026-02-30T25:61",
    "2026-03-08T02:30",  # a time that does not exist in the US (spring forward)
    "2026-11-01T01:30",  # and one that happens twice (fall back)
]
BY_TYPE: dict[str, list[Value]] = {
    "number": NUMBERS,
    "range": NUMBERS,
    "date": DATES,
    "time": TIMES,
    "datetime-local": DATETIMES,
    "month": ["0000-00", "9999-12", "2026-13"],
    "email": ["a@b", "@", "x" * 300 + "@example.com", "ü@exämple.com", "a\x00@b.c"],
    "tel": ["+1" + "9" * 40, "☎", "+0", "555-0100 ext. 1"],
    "url": ["javascript:alert(1)", "http://[::1", "//evil.example"],
    "checkbox": ["on", "off", "0", "false", "2"],
    "radio": ["", "not-a-choice"],
}
# Query-string parameters that lists and reports read, beyond their forms' fields.
QUERY_PARAMS = [
    "start",
    "end",
    "site",
    "group",
    "page",
    "cursor",
    "q",
    "sort",
    "older",
    "newer",
    "song",
    "title",
    "next",
    "download",
    "a",
    "b",
    "date",
    "status",
]
# The ends of each kind of value, sent to every field at once.
EDGES: dict[str, dict[str, Value]] = {
    "low": {
        "date": "0001-01-01",
        "datetime-local": "0001-01-01T00:00",
        "time": "00:00",
        "number": "-9223372036854775809",
        "id": "0",
        "text": "\x00",
    },
    "high": {
        "date": "9999-12-31",
        "datetime-local": "9999-12-31T23:59",
        "time": "25:61",
        "number": "9" * 40,
        "id": "9" * 20,
        "text": "x" * 10_000,
    },
}
POSITIONS: list[Value] = ["0", "-1", "9" * 30, "x.y", "1.1", "1782000000000000.1", "-5.-5"]


# --- Forms in a page ---------------------------------------------------------------------


@dataclass
class Field:
    name: str
    kind: str  # input type, "textarea", "select" or "select-multiple"
    value: str = ""
    options: list[str] = field(default_factory=list)
    checked: bool = False


@dataclass
class Form:
    method: str
    action: str
    fields: list[Field] = field(default_factory=list)


class FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: Field | None = None
        self._textarea: Field | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._form = Form(a.get("method", "get").lower(), a.get("action", ""))
            self.forms.append(self._form)
        elif self._form is None or "name" not in a:
            if tag == "option" and self._select is not None:
                self._option(a)
            return
        elif tag == "input":
            kind = a.get("type", "text").lower()
            if kind in ("submit", "button", "reset", "image"):
                return
            self._form.fields.append(
                Field(a["name"], kind, a.get("value", ""), checked="checked" in a)
            )
        elif tag == "textarea":
            self._textarea = Field(a["name"], "textarea")
            self._form.fields.append(self._textarea)
        elif tag == "select":
            kind = "select-multiple" if "multiple" in a else "select"
            self._select = Field(a["name"], kind)
            self._form.fields.append(self._select)

    def _option(self, a):
        self._select.options.append(a.get("value", ""))
        if "selected" in a:
            self._select.value = a.get("value", "")

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea.value += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def forms_in(html: str) -> list[Form]:
    parser = FormParser()
    parser.feed(html)
    return parser.forms


# --- Payloads ----------------------------------------------------------------------------


def _baseline(form: Form) -> list[tuple[str, Value]]:
    """What the form would send untouched (choosing the first real option)."""
    pairs: list[tuple[str, Value]] = []
    for f in form.fields:
        if f.name == "csrfmiddlewaretoken" or f.kind == "file":
            continue
        if f.kind in ("checkbox", "radio"):
            if f.checked:
                pairs.append((f.name, f.value or "on"))
        elif f.kind.startswith("select"):
            value = f.value or next((o for o in f.options if o), "")
            pairs.append((f.name, value))
        else:
            pairs.append((f.name, f.value))
    return pairs


def _fuzz_value(rng: random.Random, f: Field, foreign_ids: list[str]) -> Value:
    pool = list(TEXT)
    if f.kind in BY_TYPE:
        pool = BY_TYPE[f.kind] * 3 + pool  # mostly values of the field's own kind
    if f.kind.startswith("select") or f.kind == "hidden" or f.kind == "number":
        pool = foreign_ids * 3 + NUMBERS + pool
    return rng.choice(pool)


def _edge(end: str, f: Field) -> Value:
    values = EDGES[end]
    if f.kind in values:
        return values[f.kind]
    if f.kind in ("range",):
        return values["number"]
    if f.kind.startswith("select") or f.kind == "hidden":
        return values["id"]
    return values["text"]


def payloads(
    rng: random.Random, form: Form, foreign_ids: list[str]
) -> list[tuple[str, list[tuple[str, Value]]]]:
    """(what was fuzzed, the pairs to send) for one form."""
    base = _baseline(form)
    named: dict[str, Field] = {}
    for f in form.fields:
        named.setdefault(f.name, f)  # a radio group once, by its name
    fields = [f for f in named.values() if f.name != "csrfmiddlewaretoken" and f.kind != "file"]
    out: list[tuple[str, list[tuple[str, Value]]]] = [("untouched", base), ("nothing", [])]
    # One random value a field per run (the seed varies what it is: REFRAIN_FUZZ_SEED),
    # beside the fixed edges below; the suite must stay under ten minutes.
    for f in fields:
        for _ in range(1):
            value = _fuzz_value(rng, f, foreign_ids)
            pairs = [(k, v) for k, v in base if k != f.name] + [(f.name, value)]
            out.append((f"{f.name}={_short(value)}", pairs))
        out.append((f"{f.name} missing", [(k, v) for k, v in base if k != f.name]))
    for _ in range(2):
        pairs = [(f.name, _fuzz_value(rng, f, foreign_ids)) for f in fields]
        out.append(("all fields: " + ", ".join(f"{k}={_short(v)}" for k, v in pairs), pairs))
    for end in EDGES:
        out.append((f"every field at its {end} end", [(f.name, _edge(end, f)) for f in fields]))
    repeated = base + [(f.name, _fuzz_value(rng, f, foreign_ids)) for f in fields]
    out.append(("every key twice", repeated))
    return out


def _short(value: Value) -> str:
    text = repr(value)
    return text if len(text) <= 40 else f"{text[:30]}…({len(value)} long)"


def _encode(pairs: list[tuple[str, Value]]) -> bytes:
    def one(v: Value) -> str:
        return quote_from_bytes(v) if isinstance(v, bytes) else quote(v)

    return "&".join(f"{quote(k)}={one(v)}" for k, v in pairs).encode()


# --- The run -----------------------------------------------------------------------------


@dataclass
class Run:
    rng: random.Random
    foreign_ids: list[str]
    errors: list[str] = field(default_factory=list)
    requests: int = 0

    def check(self, response, role: str, method: str, url: str, what: str) -> None:
        self.requests += 1
        if response.status_code >= 500:
            exc = getattr(response, "exc_info", None)
            cause = f" — {exc[0].__name__}: {str(exc[1])[:120]}" if exc else ""
            self.errors.append(
                f"{response.status_code} {method} {url[:150]} as {role}: {what}{cause}"
            )

    def get(self, client: Client, role: str, url: str, what: str = "page"):
        response = client.get(url)
        self.check(response, role, "GET", url, what)
        return response

    def post(self, client: Client, role: str, url: str, pairs, what: str):
        response = client.post(
            url, data=_encode(pairs), content_type="application/x-www-form-urlencoded"
        )
        self.check(response, role, "POST", url, what)
        return response


def _pages(request, tokens: dict[str, str]) -> list[tuple[str, str]]:
    """(url name, url) of every page of the URLconf, ids filled from the cast's world.

    Pages of a session are opened for the held `past_session` and again for the coming
    `session`: what can be done to one (move, cancel) differs from the other.
    """
    makers = _object_ids(request)
    coming = request.getfixturevalue("session").pk
    pages = []
    for name, pattern in _walk(get_resolver().url_patterns):
        kwargs = tuple(getattr(pattern.pattern, "converters", {}).keys())
        if "token" in kwargs:
            pages.append((name, reverse(name, kwargs={"token": tokens[name]})))
            continue
        pages.append((name, reverse(name, kwargs={k: makers[k]() for k in kwargs})))
        if "session_id" in kwargs and "item_id" not in kwargs:
            ids = {k: makers[k]() for k in kwargs} | {"session_id": coming}
            pages.append((name, reverse(name, kwargs=ids)))
    return pages


def _fuzz_role(run: Run, client: Client, role: str, pages) -> None:
    seen_forms: set[tuple[str | None, tuple[str, ...]]] = set()
    for name, url in pages:
        if name in SKIP_POST:
            continue
        response = run.get(client, role, url)
        if response.status_code == 405:
            # POST only (its form lives on another page, if any): fuzz what such views
            # read besides their form, a page to go back to and a reason.
            form = Form("post", url, [Field("next", "hidden"), Field("reason", "text")])
            for what, pairs in payloads(run.rng, form, run.foreign_ids):
                run.post(client, role, url, pairs, what)
            continue
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        page_forms = forms_in(response.content.decode())
        _fuzz_query(run, client, role, url, page_forms)
        for form in page_forms:
            if form.method != "post":
                continue
            target = urljoin(url, form.action or url)
            parts = urlsplit(target)
            if parts.netloc and parts.netloc != "testserver":
                continue
            # The same form for another row (each plan item's "move up") is fuzzed once.
            key = (_url_name(parts.path), tuple(sorted({f.name for f in form.fields})))
            if key in seen_forms or key[0] in SKIP_POST:
                continue
            seen_forms.add(key)
            for what, pairs in payloads(run.rng, form, run.foreign_ids):
                run.post(client, role, target, pairs, what)


def _url_name(path: str) -> str | None:
    try:
        return resolve(path).url_name
    except Resolver404:
        return None


def _fuzz_query(run: Run, client: Client, role: str, url: str, page_forms: list[Form]) -> None:
    fields = [f for form in page_forms if form.method == "get" for f in form.fields]
    names = {f.name for f in fields} | set(QUERY_PARAMS)
    kinds = {f.name: f for f in fields}
    for end in EDGES:
        edges = [(n, _edge(end, kinds.get(n, Field(n, _query_kind(n))))) for n in sorted(names)]
        query = _encode(edges).decode()
        run.get(client, role, f"{url}?{query}", f"query at the {end} end")
    pairs: list[tuple[str, Value]] = []
    for name in sorted(names):
        f = kinds.get(name, Field(name, _query_kind(name)))
        value = (
            run.rng.choice(POSITIONS)
            if name in ("older", "newer", "cursor")
            else _fuzz_value(run.rng, f, run.foreign_ids)
        )
        pairs.append((name, value))
    pairs.append((run.rng.choice(sorted(names)), run.rng.choice(TEXT)))  # a key twice
    query = _encode(pairs).decode()
    run.get(client, role, f"{url}?{query}", "query: " + query[:200])


def _query_kind(name: str) -> str:
    if name in ("start", "end", "date"):
        return "date"
    if name in ("site", "group", "page", "song"):
        return "number"
    return "text"


def _fuzz_tokens(run: Run, client: Client) -> None:
    """Tokens of the no-login URLs: feeds and signed links."""
    for value in TEXT[1:] + ["%00", "..", "a.b", "x" * 500, "a:b:c", "e30:1:2"]:
        raw = quote_from_bytes(value) if isinstance(value, bytes) else quote(value, safe="")
        for prefix, suffix in (("/calendar/p/", ".ics"), ("/calendar/t/", ".ics"), ("/p/", "/")):
            url = f"{prefix}{raw}{suffix}"
            run.get(client, "anonymous", url, f"token {_short(value)}")
            if prefix == "/p/":
                run.post(client, "anonymous", url, [], f"token {_short(value)}")


@pytest.mark.django_db
def test_it_answers_every_fuzzed_form_and_query_without_a_server_error(
    request,
    cast,
    group,
    session,
    past_session,
    project,
    participant,
    other_participant,
    other_session,
    other_group,
    redis_url,
    settings,
):
    beat_tick_record()  # /healthz answers 503 on purpose while beat is silent
    # ... and so it would once this tick grew stale: on a busy machine (or among the
    # parallel workers of `make test`) the fuzz takes minutes.
    settings.BEAT_STALE_AFTER_SECONDS = 24 * 60 * 60
    tokens = {
        "calendar_feed_therapist": user_calendar_reset(user=cast["therapist"]),
        "calendar_feed_participant": participant_calendar_reset(participant=participant),
        "participant_link": links.link_token(participant=participant, action="me"),
        # The family's private link to `project`'s song, its audio and dedication.
        **dict.fromkeys(
            ("family_song", "family_song_audio", "family_dedication_audio"),
            family_links.family_link_token(
                family_links.family_link_issue(
                    by=project.therapist,
                    project=project,
                    recipient_name="Eli",
                    recipient_relationship="son",
                ).link
            ),
        ),
    }
    pages = _pages(request, tokens)
    # Ids of records outside everyone's reach but the other site's: for id fields.
    foreign_ids = [
        str(pk)
        for pk in (other_participant.pk, other_session.pk, other_group.pk, cast["outsider"].pk)
    ]
    run = Run(random.Random(SEED), foreign_ids)

    link_client = Client(raise_request_exception=False)
    link_client.get(reverse("participant_link", args=[tokens["participant_link"]]))
    clients = {"participant on a link": link_client}
    # One of each kind of user: a co-therapist and another site's administrator reach
    # the same forms as the therapist and the administrator.
    for role in (
        "admin",
        "therapist",
        "outsider",
        "participant",
        "artist",
    ):
        clients[role] = Client(raise_request_exception=False)
        clients[role].force_login(cast[role])
    clients["anonymous"] = Client(raise_request_exception=False)

    for role, client in clients.items():
        _fuzz_role(run, client, role, pages)
    _fuzz_tokens(run, clients["anonymous"])

    assert run.requests > 1000, "the fuzz barely ran: did the pages stop answering?"
    assert not run.errors, (
        f"{len(run.errors)} server errors in {run.requests} requests "
        f"(seed {SEED}; REFRAIN_FUZZ_SEED=<n> to try another):\n" + "\n".join(run.errors)
    )
