"""mode scd2 from YAML to history: worked cases of specs/pipeline.md#scd2 on embedded Spark.

A one-file project (bronze `changes`, silver `customers_history`) goes through the real
front end (api.load), the generated job and the runtime. Each case states the history
before, the records of the next run, and the history expected after it, written by hand.
"""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest
from test_glue_support import Harness

from alur_compiler import api

pytestmark = pytest.mark.spark

PROJECT = """apiVersion: alur/v1
kind: Project
name: scd
---
apiVersion: alur/v1
kind: Table
name: changes
layer: bronze
columns:
  - {name: customer_id, type: string, nullable: false}
  - {name: tier, type: string}
  - {name: op, type: string}
  - {name: changed_at, type: timestamp}
---
apiVersion: alur/v1
kind: Ingestion
name: load_changes
target: changes
source_system: crm
sources: [{path: changes/, format: csv}]
---
apiVersion: alur/v1
kind: Table
name: customers_history
layer: silver
columns:
  - {name: customer_id, type: string, nullable: false}
  - {name: tier, type: string}
  - {name: valid_from, type: timestamp, nullable: false}
  - {name: valid_to, type: timestamp}
  - {name: is_current, type: boolean, nullable: false}
primary_key: [customer_id, valid_from]
---
apiVersion: alur/v1
kind: Pipeline
name: customers_scd2
target: customers_history
sql: SELECT customer_id, tier, op, changed_at FROM changes
mode: scd2
scd2:
  SETTINGS
"""
BRONZE = (
    "customer_id string, tier string, op string, changed_at timestamp, _ingested_at timestamp, "
    "_source_file string, _source_system string, _batch_id string"
)


def t(day: int) -> datetime.datetime:
    return datetime.datetime(2026, 1, day)


def harness(spark: Any, tmp: Path, settings: str, extra: str = "") -> Harness:
    tmp.mkdir(parents=True)
    text = PROJECT.replace("SETTINGS", settings) + extra
    if "check_cols" in settings:
        text = text.replace("tier, op, changed_at FROM", "tier FROM")
    (tmp / "alur.yaml").write_text(text, encoding="utf-8")
    result = api.load(tmp)
    assert result.project is not None and not result.diagnostics.errors, [
        d.message for d in result.diagnostics.sorted()
    ]
    return Harness(spark, tmp, result.project)


def run(h: Harness, index: int, rows: list[tuple[Any, ...]]) -> dict[str, Any]:
    stamp = datetime.datetime(2026, 6, 1) + datetime.timedelta(seconds=index)
    data = [(*r, stamp, f"f{index}.csv", "crm", f"b{index}") for r in rows]
    df = h.spark.createDataFrame(data, BRONZE)
    df.write.mode("append").parquet(str(h.tmp / "lake" / "bronze" / "changes"))
    report = h.run("customers_scd2")
    assert report["status"] == "succeeded", report
    return report


def history(h: Harness) -> list[tuple[Any, ...]]:
    cols = "customer_id, tier, valid_from, valid_to, is_current"
    return h.rows("silver", "customers_history", cols)


def test_worked_example_late_record_splits_and_delete_closes(spark: Any, tmp_path: Path) -> None:
    """The worked example of specs/pipeline.md#scd2, run by run."""
    h = harness(spark, tmp_path / "a", "sequence_by: changed_at\n  delete_when: \"op = 'D'\"")
    run(h, 0, [("c1", "bronze", "U", t(1)), ("c1", "gold", "U", t(10))])
    assert history(h) == [
        ("c1", "bronze", t(1), t(10), False),
        ("c1", "gold", t(10), None, True),
    ]
    report = run(h, 1, [("c1", "silver", "U", t(5))])  # late: splits [1, 10)
    assert history(h) == [
        ("c1", "bronze", t(1), t(5), False),
        ("c1", "gold", t(10), None, True),
        ("c1", "silver", t(5), t(10), False),
    ]
    assert (report["versions_inserted"], report["versions_changed"]) == (1, 1)
    run(h, 2, [("c1", None, "D", t(20))])  # delete: closes the current version
    assert history(h)[1] == ("c1", "gold", t(10), t(20), False)
    run(h, 3, [("c1", "platinum", "U", t(15))])  # late again, before the delete
    assert history(h) == [
        ("c1", "bronze", t(1), t(5), False),
        ("c1", "gold", t(10), t(15), False),
        ("c1", "platinum", t(15), t(20), False),
        ("c1", "silver", t(5), t(10), False),
    ]
    before = h.snapshot("silver", "customers_history")
    report = run(h, 4, [("c1", "silver", "U", t(5)), ("c1", None, "D", t(20))])  # replays
    assert report["rows_applied"] == 0
    assert h.snapshot("silver", "customers_history") == before
    run(h, 5, [("c1", "diamond", "U", t(20)), ("c1", "iron", "U", t(25))])
    assert history(h) == [  # diamond equals the delete's sequence: the delete wins
        ("c1", "bronze", t(1), t(5), False),
        ("c1", "gold", t(10), t(15), False),
        ("c1", "iron", t(25), None, True),
        ("c1", "platinum", t(15), t(20), False),
        ("c1", "silver", t(5), t(10), False),
    ]


