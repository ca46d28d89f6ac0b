"""SCD2 history equals a plain-Python model of interval history after every batch.

Random bronze batches (inserts, updates, deletes, late records, exact duplicates, equal
sequence values with different values, NULL sequence values) go through the REAL
generated `history_orders` job (mode scd2) on the shared Spark session, with and without
`incremental`. After every batch the silver history must equal the reference below,
written without alurc from specs/pipeline.md#scd2:

- per key and sequence value one event: the greatest record by (is-delete, the other data
  columns in contract order), NULL lowest; records without a sequence value are skipped;
- events sorted by sequence: every upsert is a version [its sequence, the next event's
  sequence), the last one open (valid_to NULL, is_current true); a delete is no version.

A re-run without new input writes no snapshot.
"""

from __future__ import annotations

import datetime
import os
import random
import uuid
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from test_glue_support import Harness, bronze_orders, project

from alur_compiler.ir import Column, Layer, Pipeline, Scd2, SourceTable, Table, WriteMode

pytestmark = pytest.mark.spark

BRONZE_DDL = (
    "order_id string, customer_id string, quantity int, amount decimal(10,2), status string, "
    "updated_at timestamp, _ingested_at timestamp, _source_file string, "
    "_source_system string, _batch_id string"
)
T0 = datetime.datetime(2026, 11, 1, 10, 0, 0)
HISTORY_SQL = """SELECT o.order_id, o.customer_id, o.quantity, lower(o.status) AS status,
  o.updated_at
FROM orders_raw AS o"""
COLS = "order_id, customer_id, quantity, status, updated_at, valid_from, valid_to, is_current"

record = st.tuples(
    st.sampled_from(["K1", "K2", "K3"]),
    st.sampled_from(["C1", "C2", None]),
    st.sampled_from([1, 2]),
    st.sampled_from(["placed", "shipped", "deleted"]),
    st.sampled_from([0, 1, 2, 3, 4, None]),  # hours after T0: few values, ties are common
)
batches = st.lists(st.lists(record, min_size=1, max_size=6), min_size=1, max_size=4)
# The boundary of scd2_history's appended keys: in one batch keys whose new events all follow
# what is stored next to keys with a late record, a sequence value equal to the stored last
# event (an upsert, a delete), a lone delete and a deleted key coming back.
APPENDED_AND_RECOMPUTED = [
    [("K1", "C1", 1, "placed", 1), ("K2", "C1", 1, "placed", 2)],
    [("K1", "C1", 1, "shipped", 3), ("K2", "C2", 1, "placed", 2), ("K3", None, 1, "deleted", 1)],
    [("K3", "C1", 2, "placed", 0), ("K3", "C1", 2, "placed", 4), ("K1", None, 1, "deleted", 4)],
    [("K1", "C2", 2, "placed", 4), ("K1", "C1", 1, "placed", None), ("K2", "C1", 2, "placed", 1)],
    [("K1", "C1", 1, "placed", 3), ("K2", "C1", 1, "shipped", 3), ("K3", "C2", 1, "placed", 4)],
]
SAME_KEY_LATE_AND_NEW = [
    [("K1", "C1", 1, "placed", 2)],
    [("K1", "C1", 1, "placed", 3), ("K1", "C2", 1, "placed", 1), ("K2", None, 1, "deleted", 0)],
    [("K2", "C1", 1, "placed", 0), ("K2", "C1", 1, "placed", 1), ("K3", "C1", 1, "placed", 0)],
]


def history_table() -> Table:
    return Table(
        "orders_history",
        Layer.SILVER,
        (
            Column("order_id", "string", nullable=False),
            Column("customer_id", "string"),
            Column("quantity", "int"),
            Column("status", "string"),
            Column("updated_at", "timestamp"),
            Column("valid_from", "timestamp", nullable=False),
            Column("valid_to", "timestamp"),
            Column("is_current", "boolean", nullable=False),
        ),
        primary_key=("order_id", "valid_from"),
        file_format="iceberg",
    )


def scd2_project(root: Path, incremental: bool, check_cols: tuple[str, ...] = ()) -> Any:
    base = project(root)
    watermark = "_ingested_at" if incremental else None
    pipe = Pipeline(
        "history_orders",
        "orders_history",
        HISTORY_SQL,
        WriteMode.SCD2,
        (SourceTable("orders_raw", "orders_raw", watermark),),
        scd2=Scd2(
            keys=("order_id",),
            sequence_by=None if check_cols else "updated_at",
            check_cols=check_cols,
            delete_when="status = 'deleted'",
        ),
    )
    return replace(
        base, tables=(history_table(), bronze_orders()), pipelines=(pipe,), ingestions=()
    )


