"""Who was enrolled in a group over a period, from the index alone (the reports), built
without locking the enrollments."""

from django.db import migrations, models

from sessions_app.migration_ops import AddIndexConcurrently


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("sessions_app", "0018_languages")]

    operations = [
        AddIndexConcurrently(
            model_name="enrollment",
            index=models.Index(
                fields=["group", "start_date"],
                include=["end_date", "participant"],
                name="enrollment_group_period",
            ),
        ),
    ]
