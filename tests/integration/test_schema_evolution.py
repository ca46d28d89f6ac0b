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
from alur_compiler.ir import Column, PartitionField, Project

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


# ---- bronze: Parquet files keep the type they were written with ------------------------


def bronze_changed(root: Path, quantity: str, partition_by: tuple[str, ...] = ()) -> Project:
    """The orders project with bronze `orders_raw.quantity` of type `quantity` (declared at
    contracts/orders_raw.yaml:9:5) and partitioned by `partition_by` (identity)."""
    base = project(root)
    raw = base.table("orders_raw")
    where = Span(str(root / "contracts/orders_raw.yaml"), 9, 5)
    cols = tuple(
        replace(c, type=quantity, span=where) if c.name == "quantity" else c for c in raw.columns
    )
    changed = replace(
        raw,
        columns=cols,
        partition_by=tuple(PartitionField(p) for p in partition_by),
        span=Span(str(root / "contracts/orders_raw.yaml"), 1, 1),
    )
    return replace(
        base, tables=tuple(changed if t.name == "orders_raw" else t for t in base.tables)
    )


def folder_bytes(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def one_ingested_file(spark: Any, tmp_path: Path) -> tuple[Harness, Path, dict[str, bytes]]:
    """The first build with one landing file ingested: the harness, the bronze table's
    folder and its bytes."""
    v1 = Harness(spark, tmp_path, project(tmp_path))
    write_csv(v1.landing, "1.csv", HEADER, ["O1,C1,1,10.00,placed,2026-11-01 10:00:00"])
    run_ok(v1, "ingest_orders")
    folder = tmp_path / "lake" / "bronze" / "orders_raw"
    return v1, folder, folder_bytes(folder)


def refused_ingestion(h: Harness, row: str) -> str:
    """A new landing file with `row`, then ingest_orders, which must stop unwritten."""
    write_csv(h.landing, "2.csv", HEADER, [row])
    report = h.run("ingest_orders")
    assert report["status"] == "failed"
    assert "nothing was written" in report["error"]
    return str(report["error"])


def test_a_bronze_type_change_stops_the_ingestion_before_it_writes(
    spark: Any, tmp_path: Path
) -> None:
    v1, folder, before = one_ingested_file(spark, tmp_path)
    run_ok(v1, "clean_orders")
    # The oracle for the refusal: Spark itself cannot read the int file as bigint.
    with pytest.raises(Exception, match="Parquet column cannot be converted"):
        spark.read.schema("quantity bigint").parquet(str(folder)).collect()

    v2 = rebuild(v1, bronze_changed(tmp_path, "bigint"))
    error = refused_ingestion(v2, "O2,C2,5000000000,1.00,placed,2026-11-02 10:00:00")
    assert (
        "contracts/orders_raw.yaml:9:5: column 'quantity' of bronze table orders_raw: its "
        "Parquet files store int, the contract says bigint" in error
    )
    assert folder_bytes(folder) == before  # not one file added, removed or changed
    assert v2.run("clean_orders")["status"] == "succeeded"  # the folder still reads

    # The hint's way out: the bronze contract keeps int; 2.csv was never claimed, so the
    # old contract ingests it now (its quantity does not fit int: quarantined as a bad row).
    v3 = rebuild(v1, project(tmp_path))
    write_csv(v3.landing, "3.csv", HEADER, ["O3,C3,7,2.00,placed,2026-11-03 10:00:00"])
    again = run_ok(v3, "ingest_orders")
    assert again["files_claimed"] == 2
    run_ok(v3, "clean_orders")
    assert [r[0] for r in v3.rows("silver", "orders", "order_id")] == ["O1", "O3"]


def test_a_bronze_partitioning_change_stops_the_ingestion_and_a_damaged_record_is_ignored(
    spark: Any, tmp_path: Path
) -> None:
    from alur_runtime.state import LocalStateStore

    v1, folder, before = one_ingested_file(spark, tmp_path)
    # A record that is not one (damaged, foreign) never decides: the files are read.
    store = LocalStateStore(v1.args["alur_state"])
    store.put("bronze#orders_raw", "types", {"types": "{not json", "partitions": "[]"})

    v2 = rebuild(v1, bronze_changed(tmp_path, "int", partition_by=("status",)))
    error = refused_ingestion(v2, "O2,C2,2,1.00,placed,2026-11-02 10:00:00")
    assert (
        "bronze table orders_raw: its files are not partitioned, the contract says "
        "partitioned by (status)" in error
    )
    assert folder_bytes(folder) == before
    # Why it must stop (oracle: Spark): once partition folders exist, Spark's reader
    # silently skips every file outside them, so the rows written before would vanish
    # from every reader.
    mixed = str(tmp_path / "mixed")
    spark.sql("SELECT 'y' AS order_id").write.parquet(mixed)
    spark.sql("SELECT 'x' AS order_id, 'placed' AS status").write.partitionBy("status").mode(
        "append"
    ).parquet(mixed)
    assert [tuple(r) for r in spark.read.parquet(mixed).collect()] == [("x", "placed")]


#: (type written, type the contract then says): every pair the guard lets through must
#: read back from the file as the value written
TYPE_PAIRS = [
    ("int", "int"),
    ("int", "integer"),
    ("int", "bigint"),
    ("int", "smallint"),
    ("bigint", "int"),
    ("float", "double"),
    ("decimal(10,2)", "decimal(12,2)"),
    ("decimal(10,0)", "decimal"),
    ("decimal(10,2)", "numeric(10, 2)"),
    ("string", "varchar(20)"),
    ("string", "int"),
    ("date", "timestamp"),
    ("timestamp", "timestamp"),
    ("array<int>", "array<bigint>"),
    ("struct<a:int>", "struct<a:int>"),
]


def test_the_type_guard_lets_through_exactly_what_spark_reads_faithfully(
    spark: Any, tmp_path: Path
) -> None:
    """Oracle: Spark reading the file with the contract type, through the runtime's own
    bronze reader, against the value the file holds (read with its own type): a pair the
    guard refuses must be one Spark cannot read or reads differently (40000 written as int
    reads as smallint -25536), and one it lets through must read the same value."""
    from alur_runtime import bronze_types
    from alur_runtime.gate import bronze_frame

    values = {
        "int": "40000",
        "bigint": "5000000000",
        "float": "CAST(1.1 AS float)",
        "decimal(10,2)": "1.25",
        "decimal(10,0)": "7",
        "string": "'12'",
        "date": "DATE'2026-11-01'",
        "timestamp": "TIMESTAMP'2026-11-01 10:00:00'",
        "array<int>": "array(1, 40000)",
        "struct<a:int>": "named_struct('a', 3)",
    }
    verdicts = []
    for i, (written, declared) in enumerate(TYPE_PAIRS):
        folder = str(tmp_path / "bronze" / f"t{i}")
        spark.sql(f"SELECT CAST({values[written]} AS {written}) AS c").write.parquet(folder)
        job: Any = {
            "target": {
                "name": "t",
                "columns": [{"name": "c", "type": declared}],
                "partition_by": [],
            },
        }
        stored = bronze_types.from_files(spark, folder, job)
        assert stored is not None and stored["partitions"] == []
        accepted = not bronze_types.conflicts(stored, job)
        try:
            columns = job["target"]["columns"]
            reader = bronze_frame(spark, {"alur_lake": str(tmp_path)}, f"t{i}", columns)
            got = reader.collect()[0][0]
            faithful = got == spark.read.parquet(folder).first()[0]
        except Exception:
            faithful = False
        verdicts.append((written, declared, accepted, faithful))
    assert [v for v in verdicts if v[2] and not v[3]] == []  # never lets a bad read through
    # char/varchar read as string (Spark refuses them in a reader schema), files or none.
    none = bronze_frame(
        spark,
        {"alur_lake": str(tmp_path)},
        "nothing",
        [{"name": "c", "type": "varchar(3)", "nullable": True}],
    )
    assert none.collect() == [] and none.schema.simpleString() == "struct<c:string>"
    # Refused although Spark's reader takes it: a wider decimal of the same scale and the
    # same Parquet physical type (INT64 for precision 10 to 18). One folder would then
    # hold two decimal types, which Spark's schema merge (from_files) rejects; not done.
    assert [(w, d) for w, d, ok, good in verdicts if not ok and good] == [
        ("decimal(10,2)", "decimal(12,2)")
    ]
    assert [(w, d) for w, d, ok, _ in verdicts if ok] == [
        ("int", "int"),
        ("int", "integer"),
        ("decimal(10,0)", "decimal"),
        ("decimal(10,2)", "numeric(10, 2)"),
        ("string", "varchar(20)"),
        ("timestamp", "timestamp"),
        ("struct<a:int>", "struct<a:int>"),
    ]
