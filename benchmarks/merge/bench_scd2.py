"""Generated scd2 job vs a hand-written PySpark SCD2 MERGE doing the same work.

Both sides start from an identical Iceberg history of N rows (N/2 keys, each with a closed
and a current version) and apply the same batch of U changes (Parquet in bronze): half new
versions of existing keys, half new keys. The hand-written side is the usual SCD2 MERGE
(latest record per key, the changed keys staged twice: once to close the current version,
once with a NULL merge key to insert the new one); it knows nothing of late records or
deletes. The generated side is `glue/history_events.py` from the glue backend, called
through `run(spark, args)` as `alurc run --local` does (mode scd2, sequence_by updated_at,
late records and deletes handled). Runs alternate after a warm-up; medians are compared.

    .venv/bin/python benchmarks/merge/bench_scd2.py                 # 1M rows, 100k changes
    .venv/bin/python benchmarks/merge/bench_scd2.py --rows 100000 --updates 10000
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

from alur_compiler.ir import (
    INGESTION_COLUMNS,
    Column,
    Layer,
    Pipeline,
    Project,
    Scd2,
    SourceTable,
    Table,
    WriteMode,
)
from alur_compiler.local.runner import run_script
from alur_compiler.local.session import get_spark

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import build_job, local_args, reset, save_base, timed, write_bronze_batch

DATA = (
    Column("id", "bigint", nullable=False),
    Column("name", "string"),
    Column("category", "string"),
    Column("amount", "double"),
    Column("updated_at", "timestamp"),
)
HISTORY = (
    Column("valid_from", "timestamp", nullable=False),
    Column("valid_to", "timestamp"),
    Column("is_current", "boolean", nullable=False),
)
SQL = "SELECT id, name, category, amount, updated_at FROM events_raw"
TARGET = "glue_catalog.bench_silver.events_history"
HAND_RESULT = "glue_catalog.bench_silver.hand_result"


def bench_project(root: Path) -> Project:
    meta = tuple(Column(n, t) for n, t in INGESTION_COLUMNS)
    raw = Table("events_raw", Layer.BRONZE, DATA + meta)
    silver = Table(
        "events_history",
        Layer.SILVER,
        DATA + HISTORY,
        primary_key=("id", "valid_from"),
        file_format="iceberg",
    )
    pipe = Pipeline(
        "history_events",
        "events_history",
        SQL,
        WriteMode.SCD2,
        (SourceTable("events_raw", "events_raw"),),
        scd2=Scd2(keys=("id",), sequence_by="updated_at"),
    )
    return Project("bench", str(root), (silver, raw), (pipe,), (), ())


def rows_sql(start: int, count: int, day: int, key: str = "id") -> str:
    return (
        f"SELECT {key} AS id, concat('name-', id, '-{day}') AS name, "
        f"element_at(array('a','b','c','d'), CAST(id % 4 AS INT) + 1) AS category, "
        f"CAST(id % 1000 AS DOUBLE) + {day} AS amount, "
        f"timestamp'2026-11-0{day} 00:00:00' + make_interval(0,0,0,0,0,0,id % 3600) AS updated_at "
        f"FROM range({start}, {start + count})"
    )


def prepare(spark: Any, lake: Path, rows: int, updates: int) -> None:
    keys = rows // 2
    v1 = spark.sql(rows_sql(0, keys, 1)).alias("a")
    v2 = spark.sql(rows_sql(0, keys, 2)).alias("b")
    closed = v1.join(v2.select("id", "updated_at").withColumnRenamed("updated_at", "nxt"), "id")
    closed = closed.selectExpr("*", "updated_at AS valid_from", "nxt AS valid_to").drop("nxt")
    closed = closed.selectExpr("*", "false AS is_current")
    current = v2.selectExpr("*", "updated_at AS valid_from", "CAST(NULL AS timestamp) AS valid_to")
    current = current.selectExpr("*", "true AS is_current")
    save_base(spark, closed.unionByName(current))
    spread = max(keys // updates, 1)
    key = f"CASE WHEN id % 2 = 0 THEN (id * {spread}) % {keys} ELSE {keys} + id END"
    write_bronze_batch(spark.sql(rows_sql(0, updates, 3, key)), lake, "events_raw")


def hand_written(spark: Any, lake: Path) -> None:
    """The SCD2 MERGE an engineer would write by hand (no late records, no deletes)."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    src = spark.read.parquet(str(lake / "bronze" / "events_raw")).select(
        "id", "name", "category", "amount", "updated_at"
    )
    w = Window.partitionBy("id").orderBy(F.col("updated_at").desc())
    latest = src.withColumn("rn", F.row_number().over(w)).where("rn = 1").drop("rn")
    cols = ["id", "name", "category", "amount", "updated_at"]
    cur = spark.table(TARGET).where("is_current").select("id", F.col("updated_at").alias("cur_at"))
    changed = latest.join(cur, "id").where("updated_at > cur_at").drop("cur_at")
    staged = latest.selectExpr("id AS merge_key", *cols).unionByName(
        changed.selectExpr("CAST(NULL AS bigint) AS merge_key", *cols)
    )
    staged.createOrReplaceTempView("hand_staged")
    spark.sql(
        f"MERGE INTO {TARGET} t USING hand_staged s ON t.id = s.merge_key AND t.is_current "
        "WHEN MATCHED AND s.updated_at > t.updated_at THEN "
        "UPDATE SET t.is_current = false, t.valid_to = s.updated_at "
        "WHEN NOT MATCHED THEN INSERT "
        "(id, name, category, amount, updated_at, valid_from, valid_to, is_current) VALUES "
        "(s.id, s.name, s.category, s.amount, s.updated_at, s.updated_at, NULL, true)"
    )


