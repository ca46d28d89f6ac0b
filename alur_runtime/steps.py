"""Which step a run is in, and what a failure report says about an exception.

A job marks the step it enters (`enter(report, "sql")`); when any exception escapes the
run, `failure_report` writes the run report with status `failed`, the step, the check if
one is involved, the Spark error class and message (from pyspark's captured exceptions or
the Java exception inside a Py4JJavaError), where in the job's SQL it happened (when Spark
says), and the traceback. The exception is then re-raised: on Glue the run still ends
FAILED. `SimulatedCrash` is a BaseException and never reaches this module.
"""

from __future__ import annotations

import contextlib
import re
import traceback
from typing import Any

from alur_runtime.common import finish_report, log
from alur_runtime.config import Job

#: the steps a run passes, in order (specs/README.md "When a run fails")
STEPS = ("plan", "read", "sql", "checks", "write", "merge", "quarantine", "commit", "watermark")

#: what the compiler's side (local runner) finds on the exception: the written report
REPORT_ATTR = "alur_report"

#: steps in which Spark may be evaluating the pipeline's SQL (lazily)
_LAZY_STEPS = ("checks", "write", "merge")
_CLASS = re.compile(r"^\s*\[(?P<cls>[A-Z0-9_]+(?:\.[A-Z0-9_]+)*)\]\s*")
_ANALYSIS_POS = re.compile(r";?\s*line (?P<line>\d+) pos (?P<pos>\d+)")
_PARSE_POS = re.compile(r"\(line (?P<line>\d+), pos (?P<pos>\d+)\)")


def enter(report: dict[str, Any], step: str, check: str | None = None) -> None:
    """Record that the run is now in `step` (and `check`, when one check is evaluated)."""
    assert step in STEPS, step
    report["_step"] = step
    report["_check"] = check


def failure_report(
    spark: Any, args: dict[str, str], job: Job, report: dict[str, Any], exc: BaseException
) -> dict[str, Any]:
    """Finish `report` as failed with everything known about `exc`; attaches it to `exc`."""
    failure = describe(exc)
    failure["step"] = report.pop("_step", "plan")
    failure["check"] = report.pop("_check", None)
    failure["traceback"] = "".join(traceback.format_exception(exc))
    if _worth_replaying(failure):
        failure.update(_replay_sql(spark, job, failure.get("error_class")))
    where = _locate(job, failure)
    if where is not None:
        failure.update(where)
    if failure.get("in_sql") and failure["step"] != "sql":  # Spark evaluates lazily
        failure["while"], failure["step"] = failure["step"], "sql"
    report["failure"] = failure
    head = f"[{failure['error_class']}] " if failure.get("error_class") else ""
    log(job["name"], f"failed in step {failure['step']}: {head}{failure['message']}")
    try:
        finish_report(args, report, "failed", head + failure["message"])
    except Exception as unwritten:  # never hide the job's own error behind this one
        log(job["name"], f"could not write the failed report: {unwritten!r}")
    with contextlib.suppress(AttributeError, TypeError):  # an exception without a __dict__
        setattr(exc, REPORT_ATTR, report)
    return report


def job_failed(report: dict[str, Any], exc: BaseException) -> dict[str, Any]:
    """The failure of a run that stopped on purpose (JobFailed): its step and the failed
    `fail` checks, if that is why."""
    failed = [c["name"] for c in report.get("checks", []) if c.get("verdict") == "failed"]
    out: dict[str, Any] = {"step": report.get("_step", "plan"), "message": str(exc)}
    out["error_class"] = None
    if failed:
        out["failed_checks"] = failed
        out["check"] = failed[0]
    return out


def _worth_replaying(failure: dict[str, Any]) -> bool:
    """A data error (SQLSTATE class 22: division by zero, a bad cast, an overflow) raised
    in a step that evaluates the SQL lazily, without a position: evaluating the SQL alone
    again is cheap next to a failed run and says where. Never for resource or I/O errors."""
    state = str(failure.get("sql_state") or "")
    lazy = failure["step"] in _LAZY_STEPS and failure.get("sql_offset") is None
    return lazy and state.startswith("22")