def hours(h: int | None) -> datetime.datetime | None:
    return None if h is None else T0 + datetime.timedelta(hours=h)


def write_bronze(h: Harness, index: int, rows: list[tuple[Any, ...]]) -> None:
    stamp = T0 + datetime.timedelta(days=30, seconds=index)
    meta = (stamp, f"file{index}.csv", "shop", f"b{index}")
    data = [
        (key, cust, qty, None, status.upper() if i % 2 else status, hours(hh), *meta)
        for i, (key, cust, qty, status, hh) in enumerate(rows)
    ]
    df = h.spark.createDataFrame(data, BRONZE_DDL)
    df.write.mode("append").parquet(str(h.tmp / "lake" / "bronze" / "orders_raw"))


def rank(v: Any) -> tuple[Any, ...]:
    return (0,) if v is None else (1, v)


def reference(received: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """The interval history of specs/pipeline.md#scd2, from every record received."""
    events: dict[str, dict[datetime.datetime, tuple[Any, ...]]] = {}
    for key, cust, qty, status, hh in received:
        seq = hours(hh)
        if seq is None:
            continue
        row = (key, cust, qty, status, seq)
        order = (status == "deleted", rank(cust), rank(qty), rank(status), rank(seq))
        held = events.setdefault(key, {}).get(seq)
        if held is None or order > held[0]:
            events[key][seq] = (order, row)
    out = []
    for per_key in events.values():
        seqs = sorted(per_key)
        for i, seq in enumerate(seqs):
            row = per_key[seq][1]
            if row[3] == "deleted":
                continue
            nxt = seqs[i + 1] if i + 1 < len(seqs) else None
            out.append((*row, seq, nxt, nxt is None))
    return sorted(out, key=lambda r: tuple(map(rank, r)))


def history(h: Harness) -> list[tuple[Any, ...]]:
    rows = h.spark.sql(f"SELECT {COLS} FROM {h.table('silver', 'orders_history')}").collect()
    return sorted((tuple(r) for r in rows), key=lambda r: tuple(map(rank, r)))


def snapshot_ids(h: Harness) -> list[int]:
    out = []
    for name in ("orders_history", "orders_history__alur_tombstones"):
        snaps = h.spark.sql(f"SELECT snapshot_id FROM {h.table('silver', name)}.snapshots")
        out += sorted(int(r[0]) for r in snaps.collect())
    return out


@settings(
    max_examples=int(os.environ.get("ALURC_FUZZ_EXAMPLES", "4")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(batches=batches, incremental=st.booleans(), shuffle=st.randoms(use_true_random=False))
@example(batches=APPENDED_AND_RECOMPUTED, incremental=True, shuffle=random.Random(0))
@example(batches=SAME_KEY_LATE_AND_NEW, incremental=True, shuffle=random.Random(1))
@example(batches=SAME_KEY_LATE_AND_NEW, incremental=False, shuffle=random.Random(2))
def test_history_equals_the_interval_model_after_every_batch(
    spark: Any,
    tmp_path: Path,
    batches: list[list[tuple[Any, ...]]],
    incremental: bool,
    shuffle: Any,
) -> None:
    root = tmp_path / uuid.uuid4().hex[:8]
    h = Harness(spark, root, scd2_project(root, incremental))
    received: list[tuple[Any, ...]] = []
    for index, batch in enumerate(batches):
        rows = list(batch)
        shuffle.shuffle(rows)
        write_bronze(h, index, rows)
        received += rows
        report = h.run("history_orders")
        assert report["status"] == "succeeded", report
        assert history(h) == reference(received), (index, batches)
    before = snapshot_ids(h)
    replay = h.run("history_orders")  # nothing new: no write, no snapshot
    assert replay.get("no_new_input") is True, replay
    assert snapshot_ids(h) == before
    # the same input again (the intent resumed after a crash): nothing changes either
    write_bronze(h, len(batches), [r for b in batches for r in b])
    assert h.run("history_orders")["status"] == "succeeded"
    assert history(h) == reference(received)
