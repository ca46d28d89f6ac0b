"""Contracts that change after data exists: the jobs evolve their Iceberg tables in place.

Real embedded Spark + Iceberg through the generated scripts (test_glue_support.Harness):
a first build runs, the contract then gains a nullable column and widens an int, and the
second build's jobs ALTER the tables (snapshots kept, old rows NULL in the new column); a
narrowing contract stops the job before its write, with the column's YAML location, and
the table keeps its snapshot. Expected values are written out by hand.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from test_glue_support import HEADER, Harness, project, write_csv

from alur_compiler.diagnostics.span import Span
from alur_compiler.ir import Column, Project

pytestmark = pytest.mark.spark

V2_SQL = """SELECT o.order_id, o.customer_id, o.quantity, o.amount, lower(o.status) AS status,
  o.updated_at, to_date(o.updated_at) AS order_date, upper(o.status) AS status_code
FROM orders_raw AS o
WHERE o.order_id IS NOT NULL"""


def evolved(root: Path, quantity: str) -> Project:
    """The orders project with silver `orders` changed: `quantity` of type `quantity` and a
    new nullable `status_code` column (declared at contracts/orders.yaml:30:5), filled by
    the SQL."""
    base = project(root)
    spans = {"quantity": 12, "status_code": 30}
    orders = base.table("orders")
    cols = [
        replace(c, type=quantity, span=Span(str(root / "contracts/orders.yaml"), 12, 5))
        if c.name == "quantity"
        else c
        for c in orders.columns
    ]
    cols.append(
        Column(
            "status_code",
            "string",
            span=Span(str(root / "contracts/orders.yaml"), spans["status_code"], 5),
        )
    )
    contract = Span(str(root / "contracts/orders.yaml"), 1, 1)
    tables = tuple(
        replace(t, columns=tuple(cols), span=contract) if t.name == "orders" else t
        for t in base.tables
    )
    pipes = tuple(replace(p, sql=V2_SQL) if p.name == "clean_orders" else p for p in base.pipelines)
    return replace(base, tables=tables, pipelines=pipes)


def rebuild(h: Harness, proj: Project) -> Harness:
    """The new build's scripts, run against the same tables, state and landing files."""
    again = Harness(h.spark, h.tmp, proj)
    again.args = h.args
    return again


def run_ok(h: Harness, job: str) -> dict[str, Any]:
    report = h.run(job)
    assert report["status"] == "succeeded", report
    return report


def snapshots(h: Harness, layer: str, name: str) -> list[int]:
    rows = h.spark.sql(
        f"SELECT snapshot_id FROM {h.table(layer, name)}.snapshots ORDER BY committed_at"
    ).collect()
    return [int(r[0]) for r in rows]


def column_types(h: Harness, layer: str, name: str) -> dict[str, str]:
    schema = h.spark.table(h.table(layer, name)).schema
    return {f.name: f.dataType.simpleString() for f in schema.fields}


