from django import template

from ..forms import field_views
from ..models import Session

register = template.Library()


@register.filter
def session_when(session: Session) -> str:
    """“Tue 25 Nov 2026, 10:00–11:00 EST”, in the session's site zone."""
    start, end = session.local_starts_at, session.local_ends_at
    return f"{start:%a %-d %b %Y}, {start:%H:%M}–{end:%H:%M} {start:%Z}"


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
