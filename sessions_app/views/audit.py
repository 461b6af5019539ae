"""The audit trail's review screen: administrators only, filtered, newest first, a
screen at a time with links to newer and older entries."""

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC
from zoneinfo import ZoneInfo

from auditlog.models import LogEntry
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db.models import DateField, DateTimeField, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.formats import date_format
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


@dataclass
class EntryLine:
    entry: LogEntry
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


def _value(value: object, field: object, tz: ZoneInfo) -> str:
    """A recorded value as a person reads it: a choice by its name, a moment in the
    site's time to the minute ("3 Mar 2026, 10:00"), a date as a date. auditlog keeps
    moments as naive UTC text with microseconds; text that does not parse is shown as
    it was recorded."""
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


def _changes(entry: LogEntry, tz: ZoneInfo) -> list[Change]:
    """Field by field, with labels and choice names, from what the entry recorded."""
    model = entry.content_type.model_class()
    result = []
    for name, values in (entry.changes_dict or {}).items():
        try:
            field = model._meta.get_field(name) if model else None
        except FieldDoesNotExist:
            field = None
        # A created row's diff lists its reverse relations and id too: not news.
        if field is not None and (field.auto_created or field.primary_key):
            continue
        label = str(getattr(field, "verbose_name", name)).capitalize()
        if isinstance(values, dict):  # many-to-many: what was added or removed
            verb = "added" if values.get("operation") == "add" else "removed"
            result.append(Change(label, verb, ", ".join(values.get("objects", []))))
            continue
        old, new = (list(values) + [None, None])[:2]
        result.append(Change(label, _value(old, field, tz), _value(new, field, tz)))
    return result


def _record_names(entries: list[LogEntry]) -> dict[tuple[int, int], str]:
    """Names of the records that page-view entries point at (they are written without
    loading the record): one query per kind of record on the page."""
    wanted: dict[ContentType, set[int]] = defaultdict(set)
    for entry in entries:
        if not entry.object_repr and entry.object_id is not None:
            wanted[entry.content_type].add(entry.object_id)
    names = {}
    for content_type, ids in wanted.items():
        model = content_type.model_class()
        if model is None:
            continue
        records = model._default_manager.filter(pk__in=ids)
        if model is Session:
            records = records.select_related("group__site")
        names |= {(content_type.pk, record.pk): str(record) for record in records}
    return names


def _line(entry: LogEntry, names: dict[tuple[int, int], str], tz: ZoneInfo) -> EntryLine:
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
        changes = _changes(entry, tz)
    model = entry.content_type.model_class()
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
    ctx = {
        "form": form,
        "page": page,
        "lines": [_line(e, names, tz) for e in page.entries],
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
    while True:
        page = audit_page(entries, older_than=position, per_page=min(EXPORT_BATCH, most - written))
        names = _record_names(page.entries)
        for entry in page.entries:
            yield _csv_row(_line(entry, names, tz), tz)
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
    entry = line.entry
    actor = entry.actor
    return [
        entry.timestamp.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S"),
        actor.username if actor else "",
        (actor.get_full_name() if actor else entry.actor_email) or "",
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
