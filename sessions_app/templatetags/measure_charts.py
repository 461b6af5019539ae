"""Measures on shared pages (session, participant home), each from its own partial, so
that those pages' views need not know about measures."""

from django import template

from .. import measure_charts
from ..models import Participant, Session
from ..permissions import may_see_session_change, own_responses
from ..selectors import measures as selectors

register = template.Library()


@register.inclusion_tag("measures/_session_change.html", takes_context=True)
def session_change(context, session: Session) -> dict:
    """The group's change before → after: means for its therapists, counts of who
    answered for administrators (a mean over a handful of people is their answer)."""
    user = context["request"].user
    change = selectors.session_change(session=session)
    means = may_see_session_change(user, session)
    return {
        "change": change,
        "means": means,
        "bars": measure_charts.session_bars(change) if means and change.pairs else None,
    }


@register.inclusion_tag("measures/_own_trend_lines.html")
def own_trends(participant: Participant) -> dict:
    trends = selectors.own_trends(responses=own_responses(participant), participant=participant)
    return {"trends": trends}
