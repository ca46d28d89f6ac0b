"""Deletes stay deleted, latest wins, checks before latest-per-key: a property test.

Random sequences of bronze batches (inserts, updates, deletes, duplicate keys, equal and
shuffled sequence values, NULLs) go through the REAL generated `clean_orders` merge job on
the shared Spark session, with and without `incremental`. After every batch silver must
equal a plain-Python reference model of specs/pipeline.md#merge, written here without
alurc: drop the rows that fail the drop check, then for each key keep the greatest record
ever received by (updated_at, is-delete, the other silver columns in contract order), NULL
lowest; a key whose greatest record is a delete is absent.
"""

from __future__ import annotations

import datetime
import uuid
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_glue_support import Harness, check, project

from alur_compiler.ir import Action, CheckType, SourceTable

pytestmark = pytest.mark.spark

BRONZE_DDL = (
    "order_id string, customer_id string, quantity int, amount decimal(10,2), status string, "
    "updated_at timestamp, _ingested_at timestamp, _source_file string, "
    "_source_system string, _batch_id string"
)
T0 = datetime.datetime(2026, 11, 1, 10, 0, 0)

record = st.tuples(
    st.sampled_from(["K1", "K2", "K3"]),
    st.sampled_from(["C1", "C2", None]),  # None fails the drop check
    st.sampled_from([1, 2]),
    st.sampled_from([Decimal("1.00"), Decimal("2.50")]),
    st.sampled_from(["placed", "shipped", "deleted", "deleted"]),
    st.sampled_from([0, 1, 2, None]),  # hours after T0: few values, so ties are common
)
batches = st.lists(st.lists(record, min_size=1, max_size=6), min_size=1, max_size=3)


def silver_row(r: tuple[Any, ...]) -> tuple[Any, ...]:
    """What the pipeline's SQL makes of a bronze row (lower(status), to_date)."""
    key, cust, qty, amount, status, hours = r
    ts = None if hours is None else T0 + datetime.timedelta(hours=hours)
    return (key, cust, qty, amount, status, ts, None if ts is None else ts.date())


def order_key(row: tuple[Any, ...]) -> tuple[Any, ...]:
    """(sequence, is-delete, other columns in contract order), NULL lower than any value."""

    def rank(v: Any) -> tuple[Any, ...]:
        return (0,) if v is None else (1, v)

    _key, cust, qty, amount, status, ts, day = row
    return (rank(ts), status == "deleted", *map(rank, (cust, qty, amount, status, ts, day)))


