"""Tell PostgreSQL's planner that a worker's registering market determines their county.

Without it the planner multiplies the selectivities of `registered_market_id = M` and
`county_id = C` (a county clerk's scope) as if independent, underestimates the market's
workers tenfold and sorts them all instead of reading the (market, tier, …) index in
order. Extended statistics exist only on PostgreSQL; other databases skip this.
"""

from django.db import migrations

NAME = "registry_worker_market_county"


class CreateDependencyStatistics(migrations.operations.base.Operation):
    reversible = True

    def state_forwards(self, app_label, state):
        pass

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(
                f"CREATE STATISTICS IF NOT EXISTS {NAME} (dependencies) "
                "ON registered_market_id, county_id FROM registry_worker"
            )
            schema_editor.execute("ANALYZE registry_worker")

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"DROP STATISTICS IF EXISTS {NAME}")

    def describe(self):
        return "Create dependency statistics on registry_worker (registered_market_id, county_id)"


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0004_worker_tier_indexes"),
    ]

    operations = [CreateDependencyStatistics()]
