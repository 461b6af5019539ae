from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from sessions_app.demo.cast import DEMO_PASSWORD, demo_login_lines
from sessions_app.demo.seed import demo_seed


class Command(BaseCommand):
    help = (
        "Create or top up a realistic demo data set (sites, staff, participants, groups, "
        "sessions, songs) with the demo logins admin, therapist and participant. "
        "Safe to run again."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Seed even with DEBUG off (the demo logins share a published password).",
        )

    def handle(self, *args, force: bool = False, **options) -> None:
        # The demo logins share a published password: one slip onto a real server must
        # not open it up.
        if not settings.DEBUG and not force:
            raise CommandError(
                "seed_demo adds demo logins with a known password; refusing with DEBUG off "
                "(use --force to override)"
            )
        summary = demo_seed()
        self.stdout.write(self.style.SUCCESS("Demo data ready:"))
        for line in summary.lines():
            self.stdout.write(f"  {line}")
        self.stdout.write(f"Demo logins (password {DEMO_PASSWORD}):")
        for line in demo_login_lines():
            self.stdout.write(f"  {line}")
