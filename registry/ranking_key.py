"""The worker's ranking key and its copies on the worker–trade rows.

Candidate ranking (`matching.ranking`) asks "workers of this trade in this county (or
market), hardship first, longest waiting next". `WorkerTrade` rows carry a copy of the
worker's `RANKING_KEY_COLUMNS` so that is one walk of one index. The copy is written when
a trade row is created (`Worker.set_trades` / `add_trades`), by `Worker.save`, and by
`sync_ranking_keys` after the set-based updates of the worker (a confirmed match, the
nightly tier refresh), which also repairs any row that drifted.

The guard: `Worker.objects` is a `RankingKeyQuerySet`, whose `update()` refuses to write
a ranking-key column outside a `ranking_keys_synced(...)` block (which re-syncs the copies
in the same transaction when it ends), and whose `bulk_update()` re-syncs the objects it
wrote. So a set-based write cannot leave the copies behind by forgetting a call:

    with ranking_keys_synced([worker.pk]):
        Worker.objects.filter(pk=worker.pk).update(priority_tier=Tier.FIRST)
"""

from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import connection, models, transaction

# The worker's columns that `WorkerTrade` copies (candidate ranking's filter and order);
# attribute and column names are the same.
RANKING_KEY_COLUMNS = ("county_id", "registered_market_id", "priority_tier", "waiting_since")


def sync_ranking_keys(worker_ids=None):
    """Copy the ranking key onto the trade rows that differ from their worker's (all, or `worker_ids`).

    From the stored worker rows, not from any object in memory. `Worker.save` calls it
    for the saved worker; the set-based updates of `priority_tier` / `waiting_since`
    (`services.worker_confirmed_match`, `services.refresh_worker_tiers`) call it after.
    One UPDATE … FROM (PostgreSQL, and SQLite ≥ 3.33), which the ORM cannot express: a
    join, where a per-column subquery would probe the worker four times per row.
    Returns the number of trade rows changed.
    """
    worker_table = apps.get_model("registry", "Worker")._meta.db_table
    trade_table = apps.get_model("registry", "WorkerTrade")._meta.db_table
    sets = ", ".join(f"{column} = w.{column}" for column in RANKING_KEY_COLUMNS)
    differs = " OR ".join(f"wt.{column} <> w.{column}" for column in RANKING_KEY_COLUMNS)
    sql = f"UPDATE {trade_table} AS wt SET {sets} FROM {worker_table} AS w WHERE w.id = wt.worker_id AND ({differs})"
    params = []
    if worker_ids is not None:
        worker_ids = [int(pk) for pk in worker_ids]
        if not worker_ids:
            return 0
        sql += f" AND wt.worker_id IN ({', '.join(['%s'] * len(worker_ids))})"
        params = worker_ids
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


class RankingKeyWriteError(RuntimeError):
    """A set-based write of the worker's ranking key outside `ranking_keys_synced`."""


# True inside a `ranking_keys_synced` block: the block re-syncs when it ends.
_SYNC_PENDING = ContextVar("registry_ranking_key_sync_pending", default=False)


@dataclass
class SyncResult:
    rows: int | None = None  # trade rows the closing sync changed


@contextmanager
def ranking_keys_synced(worker_ids=None):
    """Allow set-based writes of the ranking key; re-sync the copies (all, or `worker_ids`) at the end.

    Update and sync run in one transaction (the caller's, or one of their own); without
    a savepoint, so the block adds no query. `worker_ids` is read when the block ends.
    Yields a `SyncResult` whose `rows` says how many trade rows the sync changed.
    """
    result = SyncResult()
    with transaction.atomic(savepoint=False):
        token = _SYNC_PENDING.set(True)
        try:
            yield result
        finally:
            _SYNC_PENDING.reset(token)
        result.rows = sync_ranking_keys(worker_ids)


def _ranking_key_columns(model, names):
    """The ranking-key columns among the field names (`county` or `county_id` alike)."""
    touched = []
    for name in names:
        try:
            attname = model._meta.get_field(name).attname
        except FieldDoesNotExist:
            continue  # Django's own error follows
        if attname in RANKING_KEY_COLUMNS:
            touched.append(attname)
    return touched


class RankingKeyQuerySet(models.QuerySet):
    """The worker queryset: no set-based write leaves the trade rows' copies of the key behind."""

    def update(self, **kwargs):
        touched = _ranking_key_columns(self.model, kwargs)
        if touched and not _SYNC_PENDING.get():
            raise RankingKeyWriteError(
                f"{self.model.__name__}.objects.update() of {', '.join(touched)} would leave the copies on "
                "the worker-trade rows stale: run it inside registry.ranking_key.ranking_keys_synced(worker_ids), "
                "or save the worker."
            )
        return super().update(**kwargs)

    def bulk_update(self, objs, fields, batch_size=None):
        """As Django's, and the copies of the objects written follow when a ranking-key column is among `fields`."""
        if not _ranking_key_columns(self.model, fields):
            return super().bulk_update(objs, fields, batch_size=batch_size)
        objs = list(objs)
        with ranking_keys_synced([obj.pk for obj in objs]):
            return super().bulk_update(objs, fields, batch_size=batch_size)
