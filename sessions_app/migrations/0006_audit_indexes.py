"""Indexes for the audit trail's filters, built without locking busy tables.

The review screen reads the trail newest first, a screen at a time, by position in
(timestamp, id) order (selectors/audit.py). Each index below lets one filter read its
entries in that order and stop when the screen is full; auditlog's own single-column
indexes could find the entries but then had to sort all of them.
"""

from django.db import migrations

from sessions_app.migration_ops import CreateIndexConcurrently

TABLE = "auditlog_logentry"

# PostgreSQL keeps no statistics for the expressions of partial indexes, and without
# them guesses that 0.5 % of two million entries (10,000) typed a given username or
# are of a given kind of access. Guessing so many, it reads the whole trail newest first
# looking for a handful of failed logins (1.5 s). Statistics on the expressions
# themselves (PostgreSQL 14+) give it the real, tiny, counts. (The review screen also
# turns typed usernames into entry ids first, so it does not depend on them alone.)
STATISTICS = {
    "audit_login_tried_stat": "UPPER((additional_data ->> 'username'))",
    "audit_access_what_stat": "(additional_data ->> 'what')",
}


def _create_statistics(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, expression in STATISTICS.items():
        schema_editor.execute(
            f"CREATE STATISTICS IF NOT EXISTS {name} ON ({expression}) FROM {TABLE}"
        )
    schema_editor.execute(f"ANALYZE {TABLE}")


def _drop_statistics(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in STATISTICS:
        schema_editor.execute(f"DROP STATISTICS IF EXISTS {name}")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("sessions_app", "0005_report_indexes")]

    operations = [
        # No filter, a date range, and a site administrator's trail (each entry then
        # checked against its record).
        CreateIndexConcurrently("audit_time_idx", TABLE, "timestamp, id"),
        # Who: the accounts of the typed name.
        CreateIndexConcurrently("audit_actor_time_idx", TABLE, "actor_id, timestamp, id"),
        # Who: failed logins keep the typed username, compared in any case.
        CreateIndexConcurrently(
            "audit_login_tried_idx",
            TABLE,
            "UPPER((additional_data ->> 'username'))",
            where="(additional_data ->> 'username') IS NOT NULL",
        ),
        # Which record: a kind of record, or one record.
        CreateIndexConcurrently("audit_type_time_idx", TABLE, "content_type_id, timestamp, id"),
        CreateIndexConcurrently(
            "audit_record_time_idx", TABLE, "content_type_id, object_id, timestamp, id"
        ),
        # What: created, changed, deleted; or which kind of access (view, login, ...).
        CreateIndexConcurrently("audit_action_time_idx", TABLE, "action, timestamp, id"),
        CreateIndexConcurrently(
            "audit_access_time_idx",
            TABLE,
            "(additional_data ->> 'what'), timestamp, id",
            where="action = 3",
        ),
        migrations.RunPython(_create_statistics, _drop_statistics, elidable=False),
    ]
