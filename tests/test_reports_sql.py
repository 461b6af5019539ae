"""The hand-written SQL the benchmark compares report pages with (benchmarks/report_sql.py)
gives the same numbers as the selectors behind the pages."""

from dataclasses import astuple

import pytest
from django.db import connection

from benchmarks import report_sql
from sessions_app.selectors import reports
from tests.test_reports_equivalence import NOW, PERIODS, build_world

_STATUSES = ("present", "late", "left_early", "excused", "absent")


@pytest.fixture
def world(db):
    return build_world()


def _numbers(figures: reports.Figures, *, enrolled: bool = True) -> tuple:
    return (
        figures.held,
        figures.cancelled,
        figures.scheduled,
        figures.enrolled if enrolled else 0,
        *(getattr(figures, s) for s in _STATUSES),
    )


def _sql_figures(rows: list[tuple]) -> dict:
    """{(kind, key): numbers} from the SQL's figure rows, empty months and rows left out."""
    found = {}
    for kind, key, *numbers in rows:
        if kind not in ("group", "therapist", "total", "month"):
            continue
        numbers = tuple(n or 0 for n in numbers)
        if any(numbers):
            found[(kind, key)] = numbers
    return found


def _page_figures(report: reports.Report, therapists: reports.Report | None) -> dict:
    found = {("total", None): _numbers(report.total)}
    for row in report.rows:
        found[("group", str(row.pk))] = _numbers(row.figures)
    for row in therapists.rows if therapists else []:
        found[("therapist", str(row.pk))] = _numbers(row.figures)
    for month in report.months:
        found[("month", month.month.isoformat())] = _numbers(month.figures, enrolled=False)
    return {key: numbers for key, numbers in found.items() if any(numbers)}


@pytest.mark.parametrize("period", PERIODS[:5], ids=lambda p: f"{p.start}-{p.end}")
def test_it_reads_a_site_report_as_the_page_does(world, period):
    for site in world["sites"]:
        by_group, by_therapist = reports.site_groups(site=site, period=period, trend=True)
        with connection.cursor() as cursor:
            rows = report_sql.site_report(
                cursor, site_ids=[site.pk], start=period.start, end=period.end
            )
        assert _sql_figures(rows) == _page_figures(by_group, by_therapist)


@pytest.mark.parametrize("period", PERIODS[:5], ids=lambda p: f"{p.start}-{p.end}")
def test_it_reads_a_therapist_report_as_the_page_does(world, period):
    site_ids = [s.pk for s in world["sites"]]
    for therapist in world["therapists"]:
        report = reports.groups_of_therapist(
            therapist=therapist, sites=world["sites"], period=period, trend=True
        )
        with connection.cursor() as cursor:
            rows = report_sql.therapist_report(
                cursor,
                therapist_id=therapist.pk,
                site_ids=site_ids,
                start=period.start,
                end=period.end,
            )
        figures = _sql_figures(rows)
        # The SQL also sums the therapist's groups by therapist; the page shows the total.
        figures = {k: v for k, v in figures.items() if k[0] != "therapist"}
        assert figures == _page_figures(report, None)


@pytest.mark.parametrize("period", PERIODS[:5], ids=lambda p: f"{p.start}-{p.end}")
def test_it_reads_a_group_report_as_the_page_does(world, period):
    for group in world["groups"]:
        report = reports.attendance_of_group(group=group, period=period, trend=True)
        people = reports.participants_of_group(group=group, period=period, now=NOW, threshold=0.5)
        with connection.cursor() as cursor:
            rows = report_sql.group_report(
                cursor,
                group_id=group.pk,
                start=period.start,
                end=period.end,
                now=NOW,
                threshold=0.5,
            )
        figures = _sql_figures([row for row in rows if isinstance(row[0], str)])
        page = _page_figures(report, None)
        assert {k: v for k, v in figures.items() if k[0] in ("total", "month")} == {
            k: v for k, v in page.items() if k[0] in ("total", "month")
        }
        by_person = {row[0]: row[1:] for row in rows if isinstance(row[0], int)}
        expected = {}
        for line in people:
            s = line.signal
            expected[line.participant.pk] = (
                *astuple(line.figures)[4:],
                s.absences_in_a_row,
                s.recent_attended,
                s.recent_absent,
                s.last_attended_at,
            )
        # People with no attendance in scope have no row in the SQL: all zeros.
        zeros = (0,) * 8 + (None,)
        assert {pk: by_person.get(pk, zeros) for pk in expected} == expected
        assert set(by_person) <= set(expected)


@pytest.mark.parametrize("threshold", [0.5, 0.75])
def test_it_reads_the_slipping_away_list_as_the_page_does(world, threshold):
    today = NOW.date()
    for sites in [world["sites"], world["sites"][:1], world["sites"][2:]]:
        site_ids = [s.pk for s in sites]
        listed = reports.slipping_away(site_ids=site_ids, today=today, now=NOW, threshold=threshold)
        with connection.cursor() as cursor:
            rows = report_sql.slipping_away(
                cursor, site_ids=site_ids, today=today, now=NOW, threshold=threshold
            )
        assert rows == [
            (
                r.participant_id,
                r.signal.absences_in_a_row,
                r.signal.recent_attended,
                r.signal.recent_absent,
                r.signal.last_attended_at,
            )
            for r in listed
        ]
    assert rows


def test_it_names_every_report_it_can_time():
    assert set(report_sql.REPORTS) == {
        "site_report",
        "therapist_report",
        "group_report",
        "slipping_away",
    }
