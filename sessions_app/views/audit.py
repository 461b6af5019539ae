"""The audit trail's review screen: administrators only, filtered, newest first, a
screen at a time with links to newer and older entries."""

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import UTC, datetime
from functools import lru_cache
from typing import NamedTuple
from zoneinfo import ZoneInfo

from auditlog.models import LogEntry
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db.models import DateField, DateTimeField, Field, Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.formats import date_format
from django.utils.translation import get_language
from django.views.decorators.cache import never_cache

from ..audit import ABOUT_KINDS, access_kinds_label, record_kind
from ..exports import csv_streaming_response
from ..forms.audit import AuditFilterForm
from ..models import Session
from ..permissions import audit_entries_for, check_admin_pages, report_sites_for
from ..selectors.audit import Position, audit_entries_filter, audit_page

PER_PAGE = 50
_ACTION_LABELS = {
    LogEntry.Action.CREATE: "Created",
    LogEntry.Action.UPDATE: "Changed",
    LogEntry.Action.DELETE: "Deleted",
}


@dataclass
class Change:
    field: str
    old: str
    new: str


class EntryRow(NamedTuple):
    """An entry as the export reads it: its columns and its actor's, without building
    three model instances a row (most of an export's time when it did)."""

    pk: int
    timestamp: datetime
    action: int
    content_type_id: int
    object_id: int | None
    object_repr: str
    changes: dict | None
    additional_data: dict | None
    remote_addr: str | None
    actor_email: str | None
    actor_username: str | None
    actor_first_name: str | None
    actor_last_name: str | None


_ROW_COLUMNS = (
    *EntryRow._fields[: -len(("username", "first_name", "last_name"))],
    "actor__username",
    "actor__first_name",
    "actor__last_name",
)


@dataclass
class EntryLine:
    entry: LogEntry | EntryRow
    action: str
    record_type: str  # the kind the filter finds it under: "Session note"
    # The record the entry names, when not one of that kind: a note page names its
    # session ("session #12"); else empty, and the record is "#12".
    named_record: str
    name: str
    changes: list[Change]
    detail: str


def _display_zone(request: HttpRequest) -> ZoneInfo:
    """The zone of the administrator's sites when they share one, else the server's."""
    zones = set(report_sites_for(request.user).values_list("time_zone", flat=True))
    return ZoneInfo(zones.pop() if len(zones) == 1 else settings.TIME_ZONE)


def _shown(value: object) -> str:
    return "—" if value in (None, "None", "") else str(value)


def _value(value: object, field: Field | None, reading: "_Reading") -> str:
    """A recorded value as a person reads it: a choice by its name, a moment in the
    site's time to the minute ("3 Mar 2026, 10:00"), a date as a date. auditlog keeps
    moments as naive UTC text with microseconds; text that does not parse is shown as
    it was recorded."""
    try:
        return _value_text(value, field, reading.tz, reading.language)
    except TypeError:  # a value that cannot be a key: shown as it was recorded
        return _shown(value)


# The same few values (statuses, names of choices) fill most of an export's rows.
@lru_cache(maxsize=8192)
def _value_text(value: object, field: Field | None, tz: ZoneInfo, language: str | None) -> str:
    choices = dict(getattr(field, "choices", None) or [])
    value = choices.get(value, value)
    if isinstance(value, str) and isinstance(field, DateTimeField):
        try:
            moment = parse_datetime(value)
        except ValueError:
            moment = None
        if moment is not None:
            if timezone.is_naive(moment):
                moment = moment.replace(tzinfo=UTC)
            return date_format(moment.astimezone(tz), MOMENT)
    elif isinstance(value, str) and isinstance(field, DateField):
        try:
            day = parse_date(value)
        except ValueError:
            day = None
        if day is not None:
            return date_format(day, DAY)
    return _shown(value)


MOMENT, DAY = "j M Y, H:i", "j M Y"


