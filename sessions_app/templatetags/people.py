"""Template helpers for participants' pages and reflections."""

from django import template

register = template.Library()


@register.filter
def get_item(mapping: dict, key):
    """`{{ rsvps|get_item:participant.pk }}`: a dict lookup by a variable key."""
    if not mapping:
        return None
    return mapping.get(key)


@register.filter
def signed(value: int) -> str:
    """A change in mood as “+3”, “−2” or “±0”."""
    if value > 0:
        return f"+{value}"
    if value < 0:
        return f"−{-value}"
    return "±0"


@register.simple_tag
def mood_change(reflection) -> str:
    return signed(reflection.mood_after - reflection.mood_before)
