"""Silver MERGE and gold overwrite on real Spark + Iceberg, through the generated scripts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from test_glue_support import HEADER, Harness, project, write_csv

pytestmark = pytest.mark.spark


def ingest_and_clean(h: Harness, name: str, rows: list[str]) -> dict[str, Any]:
    write_csv(h.landing, name, HEADER, rows)
    assert h.run("ingest_orders")["status"] == "succeeded"
    report = h.run("clean_orders")
    assert report["status"] == "succeeded", report
    return report


def silver(h: Harness) -> list[tuple[Any, ...]]:
    return h.rows("silver", "orders", "order_id, status, CAST(updated_at AS STRING)")


def test_merge_latest_wins_within_and_across_batches_and_deletes(
    spark: Any, tmp_path: Path
) -> None:
    h = Harness(spark, tmp_path, project(tmp_path))
    first = ingest_and_clean(
        h,
        "1.csv",
        [
            "O1,C1,1,10.00,placed,2026-11-01 10:00:00",
            "O2,C2,1,10.00,placed,2026-11-01 10:00:00",
            "O2,C2,1,10.00,shipped,2026-11-01 12:00:00",  # same batch, newer: wins
            "O3,C3,1,10.00,placed,2026-11-01 10:00:00",
            "O9,C9,1,10.00,deleted,2026-11-01 10:00:00",  # deleted before it ever existed
        ],
    )
    # rows_read: every row the query returned (checks see them all, before latest-per-key);
    # rows_written: the records that changed silver or its tombstones (O9 is a tombstone).
    assert (first["rows_read"], first["rows_written"]) == (5, 4)
    assert silver(h) == [
        ("O1", "placed", "2026-11-01 10:00:00"),
        ("O2", "shipped", "2026-11-01 12:00:00"),
        ("O3", "placed", "2026-11-01 10:00:00"),
    ]
    ingest_and_clean(
        h,
        "2.csv",
        [
            "O1,C1,1,10.00,cancelled,2026-11-01 09:00:00",  # out of order: older, ignored
            "O2,C2,1,10.00,delivered,2026-11-02 08:00:00",  # newer: updates
            "O3,C3,1,10.00,deleted,2026-11-02 08:00:00",  # newer delete: removed
            "O4,C4,1,10.00,placed,2026-11-02 08:00:00",
        ],
    )
    assert silver(h) == [
        ("O1", "placed", "2026-11-01 10:00:00"),
        ("O2", "delivered", "2026-11-02 08:00:00"),
        ("O4", "placed", "2026-11-02 08:00:00"),
    ]
    idle = h.run("clean_orders")  # watermark: nothing new since the last publish
    assert (idle["status"], idle["rows_read"]) == ("succeeded", 0)
    props = spark.sql(f"SHOW TBLPROPERTIES {h.table('silver', 'orders')}").collect()
    assert ("format-version", "2") in [(r[0], r[1]) for r in props]
    ddl = spark.sql(f"SHOW CREATE TABLE {h.table('silver', 'orders')}").collect()[0][0]
    assert "PARTITIONED BY (days(updated_at))" in ddl


def test_gold_overwrite_is_idempotent_and_partition_scope_keeps_other_days(
    spark: Any, tmp_path: Path
) -> None:
    h = Harness(spark, tmp_path, project(tmp_path, scope="partitions"))
    ingest_and_clean(
        h,
        "1.csv",
        [
            "O1,C1,1,10.00,placed,2026-11-01 10:00:00",
            "O2,C2,1,15.00,placed,2026-11-01 11:00:00",
            "O3,C3,1,20.00,placed,2026-11-02 10:00:00",
        ],
    )
    for rerun in range(2):
        report = h.run("daily_orders")
        # The rerun has no new input: a no-op (no snapshot), gold stays as it was.
        assert (report["rows_written"], bool(report.get("no_new_input"))) == (
            (0, True) if rerun else (2, False)
        )
        assert h.rows("gold", "daily", "CAST(order_date AS STRING), orders, amount") == [
            ("2026-11-01", 2, pytest.approx(25)),
            ("2026-11-02", 1, pytest.approx(20)),
        ]
    # Partition scope: a day missing from the output keeps its rows.
    spark.sql(f"DELETE FROM {h.table('silver', 'orders')} WHERE order_date = '2026-11-02'")
    spark.sql(f"UPDATE {h.table('silver', 'orders')} SET amount = 1")
    h.run("daily_orders")
    assert h.rows("gold", "daily", "CAST(order_date AS STRING), orders, amount") == [
        ("2026-11-01", 2, pytest.approx(2)),
        ("2026-11-02", 1, pytest.approx(20)),
    ]


def test_gold_table_scope_replaces_everything(spark: Any, tmp_path: Path) -> None:
    h = Harness(spark, tmp_path, project(tmp_path))
    ingest_and_clean(
        h,
        "1.csv",
        ["O1,C1,1,10.00,placed,2026-11-01 10:00:00", "O3,C3,1,20.00,placed,2026-11-02 10:00:00"],
    )
    h.run("daily_orders")
    spark.sql(f"DELETE FROM {h.table('silver', 'orders')} WHERE order_date = '2026-11-02'")
    h.run("daily_orders")
    assert h.rows("gold", "daily", "CAST(order_date AS STRING), orders") == [("2026-11-01", 1)]


def test_uncommitted_batch_is_hidden_from_pipelines_until_recovered(
    spark: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    h = Harness(spark, tmp_path, project(tmp_path))
    write_csv(h.landing, "1.csv", HEADER, ["O1,C1,1,10.00,placed,2026-11-01 10:00:00"])
    monkeypatch.setenv("ALUR_SIMULATE_CRASH", "after_data_write")
    with pytest.raises(BaseException) as info:  # the script's own SimulatedCrash class
        h.run("ingest_orders")
    assert type(info.value).__name__ == "SimulatedCrash"
    monkeypatch.delenv("ALUR_SIMULATE_CRASH")
    # The rows are on disk, in the batch's staging folder; bronze holds none of them.
    assert not (h.tmp / "lake" / "bronze" / "orders_raw").exists()
    assert h.bronze("_alur_staging/orders_raw/*/data").count() == 1
    hidden = h.run("clean_orders")
    assert (hidden["status"], hidden["rows_read"]) == ("succeeded", 0)
    assert h.run("ingest_orders", alur_claim_lease_seconds="0")["files_claimed"] == 1
    report = h.run("clean_orders")
    assert (report["status"], report["rows_written"]) == ("succeeded", 1)
    assert silver(h) == [("O1", "placed", "2026-11-01 10:00:00")]


def test_a_running_pipeline_holds_its_input_a_second_run_reports_why_and_writes_nothing(
    spark: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 12 concurrency: two runs of one pipeline at once (Glue max_concurrent_runs > 1,
    or two machines). The run that finds another live run's intent writes nothing and says
    who holds it; once the holder is gone its intent is resumed at once, no lease wait."""
    import socket
    import subprocess

    from alur_runtime.owner import process_start
    from alur_runtime.state import LocalStateStore

    h = Harness(spark, tmp_path, project(tmp_path))
    write_csv(h.landing, "1.csv", HEADER, ["O1,C1,1,10.00,placed,2026-11-01 10:00:00"])
    assert h.run("ingest_orders")["status"] == "succeeded"
    # An earlier run crashed right after recording its intent (it read O1).
    monkeypatch.setenv("ALUR_SIMULATE_CRASH", "after_intent")
    with pytest.raises(BaseException) as info:  # the script's own SimulatedCrash class
        h.run("clean_orders")
    assert type(info.value).__name__ == "SimulatedCrash"
    monkeypatch.delenv("ALUR_SIMULATE_CRASH")
    store = LocalStateStore(h.args["alur_state"])
    intent = store.get("clean_orders", "intent")
    assert intent is not None and intent["run_id"]
    holder = subprocess.Popen(["sleep", "120"])
    try:  # ...pretend it is still running, as another live process on this host
        started = process_start(holder.pid)
        assert started is not None
        live = {**intent, "owner_pid": str(holder.pid), "owner_started": started}
        live["owner_host"] = socket.gethostname()
        store.put("clean_orders", "intent", live)
        held = h.run("clean_orders")
        assert held["status"] == "failed"
        assert held["held_by"]["owner"] == f"pid {holder.pid} on {socket.gethostname()}"
        assert held["held_by"]["owner_liveness"] == "alive"
        assert "another run of clean_orders is in progress" in held["error"]
        assert not spark.catalog.tableExists(h.table("silver", "orders"))
        assert store.get("clean_orders", "intent") == live  # left to its owner
        # A holder on another host whose liveness cannot be decided: held for the lease...
        remote = {**live, "owner_host": "elsewhere"}
        store.put("clean_orders", "intent", remote)
        assert h.run("clean_orders")["status"] == "failed"
        # ...and resumed once the lease is over.
        over = h.run("clean_orders", alur_claim_lease_seconds="0")
        assert (over["status"], over.get("resumed_input")) == ("succeeded", intent["id"])
    finally:
        holder.kill()
        holder.wait()
    assert silver(h) == [("O1", "placed", "2026-11-01 10:00:00")]
    assert store.get("clean_orders", "intent") is None


