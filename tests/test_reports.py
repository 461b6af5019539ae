"""Attendance reports, slipping away, CSV exports and the sign-in sheet."""

import csv
import io
from datetime import datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from sessions_app.selectors import reports
from sessions_app.selectors.reports import Period
from tests import factories as f

FEBRUARY = {"start": "2026-02-01", "end": "2026-02-28"}
NO_MINUTES = ("excused", "absent")


def _session(group, local: datetime, status: str = "held"):
    start = local.replace(tzinfo=group.site.tz)
    return f.SessionFactory(
        group=group,
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        status=status,
        cancel_reason="Snow day" if status == "cancelled" else "",
    )


def _attend(session, participant, status: str):
    return f.AttendanceFactory(
        session=session,
        participant=participant,
        status=status,
        minutes_attended=None if status in NO_MINUTES else 60,
    )


def _person(group, first: str, last: str = "Example", **kwargs):
    p = f.ParticipantFactory(site=group.site, first_name=first, last_name=last, preferred_name="")
    f.EnrollmentFactory(group=group, participant=p, **kwargs)
    return p


@pytest.fixture
def february(group, other_group):
    """3 sessions and 4 participants, counted by hand in the tests below.

                    3 Feb (held)   10 Feb (held)   17 Feb (cancelled)
        Ana         present        present
        Ben         late           left early
        Cruz        excused        absent
        Dev         absent         absent

    held 2, cancelled 1, enrolled 4; present 2, late 1, left early 1, excused 1,
    absent 3; attended 4; rate 4 / (4 + 3) = 57%. Another site's group met too.
    """
    people = {n: _person(group, n) for n in ("Ana", "Ben", "Cruz", "Dev")}
    s1 = _session(group, datetime(2026, 2, 3, 10))
    s2 = _session(group, datetime(2026, 2, 10, 10))
    _session(group, datetime(2026, 2, 17, 10), status="cancelled")
    for session, statuses in (
        (s1, ("present", "late", "excused", "absent")),
        (s2, ("present", "left_early", "absent", "absent")),
    ):
        for name, status in zip(("Ana", "Ben", "Cruz", "Dev"), statuses, strict=True):
            _attend(session, people[name], status)
    elsewhere = _session(other_group, datetime(2026, 2, 4, 10))
    _attend(elsewhere, _person(other_group, "Eli"), "present")
    return people


def _figures(total):
    return {
        "held": total.held,
        "cancelled": total.cancelled,
        "enrolled": total.enrolled,
        "present": total.present,
        "late": total.late,
        "left_early": total.left_early,
        "excused": total.excused,
        "absent": total.absent,
        "attended": total.attended,
    }


HAND_COUNTED = {
    "held": 2,
    "cancelled": 1,
    "enrolled": 4,
    "present": 2,
    "late": 1,
    "left_early": 1,
    "excused": 1,
    "absent": 3,
    "attended": 4,
}


def test_it_counts_a_month_by_site_as_counted_by_hand(client, admin, site, february):
    client.force_login(admin)
    response = client.get(reverse("report_overview"), FEBRUARY)
    assert response.status_code == 200
    report = response.context["report"]
    (row,) = report.rows
    assert row.label == site.name
    assert _figures(row.figures) == HAND_COUNTED
    assert row.figures.rate == pytest.approx(4 / 7)
    assert _figures(report.total) == HAND_COUNTED
    body = response.content.decode()
    assert "Attendance: February 2026" in body
    assert "57%" in body


def test_it_counts_the_same_by_group_and_by_therapist(client, admin, site, group, february):
    client.force_login(admin)
    response = client.get(reverse("report_site", args=[site.pk]), FEBRUARY)
    (row,) = response.context["report"].rows
    assert row.label == group.name
    assert _figures(row.figures) == HAND_COUNTED
    # Both facilitators ran every session: each therapist's row has the group's figures.
    therapists = response.context["by_therapist"].rows
    assert len(therapists) == 2
    assert all(_figures(t.figures) == HAND_COUNTED for t in therapists)


