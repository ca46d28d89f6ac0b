"""The quality gate in generated jobs: exact counts per action, nothing published on fail."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from test_glue_support import HEADER, Harness, check, project, write_csv

from alur_compiler.ir import Action, CheckType

pytestmark = pytest.mark.spark

SILVER_CHECKS = (
    check("customer_known", CheckType.NOT_NULL, Action.WARN, columns=("customer_id",)),
    check("qty_range", CheckType.BETWEEN, Action.DROP, columns=("quantity",), min=1, max=100),
    check(
        "status_ok",
        CheckType.ACCEPTED_VALUES,
        Action.QUARANTINE,
        columns=("status",),
        values=("placed", "shipped", "deleted"),
    ),
    check("key_unique", CheckType.UNIQUE, Action.FAIL, columns=("order_id",)),
)
ROWS = [
    "O1,C1,1,10.00,placed,2026-11-01 10:00:00",
    "O2,,2,10.00,placed,2026-11-01 10:00:00",  # warn: kept
    "O3,C3,0,10.00,placed,2026-11-01 10:00:00",  # drop
    "O4,C4,500,10.00,shipped,2026-11-01 10:00:00",  # drop
    "O5,C5,1,10.00,lost,2026-11-01 10:00:00",  # quarantine
    "O6,C6,0,10.00,lost,2026-11-01 10:00:00",  # drop + quarantine: quarantined
]


def test_warn_drop_quarantine_counts_and_rows(spark: Any, tmp_path: Path) -> None:
    h = Harness(spark, tmp_path, project(tmp_path, silver_checks=SILVER_CHECKS))
    write_csv(h.landing, "1.csv", HEADER, ROWS)
    assert h.run("ingest_orders")["rows_written"] == 6
    report = h.run("clean_orders")
    assert report["status"] == "succeeded"
    counts = {k: report[k] for k in ("rows_read", "rows_written", "rows_dropped")}
    assert counts == {"rows_read": 6, "rows_written": 2, "rows_dropped": 2}
    assert report["rows_quarantined"] == 2
    verdicts = {c["name"]: (c["unexpected_count"], c["verdict"]) for c in report["checks"]}
    assert verdicts == {
        "customer_known": (1, "warned"),
        "qty_range": (3, "dropped"),
        "status_ok": (2, "quarantined"),
        "key_unique": (0, "passed"),  # proven: rows are deduplicated by the merge key
    }
    assert report["checks"][3]["proof"].startswith("rows are deduplicated")
    assert h.rows("silver", "orders", "order_id") == [("O1",), ("O2",)]
    quarantined = h.rows("silver", "orders_quarantine", "order_id, _failed_checks, _job")
    assert quarantined == [
        ("O5", ["status_ok"], "clean_orders"),
        ("O6", ["qty_range", "status_ok"], "clean_orders"),
    ]
    saved = json.loads(Path(report["report_path"]).read_text())
    assert saved["rows_dropped"] == 2 and saved["status"] == "succeeded"


def test_failing_fail_check_publishes_nothing(spark: Any, tmp_path: Path) -> None:
    amount_cap = check("amount_cap", CheckType.BETWEEN, Action.FAIL, columns=("amount",), max=100)
    h = Harness(spark, tmp_path, project(tmp_path, silver_checks=(amount_cap,)))
    write_csv(h.landing, "1.csv", HEADER, ["O1,C1,1,10.00,placed,2026-11-01 10:00:00"])
    h.run("ingest_orders")
    assert h.run("clean_orders")["status"] == "succeeded"
    before = h.snapshot("silver", "orders")
    write_csv(
        h.landing,
        "2.csv",
        HEADER,
        ["O1,C1,1,999.00,shipped,2026-11-02 10:00:00", "O2,C2,1,5.00,placed,2026-11-02 10:00:00"],
    )
    h.run("ingest_orders")
    report = h.run("clean_orders")
    assert report["status"] == "failed"
    assert report["error"] == "fail check(s) unsuccessful: amount_cap"
    assert report["checks"][0]["unexpected_count"] == 1
    assert h.snapshot("silver", "orders") == before
    assert h.rows("silver", "orders", "order_id, status") == [("O1", "placed")]
    again = h.run("clean_orders")  # the watermark did not advance: the batch is retried
    assert (again["status"], again["rows_read"]) == ("failed", 2)
