"""Each session's attendance counted by status (the tally_* columns the reports sum),
kept by triggers on the attendance table whichever way a row is written."""

import pytest
from django.db import connection

from sessions_app.models import Attendance
from sessions_app.services.attendance import TALLIED, attendance_tallies_rebuild

from . import factories as f

ABSENT = {"status": "absent", "minutes_attended": None}


def _tallies(session) -> dict[str, int]:
    columns = ", ".join(f"tally_{s}" for s in TALLIED)
    with connection.cursor() as cursor:
        sql = f"SELECT {columns} FROM sessions_app_session WHERE id = %s"  # noqa: S608
        cursor.execute(sql, [session.pk])
        return {s: n for s, n in zip(TALLIED, cursor.fetchone(), strict=True) if n}


def _counted(session) -> dict[str, int]:
    counts: dict[str, int] = {}
    for status in Attendance.objects.filter(session=session).values_list("status", flat=True):
        counts[status] = counts.get(status, 0) + 1
    return counts


@pytest.fixture
def held(group):
    return f.SessionFactory(group=group, status="held")


def test_it_counts_each_row_as_it_is_written(held):
    f.AttendanceFactory(session=held)
    f.AttendanceFactory(session=held)
    f.AttendanceFactory(session=held, **ABSENT)
    assert _tallies(held) == {"present": 2, "absent": 1}


def test_it_moves_a_row_from_one_status_to_another(held):
    row = f.AttendanceFactory(session=held)
    row.status, row.minutes_attended = "absent", None
    row.save()
    assert _tallies(held) == {"absent": 1}


def test_it_forgets_a_deleted_row(held):
    f.AttendanceFactory(session=held)
    f.AttendanceFactory(session=held, **ABSENT).delete()
    assert _tallies(held) == {"present": 1}


def test_it_counts_rows_saved_in_bulk(held):
    late = f.AttendanceFactory.build(
        session=held, participant=f.ParticipantFactory(), status="late", minutes_attended=40
    )
    away = f.AttendanceFactory.build(session=held, participant=f.ParticipantFactory(), **ABSENT)
    rows = Attendance.objects.bulk_create([late, away])
    rows[0].status = "present"
    Attendance.objects.bulk_update(rows, ["status"])
    assert _tallies(held) == {"present": 1, "absent": 1}


def test_it_moves_a_row_to_another_session(group, held):
    other = f.SessionFactory(group=group, status="held")
    row = f.AttendanceFactory(session=held)
    row.session = other
    row.save()
    assert (_tallies(held), _tallies(other)) == ({}, {"present": 1})


def test_saving_the_session_after_a_roll_call_keeps_its_counts(held):
    stale = type(held).objects.get(pk=held.pk)
    f.AttendanceFactory(session=held)
    stale.room = "Music room"
    stale.save()
    assert _tallies(held) == {"present": 1}


def test_the_rebuild_counts_every_session_again_from_its_rows(group, held):
    other = f.SessionFactory(group=group, status="held")
    f.AttendanceFactory(session=held)
    f.AttendanceFactory(session=other, **ABSENT)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE sessions_app_session SET tally_present = 7, tally_late = 3")
    attendance_tallies_rebuild()
    assert (_tallies(held), _tallies(other)) == (_counted(held), _counted(other))
    assert _tallies(other) == {"absent": 1}
