"""What every ingestion run (files or a database) does around its own steps: one batch
context, the run registered as active while it works, and one way to end — a handled
failure (JobFailed) undoes the batch and reports `failed`; any other error undoes it,
writes the failure report and is raised again; otherwise the run succeeded."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from alur_runtime import bronze_types
from alur_runtime.common import JobFailed, finish_report, log
from alur_runtime.config import IngestionJob
from alur_runtime.ingest import lake_paths
from alur_runtime.owner import ACTIVE_RUNS
from alur_runtime.steps import failure_report, job_failed


def batch_context(job: IngestionJob, args: dict[str, str], run_id: str) -> dict[str, Any]:
    """The state one batch's steps share (ingest.py's functions take it as `ctx`)."""
    return {
        "job": job["name"],
        "batch_id": run_id,
        "lease_seconds": int(args.get("alur_claim_lease_seconds", job["lease_seconds"])),
        "paths": lake_paths(args, job["target"]["name"]),
        "recovered": set(),
        "args": args,
    }


def run_batch(
    spark: Any,
    job: IngestionJob,
    args: dict[str, str],
    report: dict[str, Any],
    body: Callable[[], None],
    undo: Callable[[], None],
    store: Any,
) -> dict[str, Any]:
    """Run `body` as the batch `report["run_id"]`; `undo` removes what it wrote. First of
    all the contract is checked against what the table's files store (bronze_types)."""
    run_id = report["run_id"]
    ACTIVE_RUNS.add(run_id)
    try:
        bronze_types.guard(spark, job, args, store)
        body()
    except JobFailed as exc:
        undo()
        log(job["name"], f"failed: {exc}")
        report["failure"] = job_failed(report, exc)
        return finish_report(args, report, "failed", str(exc))
    except Exception as exc:  # Spark, S3, JDBC, state: report where it happened, re-raise
        try:
            undo()
        finally:  # the report is written even when undoing fails too
            failure_report(spark, args, job, report, exc)
        raise
    finally:
        ACTIVE_RUNS.discard(run_id)
    report.pop("data_written", None)
    return finish_report(args, report, "succeeded")