def test_it_counts_each_participant_by_hand(client, admin, group, february):
    client.force_login(admin)
    response = client.get(reverse("report_group", args=[group.pk]), FEBRUARY)
    by_name = {line.participant.first_name: line.figures for line in response.context["people"]}
    assert (by_name["Ana"].present, by_name["Ana"].rate) == (2, 1.0)
    assert (by_name["Ben"].late, by_name["Ben"].left_early, by_name["Ben"].rate) == (1, 1, 1.0)
    # Excused is left out of the rate: Cruz came to none of the one session that counts.
    assert (by_name["Cruz"].excused, by_name["Cruz"].absent, by_name["Cruz"].rate) == (1, 1, 0.0)
    assert (by_name["Dev"].absent, by_name["Dev"].rate) == (2, 0.0)


def test_it_reads_months_in_the_sites_own_zone(client, admin, site, group, participant):
    # 31 Jan 23:30 in New York is already February in UTC; 28 Feb 22:00 is March in UTC.
    late_january = _session(group, datetime(2026, 1, 31, 23, 30))
    late_february = _session(group, datetime(2026, 2, 28, 22, 0))
    _attend(late_january, participant, "absent")
    _attend(late_february, participant, "present")
    client.force_login(admin)
    response = client.get(reverse("report_site", args=[site.pk]), FEBRUARY)
    total = response.context["report"].total
    assert (total.held, total.present, total.absent) == (1, 1, 0)
    months = {m.month.isoformat(): m.figures for m in response.context["trend"]["months"]}
    assert (months["2026-01-01"].absent, months["2026-01-01"].present) == (1, 0)
    assert (months["2026-02-01"].absent, months["2026-02-01"].present) == (0, 1)


def test_it_shows_this_month_in_the_sites_zone_by_default(client, admin, site):
    client.force_login(admin)
    response = client.get(reverse("report_overview"))
    today = timezone.now().astimezone(site.tz).date()
    assert response.context["period"] == Period.month_of(today)
    assert f"Attendance: {today:%B %Y}" in response.content.decode()


def test_it_draws_the_trend_as_svg_with_labels_and_no_script(client, admin, site, february):
    client.force_login(admin)
    body = client.get(reverse("report_site", args=[site.pk]), FEBRUARY).content.decode()
    svg = body[body.index("<svg") : body.index("</svg>")]
    assert "<rect" in svg
    assert ">57%<" in svg  # the value is written on the chart, not only shown by colour
    assert ">Feb<" in svg
    assert "Attendance rate by month" in svg
    assert "<script" not in svg
    assert "cdn" not in body.lower()


def test_it_refuses_an_end_before_the_start(client, admin, site):
    client.force_login(admin)
    response = client.get(reverse("report_overview"), {"start": "2026-03-10", "end": "2026-03-01"})
    assert response.status_code == 200
    assert "The end date is before the start date." in response.content.decode()


@pytest.mark.parametrize(
    "period",
    [{"start": "9999-12-01", "end": "9999-12-31"}, {"start": "0001-01-01", "end": "0001-01-31"}],
)
def test_it_refuses_dates_at_the_ends_of_the_calendar_with_a_clear_error(
    client, admin, site, period
):
    client.force_login(admin)
    response = client.get(reverse("report_overview"), period)
    assert response.status_code == 200
    assert "Enter a date between 1900-01-01 and 2999-12-31." in response.content.decode()


# --- Drill-down and slipping away -------------------------------------------------------


@pytest.fixture
def slipping(group, participant, therapist):
    """Recent weekly sessions: `participant` came, then missed the last two; Kim came."""
    kim = _person(group, "Kim", "Lopez")
    now = timezone.now()
    sessions = []
    for weeks in (4, 3, 2, 1):
        start = now - timedelta(weeks=weeks)
        sessions.append(
            f.SessionFactory(
                group=group, starts_at=start, ends_at=start + timedelta(hours=1), status="held"
            )
        )
    for session, status in zip(sessions, ("present", "present", "absent", "absent"), strict=True):
        _attend(session, participant, status)
        _attend(session, kim, "present")
    return {"kim": kim, "last_came": sessions[1]}