def _model(content_type_id: int) -> type[Model] | None:
    """The model of an entry's record, from the content types Django keeps in memory."""
    return ContentType.objects.get_for_id(content_type_id).model_class()


@dataclass
class _Reading:
    """What turning entries into lines looks up once per screen or export, not per entry."""

    tz: ZoneInfo
    language: str | None = dataclass_field(default_factory=get_language)
    models: dict[int, type[Model] | None] = dataclass_field(default_factory=dict)

    def model(self, content_type_id: int) -> type[Model] | None:
        if content_type_id not in self.models:
            self.models[content_type_id] = _model(content_type_id)
        return self.models[content_type_id]


@lru_cache(maxsize=1024)
def _field(model: type[Model] | None, name: str) -> tuple[Field | None, str, bool]:
    """A recorded field's model field, its label, and whether it is news (a created row's
    diff lists its reverse relations and id too: they are not)."""
    try:
        field = model._meta.get_field(name) if model else None
    except FieldDoesNotExist:
        field = None
    news = field is None or not (field.auto_created or field.primary_key)
    return field, str(getattr(field, "verbose_name", name)).capitalize(), news


def _changes(entry: LogEntry | EntryRow, reading: _Reading) -> list[Change]:
    """Field by field, with labels and choice names, from what the entry recorded."""
    model = reading.model(entry.content_type_id)
    result = []
    for name, values in (entry.changes or {}).items():
        field, label, news = _field(model, name)
        if not news:
            continue
        if isinstance(values, dict):  # many-to-many: what was added or removed
            verb = "added" if values.get("operation") == "add" else "removed"
            result.append(Change(label, verb, ", ".join(values.get("objects", []))))
            continue
        old, new = (list(values) + [None, None])[:2]
        result.append(Change(label, _value(old, field, reading), _value(new, field, reading)))
    return result


def _record_names(entries: list[LogEntry] | list[EntryRow]) -> dict[tuple[int, int], str]:
    """Names of the records that page-view entries point at (they are written without
    loading the record): one query per kind of record on the page."""
    wanted: dict[int, set[int]] = defaultdict(set)
    for entry in entries:
        if not entry.object_repr and entry.object_id is not None:
            wanted[entry.content_type_id].add(entry.object_id)
    names = {}
    for content_type_id, ids in wanted.items():
        model = _model(content_type_id)
        if model is None:
            continue
        records = model._default_manager.filter(pk__in=ids)
        if model is Session:
            records = records.select_related("group__site")
        names |= {(content_type_id, record.pk): str(record) for record in records}
    return names


def _line(
    entry: LogEntry | EntryRow, names: dict[tuple[int, int], str], reading: _Reading
) -> EntryLine:
    data = entry.additional_data or {}
    if entry.action == LogEntry.Action.ACCESS:
        what = data.get("what", "")
        action = access_kinds_label(what)
        detail = data.get("path", "")
        if what == "login_failed":
            detail = f"username tried: {data.get('username', '')}"
        changes = []
    else:
        action = _ACTION_LABELS.get(entry.action, "Changed")
        detail = ""
        changes = _changes(entry, reading)
    model = reading.model(entry.content_type_id)
    about = str(data.get("about") or "")
    named_record = ""
    if about in ABOUT_KINDS and model is not None:
        named_record = f"{model._meta.verbose_name} #{entry.object_id}"
    name = entry.object_repr or names.get((entry.content_type_id, entry.object_id), "")
    return EntryLine(entry, action, record_kind(model, about), named_record, name, changes, detail)


def _filtered(request: HttpRequest, form: AuditFilterForm, tz: ZoneInfo) -> QuerySet[LogEntry]:
    """The entries the administrator may review, narrowed by the filter; none for a
    filter that does not validate (the form says why)."""
    entries = audit_entries_for(request.user)
    if form.is_bound and form.is_valid():
        entries = audit_entries_filter(entries, data=form.cleaned_data, tz=tz)
    elif form.is_bound:
        entries = entries.none()
    return entries.select_related("actor", "content_type")


