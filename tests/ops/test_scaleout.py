"""The scale-out on real parts: ops/scaleout.py starts a streaming replica and two web nodes."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.postgres
@pytest.mark.skipif(os.geteuid() != 0, reason="starts a PostgreSQL server as the postgres user: needs root")
@pytest.mark.skipif(shutil.which("pg_basebackup") is None, reason="needs pg_basebackup")
def test_reads_reach_the_replica_writes_the_primary_and_reads_survive_the_replica_stopping():
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env["REDIS_URL"] = "redis://127.0.0.1:6379/14"
    result = subprocess.run(
        [sys.executable, "ops/scaleout.py", "--allow-replication"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    for proof in (
        "名录 read from the paused replica",
        "the row is on the primary and not yet on the paused replica",
        "the writer's next page (a replica view) shows its own write",
        "another browser, that did not write, reads the paused replica",
        "with the replica stopped the 名录 is served (from the primary)",
    ):
        assert f"OK  {proof}" in result.stdout
