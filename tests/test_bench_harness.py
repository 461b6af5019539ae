"""The `make bench` harness: its floor pages and query header, the catalogue of pages it
opens (on a tiny scale data set), its verdicts, and how it reads the other benchmarks.

Nothing here measures time: the benchmark prints figures, tests check it measures the
right things.
"""

import sys
import types
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.http import HttpResponse
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from benchmarks import against_sql, catalogue
from benchmarks.middleware import QUERY_HEADER, SQL_TIME_HEADER, QueryCountMiddleware
from benchmarks.pages import reminder_rates
from benchmarks.table import Row, markdown, mean_of
from sessions_app.models import User
from tests import factories as f

# Under pytest-xdist, test_bench_harness and test_seed_scale run on one worker, in
# that order as in one process: `seeded` fills (and empties) the worker's
# test database once per module, and test_seed_scale's index check, which compares the
# indexes before and after a load, finds them as a load re-creates them (a fresh
# database's partial indexes read differently until then).
pytestmark = pytest.mark.xdist_group("seeded_database")

FAST = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def bench_server(settings):
    """The app as `make bench` serves it: benchmark URLs and the query header."""
    settings.ROOT_URLCONF = "benchmarks.urls"
    settings.MIDDLEWARE = ["benchmarks.middleware.QueryCountMiddleware", *settings.MIDDLEWARE]


# --- Floors and the query header ---------------------------------------------------------------


def test_the_query_header_counts_every_query_of_the_request(bench_server, client, therapist):
    client.force_login(therapist)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/bench/floor/rows/")
    assert int(response[QUERY_HEADER]) == len(queries.captured_queries)


def test_the_sql_time_header_is_the_time_the_requests_queries_took(rf, db):
    def view(request):
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_sleep(0.03)")
            cursor.execute("SELECT pg_sleep(0.02)")
        return HttpResponse("done")

    response = QueryCountMiddleware(view)(rf.get("/"))
    assert response[QUERY_HEADER] == "2"
    assert 50 <= float(response[SQL_TIME_HEADER]) < 1000


def test_a_report_is_judged_by_its_sql_against_the_hand_written_sql():
    row = Row("x", "siteadmin", status=200, seconds=0.1, reference=1.1, reference_kind="sql")
    row.page_reference = 3.0  # the whole page: shown, not judged
    assert row.verdict(None) == "ok"


def test_the_trivial_floor_needs_a_login(bench_server, client):
    response = client.get("/bench/floor/trivial/")
    assert response.status_code == 302


def test_the_rows_floor_needs_a_login(bench_server, client):
    response = client.get("/bench/floor/rows/")
    assert response.status_code == 302


def test_the_rows_floor_shows_fifty_sessions(bench_server, client, therapist, group):
    f.SessionFactory.create_batch(55, group=group)
    client.force_login(therapist)
    response = client.get("/bench/floor/rows/")
    assert response.content.decode().count(f'href="/groups/{group.pk}/"') == 50


def test_the_rows_floor_uses_the_apps_layout(bench_server, client, therapist):
    client.force_login(therapist)
    response = client.get("/bench/floor/rows/")
    assert 'class="navbar-brand fw-semibold"' in response.content.decode()


def test_the_rows_floor_runs_a_bounded_number_of_queries(
    bench_server, client, therapist, group, django_assert_max_num_queries
):
    f.SessionFactory.create_batch(55, group=group)
    client.force_login(therapist)
    with django_assert_max_num_queries(4):
        client.get("/bench/floor/rows/")


# --- The catalogue, on a tiny scale data set ----------------------------------------------------

PASSWORD = "bench-test-password"


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), override_settings(DEBUG=True, PASSWORD_HASHERS=FAST):
        call_command(
            "seed_scale", participants=60, years=1, seed=3, password=PASSWORD, stdout=StringIO()
        )
        yield
        # Leave the test database as empty as the other modules expect it.
        call_command("flush", interactive=False, verbosity=0)


@pytest.fixture
def pages(seeded, db):
    picks = catalogue.pick()
    catalogue.ensure_feed_tokens(picks)
    catalogue.ensure_treatment_record(picks)
    return picks, catalogue.pages(picks, today=timezone.localdate())


def _client_as(role: str, picks: catalogue.Picks) -> Client:
    client = Client()
    if role in catalogue.LOGINS:
        client.force_login(User.objects.get(username=catalogue.LOGINS[role]))
    elif role == catalogue.LINK_SESSION:
        client.get(catalogue.link_session_path(picks))
    return client


def test_every_page_of_the_catalogue_answers_200_to_its_role(pages):
    picks, rows = pages
    clients = {role: _client_as(role, picks) for role in {page.role for page in rows}}
    statuses = {page.label: clients[page.role].get(page.path).status_code for page in rows}
    assert {label: s for label, s in statuses.items() if s != 200} == {}


def test_every_get_page_of_the_app_is_measured_or_left_out_with_a_reason(pages):
    _, rows = pages
    missing, _ = catalogue.not_measured(rows)
    assert missing == [], missing


def test_a_page_no_row_covers_is_reported(pages):
    _, rows = pages
    missing, _ = catalogue.not_measured([page for page in rows if page.name != "roll_call"])
    assert missing == ["roll_call"]