def test_a_quarantine_table_of_an_older_runtime_gets_its_input_id_column(
    spark: Any, tmp_path: Path
) -> None:
    """Quarantine tables created before the retry rule lack `_input_id`: the first run of
    this runtime adds it (ALTER TABLE ADD COLUMN) instead of failing on the missing column."""
    from test_glue_checks import ROWS, SILVER_CHECKS

    h = Harness(spark, tmp_path, project(tmp_path, silver_checks=SILVER_CHECKS))
    write_csv(h.landing, "1.csv", HEADER, ROWS)
    assert h.run("ingest_orders")["status"] == "succeeded"
    assert h.run("clean_orders")["status"] == "succeeded"
    table = h.table("silver", "orders_quarantine")
    spark.sql(f"ALTER TABLE {table} DROP COLUMN _input_id")  # the table as 0.1 made it
    write_csv(h.landing, "2.csv", HEADER, ["O7,C7,1,10.00,lost,2026-11-02 10:00:00"])
    assert h.run("ingest_orders")["status"] == "succeeded"
    report = h.run("clean_orders")
    assert report["status"] == "succeeded", report
    assert "_input_id" in spark.table(table).columns
    assert [r[0] for r in h.rows("silver", "orders_quarantine", "order_id")] == ["O5", "O6", "O7"]
