"""The worker's ranking key and its copies on the worker–trade rows.

Candidate ranking (`matching.ranking`) asks "workers of this trade in this county (or
market), hardship first, longest waiting next". `WorkerTrade` rows carry a copy of the
worker's `RANKING_KEY_COLUMNS` so that is one walk of one index. The copy is written when
a trade row is created (`Worker.set_trades` / `add_trades`), by `Worker.save`, and by
`sync_ranking_keys` after the set-based updates of the worker (a confirmed match, the
nightly tier refresh), which also repairs any row that drifted.
"""

from django.apps import apps
from django.db import connection

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
