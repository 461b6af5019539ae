"""Each session carries the count of its attendance by status, kept by the database.

Reports over a year of a whole network summed 450,000 attendance rows on every request;
with these columns they sum one row per session (about a tenth as many). The counts are
kept by triggers on the attendance table, so every way a row is written (the roll call,
the admin, a command, a bulk load) keeps them right, and no Python code can forget to.

The columns are deliberately not fields of the Session model: `Session.save()` writes
every field it knows, and would put back counts it read before a roll call changed them.
The reports read them with SQL (selectors/reports.py).

The backfill rewrites every session row once: at 86,000 sessions a few seconds.
"""

from django.db import migrations

STATUSES = ("present", "late", "left_early", "excused", "absent")
COLUMNS = ", ".join(f"tally_{s}" for s in STATUSES)


def _delta(row: str, sign: str, cast: str) -> str:
    return ", ".join(
        f"tally_{s} = tally_{s} {sign} ({row}.status = '{s}'){cast}" for s in STATUSES
    )


POSTGRES = [
    *(
        f"ALTER TABLE sessions_app_session ADD COLUMN tally_{s} integer NOT NULL DEFAULT 0"
        for s in STATUSES
    ),
    f"""
    CREATE OR REPLACE FUNCTION refrain_attendance_tally() RETURNS trigger AS $$
    BEGIN
        IF TG_OP IN ('UPDATE', 'DELETE') THEN
            UPDATE sessions_app_session SET {_delta("OLD", "-", "::int")}
            WHERE id = OLD.session_id;
        END IF;
        IF TG_OP IN ('INSERT', 'UPDATE') THEN
            UPDATE sessions_app_session SET {_delta("NEW", "+", "::int")}
            WHERE id = NEW.session_id;
        END IF;
        RETURN NULL;
    END;
    $$ LANGUAGE plpgsql
    """,
    """CREATE TRIGGER refrain_attendance_tally_insert AFTER INSERT OR DELETE
       ON sessions_app_attendance FOR EACH ROW EXECUTE FUNCTION refrain_attendance_tally()""",
    """CREATE TRIGGER refrain_attendance_tally_update AFTER UPDATE ON sessions_app_attendance
       FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status
                          OR OLD.session_id IS DISTINCT FROM NEW.session_id)
       EXECUTE FUNCTION refrain_attendance_tally()""",
]
POSTGRES_REVERSE = [
    "DROP TRIGGER IF EXISTS refrain_attendance_tally_insert ON sessions_app_attendance",
    "DROP TRIGGER IF EXISTS refrain_attendance_tally_update ON sessions_app_attendance",
    "DROP FUNCTION IF EXISTS refrain_attendance_tally()",
    *(f"ALTER TABLE sessions_app_session DROP COLUMN tally_{s}" for s in STATUSES),
]

SQLITE = [
    *(
        f"ALTER TABLE sessions_app_session ADD COLUMN tally_{s} integer NOT NULL DEFAULT 0"
        for s in STATUSES
    ),
    f"""CREATE TRIGGER refrain_attendance_tally_insert AFTER INSERT ON sessions_app_attendance
        BEGIN UPDATE sessions_app_session SET {_delta("NEW", "+", "")}
        WHERE id = NEW.session_id; END""",
    f"""CREATE TRIGGER refrain_attendance_tally_delete AFTER DELETE ON sessions_app_attendance
        BEGIN UPDATE sessions_app_session SET {_delta("OLD", "-", "")}
        WHERE id = OLD.session_id; END""",
    f"""CREATE TRIGGER refrain_attendance_tally_update AFTER UPDATE ON sessions_app_attendance
        WHEN OLD.status IS NOT NEW.status OR OLD.session_id IS NOT NEW.session_id
        BEGIN
            UPDATE sessions_app_session SET {_delta("OLD", "-", "")} WHERE id = OLD.session_id;
            UPDATE sessions_app_session SET {_delta("NEW", "+", "")} WHERE id = NEW.session_id;
        END""",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS refrain_attendance_tally_insert",
    "DROP TRIGGER IF EXISTS refrain_attendance_tally_delete",
    "DROP TRIGGER IF EXISTS refrain_attendance_tally_update",
    *(f"ALTER TABLE sessions_app_session DROP COLUMN tally_{s}" for s in STATUSES),
]

# The same statement as services.attendance.attendance_tallies_rebuild, frozen here as
# migrations are.
REBUILD = [
    "UPDATE sessions_app_session SET "
    + ", ".join(f"tally_{s} = 0" for s in STATUSES)
    + " WHERE "
    + " OR ".join(f"tally_{s} <> 0" for s in STATUSES),
    "UPDATE sessions_app_session SET "
    + ", ".join(f"tally_{s} = c.{s}" for s in STATUSES)
    + " FROM (SELECT session_id, "
    + ", ".join(f"SUM(CASE WHEN status = '{s}' THEN 1 ELSE 0 END) AS {s}" for s in STATUSES)
    + " FROM sessions_app_attendance GROUP BY session_id) c"
    + " WHERE sessions_app_session.id = c.session_id",
]


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        statements = POSTGRES
    elif vendor == "sqlite":
        statements = SQLITE
    else:
        raise RuntimeError(f"attendance tallies need PostgreSQL or SQLite, not {vendor}")
    for sql in [*statements, *REBUILD]:
        schema_editor.execute(sql)


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for sql in POSTGRES_REVERSE if vendor == "postgresql" else SQLITE_REVERSE:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("sessions_app", "0007_reminder_indexes")]

    operations = [migrations.RunPython(forwards, backwards)]
