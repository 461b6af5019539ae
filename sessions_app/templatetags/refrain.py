from django import template
from django.utils.timezone import template_localtime

from .. import dates
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
def day_full(value) -> str:
    return dates.day_full(template_localtime(value)) if value else ""


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
