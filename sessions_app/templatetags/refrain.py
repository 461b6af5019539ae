from datetime import date
from functools import lru_cache

from django import template
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import dateformat
from django.utils.timezone import template_localtime
from django.utils.translation import get_language

from .. import dates
from .. import forms as refrain_forms
from ..forms import field_views
from ..models import Session

register = template.Library()


@register.filter
def session_when(session: Session) -> str:
    """“Tue 25 Nov 2026, 10:00–11:00 EST”, in the session's site zone and the active
    language."""
    return dates.when_session(session.local_starts_at, session.local_ends_at)


# Dates in the active language (sessions_app/dates.py). An aware datetime is shown in the
# current time zone, as Django's `date` filter would, unless it is already a site's.


@register.filter
def day_short(value) -> str:
    return dates.day_short(template_localtime(value)) if value else ""


@register.filter
def day_year(value) -> str:
    return dates.day_year(template_localtime(value)) if value else ""


@register.filter
def day_month_year(value) -> str:
    return dates.day_month_year(template_localtime(value)) if value else ""


@register.filter
def day_full(value) -> str:
    return dates.day_full(template_localtime(value)) if value else ""


@register.simple_tag
def pk_url(name: str, pk: int) -> str:
    """`{% url name pk %}` for a URL whose one argument is a primary key, written around
    the number from one reverse per URL name: resolving the pattern again for each row
    cost as much as the rest of a long list."""
    head, tail = _around_pk(name, get_script_prefix(), get_urlconf())
    return f"{head}{int(pk)}{tail}"


_PK_MARK = "918273645546372819"


@lru_cache(maxsize=256)
def _around_pk(name: str, prefix: str, urlconf: str | None) -> tuple[str, str]:
    # The prefix (where the app is mounted) and the URLconf are part of the key.
    head, mark, tail = reverse(name, args=[int(_PK_MARK)], urlconf=urlconf).partition(_PK_MARK)
    if not mark or _PK_MARK in tail:
        raise ValueError(f"{name} does not take one primary key")
    return head, tail


@register.filter
def weekday_day_month(value: date) -> str:
    """A plain date as `value|date:"D j M"` writes it ("Tue 1 Dec"), each date written
    once per language: the therapist's home lists dozens of plans due on a few days."""
    return _weekday_day_month(value, get_language()) if value else ""


@lru_cache(maxsize=1024)
def _weekday_day_month(value: date, language: str | None) -> str:
    # `language` is part of the key: the names are the active language's.
    return dateformat.format(value, "D j M")


@register.filter
def session_time(session: Session) -> str:
    start, end = session.local_starts_at, session.local_ends_at
    return f"{start:%H:%M}–{end:%H:%M} {start:%Z}"


@register.filter
def weekday_plural(group) -> str:
    return f"{group.get_weekday_display()}s"


@register.filter
def field_view(bound) -> field_views.FieldView:
    """`{% include "partials/field.html" with f=form.q|field_view %}`: a field in
    Bootstrap's markup without crispy's cost (see forms/field_views.py)."""
    return field_views.field_view(bound)


@register.filter
def field_html(view: field_views.FieldView) -> str:
    """`{{ f|field_html }}`: what `{% include "partials/field.html" %}` prints, at a
    fraction of its cost, for forms with dozens of fields (see forms/field_views.py)."""
    return field_views.field_html(view)


@register.inclusion_tag("partials/error_summary.html")
def error_summary(*bound_forms, intro: str = "") -> dict:
    """`{% error_summary form %}` at the top of a form: what to fix, each line a link to
    its field; static/js/error_summary.js moves focus to it. Pages rendering a whole
    form through crispy get it from templates/bootstrap5/errors.html.

    The line above the links is `intro`, else the first form's `error_intro` (a form
    that saves nothing, such as a search, says so), else "Nothing was saved."
    """
    first = next((f for f in bound_forms if f), None)
    intro = intro or getattr(first, "error_intro", refrain_forms.SAVE_ERROR_INTRO)
    return {"errors": refrain_forms.form_errors(*bound_forms), "intro": intro}


@register.filter
def session_day(session: Session) -> str:
    """“Tue 1 Dec”, in the session's site zone and the active language."""
    return dates.day_short(session.local_starts_at)


@register.filter
def session_title(session: Session) -> str:
    """“Tue 1 Dec · Tuesday Songwriting Circle”: a session in a page title, so that the
    pages of two sessions can be told apart in tabs and history."""
    return f"{session_day(session)} · {session.group.name}"
