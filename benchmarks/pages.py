"""`make bench`: every page of every role, timed at full size against two floors.

    .venv/bin/python -m benchmarks.pages [--participants 10000] [--years 2] [--seed 1]
        [--keep | --reuse] [--from-template refrain_scale] [--only PATTERN]
        [--repeat 7] [--seconds 3] [--reminders-count 10000] [--no-reminders]

1. Database: a throw-away PostgreSQL database (`refrain_bench_pages` on the server of
   DATABASE_URL), migrated and filled by `manage.py seed_scale`; or a copy of an existing
   scale database (--from-template); or the one an earlier --keep run left (--reuse).
2. Server: gunicorn, 2 sync workers, DEBUG off, settings `benchmarks.settings` (the app's
   own plus the two floor pages and a query-count header).
3. Pages: each role logs in through the login form; every page is opened as that role:
   status, SQL queries, the median of single requests after a warm-up, and throughput
   under wrk with 4 connections, each also as a ratio to the two floors measured in the
   same run (a trivial login-required page and a 50-row page in the app's layout).
4. Reports: the page's SQL time (from a response header) ÷ the time of the hand-written
   SQL of benchmarks/report_sql.py giving the same numbers, the target; and the whole
   page's time ÷ that SQL, which adds what Django does around it.
5. Reminders: benchmarks/reminders.py's send rate ÷ its no-op task rate.
6. One table with a verdict per row, printed and written to var/bench/<time>.md.

Exits non-zero only when a page answers other than 200 (or the run cannot be made).
Everything it starts is stopped, and the database dropped unless --keep/--reuse, also on
Ctrl-C.
"""

import argparse
import fnmatch
import math
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from benchmarks import against_sql, client, server  # noqa: E402
from benchmarks.database import Database, Size, manage  # noqa: E402
from benchmarks.table import Row, markdown, mean_of  # noqa: E402

DEFAULT_SERVER = "postgres://postgres@127.0.0.1:5432/refrain"
# The benchmark's own Redis database: beat does not run, but the app connects on start-up.
REDIS_URL = "redis://127.0.0.1:6379/10"
# The lines of benchmarks/reminders.py's output that carry the two rates.
RATE_LINES = ("reminders", "no-op")
TRIVIAL, ROWS = "floor: trivial", "floor: 50 rows"
FLOORS_EVERY = 10  # pages between two measurements of the floors


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    size = parser.add_argument_group("data set (seed_scale)")
    size.add_argument("--participants", type=int, default=10_000)
    size.add_argument("--years", type=int, default=2)
    size.add_argument("--seed", type=int, default=1)
    size.add_argument("--password", default="refrain-scale")
    db = parser.add_argument_group("database")
    # Not `refrain_bench`: benchmarks/reminders.py, run on its own, drops `<name>_bench`.
    db.add_argument("--db-name", default="refrain_bench_pages")
    db.add_argument("--keep", action="store_true", help="keep the database after the run")
    db.add_argument(
        "--reuse",
        action="store_true",
        help="use the database a --keep run left when it has the same size (implies --keep)",
    )
    db.add_argument(
        "--from-template",
        metavar="DB",
        help="copy this scale database instead of seeding (nobody may be connected to it)",
    )
    run = parser.add_argument_group("measurement")
    run.add_argument("--only", metavar="PATTERN", help="pages whose label matches (glob)")
    run.add_argument("--repeat", type=int, default=7, help="single requests per page")
    run.add_argument("--seconds", type=int, default=3, help="wrk duration per page")
    run.add_argument("--reminders-count", type=int, default=10_000)
    run.add_argument("--no-reminders", action="store_true")
    args = parser.parse_args(argv)
    args.keep = args.keep or args.reuse
    return args


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    _ensure_wrk()
    # Stop and clean up on Ctrl-C or a kill, also when started where SIGINT is ignored
    # (a background job of a script).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _interrupt)
    database = Database.on_server_of(os.environ.get("DATABASE_URL") or DEFAULT_SERVER, args.db_name)
    tmp = Path(tempfile.mkdtemp(prefix="refrain-bench-"))
    env = server.environment(database_url=database.url, redis_url=REDIS_URL, tmp=tmp)
    try:
        prepare_database(args, database, env)
        os.environ.update(env)
        rows, errors = measure_pages(args, env, tmp)
        if _wanted(args, "reminders"):
            rows.append(measure_reminders(args))
        report(rows)
        if errors:
            print(
                f"bench: FAILED: {len(errors)} pages answered other than 200: " + "; ".join(errors)
            )
            return 1
        return 0
    finally:
        _close_connections()
        if not args.keep:
            database.drop()
        shutil.rmtree(tmp, ignore_errors=True)


