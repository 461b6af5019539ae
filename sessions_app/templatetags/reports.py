"""Filters for the administration pages (reports, audit trail, consents)."""

from django import template

register = template.Library()


@register.filter
def rate(value: float | None) -> str:
    """0.754 → “75%”; nothing to judge → “—”."""
    return "—" if value is None else f"{value:.0%}"


@register.filter
def with_query(url: str, query: str) -> str:
    """A URL with the page's query string (period, filters) carried over."""
    return f"{url}?{query}" if query else url
