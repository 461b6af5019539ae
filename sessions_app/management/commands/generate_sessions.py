from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from sessions_app.services.schedule import sessions_generate_ahead


class Command(BaseCommand):
    help = (
        "Create the sessions of every running group's weekly schedule ahead of time "
        "(the daily beat task does the same). Safe to run again: only missing slots "
        "are filled; skipped, cancelled and moved sessions stay as they are."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--weeks",
            type=int,
            default=None,
            help=f"How many weeks ahead (default {settings.SESSIONS_GENERATE_WEEKS_AHEAD}, "
            "from SESSIONS_GENERATE_WEEKS_AHEAD).",
        )

    def handle(self, *args, weeks: int | None = None, **options) -> None:
        if weeks is not None and weeks < 0:
            raise CommandError("--weeks must be 0 or more")
        summary = sessions_generate_ahead(weeks=weeks)
        self.stdout.write(
            f"{summary.created} session{'s' if summary.created != 1 else ''} created "
            f"for {summary.groups} group{'s' if summary.groups != 1 else ''}"
            + (f"; {summary.skipped} slot(s) skipped for a DST change" if summary.skipped else "")
        )
        if summary.failed:
            ids = ", ".join(str(pk) for pk in summary.failed)
            raise CommandError(f"generating sessions failed for group(s) {ids}; see the log")
