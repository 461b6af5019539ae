"""Bulk loading into PostgreSQL with COPY: rows go in as fast as the server takes them.

Ids are assigned by the builder (so rows can name each other before any is written) and
each table's identity sequence is moved past them at the end.
"""

import time
from collections.abc import Iterable, Sequence

from django.apps import apps
from django.db import connection
from django.db.models import ForeignKey, Model


class Loader:
    """Writes rows with COPY on Django's connection, inside the caller's transaction,
    and remembers how many rows went into each table and how long it took."""

    def __init__(self, *, progress=None, big: Iterable[str] = ()) -> None:
        self.counts: dict[str, int] = {}
        # Tables whose plain indexes are built after loading rather than row by row.
        self.big = set(big)
        self.progress = progress or (lambda line: None)
        self._cursor = connection.cursor()

    def copy(self, table: str, columns: Sequence[str], rows: Iterable[Sequence]) -> int:
        """COPY the rows into the table. For a `big` table its plain indexes are dropped
        first and built again after: one sorted build is several times faster than
        updating them row by row (unique ones are checked again as they are built)."""
        started = time.monotonic()
        count = 0
        # Quoted: some column names are SQL keywords ("when").
        quoted = ", ".join(f'"{column}"' for column in columns)
        sql = f"COPY {table} ({quoted}) FROM STDIN"
        indexes = self._drop_indexes(table) if table in self.big else []
        with self._cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row(row)
                count += 1
        for definition in indexes:
            self.execute(definition)
        self.counts[table] = self.counts.get(table, 0) + count
        self.progress(f"{table}: {count:,} rows in {time.monotonic() - started:.1f} s")
        return count

    def _drop_indexes(self, table: str) -> list[str]:
        """Drop the table's indexes that back no constraint (primary key, unique
        constraint); return the statements that build them again."""
        found = self.execute(
            "SELECT c.relname, pg_get_indexdef(x.indexrelid) FROM pg_index x "
            "JOIN pg_class c ON c.oid = x.indexrelid "
            "WHERE x.indrelid = %s::regclass "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = x.indexrelid)",
            [table],
        )
        for name, _ in found:
            self.execute(f'DROP INDEX "{name}"')
        return [definition for _, definition in found]

    def execute(self, sql: str, params: Sequence | None = None) -> list[tuple]:
        self._cursor.execute(sql, params)
        return self._cursor.fetchall() if self._cursor.description else []

    def reset_sequences(self) -> None:
        """Move every loaded table's id sequence past the ids written here, so the app's
        own inserts continue after them."""
        for table in self.counts:
            self.execute(
                f"SELECT setval(pg_get_serial_sequence(%s, 'id'), "  # noqa: S608 - our table names
                f"COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)",
                [table],
            )


def skip_foreign_key_triggers(loader: Loader) -> bool:
    """Turn off the foreign-key triggers for this transaction, when allowed (superuser).

    Checking millions of deferred references one by one at commit costs minutes and
    queues every row in memory; `dangling_references` checks them all afterwards in a
    few set-based queries instead. Unique and check constraints still apply row by row.
    """
    (is_super,) = loader.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")[0]
    if is_super:
        loader.execute("SET LOCAL session_replication_role = replica")
    return bool(is_super)


def dangling_references(loader: Loader) -> list[str]:
    """Every foreign key of the loaded tables whose value names no row, as
    "table.column: N rows"; empty when all is well."""
    problems = []
    for model in _loaded_models(loader.counts):
        for field in model._meta.concrete_fields:
            if not isinstance(field, ForeignKey):
                continue
            table, column = model._meta.db_table, field.column
            target = field.related_model._meta.db_table
            target_column = field.target_field.column
            (missing,) = loader.execute(
                f"SELECT COUNT(*) FROM {table} t WHERE t.{column} IS NOT NULL AND NOT EXISTS "  # noqa: S608 - model metadata
                f"(SELECT 1 FROM {target} r WHERE r.{target_column} = t.{column})"
            )[0]
            if missing:
                problems.append(f"{table}.{column}: {missing} rows")
    return problems


def _loaded_models(counts: dict[str, int]) -> list[type[Model]]:
    by_table = {}
    for model in apps.get_models(include_auto_created=True):
        if not model._meta.proxy and model._meta.managed:
            by_table[model._meta.db_table] = model
    return [by_table[table] for table in counts if table in by_table]
