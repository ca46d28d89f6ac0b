"""Writing a staged DataFrame into its Iceberg table: create, overwrite, append, quarantine.

The table is created on first run with the contract's columns, partition transforms and
'format-version'='2' (contracts.md §6). NOT NULL is not declared: Iceberg rejects writes of
nullable DataFrame columns into required ones; nullability is a contract check instead.
"""

from __future__ import annotations

import datetime
from typing import Any

from pyspark.sql import functions as F

from alur_runtime.config import Column, Job, PipelineJob
from alur_runtime.conform import column_names, quote_ident, sql_string, table_ddl
from alur_runtime.evolve import evolve_table, evolve_target
from alur_runtime.gate import iceberg_name

INPUT_PROPERTY = "alur.input"
QUARANTINE_COLUMNS = (
    ("_failed_checks", "array<string>"),
    ("_quarantined_at", "timestamp"),
    ("_job", "string"),
    ("_run_id", "string"),
    ("_input_id", "string"),
)


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


def prepare_target(spark: Any, job: PipelineJob, args: dict[str, str]) -> None:
    """At the start of a run (after a full refresh emptied the table): bring an existing
    target to the contract (evolve.py), so that a run with no new input evolves it too (a
    downstream SQL may read the new column) and a change it cannot apply stops the run
    before it reads. The writes below check again (a no-op then)."""
    target = job["target"]
    evolve_target(spark, job, iceberg_name(args, target["layer"], target["name"]))


def write_table(spark: Any, job: PipelineJob, name: str, df: Any, input_id: str, rows: int) -> None:
    """Publish `df` into `name` with mode append or overwrite (merge: merge.py).

    Append is skipped when a snapshot of this input exists already (a re-run after a crash
    between the write and the watermark), and writes nothing for zero rows. The table is
    first brought to the contract (evolve.py), or the job stops before writing.
    """
    evolve_target(spark, job, name)
    mode = job["mode"]
    prop = "snapshot-property." + INPUT_PROPERTY
    if mode == "overwrite" and job["overwrite_scope"] == "partitions":
        if rows:
            df.writeTo(name).option(prop, input_id).overwritePartitions()
    elif mode == "overwrite":
        df.writeTo(name).option(prop, input_id).overwrite(F.lit(True))
    elif rows and not has_input_snapshot(spark, name, input_id):
        df.writeTo(name).option(prop, input_id).append()


def quarantine_columns(job: Job) -> list[Column]:
    """The quarantine table's columns: the contract's (all nullable), then the reasons."""
    out: list[Column] = []
    for c in job["target"]["columns"]:
        col: Column = {"name": c["name"], "type": c["type"], "nullable": True}
        if "renamed_from" in c:
            col["renamed_from"] = c["renamed_from"]
        if "at" in c:
            col["at"] = c["at"]
        out.append(col)
    out += [{"name": n, "type": t, "nullable": True} for n, t in QUARANTINE_COLUMNS]
    return out


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
    ddl = table_ddl(quarantine_columns(job))
    # An older quarantine lacks `_input_id` (before 0.2) or newer contract columns; its old
    # rows get '' in `_input_id`, which the overwrite below filters on.
    contract = job["target"].get("contract")
    evolve_table(spark, name, quarantine_columns(job), fill={"_input_id": ""}, contract=contract)
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
