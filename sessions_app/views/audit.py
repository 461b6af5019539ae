"""The audit trail's review screen: administrators only, filtered, newest first, a
screen at a time with links to newer and older entries."""

from collections import defaultdict
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from auditlog.models import LogEntry
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from ..audit import access_kinds_label
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
    record_type: str
    name: str
    changes: list[Change]
    detail: str


def _display_zone(request: HttpRequest) -> ZoneInfo:
    """The zone of the administrator's sites when they share one, else the server's."""
    zones = set(report_sites_for(request.user).values_list("time_zone", flat=True))
    return ZoneInfo(zones.pop() if len(zones) == 1 else settings.TIME_ZONE)


def _shown(value: object) -> str:
    return "—" if value in (None, "None", "") else str(value)


def _changes(entry: LogEntry) -> list[Change]:
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
        choices = dict(getattr(field, "choices", None) or [])
        result.append(Change(label, _shown(choices.get(old, old)), _shown(choices.get(new, new))))
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


def _line(entry: LogEntry, names: dict[tuple[int, int], str]) -> EntryLine:
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
        changes = _changes(entry)
    model = entry.content_type.model_class()
    record_type = str(model._meta.verbose_name).capitalize() if model else "Record"
    if data.get("about"):
        record_type += f" ({data['about']})"
    name = entry.object_repr or names.get((entry.content_type_id, entry.object_id), "")
    return EntryLine(entry, action, record_type, name, changes, detail)


@never_cache
@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    check_admin_pages(request)
    tz = _display_zone(request)
    form = AuditFilterForm(request.GET or None)
    entries = audit_entries_for(request.user)
    if form.is_bound and form.is_valid():
        entries = audit_entries_filter(entries, data=form.cleaned_data, tz=tz)
    elif form.is_bound:
        entries = entries.none()
    page = audit_page(
        entries.select_related("actor", "content_type"),
        older_than=Position.parse(request.GET.get("older")),
        newer_than=Position.parse(request.GET.get("newer")),
        per_page=PER_PAGE,
    )
    names = _record_names(page.entries)
    query = request.GET.copy()
    for moved in ("older", "newer", "page"):
        query.pop(moved, None)
    ctx = {
        "form": form,
        "page": page,
        "lines": [_line(e, names) for e in page.entries],
        "tz": tz,
        "query": query.urlencode(),
        "full_trail": request.user.is_superuser,
    }
    return render(request, "audit/log.html", ctx)
