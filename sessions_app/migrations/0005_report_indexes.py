"""Indexes for attendance reports and the slipping-away list, built without locking.

Both cover what the reports read from attendance, so PostgreSQL answers from the index
without visiting the table (index-only scans, checked with EXPLAIN on the full-size
data): by session, to count a period's attendance per status (a year at every site is
some 450,000 rows); by participant, to read the history of people who stopped coming,
and of the few people on a group's or a participant's report.
"""

from django.db import migrations, models

from sessions_app.migration_ops import AddIndexConcurrently


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("sessions_app", "0004_audit_log_append_only")]

    operations = [
        AddIndexConcurrently(
            model_name="attendance",
            index=models.Index(
                fields=["session"],
                include=["status", "participant", "id"],
                name="attendance_session_cover",
            ),
        ),
        AddIndexConcurrently(
            model_name="attendance",
            index=models.Index(
                fields=["participant"],
                include=["session", "status", "id"],
                name="attendance_participant_cover",
            ),
        ),
    ]
