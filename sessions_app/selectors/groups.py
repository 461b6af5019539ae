"""Reads for the group list and the administrator's sites at a glance."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Prefetch, Q, QuerySet

from ..models import Enrollment, Facilitation, Group, Session, Site, User
from ..permissions import groups_for, sites_for


def _active_enrollment_filter(day) -> Q:
    return Q(enrollments__start_date__lte=day) & (
        Q(enrollments__end_date__isnull=True) | Q(enrollments__end_date__gte=day)
    )


def groups_overview(*, user: User, site_id: int | None = None, name: str = "") -> QuerySet[Group]:
    """The groups the user may see, in the order the group list shows them (by site,
    then name), narrowed to one site or a part of the name. Plain rows: the list counts
    and pages these, and loads the details of one page with `groups_with_details`."""
    groups = groups_for(user)
    if site_id is not None:
        groups = groups.filter(site_id=site_id)
    if name:
        groups = groups.filter(name__icontains=name)
    return groups.order_by("site__name", "name", "pk")


def groups_enrolled_today(*, user: User, today) -> list[Group]:
    """The groups the user may see, in the group list's order, with their site and
    today's number of enrolled participants (one query): the home page's list, which
    names no facilitators."""
    return list(
        Group.objects.filter(pk__in=groups_for(user).values("pk"))
        .select_related("site")
        .annotate(enrolled=Count("enrollments", filter=_active_enrollment_filter(today)))
        .only("name", "weekday", "start_time", "site__name")
        .order_by("site__name", "name", "pk")
    )


def groups_with_details(*, group_ids: list[int], today) -> list[Group]:
    """These groups, in this order, with their site, facilitators and today's number of
    enrolled participants: two queries for a page, however many groups there are."""
    groups = (
        Group.objects.filter(pk__in=group_ids)
        .select_related("site")
        .annotate(enrolled=Count("enrollments", filter=_active_enrollment_filter(today)))
        .prefetch_related(
            Prefetch(
                "facilitations",
                queryset=Facilitation.objects.select_related("therapist"),
            )
        )
    )
    by_id = {g.pk: g for g in groups}
    return [by_id[pk] for pk in group_ids if pk in by_id]


@dataclass
class SiteWeek:
    """A site at a glance: its running groups, who is enrolled today, and this week's
    sessions by status."""

    site: Site
    groups: int = 0
    enrolled: int = 0
    held: int = 0
    scheduled: int = 0
    cancelled: int = 0


def sites_overview(
    *, user: User, today, week_start: datetime, week_end: datetime
) -> list[SiteWeek]:
    """Each site the user may see, counted in three grouped queries: the same number of
    queries and one row per site whether a network has two groups or eight hundred."""
    sites = list(sites_for(user).order_by("name"))
    ids = [s.pk for s in sites]
    running = Q(last_date__isnull=True) | Q(last_date__gte=today)
    groups = dict(
        Group.objects.filter(running, site__in=ids)
        .order_by()
        .values_list("site")
        .annotate(n=Count("pk"))
    )
    enrolled = dict(
        Enrollment.objects.active_on(today)
        .filter(group__site__in=ids)
        .order_by()
        .values_list("group__site")
        .annotate(n=Count("participant", distinct=True))
    )
    week = {
        row["group__site"]: row
        for row in Session.objects.filter(
            group__site__in=ids, starts_at__gte=week_start, starts_at__lt=week_end
        )
        .order_by()
        .values("group__site")
        .annotate(
            held=Count("pk", filter=Q(status=Session.Status.HELD)),
            scheduled=Count("pk", filter=Q(status=Session.Status.SCHEDULED)),
            cancelled=Count("pk", filter=Q(status=Session.Status.CANCELLED)),
        )
    }
    return [
        SiteWeek(
            site,
            groups=groups.get(site.pk, 0),
            enrolled=enrolled.get(site.pk, 0),
            held=week.get(site.pk, {}).get("held", 0),
            scheduled=week.get(site.pk, {}).get("scheduled", 0),
            cancelled=week.get(site.pk, {}).get("cancelled", 0),
        )
        for site in sites
    ]
