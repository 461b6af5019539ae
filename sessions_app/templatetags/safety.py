"""What the shared pages (homes, session page, group page) show of safety alerts and
measure schedules, loaded by the partials themselves so the shared views stay as they
are."""

from django import template

from ..models import Group, SafetyAlert, Session, User
from ..permissions import alerts_for, may_manage_measures

register = template.Library()

SHOWN = 20


@register.simple_tag
def alerts_to_follow_up(user: User) -> list[SafetyAlert]:
    """Open alerts (not yet followed up) the user follows up, oldest first."""
    return list(
        alerts_for(user)
        .filter(followed_up_at__isnull=True)
        .select_related("participant__site")
        .only(
            "raised_at",
            "acknowledged_at",
            "participant__first_name",
            "participant__last_name",
            "participant__site__time_zone",
        )
        .order_by("raised_at")[:SHOWN]
    )


@register.simple_tag
def session_alerts(user: User, session: Session) -> list[SafetyAlert]:
    """Alerts raised by answers given at this session that the user follows up."""
    return list(
        alerts_for(user)
        .filter(response__session=session)
        .select_related("participant")
        .order_by("raised_at")
    )


@register.filter
def manages_measures(user: User, group: Group) -> bool:
    return may_manage_measures(user, group)
