"""Scripts that measure; not tests. See README.md ("Reminders")."""
