"""The bronze ingestion job: claim new files, conform them, check, append, commit.

The exactly-once protocol is described in ingest.py; this module is the run itself.
"""

from __future__ import annotations

import datetime
from typing import Any

from pyspark.sql import functions as F

from alur_runtime.batch_run import batch_context, run_batch
from alur_runtime.common import (
    JobFailed,
    base_report,
    crash_point,
    landing_files,
    log,
    new_run_id,
    source_base,
)
from alur_runtime.config import FileSource, IngestionJob
from alur_runtime.conform import (
    add_batch_columns,
    column_names,
    conform_file,
    count_rows,
    read_landing_file,
    union_all,
)
from alur_runtime.gate import quality_gate
from alur_runtime.ingest import (
    claim_files,
    commit_batch,
    open_batch,
    quarantine_file,
    recover_orphans,
    release_batch,
    remove_batch_data,
    staged_path,
)
from alur_runtime.state import open_state
from alur_runtime.steps import describe, enter


def run_ingestion(spark: Any, job: IngestionJob, args: dict[str, str]) -> dict[str, Any]:
    """Ingest every new landing file version of `job` once; returns the run report."""
    run_id = new_run_id()
    report = base_report(job, args, run_id)
    store = open_state(args)
    ctx = batch_context(job, args, run_id)
    claimed: list[tuple[str, str]] = []

    def body() -> None:
        files = landing_files(job["sources"], args)
        open_batch(store, ctx["job"], run_id, args)
        crash_point("after_open_batch")
        claimed.extend(claim_files(spark, store, ctx, files))
        recover_orphans(spark, store, ctx)
        report["files_seen"] = len(files)
        report["files_claimed"] = len(claimed)
        if ctx.get("held"):
            report["claims_held"] = sorted(ctx["held"].values(), key=lambda h: h["batch_id"])
        crash_point("after_claim")
        enter(report, "read")
        results = _ingest_claimed(spark, job, args, ctx, claimed, report, store)
        crash_point("after_data_write")
        enter(report, "commit")
        commit_batch(spark, store, ctx, results)

    return run_batch(
        spark, job, args, report, body, lambda: _undo(spark, store, ctx, claimed, report), store
    )


def _undo(
    spark: Any, store: Any, ctx: dict[str, Any], claimed: list[Any], report: dict[str, Any]
) -> None:
    """A handled failure: remove what this batch wrote, give its files back, abort it."""
    if ctx.get("committed"):  # past the commit point: the next run finishes the file items
        return
    if report.pop("data_written", False):
        remove_batch_data(spark, ctx, ctx["batch_id"])
    release_batch(store, ctx, claimed)


def _source_of(job: IngestionJob, args: dict[str, str], uri: str) -> FileSource:
    for source in job["sources"]:
        base = source_base(args, source["path"]).rstrip("/") + "/"
        if uri.startswith(base):  # `orders/` never claims a file of `orders_v2/`
            return source
    return job["sources"][0]


def _copy_name(job: IngestionJob, args: dict[str, str], uri: str) -> str:
    """Where a bad file's copy goes inside its batch's quarantine folder: its path below
    its source's folder (so two `x.csv` of different sub-folders never overwrite each
    other), under the source's 1-based number when the ingestion has several sources."""
    source = _source_of(job, args, uri)
    base = source_base(args, source["path"]).rstrip("/") + "/"
    rel = uri[len(base) :] if uri.startswith(base) else uri.rstrip("/").rsplit("/", 1)[-1]
    if len(job["sources"]) > 1:
        rel = f"{job['sources'].index(source) + 1}/{rel}"
    return rel


def _ingest_claimed(
    spark: Any,
    job: IngestionJob,
    args: dict[str, str],
    ctx: dict[str, Any],
    claimed: list[tuple[str, str]],
    report: dict[str, Any],
    store: Any,
) -> dict[str, str]:
    """Read, conform, check and append the claimed files; returns sk -> result."""
    results: dict[str, str] = {}
    frames: list[tuple[str, str, Any]] = []  # (sk, uri, conformed rows) of each good file
    columns = job["file_columns"]
    seen: dict[str, str] = {}
    for uri, fingerprint in claimed:
        sk = f"file#{uri}#{fingerprint}"
        same = _same_content(job, store, seen, uri, fingerprint)
        if same is not None:
            report.setdefault("duplicate_files", []).append({"file": uri, "same_as": same})
            log(job["name"], f"skipped {uri}: the same bytes were ingested as {same}")
            results[sk] = "duplicate"
            continue
        seen[fingerprint] = uri
        try:
            raw = read_landing_file(spark, uri, _source_of(job, args, uri))
            conformed, reason = conform_file(raw, uri, columns)
        except Exception as exc:  # an unreadable file is a bad file
            conformed, reason = None, unreadable(exc)
        if conformed is None:
            results[sk] = _bad_file(job, ctx, uri, str(reason), report)
            continue
        frames.append((sk, uri, conformed))
        results[sk] = "ingested"
    if frames:
        try:
            _write_rows(spark, job, ctx, union_all([f for _, _, f in frames]), report)
        except _CountFailed as failed:  # nothing written yet: is it one file's fault?
            kept = _files_read_alone(job, ctx, frames, results, report, failed.cause)
            _write_rows(spark, job, ctx, union_all(kept), report)
    return results


