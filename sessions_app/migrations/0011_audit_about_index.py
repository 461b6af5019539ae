"""An index of the `about` of page entries, for the audit filter's record kinds.

The filter's "Session note" finds the note's own changes and the pages about notes,
which name the session they are reached from (audit.ABOUT_KINDS): one kind of record
OR'ed with pages of some `about`s. Where such entries are many, PostgreSQL reads the
trail newest first and stops at a full screen; where they are few (reflections,
enrolments), it needs this index and the statistics below to find them, or it reads
the whole trail looking for them (a quarter of a second at 400,000 entries, seconds
at a few million).
"""

from django.db import migrations

from sessions_app.migration_ops import CreateIndexConcurrently

TABLE = "auditlog_logentry"
STATISTICS = {"audit_access_about_stat": "(additional_data ->> 'about')"}


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

    dependencies = [("sessions_app", "0010_access_review")]

    operations = [
        CreateIndexConcurrently(
            "audit_access_about_idx",
            TABLE,
            "(additional_data ->> 'about'), timestamp, id",
            where="action = 3 AND (additional_data ->> 'about') IS NOT NULL",
        ),
        migrations.RunPython(_create_statistics, _drop_statistics, elidable=False),
    ]
