"""The benchmark's own PostgreSQL database: built from seed_scale, copied from a
template, or kept from an earlier run, and dropped afterwards unless kept."""

import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg

REPO = Path(__file__).resolve().parent.parent
# A table of the benchmark's own, written when seeding finished: --reuse trusts a
# database only if it has one naming the same size.
MARKER = "bench_seeded"
_READ = f"SELECT participants, years, seed FROM {MARKER}"  # noqa: S608 - a constant
_WRITE = f"INSERT INTO {MARKER} VALUES (%s, %s, %s)"  # noqa: S608 - a constant


@dataclass(frozen=True)
class Size:
    participants: int
    years: int
    seed: int


@dataclass(frozen=True)
class Database:
    name: str
    url: str
    admin_url: str  # the server's maintenance database, to create and drop ours

    @classmethod
    def on_server_of(cls, server_url: str, name: str) -> "Database":
        parts = urlsplit(server_url)
        if parts.scheme not in ("postgres", "postgresql"):
            raise SystemExit("bench: DATABASE_URL must be PostgreSQL")
        return cls(
            name=name,
            url=urlunsplit(parts._replace(path=f"/{name}")),
            admin_url=urlunsplit(parts._replace(path="/postgres")),
        )

    def _admin(self, sql: str) -> None:
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(sql)

    def exists(self) -> bool:
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            row = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [self.name])
            return row.fetchone() is not None

    def seeded_with(self) -> Size | None:
        if not self.exists():
            return None
        with psycopg.connect(self.url) as conn:
            found = conn.execute("SELECT to_regclass(%s) IS NOT NULL", [MARKER]).fetchone()
            if not found[0]:
                return None
            row = conn.execute(_READ).fetchone()
            return Size(*row) if row else None

    def create(self) -> None:
        self.drop()
        self._admin(f'CREATE DATABASE "{self.name}"')

    def copy_of(self, template: str, *, wait_seconds: int = 300) -> None:
        """CREATE DATABASE … TEMPLATE needs nobody connected to the template: retry while
        someone is."""
        self.drop()
        deadline = time.monotonic() + wait_seconds
        while True:
            try:
                self._admin(f'CREATE DATABASE "{self.name}" TEMPLATE "{template}"')
                return
            except psycopg.errors.ObjectInUse:
                if time.monotonic() > deadline:
                    raise SystemExit(
                        f"bench: {template} stayed in use for {wait_seconds} s; cannot copy it"
                    ) from None
                print(f"bench: {template} is in use; waiting to copy it", flush=True)
                time.sleep(5)

    def drop(self) -> None:
        self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')

    def mark_seeded(self, size: Size) -> None:
        with psycopg.connect(self.url, autocommit=True) as conn:
            conn.execute(f"DROP TABLE IF EXISTS {MARKER}")
            conn.execute(f"CREATE TABLE {MARKER} (participants int, years int, seed int)")
            conn.execute(_WRITE, [size.participants, size.years, size.seed])


def manage(env: dict, *args: str) -> None:
    """Run manage.py in the benchmark's environment; its output goes to the console."""
    subprocess.run([sys.executable, "manage.py", *args], cwd=REPO, env=env, check=True)
