"""Every report page and export runs the same number of queries for five times the data:
more sessions, people, attendance, groups and therapists add rows, never queries."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests import factories as f
from tests.query_counts import count_queries

STATUSES = ("present", "absent", "excused", "late", "left_early", "absent")


def _grow(site, therapist, times: int) -> None:
    """`times` more groups at the site, each with six weekly sessions and six people."""
    now = timezone.now()
    for g in range(times):
        group = f.GroupFactory(site=site, lead=therapist)
        f.FacilitationFactory(group=group, therapist=f.TherapistFactory())
        people = [
            f.EnrollmentFactory(
                group=group, participant=f.ParticipantFactory(site=site)
            ).participant
            for _ in range(6)
        ]
        for week in range(6):
            start = now - timedelta(weeks=week, days=g % 3)
            session = f.SessionFactory(
                group=group, starts_at=start, ends_at=start + timedelta(hours=1), status="held"
            )
            for i, person in enumerate(people):
                status = STATUSES[(i + week) % len(STATUSES)]
                f.AttendanceFactory(
                    session=session,
                    participant=person,
                    status=status,
                    minutes_attended=None if status in ("absent", "excused") else 60,
                )


def _pages(site, group, therapist, participant) -> list[str]:
    return [
        reverse("report_overview"),
        reverse("report_overview") + "?start=2020-01-01&end=2029-12-31",
        reverse("report_overview_csv"),
        reverse("report_site", args=[site.pk]),
        reverse("report_site_csv", args=[site.pk]),
        reverse("report_group", args=[group.pk]),
        reverse("report_group_csv", args=[group.pk]),
        reverse("report_therapist", args=[therapist.pk]),
        reverse("report_therapist_csv", args=[therapist.pk]),
        reverse("report_participant", args=[participant.pk]),
        reverse("report_participant_csv", args=[participant.pk]),
        reverse("report_slipping"),
        reverse("report_slipping_csv"),
    ]


# The most any report page needs, whatever the data (audit entries included).
MAX_QUERIES = 9


@pytest.mark.django_db
def test_it_reads_five_times_the_data_in_the_same_queries(
    client, admin, site, group, therapist, participant
):
    _grow(site, therapist, 1)
    client.force_login(admin)
    urls = _pages(site, group, therapist, participant)
    before = {url: count_queries(client, url) for url in urls}
    _grow(site, therapist, 4)
    after = {url: count_queries(client, url) for url in urls}
    assert after == before
    assert max(after.values()) <= MAX_QUERIES, after