def _query(request: HttpRequest) -> str:
    """The filter as typed, without the position on the trail."""
    query = request.GET.copy()
    for moved in ("older", "newer", "page"):
        query.pop(moved, None)
    return query.urlencode()


@never_cache
@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    check_admin_pages(request)
    tz = _display_zone(request)
    form = AuditFilterForm(request.GET or None)
    page = audit_page(
        _filtered(request, form, tz),
        older_than=Position.parse(request.GET.get("older")),
        newer_than=Position.parse(request.GET.get("newer")),
        per_page=PER_PAGE,
    )
    names = _record_names(page.entries)
    reading = _Reading(tz)
    ctx = {
        "form": form,
        "page": page,
        "lines": [_line(e, names, reading) for e in page.entries],
        "tz": tz,
        "query": _query(request),
        "full_trail": request.user.is_superuser,
        "export_max": f"{settings.AUDIT_EXPORT_MAX_ROWS:,}",
    }
    return render(request, "audit/log.html", ctx)


# --- The export ----------------------------------------------------------------------------

EXPORT_BATCH = 1000


@never_cache
@login_required
def audit_log_csv(request: HttpRequest) -> HttpResponse:
    """The filtered trail as a spreadsheet, newest first, read a batch at a time along
    the same positions as the screen and written as it is read; at most
    AUDIT_EXPORT_MAX_ROWS entries, the last line saying so when there were more."""
    check_admin_pages(request)
    tz = _display_zone(request)
    form = AuditFilterForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        # The screen shows what to change in the filter.
        return redirect(f"{reverse('audit_log')}?{_query(request)}")
    entries = _filtered(request, form, tz)
    header = [
        f"When ({tz.key})",
        "Who (username)",
        "Who (name)",
        "What",
        "Record",
        "Record id",
        "Record name",
        "Details",
        "From",
    ]
    stamp = timezone.now().astimezone(tz).strftime("%Y-%m-%d-%H%M")
    return csv_streaming_response(
        filename=f"audit-trail-{stamp}.csv",
        header=header,
        rows=_csv_rows(entries, tz=tz, most=settings.AUDIT_EXPORT_MAX_ROWS),
    )


def _csv_rows(entries: QuerySet[LogEntry], *, tz: ZoneInfo, most: int) -> Iterator[list]:
    written, position = 0, None
    reading = _Reading(tz)
    rows = entries.values_list(*_ROW_COLUMNS)
    while True:
        page = audit_page(
            rows,
            older_than=position,
            per_page=min(EXPORT_BATCH, most - written),
            as_row=EntryRow._make,
        )
        names = _record_names(page.entries)
        for entry in page.entries:
            yield _csv_row(_line(entry, names, reading), tz)
        written += len(page.entries)
        if page.older is None:
            return
        if written >= most:
            yield [
                f"The export stops at {most:,} entries, newest first; there are older ones. "
                "Narrow the filter (the dates) to export them."
            ]
            return
        position = page.older


def _csv_row(line: EntryLine, tz: ZoneInfo) -> list:
    entry: EntryRow = line.entry
    if entry.actor_username is not None:
        # As User.get_full_name() gives it.
        name = f"{entry.actor_first_name} {entry.actor_last_name}".strip()
    else:
        name = entry.actor_email
    return [
        entry.timestamp.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S"),
        entry.actor_username or "",
        name or "",
        line.action,
        line.record_type,
        line.named_record or entry.object_id,
        line.name,
        _csv_details(line),
        entry.remote_addr or "",
    ]


def _csv_details(line: EntryLine) -> str:
    if not line.changes:
        return line.detail
    if line.entry.action == LogEntry.Action.UPDATE:
        return "; ".join(f"{c.field}: {c.old} → {c.new}" for c in line.changes)
    created = line.entry.action == LogEntry.Action.CREATE
    return "; ".join(f"{c.field}: {c.new if created else c.old}" for c in line.changes)
