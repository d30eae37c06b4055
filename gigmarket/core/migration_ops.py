"""Migration operations shared by the apps' migrations."""

from django.db import migrations


class RunSQLOnPostgreSQL(migrations.operations.base.Operation):
    """SQL that only PostgreSQL runs (expression and GiST indexes, statistics, ANALYZE).

    Other databases (SQLite for the local run and tests) skip it: these are speed-ups,
    never part of the schema the models describe.
    """

    reversible = True

    def __init__(self, forward, backward=(), *, description=""):
        self.forward = [forward] if isinstance(forward, str) else list(forward)
        self.backward = [backward] if isinstance(backward, str) else list(backward)
        self.description = description

    def deconstruct(self):
        return (self.__class__.__qualname__, [self.forward, self.backward], {"description": self.description})

    def state_forwards(self, app_label, state):
        pass

    def _run(self, schema_editor, statements):
        if schema_editor.connection.vendor == "postgresql":
            for sql in statements:
                schema_editor.execute(sql)

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        self._run(schema_editor, self.forward)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        self._run(schema_editor, self.backward)

    def describe(self):
        return self.description or "Run SQL on PostgreSQL"