def test_additive_and_widening_changes_evolve_in_place_and_narrowing_stops(
    spark: Any, tmp_path: Path
) -> None:
    v1 = Harness(spark, tmp_path, project(tmp_path))
    write_csv(
        v1.landing,
        "1.csv",
        HEADER,
        ["O1,C1,1,10.00,placed,2026-11-01 10:00:00", "O2,C2,3,5.00,shipped,2026-11-01 11:00:00"],
    )
    run_ok(v1, "ingest_orders")
    run_ok(v1, "clean_orders")
    run_ok(v1, "daily_orders")
    before = snapshots(v1, "silver", "orders")
    assert column_types(v1, "silver", "orders")["quantity"] == "int"

    # The contract gains a nullable column (in its SQL too) and widens quantity to bigint.
    v2 = rebuild(v1, evolved(tmp_path, "bigint"))
    # Without new input the run writes nothing, but the table is evolved already (a
    # downstream SQL may read the new column): a metadata change, no new snapshot.
    idle = run_ok(v2, "clean_orders")
    assert idle.get("no_new_input") is True
    types = column_types(v2, "silver", "orders")
    assert (types["quantity"], types["status_code"]) == ("bigint", "string")
    assert snapshots(v2, "silver", "orders") == before
    write_csv(v2.landing, "2.csv", HEADER, ["O3,C3,7,2.50,placed,2026-11-02 09:00:00"])
    run_ok(v2, "ingest_orders")
    run_ok(v2, "clean_orders")
    run_ok(v2, "daily_orders")  # downstream of the changed table: runs as before
    types = column_types(v2, "silver", "orders")
    assert (types["quantity"], types["status_code"]) == ("bigint", "string")
    assert v2.rows("silver", "orders", "order_id, quantity, status_code") == [
        ("O1", 1, None),  # written before the column existed: NULL, not rewritten
        ("O2", 3, None),
        ("O3", 7, "PLACED"),
    ]
    after = snapshots(v2, "silver", "orders")
    assert after[: len(before)] == before and len(after) > len(before)  # history kept
    old = spark.sql(
        f"SELECT order_id FROM {v2.table('silver', 'orders')} VERSION AS OF {before[-1]}"
    ).collect()
    assert sorted(r[0] for r in old) == ["O1", "O2"]
    assert v2.rows("gold", "daily", "CAST(order_date AS STRING), orders") == [
        ("2026-11-01", 2),
        ("2026-11-02", 1),
    ]

    # Narrowing bigint back to int: the job stops before writing, located, table untouched.
    v3 = rebuild(v1, evolved(tmp_path, "int"))
    write_csv(v3.landing, "3.csv", HEADER, ["O4,C4,1,1.00,placed,2026-11-03 09:00:00"])
    run_ok(v3, "ingest_orders")
    last = v3.snapshot("silver", "orders")
    report = v3.run("clean_orders")
    assert report["status"] == "failed"
    assert "contracts/orders.yaml:12:5: column 'quantity' of " in report["error"]
    assert (
        "the table stores bigint, the contract says int; narrowing would lose data"
        in (report["error"])
    )
    assert "nothing was written" in report["error"]
    assert v3.snapshot("silver", "orders") == last
    assert column_types(v3, "silver", "orders")["quantity"] == "bigint"
    assert [r[0] for r in v3.rows("silver", "orders", "order_id")] == ["O1", "O2", "O3"]


def test_renamed_from_renames_the_column_and_keeps_its_values(spark: Any, tmp_path: Path) -> None:
    v1 = Harness(spark, tmp_path, project(tmp_path))
    write_csv(v1.landing, "1.csv", HEADER, ["O1,C1,2,10.00,placed,2026-11-01 10:00:00"])
    run_ok(v1, "ingest_orders")
    run_ok(v1, "clean_orders")
    base = project(tmp_path)
    cols = tuple(
        replace(c, name="qty", renamed_from="quantity") if c.name == "quantity" else c
        for c in base.table("orders").columns
    )
    tables = tuple(replace(t, columns=cols) if t.name == "orders" else t for t in base.tables)
    sql = next(p for p in base.pipelines if p.name == "clean_orders").sql.replace(
        "o.quantity,", "o.quantity AS qty,"
    )
    pipes = tuple(replace(p, sql=sql) if p.name == "clean_orders" else p for p in base.pipelines)
    # daily_orders does not read quantity: only clean_orders runs again
    v2 = rebuild(v1, replace(base, tables=tables, pipelines=pipes))
    write_csv(v2.landing, "2.csv", HEADER, ["O2,C2,5,1.00,placed,2026-11-02 10:00:00"])
    run_ok(v2, "ingest_orders")
    run_ok(v2, "clean_orders")
    assert "quantity" not in column_types(v2, "silver", "orders")
    assert v2.rows("silver", "orders", "order_id, qty") == [("O1", 2), ("O2", 5)]
