"""Template helpers for lullaby projects, and the card a participant's own page includes:

{% load lullaby %}{% participant_lullaby_card participant %}
"""

from django import template

from ..forms.lullaby import format_duration
from ..models import LullabyProject, Participant

register = template.Library()


@register.filter
def mss(seconds: int | None) -> str:
    """A take's duration as 3:25 (or 1:02:03); an empty string if unknown."""
    return format_duration(seconds)


@register.filter
def rating_text(rating: int | None) -> str:
    """“4 of 5”, readable without the stars' colour or shape."""
    return f"{rating} of 5" if rating else "not rated"


@register.filter
def stars(rating: int | None) -> str:
    return "★" * rating + "☆" * (5 - rating) if rating else ""


@register.inclusion_tag("lullaby/_participant_card.html")
def participant_lullaby_card(participant: Participant | None) -> dict:
    """The participant's own lullaby projects, linking to their read-only pages."""
    projects = (
        list(LullabyProject.objects.filter(participant=participant).order_by("-created_at"))
        if participant is not None
        else []
    )
    return {"projects": projects}
