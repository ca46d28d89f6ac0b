"""The silver/gold pipeline job: sources -> SQL -> stage -> quality gate -> publish.

Sources are registered as temp views under the names the compiler rewrote the SQL to
(`__alur_src_<table>`): bronze from Parquet at `<lake>/bronze/<table>/` with the contract
schema, silver/gold from `glue_catalog.<db>.<table>`. The incremental source is filtered by
the pipeline's watermark (state item `watermark#<table>`), which advances only after a
successful publish. The SQL output is cast to the contract, cached once, checked, then written;
for merge the rows that passed are reduced to the latest record per key (merge.py).
"""

from __future__ import annotations

import datetime
import hashlib
import json
import re
from typing import Any

from pyspark.sql import functions as F

from alur_runtime.common import (
    JobFailed,
    base_report,
    crash_point,
    finish_report,
    log,
    new_run_id,
)
from alur_runtime.config import PipelineJob, Source
from alur_runtime.conform import partition_spec, quote_ident, table_ddl
from alur_runtime.gate import bronze_frame, iceberg_name, quality_gate
from alur_runtime.merge import TOMBSTONE_SUFFIX, merge_records, stage_merge_columns
from alur_runtime.owner import ACTIVE_RUNS, describe_owner, owner_fields, owner_liveness
from alur_runtime.publish import create_table, prepare_target, write_quarantine, write_table
from alur_runtime.refresh import reset_if_asked
from alur_runtime.scd2 import scd2_records, stage_scd2_columns
from alur_runtime.state import open_state
from alur_runtime.steps import enter, failure_report, job_failed


def run_pipeline(spark: Any, job: PipelineJob, args: dict[str, str]) -> dict[str, Any]:
    """Run the pipeline once; returns the run report (status succeeded|failed).

    A run with no new input writes nothing. Otherwise it records its input (the intent:
    watermark range and source fingerprint) before writing, so that a re-run after a crash
    reads exactly the same rows and finishes the same writes idempotently.
    """
    run_id = new_run_id()
    report = base_report(job, args, run_id)
    store = open_state(args)
    ACTIVE_RUNS.add(run_id)
    try:
        current = store.get(job["name"], "intent")
        holder = _live_holder(job, args, current)
        if holder is not None:
            report["held_by"] = holder
            raise JobFailed(
                f"another run of {job['name']} is in progress ({holder['owner']}, since "
                f"{holder['since']} UTC); this run wrote nothing"
            )
        current = reset_if_asked(spark, job, args, store, report, current)  # refresh.py
        prepare_target(spark, job, args)  # evolve.py: the table to the contract, or stop
        enter(report, "read")
        plan = plan_inputs(spark, job, args, store)
        if plan is None:
            stale = store.get(job["name"], "intent")
            if stale is not None:  # its writes and watermark are done (killed just before)
                store.delete_if(job["name"], "intent", {"id": stale["id"]})
            log(job["name"], "no new input since the last successful run; nothing to do")
            report["no_new_input"] = True
            return finish_report(args, report, "succeeded")
        report["input_id"] = plan["id"]
        if plan.get("resumed"):
            report["resumed_input"] = plan["id"]
            log(job["name"], f"resuming the unfinished input {plan['id']} of an earlier run")
        item = {**_intent_item(plan), "run_id": run_id, "opened_at": _utc_now()}
        item.update(owner_fields(args))
        if not store.put_if(job["name"], "intent", item, current):
            raise JobFailed(
                f"another run of {job['name']} recorded its input at the same moment; "
                "this run wrote nothing (run it again once that one has finished)"
            )
        crash_point("after_intent")
        enter(report, "sql")
        staged = stage_output(spark, job)
        publish(spark, job, args, staged, report, run_id, plan)
        crash_point("before_watermark")
        enter(report, "watermark")
        for table, value in sorted(plan["to"].items()):
            store.put(job["name"], f"watermark#{table}", {"value": value, "run_id": run_id})
        if not plan["to"]:
            store.put(job["name"], "inputs", {"value": plan["inputs"], "run_id": run_id})
        crash_point("after_watermark")
        store.delete_if(job["name"], "intent", {"id": plan["id"]})
    except JobFailed as exc:
        log(job["name"], f"failed: {exc}")
        report["failure"] = job_failed(report, exc)
        return finish_report(args, report, "failed", str(exc))
    except Exception as exc:  # Spark, Iceberg, S3: report where it happened, then re-raise
        failure_report(spark, args, job, report, exc)
        raise
    finally:
        ACTIVE_RUNS.discard(run_id)
    return finish_report(args, report, "succeeded")