def reference(received: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    best: dict[str, tuple[Any, ...]] = {}
    for r in received:
        row = silver_row(r)
        if row[1] is None:  # the drop check removes it before latest-per-key
            continue
        if row[0] not in best or order_key(row) > order_key(best[row[0]]):
            best[row[0]] = row
    return sorted(r for r in best.values() if r[4] != "deleted")


def make_harness(spark: Any, tmp: Path, incremental: bool) -> Harness:
    not_null = check("cust", CheckType.NOT_NULL, Action.DROP, columns=("customer_id",))
    proj = project(tmp, silver_checks=(not_null,))
    if not incremental:
        pipes = tuple(
            replace(p, sources=(SourceTable("orders_raw", "orders_raw"),))
            if p.name == "clean_orders"
            else p
            for p in proj.pipelines
        )
        proj = replace(proj, pipelines=pipes)
    return Harness(spark, tmp, proj)


def write_bronze(h: Harness, index: int, rows: list[tuple[Any, ...]]) -> None:
    stamp = T0 + datetime.timedelta(days=30, seconds=index)
    data = [
        (
            key,
            cust,
            qty,
            amount,
            status.upper() if i % 2 else status,  # the SQL lowercases it
            None if hours is None else T0 + datetime.timedelta(hours=hours),
            stamp,
            f"file{index}.csv",
            "shop",
            f"b{index}",
        )
        for i, (key, cust, qty, amount, status, hours) in enumerate(rows)
    ]
    df = h.spark.createDataFrame(data, BRONZE_DDL)
    df.write.mode("append").parquet(str(h.tmp / "lake" / "bronze" / "orders_raw"))


def snapshot_ids(h: Harness) -> list[int]:
    """Every snapshot of silver and its tombstones (a batch of deletes only writes none)."""
    out = []
    for name in ("orders", "orders__alur_tombstones"):
        snaps = h.spark.sql(f"SELECT snapshot_id FROM {h.table('silver', name)}.snapshots")
        out += sorted(int(r[0]) for r in snaps.collect())
    return out


def silver(h: Harness) -> list[tuple[Any, ...]]:
    cols = "order_id, customer_id, quantity, amount, status, updated_at, order_date"
    return h.rows("silver", "orders", cols)


@settings(
    max_examples=int(__import__("os").environ.get("ALUR_MERGE_EXAMPLES", "15")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(batches=batches, incremental=st.booleans(), shuffle=st.randoms(use_true_random=False))
def test_silver_equals_the_reference_model_after_every_batch(
    spark: Any,
    tmp_path: Path,
    batches: list[list[tuple[Any, ...]]],
    incremental: bool,
    shuffle: Any,
) -> None:
    h = make_harness(spark, tmp_path / uuid.uuid4().hex[:8], incremental)
    received: list[tuple[Any, ...]] = []
    for index, batch in enumerate(batches):
        rows = list(batch)
        shuffle.shuffle(rows)
        write_bronze(h, index, rows)
        received += rows
        report = h.run("clean_orders")
        assert report["status"] == "succeeded", report
        assert silver(h) == reference(received), (index, batches)
    before = snapshot_ids(h)
    replay = h.run("clean_orders")  # nothing new: no write, no snapshot
    assert replay.get("no_new_input") is True, replay
    assert snapshot_ids(h) == before


def test_an_older_record_in_a_later_batch_never_resurrects(spark: Any, tmp_path: Path) -> None:
    """Issue 12's case 1, both modes: delete at 02:00, then the 01:00 insert arrives."""
    for incremental in (True, False):
        h = make_harness(spark, tmp_path / str(incremental), incremental)
        write_bronze(h, 0, [("K1", "C1", 1, Decimal("1.00"), "placed", 0)])
        write_bronze(h, 1, [("K1", "C1", 1, Decimal("1.00"), "deleted", 2)])
        h.run("clean_orders")
        assert silver(h) == []
        tomb = h.rows("silver", "orders__alur_tombstones", "order_id, __alur_deleted")
        assert tomb == [("K1", True)]
        write_bronze(h, 2, [("K1", "C2", 2, Decimal("2.50"), "shipped", 1)])  # older: ignored
        assert h.run("clean_orders")["status"] == "succeeded"
        assert silver(h) == []
        write_bronze(h, 3, [("K1", "C1", 1, Decimal("1.00"), "placed", 2)])  # equal: delete wins
        h.run("clean_orders")
        assert silver(h) == []
        write_bronze(h, 4, [("K1", "C2", 2, Decimal("2.50"), "shipped", 3)])  # newer: back
        h.run("clean_orders")
        assert [r[:5] for r in silver(h)] == [("K1", "C2", 2, Decimal("2.50"), "shipped")]
        assert h.rows("silver", "orders__alur_tombstones", "order_id") == []  # obsolete


def test_checks_run_before_latest_per_key(spark: Any, tmp_path: Path) -> None:
    """Issue 12's case 6: the newest version fails the drop check, the older valid one wins."""
    h = make_harness(spark, tmp_path, True)
    write_bronze(
        h,
        0,
        [("K1", "C1", 1, Decimal("1.00"), "placed", 0), ("K1", None, 2, Decimal("2.50"), "x", 1)],
    )
    report = h.run("clean_orders")
    assert (report["rows_read"], report["rows_dropped"]) == (2, 1)
    assert [r[:5] for r in silver(h)] == [("K1", "C1", 1, Decimal("1.00"), "placed")]
