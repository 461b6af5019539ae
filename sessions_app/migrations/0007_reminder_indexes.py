"""Indexes for the reminder outbox and everyday pages, built without locking busy tables."""

from django.db import migrations, models

from sessions_app.migration_ops import AddIndexConcurrently


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("sessions_app", "0006_audit_indexes")]

    operations = [
        AddIndexConcurrently(
            model_name="reminder",
            index=models.Index(
                models.OrderBy(models.F("updated_at"), descending=True),
                models.OrderBy(models.F("id"), descending=True),
                condition=models.Q(("status__in", ["failed", "interrupted"])),
                name="reminder_trouble_recent",
            ),
        ),
    ]