def test_it_drills_down_from_the_site_to_a_participant_slipping_away(
    client, admin, site, group, participant, slipping
):
    client.force_login(admin)
    overview = client.get(reverse("report_overview")).content.decode()
    assert reverse("report_site", args=[site.pk]) in overview
    assert "1 participant slipping away" in overview
    site_page = client.get(reverse("report_site", args=[site.pk])).content.decode()
    assert reverse("report_group", args=[group.pk]) in site_page
    group_page = client.get(reverse("report_group", args=[group.pk])).content.decode()
    row = group_page[group_page.index(participant.short_name) :]
    row = row[: row.index("</tr>")]
    assert "Slipping away" in row
    assert "absent 2 times in a row" in row
    assert reverse("report_participant", args=[participant.pk]) in group_page
    kim_row = group_page[group_page.index("Kim L.") :]
    assert "Slipping away" not in kim_row[: kim_row.index("</tr>")]
    page = client.get(reverse("report_participant", args=[participant.pk])).content.decode()
    assert "Slipping away" in page
    # ... and on to the session they last came to.
    assert reverse("session_detail", args=[slipping["last_came"].pk]) in page


def test_it_lists_those_slipping_away_with_the_session_they_last_came_to(
    client, admin, participant, slipping
):
    client.force_login(admin)
    response = client.get(reverse("report_slipping"))
    rows = response.context["rows"]
    assert [p.pk for p, _ in rows] == [participant.pk]
    signal = rows[0][1]
    assert signal.last_attended_session == slipping["last_came"]
    body = response.content.decode()
    assert participant.short_name in body
    assert "Kim L." not in body


def test_it_reads_a_groups_people_and_the_sessions_they_last_came_to_in_one_query(
    group, participant, slipping, django_assert_num_queries
):
    today = timezone.localdate()
    with django_assert_num_queries(1):
        people = reports.participants_of_group(
            group=group, period=Period.month_of(today), now=timezone.now(), threshold=0.5
        )
        last_came = {
            line.participant.short_name: line.signal.last_attended_session.local_date
            for line in people
        }
    assert last_came == {
        participant.short_name: slipping["last_came"].local_date,
        "Kim L.": timezone.localtime(timezone.now() - timedelta(weeks=1), group.site.tz).date(),
    }


def test_it_does_not_count_an_excused_absence_against_anyone(client, admin, group, participant):
    now = timezone.now()
    statuses = ("present", "excused", "excused", "absent")
    for weeks, status in zip((4, 3, 2, 1), statuses, strict=True):
        start = now - timedelta(weeks=weeks)
        s = f.SessionFactory(
            group=group, starts_at=start, ends_at=start + timedelta(hours=1), status="held"
        )
        _attend(s, participant, status)
    client.force_login(admin)
    # One absence since they last came (the excused ones neither count nor break the
    # run), and 1 of 2 counted sessions attended: too few to judge a rate.
    assert client.get(reverse("report_slipping")).context["rows"] == []
    start = now - timedelta(hours=2)
    s = f.SessionFactory(
        group=group, starts_at=start, ends_at=start + timedelta(hours=1), status="held"
    )
    _attend(s, participant, "absent")
    rows = client.get(reverse("report_slipping")).context["rows"]
    assert [p.pk for p, _ in rows] == [participant.pk]
    assert rows[0][1].absences_in_a_row == 2


def test_it_lists_those_under_the_rate_threshold(client, admin, group, participant, settings):
    now = timezone.now()
    # Present, absent, present, absent, present: never two in a row; 3 of 5 = 60%.
    statuses = ("present", "absent", "present", "absent", "present")
    for days, status in zip((35, 28, 21, 14, 7), statuses, strict=True):
        start = now - timedelta(days=days)
        s = f.SessionFactory(
            group=group, starts_at=start, ends_at=start + timedelta(hours=1), status="held"
        )
        _attend(s, participant, status)
    client.force_login(admin)
    assert client.get(reverse("report_slipping")).context["rows"] == []
    settings.SLIPPING_RATE_THRESHOLD = 0.75
    rows = client.get(reverse("report_slipping")).context["rows"]
    assert [p.pk for p, _ in rows] == [participant.pk]
    assert "attended 3 of 5 recent sessions (60%)" in rows[0][1].reasons


def test_it_leaves_discharged_participants_off_the_outreach_list(
    client, admin, group, participant, slipping
):
    enrollment = participant.enrollments.get()
    enrollment.status = "discharged"
    enrollment.end_date = timezone.now().astimezone(group.site.tz).date() - timedelta(days=1)
    enrollment.save()
    client.force_login(admin)
    assert client.get(reverse("report_slipping")).context["rows"] == []


# --- Exports ------------------------------------------------------------------------------


