"""What the MERGE and SCD2 benchmarks share: building the generated job, its local
arguments, the bronze batch, resetting the target from the base table, timing."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from alur_compiler.backends.glue import GlueBackend
from alur_compiler.backends.runtime import RuntimeBackend
from alur_compiler.diagnostics import Diagnostics
from alur_compiler.ir import Project

BASE = "glue_catalog.bench_silver.base"


def build_job(tmp: Path, project: Project, job: str) -> Path:
    """Write the project's job scripts and runtime wheel under tmp/build; the job's script."""
    arts = [*GlueBackend().generate(project, Diagnostics())]
    arts += RuntimeBackend().generate(project, Diagnostics())
    for art in arts:
        (tmp / "build" / art.path).parent.mkdir(parents=True, exist_ok=True)
        (tmp / "build" / art.path).write_bytes(art.content)
    return tmp / "build" / "glue" / f"{job}.py"


def local_args(tmp: Path, lake: Path, round_no: int) -> dict[str, str]:
    """The job arguments of `alurc run --local`, with a state folder per round: with one
    folder the job's watermark would make every round after the first read no new rows."""
    return {
        "alur_mode": "local",
        "alur_lake": str(lake),
        "alur_state": str(tmp / f"state{round_no}"),
        "alur_reports": str(tmp / "reports"),
        "alur_db_bronze": "bench_bronze",
        "alur_db_silver": "bench_silver",
        "alur_db_gold": "bench_gold",
        "alur_print_report": "false",
    }


def write_bronze_batch(df: Any, lake: Path, table: str) -> None:
    """`df` with the ingestion metadata columns, as one batch in the bronze folder."""
    batch = df.selectExpr(
        "*",
        "current_timestamp() AS _ingested_at",
        "'bench' AS _source_file",
        "'bench' AS _source_system",
        "'b1' AS _batch_id",
    )
    batch.write.mode("overwrite").parquet(str(lake / "bronze" / table))


def save_base(spark: Any, df: Any) -> None:
    spark.sql("CREATE NAMESPACE IF NOT EXISTS glue_catalog.bench_silver")
    df.writeTo(BASE).using("iceberg").tableProperty("format-version", "2").createOrReplace()


def reset(spark: Any, target: str) -> None:
    """The target as a fresh copy of the base table."""
    spark.sql(f"DROP TABLE IF EXISTS {target}")
    spark.sql(
        f"CREATE TABLE {target} USING iceberg TBLPROPERTIES ('format-version'='2') "
        f"AS SELECT * FROM {BASE}"
    )


def timed(fn: Callable[[], Any]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start
