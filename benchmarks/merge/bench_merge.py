"""Generated silver MERGE job vs a hand-written PySpark Iceberg MERGE doing the same work.

Both sides start from an identical Iceberg table of N rows and merge the same batch of U
updates/inserts (Parquet in bronze): dedupe per key by `updated_at`, then MERGE INTO by key
where the newer record wins. The generated side is `glue/clean_events.py` produced by the
glue backend and called through `run(spark, args)`, exactly as `alurc run --local` does;
with `--checks 5` its quality gate evaluates five checks first. Runs alternate sides after a
warm-up, and the median of each side is compared.

    .venv/bin/python benchmarks/merge/bench_merge.py                 # 1M rows, 100k updates
    .venv/bin/python benchmarks/merge/bench_merge.py --rows 100000 --updates 10000 --checks 5
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
    Action,
    Check,
    CheckType,
    Column,
    Layer,
    Pipeline,
    Project,
    SourceTable,
    Table,
    WriteMode,
)
from alur_compiler.local.runner import run_script
from alur_compiler.local.session import get_spark

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import build_job, local_args, reset, save_base, timed, write_bronze_batch

COLUMNS = (
    Column("id", "bigint", nullable=False),
    Column("name", "string"),
    Column("category", "string"),
    Column("amount", "double"),
    Column("updated_at", "timestamp"),
)
SQL = "SELECT id, name, category, amount, updated_at FROM events_raw"
FIVE_CHECKS = (
    Check("id_not_null", CheckType.NOT_NULL, Action.FAIL, columns=("id",)),
    Check("id_unique", CheckType.UNIQUE, Action.FAIL, columns=("id",)),
    Check("amount_range", CheckType.BETWEEN, Action.DROP, columns=("amount",), min=0, max=1e9),
    Check(
        "category_ok",
        CheckType.ACCEPTED_VALUES,
        Action.WARN,
        columns=("category",),
        values=("a", "b", "c", "d"),
    ),
    Check("name_len", CheckType.LENGTH_BETWEEN, Action.WARN, columns=("name",), min=1, max=40),
)


def bench_project(root: Path, checks: int) -> Project:
    meta = tuple(Column(n, t) for n, t in INGESTION_COLUMNS)
    raw = Table("events_raw", Layer.BRONZE, COLUMNS + meta)
    silver = Table(
        "events",
        Layer.SILVER,
        COLUMNS,
        primary_key=("id",),
        checks=FIVE_CHECKS[:checks],
        file_format="iceberg",
    )
    pipe = Pipeline(
        "clean_events",
        "events",
        SQL,
        WriteMode.MERGE,
        (SourceTable("events_raw", "events_raw"),),
        merge_keys=("id",),
        sequence_by="updated_at",
    )
    return Project("bench", str(root), (silver, raw), (pipe,), (), ())


def rows_sql(start: int, count: int, day: int) -> str:
    return (
        f"SELECT id, concat('name-', id) AS name, "
        f"element_at(array('a','b','c','d'), CAST(id % 4 AS INT) + 1) AS category, "
        f"CAST(id % 1000 AS DOUBLE) + {day} AS amount, "
        f"timestamp'2026-11-0{day} 00:00:00' + make_interval(0,0,0,0,0,0,id % 3600) AS updated_at "
        f"FROM range({start}, {start + count})"
    )


def prepare(spark: Any, lake: Path, rows: int, updates: int) -> None:
    save_base(spark, spark.sql(rows_sql(0, rows, 1)))
    # Half updates of existing keys (spread over the table), half new keys.
    upd = spark.sql(rows_sql(0, updates, 2)).selectExpr(
        f"CASE WHEN id % 2 = 0 THEN id * {max(rows // updates, 1)} ELSE {rows} + id END AS id",
        "name",
        "category",
        "amount",
        "updated_at",
    )
    write_bronze_batch(upd, lake, "events_raw")


def hand_written(spark: Any, lake: Path) -> None:
    """What an engineer would write by hand for the same job."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    src = spark.read.parquet(str(lake / "bronze" / "events_raw")).select(
        "id", "name", "category", "amount", "updated_at"
    )
    w = Window.partitionBy("id").orderBy(F.col("updated_at").desc())
    latest = src.withColumn("rn", F.row_number().over(w)).where("rn = 1").drop("rn")
    latest.createOrReplaceTempView("hand_updates")
    spark.sql(
        "MERGE INTO glue_catalog.bench_silver.events t USING hand_updates s ON t.id = s.id "
        "WHEN MATCHED AND s.updated_at >= t.updated_at THEN UPDATE SET * "
        "WHEN NOT MATCHED THEN INSERT *"
    )


def check_rows(spark: Any, target: str, expected: int, who: str) -> None:
    """Each timed round must have done the whole MERGE (not a no-op)."""
    got = spark.table(target).count()
    if got != expected:
        raise SystemExit(f"{who} MERGE left {got} rows, expected {expected}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--updates", type=int, default=100_000)
    parser.add_argument("--checks", type=int, default=0, choices=range(6))
    parser.add_argument("--repeat", type=int, default=3)
    opts = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="alur-bench-merge-"))
    spark = get_spark(tmp / "warehouse")
    lake = tmp / "lake"
    prepare(spark, lake, opts.rows, opts.updates)
    script = build_job(tmp, bench_project(tmp, opts.checks), "clean_events")
    target = "glue_catalog.bench_silver.events"
    gen: list[float] = []
    hand: list[float] = []
    expected = opts.rows + opts.updates // 2  # half the updates are new keys (prepare)
    for i in range(opts.repeat + 1):  # round 0 warms up the JVM and is not counted
        reset(spark, target)
        h = timed(lambda: hand_written(spark, lake))
        check_rows(spark, target, expected, "hand-written")
        reset(spark, target)
        round_args = local_args(tmp, lake, i)
        g = timed(lambda a=round_args: run_script(spark, script, a))
        check_rows(spark, target, expected, "generated")
        if i:
            hand.append(h)
            gen.append(g)
    rows = spark.table(target).count()
    g_med, h_med = statistics.median(gen), statistics.median(hand)
    print(f"rows={opts.rows} updates={opts.updates} checks={opts.checks} repeat={opts.repeat}")
    print(f"hand-written MERGE : median {h_med:.2f}s  runs {[round(x, 2) for x in hand]}")
    print(f"generated job      : median {g_med:.2f}s  runs {[round(x, 2) for x in gen]}")
    print(f"ratio generated/hand: {g_med / h_med:.3f}  (target <= {1.25 if opts.checks else 1.10})")
    print(f"final table rows: {rows}")


if __name__ == "__main__":
    main()