def same_rows(spark: Any, left: str, right: str) -> tuple[bool, int]:
    """Whether two tables hold the same multiset of rows (compared in Spark: 1.1M rows
    collected into Python would stay alive through the timed rounds, and every Python
    garbage collection would walk them, slowing the side that allocates more)."""
    a, b = spark.table(left), spark.table(right)
    n = b.count()
    return a.count() == n and a.exceptAll(b).isEmpty() and b.exceptAll(a).isEmpty(), n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--updates", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    opts = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="alur-bench-scd2-"))
    spark = get_spark(tmp / "warehouse")
    lake = tmp / "lake"
    prepare(spark, lake, opts.rows, opts.updates)
    script = build_job(tmp, bench_project(tmp), "history_events")
    gen: list[float] = []
    hand: list[float] = []
    same, n_rows = False, 0
    for i in range(opts.repeat + 1):  # round 0 warms up the JVM and is not counted
        reset(spark, TARGET)
        h = timed(lambda: hand_written(spark, lake))
        if i == 0:
            spark.sql(f"CREATE OR REPLACE TABLE {HAND_RESULT} USING iceberg AS TABLE {TARGET}")
        reset(spark, TARGET)
        fresh = local_args(tmp, lake, i)
        g = timed(lambda fresh=fresh: run_script(spark, script, fresh))
        if i == 0:
            same, n_rows = same_rows(spark, HAND_RESULT, TARGET)
        if i:
            hand.append(h)
            gen.append(g)
    g_med, h_med = statistics.median(gen), statistics.median(hand)
    print(f"rows={opts.rows} changes={opts.updates} repeat={opts.repeat}")
    print(f"hand-written SCD2 MERGE: median {h_med:.2f}s  runs {[round(x, 2) for x in hand]}")
    print(f"generated scd2 job     : median {g_med:.2f}s  runs {[round(x, 2) for x in gen]}")
    print(f"ratio generated/hand: {g_med / h_med:.3f}  (target <= 1.15)")
    print(f"same history on both sides: {same} ({n_rows} rows)")


if __name__ == "__main__":
    main()