def test_check_cols_versions_per_change_seen_by_a_run(spark: Any, tmp_path: Path) -> None:
    h = harness(spark, tmp_path / "b", "keys: [customer_id]\n  check_cols: [tier]")
    run(h, 0, [("c1", "bronze", "U", None), ("c2", "gold", "U", None)])
    first = history(h)
    assert [(r[0], r[1], r[3], r[4]) for r in first] == [
        ("c1", "bronze", None, True),
        ("c2", "gold", None, True),
    ]
    run(h, 1, [("c1", "bronze", "U", None), ("c2", "gold", "U", None)])  # unchanged
    assert history(h) == first
    run(h, 2, [("c1", "silver", "U", None)])  # a change: the current version is closed
    rows = history(h)
    assert [(r[0], r[1], r[4]) for r in rows] == [
        ("c1", "bronze", False),
        ("c1", "silver", True),
        ("c2", "gold", True),
    ]
    assert rows[0][3] == rows[1][2] and rows[0][2] < rows[1][2]


@pytest.mark.parametrize("point", ["after_tombstones", "after_merge"])
def test_a_crash_at_a_write_boundary_is_repaired_by_the_rerun(
    spark: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, point: str
) -> None:
    """A crash between the side table's append and the history's MERGE (or after both):
    the re-run reads the same input and ends with the uncrashed history."""
    h = harness(spark, tmp_path / point, "sequence_by: changed_at\n  delete_when: \"op = 'D'\"")
    run(h, 0, [("c1", "bronze", "U", t(1)), ("c1", "gold", "U", t(10))])
    before = history(h)
    monkeypatch.setenv("ALUR_SIMULATE_CRASH", point)
    with pytest.raises(BaseException) as info:
        run(h, 1, [("c1", None, "D", t(20)), ("c1", "silver", "U", t(5))])
    assert type(info.value).__name__ == "SimulatedCrash", info.value
    tomb = h.rows("silver", "customers_history__alur_tombstones", "customer_id, __alur_seq")
    assert tomb == [("c1", t(20))]
    assert (history(h) == before) == (point == "after_tombstones")  # one commit: old or new
    monkeypatch.delenv("ALUR_SIMULATE_CRASH")
    report = h.run("customers_scd2")
    assert report["status"] == "succeeded" and report.get("resumed_input"), report
    assert history(h) == [
        ("c1", "bronze", t(1), t(5), False),
        ("c1", "gold", t(10), t(20), False),
        ("c1", "silver", t(5), t(10), False),
    ]
    assert h.rows("silver", "customers_history__alur_tombstones", "customer_id") == [("c1",)]


def test_appended_and_recomputed_keys_in_one_batch(spark: Any, tmp_path: Path) -> None:
    """One run mixing keys whose new events all follow what is stored (appended: close the
    current version, add the new ones) with keys that need their history recomputed (a late
    record, a sequence value equal to the stored one, a delete ahead, a deleted key back)."""
    h = harness(spark, tmp_path / "mix", "sequence_by: changed_at\n  delete_when: \"op = 'D'\"")
    first = [("c1", "bronze", "U", t(1)), ("c2", "bronze", "U", t(1)), ("c3", "bronze", "U", t(2))]
    first += [("c4", None, "D", t(3)), ("c5", "bronze", "U", t(1)), ("c5", None, "D", t(4))]
    first += [("c7", "bronze", "U", t(1))]
    run(h, 0, first)
    batch = [("c1", "gold", "U", t(5)), ("c1", "platinum", "U", t(7))]  # appended
    batch += [("c2", "silver", "U", t(1))]  # the stored sequence value, greater columns
    batch += [("c3", "gold", "U", t(1))]  # late
    batch += [("c4", "gold", "U", t(2)), ("c4", "iron", "U", t(5))]  # around a lone delete
    batch += [("c5", "silver", "U", t(6))]  # a deleted key comes back
    batch += [("c6", "gold", "U", t(1)), ("c6", None, "D", t(2))]  # new key, appended
    batch += [("c7", None, "D", t(8)), ("c8", "gold", "U", t(3))]  # appended
    batch += [("c9", "gold", "U", None)]  # no sequence value: skipped, counted
    report = run(h, 1, batch)
    read = [*first, *batch]  # no incremental source: every bronze row, each run
    skipped = sum(1 for r in read if r[3] is None)
    assert (report["rows_read"], report["rows_skipped_no_sequence"]) == (len(read), skipped)
    assert history(h) == [
        ("c1", "bronze", t(1), t(5), False),
        ("c1", "gold", t(5), t(7), False),
        ("c1", "platinum", t(7), None, True),
        ("c2", "silver", t(1), None, True),
        ("c3", "bronze", t(2), None, True),
        ("c3", "gold", t(1), t(2), False),
        ("c4", "gold", t(2), t(3), False),
        ("c4", "iron", t(5), None, True),
        ("c5", "bronze", t(1), t(4), False),
        ("c5", "silver", t(6), None, True),
        ("c6", "gold", t(1), t(2), False),
        ("c7", "bronze", t(1), t(8), False),
        ("c8", "gold", t(3), None, True),
    ]
    counts = ("versions_inserted", "versions_changed", "versions_removed", "rows_deleted")
    assert tuple(report[c] for c in counts) == (8, 3, 0, 2), report
    before = (history(h), h.snapshot("silver", "customers_history"))
    replay = run(h, 2, batch)  # every event is stored now: nothing is appended twice
    assert replay["rows_applied"] == 0 and replay["rows_deleted"] == 0, replay
    assert (history(h), h.snapshot("silver", "customers_history")) == before
    tomb = h.rows("silver", "customers_history__alur_tombstones", "customer_id, __alur_seq")
    assert tomb == [("c4", t(3)), ("c5", t(4)), ("c6", t(2)), ("c7", t(8))]
