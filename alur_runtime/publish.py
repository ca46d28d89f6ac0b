"""Writing a staged DataFrame into its Iceberg table: create, overwrite, append, quarantine.

The table is created on first run with the contract's columns, partition transforms and
'format-version'='2' (contracts.md §6). NOT NULL is not declared: Iceberg rejects writes of
nullable DataFrame columns into required ones; nullability is a contract check instead.
"""

from __future__ import annotations

import datetime
from typing import Any

from pyspark.sql import functions as F

from alur_runtime.config import Job, PipelineJob
from alur_runtime.conform import column_names, quote_ident, sql_string, table_ddl

INPUT_PROPERTY = "alur.input"


def create_table(
    spark: Any, name: str, ddl: str, partition_spec: str, pii: list[str] | None = None
) -> None:
    """CREATE TABLE IF NOT EXISTS, Iceberg format 2; `pii` columns are listed in the table
    property `alur.pii` (comma-separated), which the Glue catalog shows as a parameter."""
    parts = f" PARTITIONED BY ({partition_spec})" if partition_spec else ""
    props = "'format-version'='2'"
    if pii:
        props += ", 'alur.pii'=" + sql_string(",".join(pii))
    spark.sql(
        f"CREATE TABLE IF NOT EXISTS {name} ({ddl}) USING iceberg{parts} TBLPROPERTIES ({props})"
    )


def add_missing_columns(spark: Any, name: str, columns: tuple[tuple[str, str], ...]) -> None:
    """Bring an existing table written by an older runtime up to the string columns this
    one writes: a quarantine table created before 0.2 has no `_input_id`, which the retry
    rule below filters on. Old rows get '' (not NULL): the UPDATE rewrites their files
    with statistics for the new column, without which Iceberg cannot decide whether an
    overwrite-by-filter matches a file and refuses the write ("Cannot delete file where
    some, but not all, rows match filter")."""
    if not spark.catalog.tableExists(name):
        return
    have = {field.name for field in spark.table(name).schema.fields}
    for column, kind in columns:
        col = quote_ident(column)
        if column not in have:
            spark.sql(f"ALTER TABLE {name} ADD COLUMN {col} {kind}")
        # Also after a crash between the two statements; files without NULLs are pruned
        # by their statistics, so this costs nothing once the table is migrated.
        if spark.table(name).where(F.col(col).isNull()).limit(1).count():
            spark.sql(f"UPDATE {name} SET {col} = '' WHERE {col} IS NULL")


def forget_view(spark: Any, view: str) -> None:
    """Remove the temp view `view` and nothing else.

    `spark.catalog.dropTempView` also UNCACHES the view's plan: when the DataFrame behind it
    is cached (the gate's staged rows), a later read of it would silently recompute the
    job's SQL. The session catalog's own drop removes the name only.
    """
    spark._jsparkSession.sessionState().catalog().dropTempView(view)


def has_input_snapshot(spark: Any, name: str, input_id: str) -> bool:
    """Whether a snapshot of `name` was committed for this input (`alur.input` property)."""
    rows = spark.sql(
        f"SELECT 1 FROM {name}.snapshots WHERE summary['{INPUT_PROPERTY}'] = '{input_id}' LIMIT 1"
    ).collect()
    return bool(rows)


def write_table(spark: Any, job: PipelineJob, name: str, df: Any, input_id: str, rows: int) -> None:
    """Publish `df` into `name` with mode append or overwrite (merge: merge.py).

    Append is skipped when a snapshot of this input exists already (a re-run after a crash
    between the write and the watermark), and writes nothing for zero rows.
    """
    mode = job["mode"]
    prop = "snapshot-property." + INPUT_PROPERTY
    if mode == "overwrite" and job["overwrite_scope"] == "partitions":
        if rows:
            df.writeTo(name).option(prop, input_id).overwritePartitions()
    elif mode == "overwrite":
        df.writeTo(name).option(prop, input_id).overwrite(F.lit(True))
    elif rows and not has_input_snapshot(spark, name, input_id):
        df.writeTo(name).option(prop, input_id).append()


def write_quarantine(
    spark: Any,
    job: Job,
    name: str,
    df: Any,
    run_id: str,
    plan: dict[str, Any],
    rows: int,
) -> None:
    """Write quarantined rows (with `_failed_checks`) to `<table>_quarantine`, replacing
    what an earlier attempt wrote for the same input: the rows of `_input_id` (incremental)
    or all rows of the job (a full read re-checks every row). Nothing when none are new."""
    ddl = (
        table_ddl(job["target"]["columns"])
        + ", _failed_checks array<string>, _quarantined_at timestamp, "
    )
    ddl += "_job string, _run_id string, _input_id string"
    add_missing_columns(spark, name, (("_input_id", "string"),))
    incremental = bool(plan["to"])
    cond = F.col("_job") == F.lit(job["name"])
    if incremental:
        cond = cond & (F.col("_input_id") == F.lit(plan["id"]))
    if df is None or not rows:
        if incremental or not spark.catalog.tableExists(name):
            return
        if not spark.table(name).where(cond).limit(1).count():
            return
    create_table(spark, name, ddl, "", job["target"]["pii"])
    now = datetime.datetime.now(datetime.UTC)
    if df is None:
        schema = spark.table(name).schema
        df = spark.createDataFrame([], schema)
    out = df.select(
        *[F.col(quote_ident(c)) for c in column_names(job["target"]["columns"])],
        F.col("_failed_checks"),
        F.lit(now).cast("timestamp").alias("_quarantined_at"),
        F.lit(job["name"]).alias("_job"),
        F.lit(run_id).alias("_run_id"),
        F.lit(plan["id"]).alias("_input_id"),
    )
    out.writeTo(name).option("snapshot-property." + INPUT_PROPERTY, plan["id"]).overwrite(cond)
