"""The entry point every generated job calls: `main(JOB)` from a script, `run_job` in-process."""

from __future__ import annotations

import sys
from typing import Any

from alur_runtime.common import parse_args, start_session
from alur_runtime.config import Job


def run_job(spark: Any, job: Job, args: dict[str, str]) -> dict[str, Any]:
    """Run `job` once in this Spark session; returns the run report (status, counts)."""
    if job["kind"] == "ingestion" and "jdbc" in job:
        from alur_runtime.jdbc import run_jdbc_ingestion

        return run_jdbc_ingestion(spark, job, args)
    if job["kind"] == "ingestion":
        from alur_runtime.bronze import run_ingestion

        return run_ingestion(spark, job, args)
    from alur_runtime.pipeline import run_pipeline

    return run_pipeline(spark, job, args)


def main(job: Job, argv: list[str] | None = None) -> None:
    """Parse Glue's `--key value` arguments, start the session, run; exit 1 unless it succeeded."""
    args = parse_args(sys.argv[1:] if argv is None else argv)
    report = run_job(start_session(args), job, args)
    if report["status"] != "succeeded":
        sys.exit(1)