def _replay_sql(spark: Any, job: Job, error_class: str | None) -> dict[str, Any]:
    """Spark evaluates the SQL lazily, inside the checks or the write, and there it often
    loses the SQL position. Evaluating the SQL alone once more (its source views are still
    registered; the rows go nowhere) tells whether the SQL is the cause, and where."""
    if job["kind"] != "pipeline" or not error_class:
        return {}
    try:
        spark.sql(job["sql"]).write.format("noop").mode("overwrite").save()
    except Exception as exc:  # the SQL itself fails: that is the error to locate
        again = describe(exc)
        if again.get("error_class") == error_class and again.get("sql_offset") is not None:
            return {k: again[k] for k in ("sql_offset", "sql_fragment")}
    return {}


def describe(exc: BaseException) -> dict[str, Any]:
    """error_class, message (first lines, without Spark's plan dump), exception type,
    and the SQL position Spark gives (`sql_line`/`sql_col` 1-based, or `sql_offset`)."""
    out: dict[str, Any] = {"exception": type(exc).__name__, "error_class": None}
    java = getattr(exc, "java_exception", None)
    text = str(exc)
    getter = getattr(exc, "getErrorClass", None)
    if callable(getter):
        out["error_class"] = getter()
        out["sql_state"] = _call(exc, "getSqlState")
    elif java is not None:
        out.update(_java_cause(java))
        text = out.pop("text", text)
    out.update(_position(text))
    out["message"] = _clean(text, out.get("error_class"))
    return out


def _java_cause(java: Any) -> dict[str, Any]:
    """The innermost Spark error (one with an error class) of a Java exception chain, or
    the innermost cause; with its query context (character offsets in the SQL text)."""
    found: dict[str, Any] = {}
    try:
        node, depth = java, 0
        while node is not None and depth < 20:
            cls = _call(node, "getErrorClass")
            if cls:
                found = {"error_class": cls, "java_class": node.getClass().getName()}
                found["sql_state"] = _call(node, "getSqlState")
                found["text"] = str(node.getMessage())
                contexts = _call(node, "getQueryContext")
                ctx = contexts[0] if contexts is not None and len(contexts) else None
                if ctx is not None and int(ctx.startIndex()) >= 0:  # -1: Spark lost it
                    found["sql_offset"] = int(ctx.startIndex())
                    found["sql_fragment"] = str(ctx.fragment())
            elif not found and _call(node, "getCause") is None:
                found = {"java_class": node.getClass().getName()}
                found["text"] = f"{node.getClass().getName()}: {node.getMessage()}"
            node, depth = _call(node, "getCause"), depth + 1
    except Exception:  # the JVM is gone: keep what the Python side says
        return found
    return found


def _call(obj: Any, method: str) -> Any:
    try:
        return getattr(obj, method)()
    except Exception:  # not a SparkThrowable, or no such method
        return None


def _position(text: str) -> dict[str, Any]:
    found = _PARSE_POS.search(text) or _ANALYSIS_POS.search(text)
    if found is None:
        return {}
    return {"sql_line": int(found["line"]), "sql_col": int(found["pos"]) + 1}


def _clean(text: str, error_class: str | None) -> str:
    """The message without the leading `[CLASS]`, Spark's SQL excerpt and plan dump."""
    text = text.strip()
    text = text.split("\n== SQL", 1)[0]
    text = _PARSE_POS.sub("", text)
    found = _ANALYSIS_POS.search(text)
    if found is not None:
        text = text[: found.start()]
    if error_class:
        text = _CLASS.sub("", text, count=1)
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return " ".join(lines[:3])[:1000] or "(no message)"


def _locate(job: Job, failure: dict[str, Any]) -> dict[str, Any] | None:
    """Whether Spark's position is in the pipeline's SQL or in one check's expression."""
    fragment, offset = failure.get("sql_fragment"), failure.get("sql_offset")
    sql = str(job.get("sql", "")) if job["kind"] == "pipeline" else ""
    if fragment and offset is not None:
        if sql[offset : offset + len(fragment)] == fragment:
            return {"in_sql": True}
        for check in job["checks"]:
            exprs = (check.get("fail_expr"), check.get("considered_expr"), check.get("where"))
            if any(e and fragment in e for e in exprs):
                return {"in_sql": False, "check": check["name"]}
        return {"in_sql": False}
    if "sql_line" in failure and failure.get("step") == "sql" and sql:
        return {"in_sql": True}
    return None
