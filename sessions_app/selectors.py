"""Reads for pages: small functions over querysets already narrowed by permissions."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Prefetch, Q, QuerySet

from .models import Attendance, Enrollment, Facilitation, Group, Participant, Session, Site, User
from .permissions import groups_for, sessions_for, sites_for


@dataclass
class SessionDay:
    label: str
    sessions: list[Session]


def _with_site(qs: QuerySet[Session]) -> QuerySet[Session]:
    return qs.select_related("group__site")


def therapist_upcoming_sessions(*, user: User, now: datetime, days: int = 14) -> list[SessionDay]:
    """Today's sessions (already started ones too) and the next `days`, day by day.

    "Today" is the day at each session's own site, which is what the therapist walking
    into that room would call today.
    """
    candidates = _with_site(
        sessions_for(user).filter(
            starts_at__gte=now - timedelta(days=1), starts_at__lt=now + timedelta(days=days)
        )
    ).order_by("starts_at")
    by_day: dict[str, list[Session]] = {}
    for session in candidates:
        site_today = now.astimezone(session.group.site.tz).date()
        local_day = session.local_date
        if local_day < site_today:
            continue
        label = "Today" if local_day == site_today else f"{local_day:%A %-d %B}"
        by_day.setdefault(label, []).append(session)
    return [SessionDay(label, sessions) for label, sessions in by_day.items()]


def _active_enrollment_filter(day) -> Q:
    return Q(enrollments__start_date__lte=day) & (
        Q(enrollments__end_date__isnull=True) | Q(enrollments__end_date__gte=day)
    )


def groups_overview(*, user: User, today) -> QuerySet[Group]:
    """Groups with their site, facilitators and today's number of enrolled participants."""
    return (
        groups_for(user)
        .select_related("site")
        .annotate(enrolled=Count("enrollments", filter=_active_enrollment_filter(today)))
        .prefetch_related(
            Prefetch(
                "facilitations",
                queryset=Facilitation.objects.select_related("therapist"),
            )
        )
        .order_by("site__name", "name")
    )


def sites_overview(*, user: User) -> QuerySet[Site]:
    return sites_for(user).annotate(group_count=Count("groups", distinct=True)).order_by("name")


def sessions_between(*, user: User, start: datetime, end: datetime) -> QuerySet[Session]:
    return _with_site(sessions_for(user).filter(starts_at__gte=start, starts_at__lt=end)).order_by(
        "starts_at"
    )


def participant_upcoming_sessions(
    *, participant: Participant, now: datetime, days: int = 56
) -> list[Session]:
    """The participant's next sessions: those of their groups on dates they are enrolled."""
    enrollments = list(
        Enrollment.objects.filter(participant=participant).filter(
            Q(end_date__isnull=True) | Q(end_date__gte=(now - timedelta(days=1)).date())
        )
    )
    if not enrollments:
        return []
    sessions = _with_site(
        Session.objects.filter(
            group__in={e.group_id for e in enrollments},
            ends_at__gte=now,
            starts_at__lt=now + timedelta(days=days),
        )
    ).order_by("starts_at")
    return [
        s
        for s in sessions
        if any(e.group_id == s.group_id and e.is_active_on(s.local_date) for e in enrollments)
    ]


def group_roster(*, group: Group, day) -> QuerySet[Enrollment]:
    return (
        Enrollment.objects.filter(group=group)
        .active_on(day)
        .select_related("participant")
        .order_by("participant__last_name", "participant__first_name")
    )


def group_sessions_with_counts(*, group: Group) -> QuerySet[Session]:
    attended = Q(attendance__status__in=Attendance.ATTENDED)
    return (
        Session.objects.filter(group=group)
        .select_related("group__site")
        .annotate(attended_count=Count("attendance", filter=attended))
    )