def _live_holder(
    job: PipelineJob, args: dict[str, str], intent: dict[str, str] | None
) -> dict[str, str] | None:
    """The owner of an unfinished intent of another run that is still running, if any.

    An intent whose owner is gone (a crash) is resumed by this run; one whose owner cannot
    be decided (another host, no Glue API access) counts as running while it is younger
    than the job's timeout (the lease), as an ingestion batch does."""
    if intent is None or not intent.get("run_id"):
        return None  # none, or written by a runtime before 0.2: resumable as before
    liveness = owner_liveness(intent["run_id"], intent, args)
    lease = int(args.get("alur_claim_lease_seconds", job["lease_seconds"]))
    if liveness == "gone" or (liveness == "unknown" and _age(intent) >= lease):
        return None
    return {
        "run_id": intent["run_id"],
        "owner": describe_owner(intent),
        "owner_liveness": liveness,
        "since": intent.get("opened_at", "?"),
    }


def _age(item: dict[str, str]) -> float:
    opened = datetime.datetime.fromisoformat(item.get("opened_at", "1970-01-01 00:00:00"))
    now = datetime.datetime.now(datetime.UTC).replace(tzinfo=None)
    return (now - opened).total_seconds()


def _utc_now() -> str:
    return datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def _intent_item(plan: dict[str, Any]) -> dict[str, str]:
    return {
        "id": plan["id"],
        "from": json.dumps(plan["from"], sort_keys=True),
        "to": json.dumps(plan["to"], sort_keys=True),
        "inputs": plan["inputs"],
    }


def read_source(spark: Any, args: dict[str, str], source: Source) -> Any:
    if source["layer"] == "bronze":
        return bronze_frame(spark, args, source["table"], source["columns"])
    return spark.table(iceberg_name(args, source["layer"], source["table"]))


def pending_batches(store: Any, writers: list[str]) -> dict[str, dict[str, str]]:
    """Ingestion batches not finished yet: batch id -> item. `open` and `aborted` ones
    never publish a row into the table folders; a `committed` one may be publishing right
    now (its item is dropped once every file is published), so its rows are hidden too
    until the next run sees the whole batch."""
    out: dict[str, dict[str, str]] = {}
    for writer in writers:
        for sk, item in store.query(writer, "batch#"):
            if item.get("status") in ("open", "aborted", "committed"):
                out[sk[len("batch#") :]] = item
    return out


def clamp_watermark(latest: str, previous: str | None, pending: dict[str, Any]) -> str:
    """Never past the start of an unfinished batch: its rows may still appear with older
    stamps (an open batch may commit, a committed one may still be publishing)."""
    opened = [i["opened_at"] for i in pending.values() if i.get("status") in ("open", "committed")]
    value = datetime.datetime.fromisoformat(latest)
    if opened:
        start = min(datetime.datetime.fromisoformat(o) for o in opened)
        value = min(value, start - datetime.timedelta(microseconds=1))
    if previous is not None:
        value = max(value, datetime.datetime.fromisoformat(previous))
    return value.strftime("%Y-%m-%d %H:%M:%S.%f")


def source_fingerprints(
    spark: Any, args: dict[str, str], source: Source, df: Any
) -> tuple[str, str]:
    """What identifies a source's content: its data files (bronze) or current snapshot;
    bronze files are named by their place under the lake, so a copied or moved local
    warehouse keeps its fingerprints. Second: the same as earlier runtimes wrote it (full
    file names), still accepted as "no new input". One listing, one query."""
    if source["layer"] == "bronze":
        files = sorted(df.inputFiles())
        lake = args.get("alur_lake", "")
        relative = "files:" + _digest(sorted(_under(f, lake) for f in files))
        return relative, "files:" + _digest(files)
    name = iceberg_name(args, source["layer"], source["table"])
    try:
        rows = spark.sql(f"SELECT snapshot_id FROM {name}.refs WHERE name = 'main'").collect()
    except Exception:  # no such table yet: nothing to read
        return "absent", "absent"
    snapshot = "snapshot:" + (str(rows[0][0]) if rows else "none")
    return snapshot, snapshot


def _under(uri: str, root: str) -> str:
    """`uri` relative to the folder `root` (file:/ and file:/// alike), else itself."""
    bare, base = (re.sub(r"^file:/+", "/", x) for x in (uri, root.rstrip("/") + "/"))
    return bare[len(base) :] if root and bare.startswith(base) else uri


