"""Indexes for everyday pages (home, session, roll call, notes, songs, participants' pages)."""

from django.db import migrations


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("sessions_app", "0007_reminder_indexes")]

    operations = []
