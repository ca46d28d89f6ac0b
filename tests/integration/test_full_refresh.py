"""`run --local --full-refresh` on a merge target, on embedded Spark + Iceberg: after the
refresh the target equals a plain-Python model of every source row (latest record per key
by sequence, deletes applied), whatever was done to the target before."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from alur_compiler.api_local import RunOptions, run_local
from alur_compiler.cli import app

pytestmark = pytest.mark.spark

FILES = {
    "alur.yaml": """\
apiVersion: alur/v1
kind: Project
name: refreshtest
paths: [specs]
environments:
  dev:
    region: eu-west-1
    buckets: {lake: rt-dev-lake, artifacts: rt-dev-artifacts, landing: rt-dev-landing}
""",
    "specs/tables.yaml": """\
apiVersion: alur/v1
kind: Table
name: events_raw
layer: bronze
columns:
  - {name: id, type: int}
  - {name: name, type: string}
  - {name: seq, type: int}
  - {name: op, type: string}
---
apiVersion: alur/v1
kind: Table
name: items
layer: silver
primary_key: [id]
columns:
  - {name: id, type: int, nullable: false}
  - {name: name, type: string}
  - {name: seq, type: int, nullable: false}
  - {name: op, type: string}
checks:
  - {type: not_null, column: name, action: quarantine}
---
apiVersion: alur/v1
kind: Table
name: event_log
layer: silver
columns:
  - {name: id, type: int}
  - {name: seq, type: int}
""",
    "specs/jobs.yaml": """\
apiVersion: alur/v1
kind: Ingestion
name: ingest_events
target: events_raw
source_system: s
sources: [{path: events/, format: csv, options: {header: true}}]
---
apiVersion: alur/v1
kind: Pipeline
name: clean_items
target: items
sql: |
  SELECT id, name, seq, op FROM events_raw WHERE id IS NOT NULL AND seq IS NOT NULL
mode: merge
merge:
  keys: [id]
  sequence_by: seq
  delete_when: op = 'D'
incremental:
  source: events_raw
  watermark: _ingested_at
---
apiVersion: alur/v1
kind: Pipeline
name: log_events
target: event_log
sql: SELECT id, seq FROM events_raw
mode: append
incremental:
  source: events_raw
  watermark: _ingested_at
""",
}
BATCHES = [
    "id,name,seq,op\n1,a,1,U\n2,b,1,U\n3,c,1,U\n4,,1,U\n",
    "id,name,seq,op\n2,b2,2,U\n3,c,2,D\n1,a_old,0,U\n",  # update, delete, late older row
]
ITEMS = "glue_catalog.refreshtest_local_silver.items"


def model(batches: list[str]) -> dict[int, tuple[str, int]]:
    """Latest record per id by seq over every source row; a 'D' deletes; a NULL name is
    quarantined (never published)."""
    latest: dict[int, dict[str, str]] = {}
    for text in batches:
        for row in csv.DictReader(io.StringIO(text)):
            key = int(row["id"])
            if key not in latest or int(row["seq"]) > int(latest[key]["seq"]):
                latest[key] = row
    return {
        k: (r["name"], int(r["seq"])) for k, r in latest.items() if r["op"] != "D" and r["name"]
    }


def target(spark: Any) -> dict[int, tuple[str, int]]:
    return {r["id"]: (r["name"], r["seq"]) for r in spark.table(ITEMS).collect()}


def land(root: Path, i: int) -> None:
    folder = root / "data/landing/events"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"events_{i}.csv").write_text(BATCHES[i])


def test_full_refresh_rebuilds_a_merge_target(spark: Any, tmp_path: Path) -> None:
    root = tmp_path / "p"
    for rel, text in FILES.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    for i in range(len(BATCHES)):
        land(root, i)
        run = run_local(root, RunOptions(preview=0))
        problems = [d.message for d in run.diagnostics.errors]
        assert run.exit_code == 0, (problems, [(r.name, r.error) for r in run.results])
        if i == 0:  # refresh the append target on the same input as its first run
            refresh = RunOptions(select=["log_events"], preview=0, full_refresh=True)
            assert run_local(root, refresh).exit_code == 0
            assert sorted(log_rows(spark)) == source_rows(BATCHES[:1])  # not skipped, once
    expected = model(BATCHES)
    assert expected == {1: ("a", 1), 2: ("b2", 2)}  # the model itself, checked by hand
    assert target(spark) == expected
    # damage the target behind the job's back: a normal run has no new input to fix it
    spark.sql(f"DELETE FROM {ITEMS} WHERE id = 1")
    spark.sql(f"INSERT INTO {ITEMS} VALUES (99, 'stray', 7, 'U')")
    assert run_local(root, RunOptions(select=["clean_items"], preview=0)).exit_code == 0
    assert target(spark) != expected

    refused = CliRunner().invoke(app, ["run", "--local", str(root), "--full-refresh"])
    assert refused.exit_code == 2  # no terminal to answer the confirmation
    assert "add --yes" in refused.output
    assert target(spark) != expected  # nothing ran

    result = CliRunner().invoke(
        app, ["run", "--local", str(root), "-s", "clean_items", "--full-refresh", "--yes"]
    )
    assert result.exit_code == 0, result.output
    assert "rebuilds them from their sources: clean_items" in result.output
    assert target(spark) == expected
    quarantine = spark.table(ITEMS + "_quarantine").collect()
    assert [r["id"] for r in quarantine] == [4]  # once, not once per rebuild
    tombstones = spark.table(ITEMS + "__alur_tombstones").collect()
    assert [r["id"] for r in tombstones] == [3]  # kept: 3 stays deleted

    again = run_local(root, RunOptions(preview=0))  # no new input: nothing changes
    assert again.exit_code == 0
    assert target(spark) == expected
    assert sorted(log_rows(spark)) == source_rows(BATCHES)  # appended once per batch
    refresh = RunOptions(select=["log_events"], preview=0, full_refresh=True)
    assert run_local(root, refresh).exit_code == 0
    assert sorted(log_rows(spark)) == source_rows(BATCHES)  # rebuilt: each row once


def log_rows(spark: Any) -> list[tuple[int, int]]:
    log = "glue_catalog.refreshtest_local_silver.event_log"
    return [(r["id"], r["seq"]) for r in spark.table(log).collect()]


def source_rows(batches: list[str]) -> list[tuple[int, int]]:
    rows = [r for t in batches for r in csv.DictReader(io.StringIO(t))]
    return sorted((int(r["id"]), int(r["seq"])) for r in rows)