# --- 1. Database ------------------------------------------------------------------------------


def prepare_database(args: argparse.Namespace, database: Database, env: dict) -> None:
    size = Size(args.participants, args.years, args.seed)
    seed_env = {**env, "DEBUG": "1"}  # seed_scale refuses to run with DEBUG off
    if args.reuse and database.seeded_with() == size:
        print(f"bench: reusing {database.name} ({size})", flush=True)
        manage(seed_env, "migrate", "--noinput", "-v0")  # indexes added since
        return
    if args.from_template:
        print(f"bench: copying {args.from_template} into {database.name}", flush=True)
        database.copy_of(args.from_template)
        manage(seed_env, "migrate", "--noinput", "-v0")
        # Taken to be seeded with the size options given (the defaults, for refrain_scale).
        database.mark_seeded(size)
        return
    print(f"bench: building {database.name} with seed_scale ({size})", flush=True)
    database.create()
    manage(seed_env, "migrate", "--noinput", "-v0")
    manage(
        seed_env,
        "seed_scale",
        "-v2",
        f"--participants={size.participants}",
        f"--years={size.years}",
        f"--seed={size.seed}",
        f"--password={args.password}",
    )
    database.mark_seeded(size)


# --- 2 and 3. Server and pages ----------------------------------------------------------------


def measure_pages(args: argparse.Namespace, env: dict, tmp: Path) -> tuple[list[Row], list[str]]:
    import django

    django.setup()
    from django.utils import timezone

    from benchmarks import catalogue

    picks = catalogue.pick()
    catalogue.ensure_feed_tokens(picks)
    catalogue.ensure_treatment_record(picks)
    pages = catalogue.pages(picks, today=timezone.localdate())
    chosen = [p for p in pages if _wanted(args, p.label)]
    _print_coverage(pages)

    with server.gunicorn(env, tmp) as port:
        http = client.Client(server.HOST, port)
        cookies = {role: http.login(name, args.password) for role, name in catalogue.LOGINS.items()}
        cookies[catalogue.ANONYMOUS] = ""
        link = catalogue.link_session_path(picks)
        if link:
            cookies[catalogue.LINK_SESSION] = http.link_session(link)
        base = f"http://{server.HOST}:{port}"

        def measure(label: str, role: str, path: str, everyday: bool = False) -> Row:
            answer, seconds, sql_seconds = http.latency(path, cookies[role], args.repeat)
            row = Row(label, role, answer.status, answer.queries, seconds, everyday=everyday)
            row.sql_seconds = sql_seconds
            if answer.status == 200:
                # Long enough for a slow page to answer a few times under load too.
                duration = min(30, max(args.seconds, math.ceil(seconds * 6)))
                load = client.wrk(base + path, cookies[role], seconds=duration)
                row.rate = load.rate
                if load.bad:
                    row.notes.append(f"{load.bad} bad answers under load")
            elif answer.location:
                row.notes.append(f"→ {answer.location}")
            rate = f"{row.rate:8.1f} req/s" if row.rate is not None else ""
            print(
                f"  {label:<44} {answer.status} {answer.queries or 0:3d} q "
                f"{seconds * 1000:8.1f} ms {rate}",
                flush=True,
            )
            return row

        def floors(when: str) -> list[Row]:
            return [
                measure(f"{TRIVIAL} ({when})", "therapist", "/bench/floor/trivial/"),
                measure(f"{ROWS} ({when})", "therapist", "/bench/floor/rows/"),
            ]

        # The machine's other load drifts during a run: the floors are measured again
        # after every few pages, and each page is compared with the floors around it.
        before = floors("first")
        rows, block = list(before), []
        for done, page in enumerate(chosen, 1):
            row = measure(page.label, page.role, page.path, page.everyday)
            if page.sql:
                row.reference_kind = "sql"
                sql = against_sql.sql_seconds(page.sql, page.sql_params, repeat=args.repeat)
                if sql:
                    row.page_reference = row.seconds / sql
                    if row.sql_seconds is not None:
                        row.reference = row.sql_seconds / sql
            rows.append(row)
            block.append(row)
            if done % FLOORS_EVERY == 0 or done == len(chosen):
                after = floors(f"after {done}")
                local = (mean_of([before[0], after[0]]), mean_of([before[1], after[1]]))
                for measured in block:
                    measured.floors = local
                rows += after
                before, block = after, []
    errors = [f"{r.page} answered {r.status}" for r in rows if r.status != 200]
    if any(r.status and r.status >= 500 for r in rows):
        print("bench: the server's log ends with:\n" + _tail(tmp / "gunicorn.log", 60))
    return rows, errors