def test_pages_left_out_on_purpose_still_exist():
    assert set(catalogue.NOT_PAGES) - catalogue.url_names() == set()


def test_the_everyday_pages_are_the_therapists_and_the_participants(pages):
    _, rows = pages
    everyday = {(page.name, page.role) for page in rows if page.everyday}
    assert everyday == {
        ("home", "therapist"),
        ("session_detail", "therapist"),
        ("roll_call", "therapist"),
        ("note_edit", "therapist"),
        ("song_list", "therapist"),
        ("participant_home", "participant"),
        # Where a participant answers the check-in and what is due, most weeks.
        ("participant_questions", "participant"),
    }


def test_the_therapists_session_is_held_in_their_busiest_group(pages):
    picks, _ = pages
    assert picks.session.status == "held"
    assert picks.session.group_id == picks.group.pk


# --- Verdicts ----------------------------------------------------------------------------------


def test_a_page_answering_500_is_an_error():
    assert Row("x", "therapist", status=500, seconds=0.01).verdict(None) == "ERROR 500"


def test_a_page_over_half_a_second_is_slow():
    assert Row("x", "therapist", status=200, seconds=0.6).verdict(None) == "> 0.5 s"


def test_an_everyday_page_under_half_the_floors_throughput_misses():
    row = Row("x", "therapist", status=200, seconds=0.01, rate=40, everyday=True)
    assert row.verdict(floor_rate=100) == "< 0.5× floor req/s"


def test_a_page_that_is_not_everyday_is_not_held_to_the_floors_throughput():
    row = Row("x", "therapist", status=200, seconds=0.01, rate=40)
    assert row.verdict(floor_rate=100) == "ok"


def test_a_report_slower_than_its_sql_by_more_than_a_fifth_misses():
    row = Row("x", "siteadmin", status=200, seconds=0.1, reference=1.3, reference_kind="sql")
    assert row.verdict(None) == "> 1.2× SQL"


def test_reminders_slower_than_no_op_tasks_miss():
    row = Row("reminders", "worker", rate=90, reference=0.9, reference_kind="no-op")
    assert row.verdict(None) == "< 1.0× no-op"


# --- Reading the other benchmarks --------------------------------------------------------------

REMINDERS_OUTPUT = """worker: prefork, 2 processes, 2 CPUs
reminders: 10000 sent in 104.2 s = 1,096/s
no-op:     10000 run in 9.1 s = 1,099/s (publishing took 2.0 s of it)
ratio:     a reminder costs 1.0x a no-op task (reminders run at 100% of the no-op rate)
"""


def test_it_reads_both_rates_from_the_reminders_benchmark():
    assert reminder_rates(REMINDERS_OUTPUT) == (1096.0, 1099.0)


def test_it_reads_no_rates_from_a_failed_reminders_benchmark():
    assert reminder_rates("timed out after 1800 s waiting for the worker") is None


@pytest.fixture
def report_sql(monkeypatch):
    module = types.ModuleType("benchmarks.report_sql")
    monkeypatch.setitem(sys.modules, "benchmarks.report_sql", module)
    return module


def test_the_sql_is_called_with_the_parameters_it_names(db, report_sql, settings):
    settings.SLIPPING_RATE_THRESHOLD = 0.4
    seen = {}

    def site_report(cursor, *, site_ids, start, end, threshold):
        seen.update(site_ids=site_ids, start=start, end=end, threshold=threshold)
        cursor.execute("SELECT 1")

    report_sql.site_report = site_report
    params = {"site_ids": [3], "start": "a", "end": "b", "group_id": 9}
    assert against_sql.sql_seconds("site_report", params, repeat=1) is not None
    assert seen == {"site_ids": [3], "start": "a", "end": "b", "threshold": 0.4}


def test_a_missing_sql_function_gives_no_figure(db, report_sql):
    assert against_sql.sql_seconds("group_report", {}, repeat=1) is None


def test_sql_that_asks_for_an_unknown_parameter_gives_no_figure(db, report_sql):
    report_sql.group_report = lambda cursor, *, cohort: None
    assert against_sql.sql_seconds("group_report", {"group_id": 1}, repeat=1) is None


def test_a_floor_is_the_mean_of_its_first_and_last_measurement():
    first = Row("floor: trivial (first)", "therapist", seconds=0.010, rate=100)
    last = Row("floor: trivial (last)", "therapist", seconds=0.020, rate=60)
    floor = mean_of([first, last])
    assert (round(floor.seconds, 3), floor.rate) == (0.015, 80)


def test_a_page_is_compared_with_the_floors_measured_around_it():
    far_trivial = Row("floor: trivial", "therapist", seconds=0.100, rate=10)
    far_rows = Row("floor: 50 rows", "therapist", seconds=0.100, rate=10)
    page = Row("song_list", "therapist", status=200, seconds=0.050, rate=40, everyday=True)
    page.floors = (
        Row("floor: trivial", "therapist", seconds=0.010, rate=200),
        Row("floor: 50 rows", "therapist", seconds=0.025, rate=100),
    )
    line = markdown([page], trivial=far_trivial, floor=far_rows).splitlines()[2]
    assert line.split(" | ")[5:11] == ["5.00", "2.00", "40.0", "0.20", "0.40", "–"]
