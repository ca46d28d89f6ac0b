"""The silver/gold pipeline job: sources -> SQL -> stage -> quality gate -> publish.

Sources are registered as temp views under the names the compiler rewrote the SQL to
(`__alur_src_<table>`): bronze from Parquet at `<lake>/bronze/<table>/` with the contract
schema, silver/gold from `glue_catalog.<db>.<table>`. The incremental source is filtered by
the pipeline's watermark (state item `watermark#<table>`), which advances only after a
successful publish. The SQL output is cast to the contract, deduplicated per merge key
(highest `sequence_by` wins), cached once, checked, then written.
"""

from __future__ import annotations

import datetime
from typing import Any

from pyspark.sql import functions as F

from alur_runtime.common import (
    JobFailed,
    base_report,
    crash_point,
    finish_report,
    join_path,
    log,
    new_run_id,
    path_exists,
)
from alur_runtime.config import PipelineJob, Source
from alur_runtime.conform import partition_spec, quote_ident, table_ddl
from alur_runtime.gate import iceberg_name, quality_gate
from alur_runtime.publish import create_table, dedupe_latest, write_quarantine, write_table
from alur_runtime.state import open_state


def run_pipeline(spark: Any, job: PipelineJob, args: dict[str, str]) -> dict[str, Any]:
    """Run the pipeline once; returns the run report (status succeeded|failed)."""
    run_id = new_run_id()
    report = base_report(job, args, run_id)
    store = open_state(args)
    try:
        marks = register_sources(spark, job, args, store)
        if marks is None:
            log(job["name"], "no new rows in the incremental source; nothing to do")
            return finish_report(args, report, "succeeded")
        staged = stage_output(spark, job)
        publish(spark, job, args, staged, report, run_id)
        for table, value in sorted(marks.items()):
            store.put(job["name"], f"watermark#{table}", {"value": value, "run_id": run_id})
    except JobFailed as exc:
        log(job["name"], f"failed: {exc}")
        return finish_report(args, report, "failed", str(exc))
    return finish_report(args, report, "succeeded")


def read_source(spark: Any, args: dict[str, str], source: Source) -> Any:
    if source["layer"] == "bronze":
        path = join_path(args["alur_lake"], "bronze", source["table"])
        ddl = table_ddl(source["columns"])
        if not path_exists(spark, path):
            return spark.createDataFrame([], ddl)
        return spark.read.schema(ddl).parquet(path)
    return spark.table(iceberg_name(args, source["layer"], source["table"]))


def pending_batches(store: Any, writers: list[str]) -> dict[str, dict[str, str]]:
    """Ingestion batches not committed yet (open or aborted): batch id -> item."""
    out: dict[str, dict[str, str]] = {}
    for writer in writers:
        for sk, item in store.query(writer, "batch#"):
            if item.get("status") in ("open", "aborted"):
                out[sk[len("batch#") :]] = item
    return out


def clamp_watermark(latest: str, previous: str | None, pending: dict[str, Any]) -> str:
    """Never past the start of an open batch: its rows may still arrive with older stamps."""
    opened = [i["opened_at"] for i in pending.values() if i.get("status") == "open"]
    value = datetime.datetime.fromisoformat(latest)
    if opened:
        start = min(datetime.datetime.fromisoformat(o) for o in opened)
        value = min(value, start - datetime.timedelta(microseconds=1))
    if previous is not None:
        value = max(value, datetime.datetime.fromisoformat(previous))
    return value.strftime("%Y-%m-%d %H:%M:%S.%f")


def register_sources(
    spark: Any, job: PipelineJob, args: dict[str, str], store: Any
) -> dict[str, str] | None:
    """Register every source view; returns the new watermarks, or None if nothing is new."""
    marks: dict[str, str] = {}
    for source in job["sources"]:
        writers = source["writers"]
        pending = pending_batches(store, writers)
        df = read_source(spark, args, source)  # lists the files now
        pending.update(pending_batches(store, writers))
        if pending:
            df = df.where(~F.col("_batch_id").isin(sorted(pending)))
        column = source["incremental_column"]
        if column:
            item = store.get(job["name"], f"watermark#{source['table']}")
            col = F.col(quote_ident(column))
            if item is not None:
                kind = source["incremental_type"] or "string"
                df = df.where(col > F.lit(item["value"]).cast(kind))
            latest = df.agg(F.max(col).cast("string").alias("m")).collect()[0]["m"]
            if latest is None:
                return None
            previous = item["value"] if item else None
            if column == "_ingested_at":
                latest = clamp_watermark(str(latest), previous, pending)
            marks[source["table"]] = str(latest)
        df.createOrReplaceTempView(source["view"])
    return marks


def stage_output(spark: Any, job: PipelineJob) -> Any:
    """The SQL's rows cast to the contract, one row per merge key (latest wins)."""
    out = spark.sql(job["sql"])
    lower = {c.lower(): c for c in out.columns}
    cols = [
        F.col(quote_ident(lower.get(c["name"].lower(), c["name"]))).cast(c["type"]).alias(c["name"])
        for c in job["target"]["columns"]
    ]
    staged = out.select(*cols)
    merge = job["merge"]
    if job["mode"] == "merge" and merge is not None:
        staged = dedupe_latest(staged, merge["keys"], merge["sequence_by"])
    return staged


def publish(
    spark: Any,
    job: PipelineJob,
    args: dict[str, str],
    staged: Any,
    report: dict[str, Any],
    run_id: str,
) -> None:
    """Quality gate, then write target and quarantine; nothing is written if a check fails."""
    target = job["target"]
    layer = target["layer"]
    if args.get("alur_mode") != "glue":
        spark.sql(
            f"CREATE NAMESPACE IF NOT EXISTS glue_catalog.{quote_ident(args[f'alur_db_{layer}'])}"
        )
    name = iceberg_name(args, layer, target["name"])
    create_table(spark, name, table_ddl(target["columns"]), partition_spec(target["partition_by"]))
    gate = quality_gate(spark, job, staged, report, args)
    report["rows_read"] = gate["rows_read"]
    report["rows_written"] = gate["rows_passed"]
    try:
        write_table(spark, job, name, gate["passed"])
        crash_point("after_publish")
        if gate["quarantine"] is not None:
            qname = iceberg_name(args, layer, target["name"] + "_quarantine")
            write_quarantine(spark, job, qname, gate["quarantine"], run_id)
    finally:
        gate["release"]()