def _digest(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def plan_inputs(
    spark: Any, job: PipelineJob, args: dict[str, str], store: Any
) -> dict[str, Any] | None:
    """Register every source view; returns the run's input plan, or None if nothing is new.

    The plan: `from`/`to` watermarks of the incremental source (the rows read are
    `from < watermark <= to`), `inputs` (a digest of every source's content and hidden
    batches) and `id`. An unfinished intent of an earlier run with the same `from` is
    resumed with its `to`, so a re-run reads exactly the rows the crashed run read.
    """
    intent = store.get(job["name"], "intent")
    froms: dict[str, str] = {}
    marks: dict[str, str] = {}
    prints: dict[str, Any] = {}
    olds: dict[str, Any] = {}
    resumed = False
    for source in job["sources"]:
        writers = source["writers"]
        pending = pending_batches(store, writers)
        df = read_source(spark, args, source)  # lists the files now
        pending.update(pending_batches(store, writers))
        if pending:
            df = df.where(~F.col("_batch_id").isin(sorted(pending)))
        column = source["incremental_column"]
        table = source["table"]
        if column:
            item = store.get(job["name"], f"watermark#{table}")
            col = F.col(quote_ident(column))
            kind = source["incremental_type"] or "string"
            previous = item["value"] if item else None
            froms[table] = previous or ""
            if previous is not None:
                df = df.where(col > F.lit(previous).cast(kind))
            planned = _planned_to(intent, table, froms[table])
            if planned is not None:
                df = df.where(col <= F.lit(planned).cast(kind))
                latest: Any = planned
                resumed = True
            else:
                latest = df.agg(F.max(col).cast("string").alias("m")).collect()[0]["m"]
                if latest is None:
                    return None
                if column == "_ingested_at":
                    latest = clamp_watermark(str(latest), previous, pending)
                df = df.where(col <= F.lit(str(latest)).cast(kind))
            marks[table] = str(latest)
        else:
            now, before = source_fingerprints(spark, args, source, df)
            prints[table] = [now, sorted(pending)]
            olds[table] = [before, sorted(pending)]
        df.createOrReplaceTempView(source["view"])
    inputs = _digest(prints)
    known = {inputs, _digest(olds)}  # an earlier runtime's digest of the same inputs
    if not marks:
        done = store.get(job["name"], "inputs")
        if done is not None and done.get("value") in known:
            return None
        resumed = intent is not None and intent.get("inputs") in known
    plan_id = _digest({"job": job["name"], "from": froms, "to": marks, "inputs": inputs})
    return {"id": plan_id, "from": froms, "to": marks, "inputs": inputs, "resumed": resumed}


def _planned_to(intent: dict[str, str] | None, table: str, start: str) -> str | None:
    """The `to` watermark of an unfinished intent that starts where this run starts."""
    if intent is None:
        return None
    froms, tos = json.loads(intent["from"]), json.loads(intent["to"])
    if froms.get(table) != start or table not in tos:
        return None
    return str(tos[table])


def stage_output(spark: Any, job: PipelineJob) -> Any:
    """The SQL's rows cast to the contract; for merge plus `__alur_seq` and `__alur_delete`
    (computed from the query output). Not deduplicated: checks run on every row first."""
    out = spark.sql(job["sql"])
    if job["mode"] == "scd2":
        return stage_scd2_columns(out, job)
    lower = {c.lower(): c for c in out.columns}
    cols = [
        F.col(quote_ident(lower.get(c["name"].lower(), c["name"]))).cast(c["type"]).alias(c["name"])
        for c in job["target"]["columns"]
    ]
    if job["mode"] == "merge" and job["merge"] is not None:
        return stage_merge_columns(out, job, cols)
    return out.select(*cols)


def publish(
    spark: Any,
    job: PipelineJob,
    args: dict[str, str],
    staged: Any,
    report: dict[str, Any],
    run_id: str,
    plan: dict[str, Any],
) -> None:
    """Quality gate, then write target and quarantine; nothing is written if a check fails.

    Every write is idempotent for the plan's input: merge applies only records newer than
    what is stored, append is skipped when a snapshot of this input exists, overwrite
    replaces, and the quarantine rows of this input replace earlier ones.
    """
    target = job["target"]
    layer = target["layer"]
    if args.get("alur_mode") != "glue":
        spark.sql(
            f"CREATE NAMESPACE IF NOT EXISTS glue_catalog.{quote_ident(args[f'alur_db_{layer}'])}"
        )
    name = iceberg_name(args, layer, target["name"])
    ddl, spec = table_ddl(target["columns"]), partition_spec(target["partition_by"])
    create_table(spark, name, ddl, spec, target["pii"])
    enter(report, "checks")
    gate = quality_gate(spark, job, staged, report, args)
    report["rows_read"] = gate["rows_read"]
    report["rows_written"] = gate["rows_passed"]
    try:
        enter(report, "merge" if job["mode"] == "merge" else "write")
        if job["mode"] == "scd2":
            scd2_records(spark, job, args, gate["passed"], run_id, report)
        elif job["mode"] == "merge":
            side = iceberg_name(args, layer, target["name"] + TOMBSTONE_SUFFIX)
            merge_records(spark, job, (name, side), gate["passed"], run_id, report)
            report["rows_written"] = report["rows_applied"]
        else:
            write_table(spark, job, name, gate["passed"], plan["id"], gate["rows_passed"])
        crash_point("after_publish")
        qname = iceberg_name(args, layer, target["name"] + "_quarantine")
        enter(report, "quarantine")
        write_quarantine(
            spark, job, qname, gate["quarantine"], run_id, plan, gate.get("rows_quarantined", 0)
        )
        crash_point("after_quarantine")
    finally:
        gate["release"]()
