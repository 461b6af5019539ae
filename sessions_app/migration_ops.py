"""Migration operations that build indexes without locking a busy table.

On PostgreSQL an index is built with CREATE INDEX CONCURRENTLY, so writes to a table of a
million rows go on while it builds; elsewhere (SQLite for `make run`) plainly. Migrations
using these set `atomic = False`: CONCURRENTLY cannot run inside a transaction.
"""

from django.db.migrations.operations import AddIndex, RunSQL


def _postgres(schema_editor) -> bool:
    return schema_editor.connection.vendor == "postgresql"


class AddIndexConcurrently(AddIndex):
    """AddIndex that builds CONCURRENTLY on PostgreSQL and plainly elsewhere."""

    atomic = False

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        model = to_state.apps.get_model(app_label, self.model_name)
        if not self.allow_migrate_model(schema_editor.connection.alias, model):
            return
        if _postgres(schema_editor):
            schema_editor.add_index(model, self.index, concurrently=True)
        else:
            schema_editor.add_index(model, self.index)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        model = from_state.apps.get_model(app_label, self.model_name)
        if not self.allow_migrate_model(schema_editor.connection.alias, model):
            return
        if _postgres(schema_editor):
            schema_editor.remove_index(model, self.index, concurrently=True)
        else:
            schema_editor.remove_index(model, self.index)


class CreateIndexConcurrently(RunSQL):
    """An index on a table whose model is not ours (django-auditlog's LogEntry).

    `columns` is the SQL inside the parentheses, `where` an optional partial-index
    condition. IF NOT EXISTS makes a rerun after an interrupted build harmless.
    """

    atomic = False

    def __init__(self, name: str, table: str, columns: str, where: str = "") -> None:
        self.name, self.table, self.columns, self.where = name, table, columns, where
        super().__init__(sql=RunSQL.noop, reverse_sql=RunSQL.noop)

    def deconstruct(self):
        kwargs = {"name": self.name, "table": self.table, "columns": self.columns}
        if self.where:
            kwargs["where"] = self.where
        return (self.__class__.__qualname__, [], kwargs)

    def describe(self) -> str:
        return f"Create index {self.name} on {self.table} ({self.columns})"

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        concurrently = "CONCURRENTLY " if _postgres(schema_editor) else ""
        where = f" WHERE {self.where}" if self.where else ""
        schema_editor.execute(
            f"CREATE INDEX {concurrently}IF NOT EXISTS {self.name} "
            f"ON {self.table} ({self.columns}){where}"
        )

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        concurrently = "CONCURRENTLY " if _postgres(schema_editor) else ""
        schema_editor.execute(f"DROP INDEX {concurrently}IF EXISTS {self.name}")
