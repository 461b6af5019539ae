import os

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from sessions_app.demo.scale import DEFAULT_PASSWORD, LOGINS, ScaleSeedError, scale_seed

# Rows in any of these mean the database is in use: seeding adds to nothing.
IN_USE = (
    "sessions_app_site",
    "sessions_app_user",
    "sessions_app_participant",
    "sessions_app_group",
    "sessions_app_session",
    "auditlog_logentry",
)


class Command(BaseCommand):
    help = (
        "Load a data set the size of a regional treatment network into an EMPTY, "
        "migrated PostgreSQL database, for benchmarks: at the defaults 22 sites, about "
        "300 staff, 800 weekly groups, 10,000 participants and two years of sessions, "
        "roll calls, notes, reflections, reminders and audit trail. Other sizes follow "
        "--participants and --years in proportion. It refuses a database that has any "
        "data (create a new one) and, unless --force, runs only with DEBUG on: the "
        "scale-* logins share one known password."
    )

    def add_arguments(self, parser):
        parser.add_argument("--participants", type=int, default=10_000, help="default 10000")
        parser.add_argument("--years", type=float, default=2, help="years of history, default 2")
        parser.add_argument("--seed", type=int, default=1, help="random seed, default 1")
        parser.add_argument(
            "--password",
            default=DEFAULT_PASSWORD,
            help=f"password of the scale-* logins, default {DEFAULT_PASSWORD}",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Seed even with DEBUG off (the scale logins share a published password).",
        )

    def handle(self, *args, **options) -> None:
        self._refuse_unless_safe(options)
        try:
            result = scale_seed(
                participants=options["participants"],
                years=options["years"],
                seed=options["seed"],
                password=options["password"],
                progress=lambda line: (
                    self.stdout.write(f"  {line}") if options["verbosity"] > 1 else None
                ),
            )
        except ScaleSeedError as exc:
            raise CommandError(f"seed_scale wrote nothing: {exc}") from exc
        if os.environ.get("SCALE_SEED_MARKER") == "1":
            # Tells readers of a shared benchmark database that seeding finished.
            with connection.cursor() as cursor:
                cursor.execute("CREATE TABLE IF NOT EXISTS scale_seed_done (at timestamptz)")
                cursor.execute("INSERT INTO scale_seed_done VALUES (now())")
        self.stdout.write(self.style.SUCCESS(f"Scale data ready in {result.seconds:.0f} s:"))
        for table, count in sorted(result.counts.items()):
            self.stdout.write(f"  {table:<46} {count:>10,}")
        self.stdout.write(f"Logins (password {options['password']}):")
        for username, what in LOGINS:
            self.stdout.write(f"  {username:<18} {what}")

    def _refuse_unless_safe(self, options) -> None:
        if connection.vendor != "postgresql":
            raise CommandError(
                f"seed_scale loads with PostgreSQL's COPY; this database is "
                f"{connection.vendor} (set DATABASE_URL to an empty PostgreSQL database)"
            )
        # The scale logins share a published password: one slip onto a real server
        # must not open it up.
        if not settings.DEBUG and not options["force"]:
            raise CommandError(
                "seed_scale adds logins with a known password; refusing with DEBUG off "
                "(use --force to override)"
            )
        if options["participants"] < 20 or options["years"] <= 0:
            raise CommandError("seed_scale needs --participants of at least 20 and --years above 0")
        with connection.cursor() as cursor:
            for table in IN_USE:
                cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {table})")  # noqa: S608 - IN_USE
                if cursor.fetchone()[0]:
                    raise CommandError(
                        f"seed_scale needs an empty database and {table} has rows; "
                        "create a new database, migrate it and run seed_scale there"
                    )
