"""The quality gate between staging and publishing (evaluate_checks is runtime/quality.py).

All checks of the target are evaluated in one pass over the staged rows; `warn` only logs,
`drop` removes rows, `quarantine` removes them and hands them back for the quarantine
table, and an unsuccessful `fail` check raises JobFailed before anything is published.
"""

from __future__ import annotations

from typing import Any

from alur_runtime.common import JobFailed, join_path, log, path_exists
from alur_runtime.config import Check, Job, Lookup, Merge
from alur_runtime.conform import quote_ident, reader_ddl
from alur_runtime.quality import evaluate_checks
from alur_runtime.spark_paths import literal


def table_reader(spark: Any, args: dict[str, str], tables: dict[str, Lookup]) -> Any:
    """lookup(name) -> DataFrame of another table of the project (relationship checks)."""

    def lookup(name: str) -> Any:
        meta = tables[name]
        if meta["layer"] == "bronze":
            return bronze_frame(spark, args, name, meta["columns"])
        return spark.table(iceberg_name(args, meta["layer"], name))

    return lookup


def bronze_frame(spark: Any, args: dict[str, str], table: str, columns: Any) -> Any:
    """A bronze table's rows; no rows (not an error) while no file was ever published into
    its folder, as a Glue catalog table over an empty prefix reads."""
    path = join_path(args["alur_lake"], "bronze", table)
    ddl = reader_ddl(columns)
    if not path_exists(spark, path):
        return spark.createDataFrame([], ddl)
    return spark.read.schema(ddl).parquet(literal(path))


def iceberg_name(args: dict[str, str], layer: str, table: str) -> str:
    db = args[f"alur_db_{layer}"]
    return "glue_catalog." + ".".join(quote_ident(p) for p in (db, table))


def proven_checks(merge: Merge | None, checks: list[Check]) -> set[str]:
    """Checks true by construction: `unique` on exactly the merge keys (a merge publishes
    one record per key: the latest of the rows that passed the other checks)."""
    keys = set(merge["keys"]) if merge else set()
    return {
        c["name"] for c in checks if keys and c["type"] == "unique" and set(c["columns"]) == keys
    }


def quality_gate(
    spark: Any, job: Job, df: Any, report: dict[str, Any], args: dict[str, str]
) -> dict[str, Any]:
    """Evaluate the checks on `df`; returns passed/quarantine DataFrames and counts."""
    if job["kind"] == "ingestion" and not job["checks"]:
        return {"passed": df, "quarantine": None, "release": lambda: None}
    proven = proven_checks(job["merge"], job["checks"]) if job["kind"] == "pipeline" else set()
    checks = [c for c in job["checks"] if c["name"] not in proven]
    if not checks:
        # read once more by the write, so counted without a cache (a count decodes no
        # column where nothing filters); cached only when the query is not deterministic,
        # so that the count is the number of rows written
        staged = df if _deterministic(df) else df.cache()
        n = staged.count()
        report["checks"] = [_gate_proven(c, n) for c in job["checks"] if c["name"] in proven]
        report["rows_read"] = max(int(report["rows_read"]), n)
        return {
            "passed": staged,
            "quarantine": None,
            "rows_read": n,
            "rows_passed": n,
            "release": staged.unpersist,
        }
    outcome = evaluate_checks(df, checks, lookup=table_reader(spark, args, job["lookups"]))
    counts = outcome.counts
    by_name = {r["name"]: _gate_verdict(r) for r in outcome.results}
    n = int(counts["row_count"])
    report["checks"] = [by_name.get(c["name"]) or _gate_proven(c, n) for c in job["checks"]]
    report["rows_read"] = max(int(report["rows_read"]), n)
    report["rows_dropped"] += int(counts["rows_dropped"])
    report["rows_quarantined"] += int(counts["rows_quarantined"])
    for result in outcome.results:
        if not result["success"]:
            what = _gate_describe(result)
            log(job["name"], f"check {result['name']} ({result['action']}): {what}")
    if outcome.failed:
        outcome.unpersist()
        failed = [r["name"] for r in outcome.results if r["action"] == "fail" and not r["success"]]
        raise JobFailed("fail check(s) unsuccessful: " + ", ".join(failed))
    return {
        "passed": outcome.passed_df,
        "quarantine": outcome.quarantine_df,
        "rows_read": n,
        "rows_passed": int(counts["rows_passed"]),
        "rows_quarantined": int(counts["rows_quarantined"]),
        "release": outcome.unpersist,
    }


def _deterministic(df: Any) -> bool:
    """Whether every execution of `df`'s plan returns the same rows (no rand(), uuid())."""
    return bool(df._jdf.queryExecution().analyzed().deterministic())


def _gate_proven(check: Check, n: int) -> dict[str, Any]:
    return {
        "name": check["name"],
        "type": check["type"],
        "action": check["action"],
        "level": check["level"],
        "unexpected_count": 0,
        "element_count": n,
        "success": True,
        "verdict": "passed",
        "proof": "rows are deduplicated by the merge keys before publishing",
    }


def _gate_verdict(result: dict[str, Any]) -> dict[str, Any]:
    keys = ("name", "type", "action", "level", "unexpected_count", "element_count", "success")
    out = {k: result.get(k) for k in keys}
    out["verdict"] = "passed" if result["success"] else _failed_gate_verdict(result["action"])
    if "error" in result:
        out["error"] = result["error"]
    return out


def _failed_gate_verdict(action: str) -> str:
    return {"warn": "warned", "drop": "dropped", "quarantine": "quarantined"}.get(action, "failed")


def _gate_describe(result: dict[str, Any]) -> str:
    if result.get("error"):  # e.g. a relationship check whose table cannot be read
        return "could not be evaluated: " + str(result["error"]).strip().splitlines()[0][:500]
    if result.get("unexpected_count") is not None:
        return f"{result['unexpected_count']} of {result.get('element_count')} row(s) unexpected"
    return f"observed {result.get('observed_value')}"
