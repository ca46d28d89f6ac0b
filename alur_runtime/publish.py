"""Writing a staged DataFrame into its Iceberg table: create, MERGE, overwrite, append.

The table is created on first run with the contract's columns, partition transforms and
'format-version'='2' (contracts.md §6). NOT NULL is not declared: Iceberg rejects writes of
nullable DataFrame columns into required ones; nullability is a contract check instead.
"""

from __future__ import annotations

import datetime
from typing import Any

from pyspark.sql import Window
from pyspark.sql import functions as F

from alur_runtime.config import Job, PipelineJob
from alur_runtime.conform import column_names, quote_ident, table_ddl

DELETE_FLAG = "__alur_delete"


def create_table(spark: Any, name: str, ddl: str, partition_spec: str) -> None:
    parts = f" PARTITIONED BY ({partition_spec})" if partition_spec else ""
    spark.sql(
        f"CREATE TABLE IF NOT EXISTS {name} ({ddl}) USING iceberg{parts} "
        "TBLPROPERTIES ('format-version'='2')"
    )


def dedupe_latest(df: Any, keys: list[str], sequence_by: str | None) -> Any:
    """One row per key: the one with the highest `sequence_by` (the batch's latest record)."""
    order = F.col(quote_ident(sequence_by)).desc_nulls_last() if sequence_by else F.lit(1)
    window = Window.partitionBy(*[F.col(quote_ident(k)) for k in keys]).orderBy(order)
    ranked = df.withColumn("__alur_rank", F.row_number().over(window))
    return ranked.where(F.col("__alur_rank") == 1).drop("__alur_rank")


def merge_sql(
    target: str,
    source_view: str,
    columns: list[str],
    keys: list[str],
    sequence_by: str | None,
    with_delete: bool,
) -> str:
    """MERGE INTO by key; an older source record (lower sequence) never overwrites a newer one."""
    q = quote_ident
    on = " AND ".join(f"t.{q(k)} = s.{q(k)}" for k in keys)
    newer = ""
    if sequence_by:
        seq = q(sequence_by)
        newer = f" AND (s.{seq} >= t.{seq} OR t.{seq} IS NULL)"
    sets = ", ".join(f"t.{q(c)} = s.{q(c)}" for c in columns)
    names = ", ".join(q(c) for c in columns)
    values = ", ".join(f"s.{q(c)}" for c in columns)
    lines = [f"MERGE INTO {target} AS t", f"USING {source_view} AS s", f"ON {on}"]
    if with_delete:
        lines.append(f"WHEN MATCHED{newer} AND s.{DELETE_FLAG} THEN DELETE")
    lines.append(f"WHEN MATCHED{newer} THEN UPDATE SET {sets}")
    insert_when = f" AND NOT s.{DELETE_FLAG}" if with_delete else ""
    lines.append(f"WHEN NOT MATCHED{insert_when} THEN INSERT ({names}) VALUES ({values})")
    return "\n".join(lines)


def merge_into(spark: Any, job: PipelineJob, name: str, df: Any) -> None:
    merge = job["merge"]
    if merge is None:
        raise ValueError(f"job {job['name']!r} has mode merge but no merge keys")
    columns = column_names(job["target"]["columns"])
    delete_when = merge["delete_when"]
    if delete_when:
        df = df.withColumn(DELETE_FLAG, F.coalesce(F.expr(delete_when), F.lit(False)))
    view = "__alur_stage_" + job["name"]
    df.createOrReplaceTempView(view)
    try:
        sql = merge_sql(name, view, columns, merge["keys"], merge["sequence_by"], bool(delete_when))
        spark.sql(sql)
    finally:
        forget_view(spark, view)


def forget_view(spark: Any, view: str) -> None:
    """Remove the temp view `view` and nothing else.

    `spark.catalog.dropTempView` also UNCACHES the view's plan: when the DataFrame behind it
    is cached (the gate's staged rows), a later read of it would silently recompute the
    job's SQL. The session catalog's own drop removes the name only.
    """
    spark._jsparkSession.sessionState().catalog().dropTempView(view)


def write_table(spark: Any, job: PipelineJob, name: str, df: Any) -> None:
    """Publish `df` into `name` with the pipeline's write mode."""
    mode = job["mode"]
    if mode == "merge":
        merge_into(spark, job, name, df)
    elif mode == "overwrite" and job["overwrite_scope"] == "partitions":
        df.writeTo(name).overwritePartitions()
    elif mode == "overwrite":
        df.writeTo(name).overwrite(F.lit(True))
    else:
        df.writeTo(name).append()


def write_quarantine(spark: Any, job: Job, name: str, df: Any, run_id: str) -> None:
    """Append quarantined rows (with `_failed_checks`) to `<table>_quarantine`."""
    ddl = (
        table_ddl(job["target"]["columns"])
        + ", _failed_checks array<string>, _quarantined_at timestamp, "
    )
    ddl += "_job string, _run_id string"
    create_table(spark, name, ddl, "")
    now = datetime.datetime.now(datetime.UTC)
    out = df.select(
        *[F.col(quote_ident(c)) for c in column_names(job["target"]["columns"])],
        F.col("_failed_checks"),
        F.lit(now).alias("_quarantined_at"),
        F.lit(job["name"]).alias("_job"),
        F.lit(run_id).alias("_run_id"),
    )
    out.writeTo(name).append()