def _csv(response) -> list[list[str]]:
    raw = response.content
    assert raw.startswith("\ufeff".encode()), "spreadsheets need the byte-order mark"
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))


def test_it_exports_a_report_as_spreadsheet_safe_utf8_csv(client, admin, site, february):
    group = f.GroupFactory(site=site, name='=HYPERLINK("http://evil.example","open")')
    zoe = _person(group, "Zoë", "-2+3")
    s = _session(group, datetime(2026, 2, 5, 10))
    _attend(s, zoe, "present")
    client.force_login(admin)
    response = client.get(reverse("report_site_csv", args=[site.pk]), FEBRUARY)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment;" in response["Content-Disposition"]
    rows = _csv(response)
    assert rows[0][:3] == ["Level", "Name", "Id"]
    assert rows[1][:2] == ["Total", site.name]
    names = [row[1] for row in rows]
    assert "'" + group.name in names
    assert group.name not in names
    by_name = {row[1]: row for row in rows}
    tuesday = by_name["Tuesday Songwriting"]
    header = rows[0]
    assert tuesday[header.index("Absent")] == "3"
    assert tuesday[header.index("Attendance rate")] == str(round(4 / 7, 3))

    response = client.get(reverse("report_group_csv", args=[group.pk]), FEBRUARY)
    people = _csv(response)
    assert people[1][0] == "Zoë -."  # preferred name and initial; UTF-8 survives
    participant_csv = client.get(reverse("report_participant_csv", args=[zoe.pk]), FEBRUARY)
    assert _csv(participant_csv)[1][2] == "'" + group.name


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_it_neutralises_every_formula_start(start):
    from sessions_app.exports import spreadsheet_safe

    assert spreadsheet_safe(f"{start}1+1") == f"'{start}1+1"
    assert spreadsheet_safe("Plain name") == "Plain name"
    assert spreadsheet_safe(3) == 3


def test_it_exports_the_slipping_away_list(client, admin, participant, slipping):
    client.force_login(admin)
    rows = _csv(client.get(reverse("report_slipping_csv")))
    assert rows[0][0] == "Participant"
    assert [row[0] for row in rows[1:]] == [participant.short_name]
    assert rows[1][rows[0].index("Last attended")] == slipping["last_came"].local_date.isoformat()


# --- Sign-in sheet ----------------------------------------------------------------------------