def _print_coverage(pages) -> None:
    from benchmarks import catalogue

    missing, skipped = catalogue.not_measured(pages)
    print(f"bench: {len(pages)} page rows; GET pages not measured: {', '.join(missing) or 'none'}")
    print("bench: left out on purpose: " + ", ".join(f"{n} ({why})" for n, why in skipped.items()))


# --- 5. Reminders ------------------------------------------------------------------------------


def measure_reminders(args: argparse.Namespace) -> Row:
    """Run benchmarks/reminders.py (its own database, Redis and worker) and read its rates."""
    row = Row("reminders: sends/s vs no-op tasks/s", "worker", reference_kind="no-op")
    if args.no_reminders:
        row.notes.append("not run (--no-reminders)")
        return row
    # reminders.py works in `<name>_bench`: give it a name that is not ours.
    parts = urlsplit(os.environ["DATABASE_URL"])
    env = {
        **os.environ,
        "DATABASE_URL": urlunsplit(parts._replace(path="/refrain_reminders")),
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    command = [sys.executable, "benchmarks/reminders.py", f"--count={args.reminders_count}"]
    print("bench: " + " ".join(command[1:]), flush=True)
    # Echoed as it comes (it runs for minutes), and kept to read the rates from.
    lines = []
    with subprocess.Popen(
        command, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    ) as child:
        for line in child.stdout:
            print("  " + line, end="", flush=True)
            lines.append(line)
    rates = reminder_rates("".join(lines))
    if child.returncode or rates is None:
        row.notes.append("reminders.py failed; see its output above")
        return row
    row.rate, noop = rates
    row.reference = row.rate / noop
    return row


def reminder_rates(output: str) -> tuple[float, float] | None:
    """(reminders sent per second, no-op tasks per second) from reminders.py's lines
    `reminders: … = 1,234/s` and `no-op: … = 2,345/s`."""
    found = [re.search(rf"^{name}:.*?=\s*([\d,.]+)/s", output, re.M) for name in RATE_LINES]
    if not all(found):
        return None
    sent, noop = (float(match[1].replace(",", "")) for match in found)
    return sent, noop


# --- 6. The table ------------------------------------------------------------------------------


def report(rows: list[Row]) -> None:
    # Floor rows themselves are compared with the mean of all their measurements.
    trivial = mean_of([r for r in rows if r.page.startswith(TRIVIAL)])
    floor = mean_of([r for r in rows if r.page.startswith(ROWS)])
    table = markdown(rows, trivial=trivial, floor=floor)
    out = REPO / "var" / "bench" / f"{datetime.now():%Y%m%d-%H%M%S}.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(table)
    print("\n" + table)
    print(f"bench: table written to {out.relative_to(REPO)}")


# --- Helpers -----------------------------------------------------------------------------------


def _tail(path: Path, lines: int) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def _wanted(args: argparse.Namespace, label: str) -> bool:
    return not args.only or fnmatch.fnmatch(label, args.only) or args.only in label


def _ensure_wrk() -> None:
    if shutil.which("wrk") is None:
        subprocess.run(["bash", str(REPO / "scripts" / "ensure-wrk.sh")], check=True)


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


def _close_connections() -> None:
    """Before dropping the database, which refuses while we hold a connection."""
    if "django.db" in sys.modules:
        from django.db import connections

        connections.close_all()


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except KeyboardInterrupt:
        print("bench: interrupted; cleaned up", file=sys.stderr)
        sys.exit(130)
    except subprocess.CalledProcessError as exc:
        print(f"bench: {' '.join(map(str, exc.cmd[:3]))} failed (exit {exc.returncode})")
        sys.exit(1)