class _CountFailed(Exception):
    """The batch's first action, counting its rows, failed (nothing is written before)."""

    def __init__(self, cause: Exception) -> None:
        super().__init__(str(cause))
        self.cause = cause


def _files_read_alone(
    job: IngestionJob,
    ctx: dict[str, Any],
    frames: list[tuple[str, str, Any]],
    results: dict[str, str],
    report: dict[str, Any],
    cause: Exception,
) -> list[Any]:
    """The rows of the files that read on their own, once the batch as a whole failed to.

    Spark reads a file lazily, so a fault it finds only while reading (a CSV header that
    names a column twice, a damaged Parquet page) fails the whole batch's count, not the
    file's `read_landing_file`. Each file is then counted alone: when some read and some
    do not, those that do not are bad files (`on_bad_file`) and the others are ingested.
    When none reads alone, or every one does, the fault is not one file's: the batch fails
    as before, naming the files that did not read."""
    failing: list[tuple[str, str, str]] = []  # (sk, uri, why)
    for sk, uri, frame in frames:
        try:
            count_rows(frame)
        except Exception as exc:  # this file does not read
            failing.append((sk, uri, unreadable(exc)))
    if not failing or len(failing) == len(frames):
        if failing:
            named = "; ".join(f"{uri}: {why}" for _, uri, why in failing[:3])
            raise RuntimeError(f"no file of the batch could be read: {named}") from cause
        raise cause
    for sk, uri, why in failing:
        results[sk] = _bad_file(job, ctx, uri, why, report)
    bad = {sk for sk, _, _ in failing}
    return [frame for sk, _, frame in frames if sk not in bad]


def _same_content(
    job: IngestionJob, store: Any, seen: dict[str, str], uri: str, fingerprint: str
) -> str | None:
    """The file already ingested with these bytes under another name (skip mode), or None."""
    if job.get("on_duplicate_file", "skip") != "skip":
        return None
    if fingerprint in seen:
        return seen[fingerprint]
    first = store.get(job["name"], f"content#{fingerprint}")
    if first is not None and first.get("uri") != uri:
        return str(first.get("uri"))
    return None


def _bad_file(
    job: IngestionJob, ctx: dict[str, Any], uri: str, reason: str, report: dict[str, Any]
) -> str:
    report.setdefault("bad_files", []).append({"file": uri, "reason": reason})
    if job["on_bad_file"] == "fail":
        raise JobFailed(f"bad file {uri}: {reason}")
    if job["on_bad_file"] == "quarantine":
        quarantine_file(ctx, uri, reason, _copy_name(job, ctx["args"], uri))
        crash_point("after_file_quarantine")
        log(job["name"], f"quarantined bad file {uri}: {reason}")
        return "quarantined"
    log(job["name"], f"skipped bad file {uri}: {reason}")
    return "skipped"


def _write_rows(
    spark: Any, job: IngestionJob, ctx: dict[str, Any], df: Any, report: dict[str, Any]
) -> None:
    now = datetime.datetime.now(datetime.UTC)
    staged = add_batch_columns(df, now, job["source_system"], ctx["batch_id"]).cache()
    try:
        try:
            total, bad = count_rows(staged)
        except Exception as exc:  # the first action: Spark reads the files only now
            raise _CountFailed(exc) from exc
        report["rows_read"] = total
        if bad and job["on_bad_row"] == "fail":
            raise JobFailed(f"{bad} row(s) have values that do not fit the contract types")
        good = staged.where(F.size("_bad_columns") == 0).select(
            *column_names(job["target"]["columns"])
        )
        enter(report, "checks")
        outcome = quality_gate(spark, job, good, report, ctx["args"])
        enter(report, "write")
        report["data_written"] = True
        if bad and job["on_bad_row"] == "quarantine":
            rows = staged.where(F.size("_bad_columns") > 0)
            rows.write.mode("append").parquet(staged_path(ctx, "rows"))
            crash_point("after_row_quarantine")
            report["rows_quarantined"] += bad
        elif bad:
            report["rows_dropped"] += bad
        _append_bronze(job, ctx, outcome, report, total - bad)
    finally:
        staged.unpersist()


def _append_bronze(
    job: IngestionJob, ctx: dict[str, Any], outcome: Any, report: dict[str, Any], good: int
) -> None:
    parts = [p["column"] for p in job["target"]["partition_by"]]
    passed, quarantine = outcome["passed"], outcome["quarantine"]
    if quarantine is not None:
        quarantine.write.mode("append").parquet(staged_path(ctx, "checks"))
        crash_point("after_check_quarantine")
    writer = passed.write.mode("append")
    if parts:
        writer = writer.partitionBy(*parts)
    writer.parquet(staged_path(ctx, "data"))
    report["rows_written"] = outcome.get("rows_passed", good)
    outcome["release"]()


def unreadable(exc: BaseException) -> str:
    """Why a file could not be read, in one line: Spark's error class or the innermost
    Java exception, and its message (no stack trace, no plan)."""
    why = describe(exc)
    if why.get("error_class"):
        head = f"[{why['error_class']}] "
    elif why.get("java_class"):
        head = ""  # the message starts with the Java class
    else:
        head = f"{why['exception']}: "
    return f"unreadable: {head}{why['message']}"[:2000]