def test_it_prints_a_sign_in_sheet_with_preferred_names_and_initials_only(
    client, therapist, group, session, participant
):
    _person(group, "Marisol", "Quintanilla")
    participant.last_name = "Smithers"
    participant.save()
    client.force_login(therapist)  # therapists run the door
    response = client.get(reverse("session_sign_in_sheet", args=[session.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Dee S." in body  # preferred name and last initial
    assert "Marisol Q." in body
    for never in ("Smithers", "Quintanilla", "Dana"):
        assert never not in body
    assert "Signature" in body
    assert "css/sign_in_sheet.css" in body
    assert "42 CFR part 2" in body


def test_it_gives_the_sign_in_sheet_print_css(client):
    from django.contrib.staticfiles import finders

    with open(finders.find("css/sign_in_sheet.css")) as f_css:
        css = f_css.read()
    assert "@media print" in css
    assert ".screen-only { display: none !important; }" in css


# --- Who may see the reports --------------------------------------------------------------

ADMIN_PAGES = [
    "report_overview",
    "report_overview_csv",
    "report_slipping",
    "report_slipping_csv",
    "audit_log",
    "consent_list",
]


@pytest.mark.parametrize("name", ADMIN_PAGES)
def test_it_answers_404_to_everyone_but_administrators(client, cast, name):
    url = reverse(name)
    for who in ("therapist", "co_therapist", "outsider", "participant", "artist"):
        client.force_login(cast[who])
        assert client.get(url).status_code == 404, who
    client.force_login(cast["admin"])
    assert client.get(url).status_code == 200
    client.logout()
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_it_shows_site_administrators_only_their_own_sites(
    client, admin, other_admin, site, other_site, february, slipping
):
    client.force_login(other_admin)
    response = client.get(reverse("report_overview"), FEBRUARY)
    assert [row.label for row in response.context["report"].rows] == [other_site.name]
    assert response.context["report"].total.present == 1  # Eli at the other site only
    body = response.content.decode()
    assert site.name not in body
    assert "Tuesday Songwriting" not in body
    assert client.get(reverse("report_slipping")).context["rows"] == []
    rows = _csv(client.get(reverse("report_overview_csv"), FEBRUARY))
    assert site.name not in {row[1] for row in rows}


def test_it_shows_a_superuser_every_site(client, site, other_site, february):
    root = f.UserFactory(username="root", is_superuser=True, is_staff=True)
    client.force_login(root)
    response = client.get(reverse("report_overview"), FEBRUARY)
    assert [row.label for row in response.context["report"].rows] == [
        site.name,
        other_site.name,
    ]


# --- Bounded queries ---------------------------------------------------------------------------


def _populate(group, therapist, size: int) -> None:
    now = timezone.now()
    sessions = []
    for i in range(size):
        start = now - timedelta(days=3 * i + 1)
        sessions.append(
            f.SessionFactory(
                group=group, starts_at=start, ends_at=start + timedelta(hours=1), status="held"
            )
        )
    for i in range(size):
        p = _person(group, f"Person{i}", f"Family{i}")
        for session in sessions[: min(size, 5)]:
            _attend(session, p, ("present", "absent", "excused", "late")[i % 4])


@pytest.mark.parametrize("size", [1, 30])
def test_it_renders_the_reports_in_bounded_queries(
    client, admin, site, group, therapist, participant, django_assert_max_num_queries, size
):
    _populate(group, therapist, size)
    client.force_login(admin)
    # Counted per page; one more may go to look up a content type for the audit entry.
    pages = [
        (reverse("report_overview"), 14),
        (reverse("report_overview_csv"), 14),
        (reverse("report_site", args=[site.pk]), 14),
        (reverse("report_site_csv", args=[site.pk]), 14),
        (reverse("report_group", args=[group.pk]), 7),
        (reverse("report_group_csv", args=[group.pk]), 7),
        (reverse("report_therapist", args=[therapist.pk]), 10),
        (reverse("report_therapist_csv", args=[therapist.pk]), 10),
        (reverse("report_participant", args=[participant.pk]), 11),
        (reverse("report_participant_csv", args=[participant.pk]), 10),
        (reverse("report_slipping"), 6),
        (reverse("report_slipping_csv"), 6),
    ]
    for url, bound in pages:
        with django_assert_max_num_queries(bound, info=url):
            assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("size", [1, 30])
def test_it_prints_the_sign_in_sheet_in_bounded_queries(
    client, therapist, group, session, django_assert_max_num_queries, size
):
    for i in range(size):
        _person(group, f"Person{i}", f"Family{i}")
    client.force_login(therapist)
    with django_assert_max_num_queries(6):
        assert client.get(reverse("session_sign_in_sheet", args=[session.pk])).status_code == 200


# --- Configuration ---------------------------------------------------------------------------


def test_it_reads_the_slipping_away_threshold_from_the_environment(tmp_path):
    from tests.test_settings import _run, _settings

    assert _settings(tmp_path, ["SLIPPING_RATE_THRESHOLD"]) == {"SLIPPING_RATE_THRESHOLD": 0.5}
    assert _settings(tmp_path, ["SLIPPING_RATE_THRESHOLD"], SLIPPING_RATE_THRESHOLD="0.6") == {
        "SLIPPING_RATE_THRESHOLD": 0.6
    }
    for wrong in ("half", "1.5", "-0.1", "nan"):
        result = _run(tmp_path, "pass", {"SLIPPING_RATE_THRESHOLD": wrong})
        assert result.returncode != 0, wrong
        assert "SLIPPING_RATE_THRESHOLD must be a number from 0 to 1" in result.stderr


def test_the_overview_lists_therapists_until_there_are_too_many(
    client, admin, site, group, february, monkeypatch
):
    from sessions_app.views import reports as report_views

    client.force_login(admin)
    body = client.get(reverse("report_overview"), FEBRUARY).content.decode()
    assert reverse("report_therapist", args=[group.facilitators.first().pk]) in body

    monkeypatch.setattr(report_views, "OVERVIEW_THERAPISTS_SHOWN", 1)
    body = client.get(reverse("report_overview"), FEBRUARY).content.decode()
    assert reverse("report_therapist", args=[group.facilitators.first().pk]) not in body
    assert "2 therapists work at these sites" in body
