"""Indexes for the audit trail's filters, built without locking busy tables.

The review screen reads the trail newest first, a screen at a time, by position in
(timestamp, id) order (selectors/audit.py). Each index below lets one filter read its
entries in that order and stop when the screen is full; auditlog's own single-column
indexes could find the entries but then had to sort all of them.
"""

from django.db import migrations

from sessions_app.migration_ops import CreateIndexConcurrently

TABLE = "auditlog_logentry"


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
    ]
