"""The audit trail is append-only: PostgreSQL refuses UPDATE and DELETE on its table.

Neither the app nor its admin changes or deletes an audit entry; this makes sure nothing
else that connects as the app's database user can either (a bug, a shell, a stray
script). TRUNCATE is left to the database owner, as test runners need it to empty
tables between tests. SQLite, the zero-setup demo database, gets no trigger.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION refrain_audit_log_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit log entries cannot be changed or deleted (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS refrain_audit_log_append_only ON auditlog_logentry;
CREATE TRIGGER refrain_audit_log_append_only
    BEFORE UPDATE OR DELETE ON auditlog_logentry
    FOR EACH ROW EXECUTE FUNCTION refrain_audit_log_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS refrain_audit_log_append_only ON auditlog_logentry;
DROP FUNCTION IF EXISTS refrain_audit_log_append_only();
"""


def _run(sql: str):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("sessions_app", "0003_reminders_reflections_lullaby_consent"),
        ("auditlog", "0017_add_actor_email"),
    ]

    operations = [migrations.RunPython(_run(CREATE), _run(DROP), elidable=False)]
