"""Explain a failed job of a local run: the job, the step, the Spark error, and where in
the YAML (or .sql file) the spec element involved is written.

The runtime's failed report (alur_runtime/steps.py) says where Spark stopped inside the
SQL the job ran: that SQL is the pipeline's SQL with each table reference replaced by its
temp view (backends/glue/sql.py), so a position is mapped back through those
replacements, then from the SQL's line and column to the YAML block or the sql_file.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import Any

from alur_compiler.backends.glue.sql import rewrite_sql, view_name
from alur_compiler.diagnostics import Span
from alur_compiler.ir import Check, Pipeline, Project
from alur_compiler.local.runner import JobResult


@dataclass(frozen=True)
class CheckError:
    name: str
    span: Span | None
    error: str


@dataclass(frozen=True)
class Failure:
    """One failed job, ready to render (cli/local.py)."""

    job: str
    step: str
    error: str  # "[ERROR_CLASS] message" or the reason of a deliberate stop
    location: Span | None = None  # the SQL position, the check, or the job's YAML
    located: str = ""  # what the location points at: "SQL", "check 'x'", "pipeline"
    check: str | None = None
    check_errors: tuple[CheckError, ...] = field(default_factory=tuple)
    report_path: str | None = None
    trace: str | None = None


def explain(project: Project, result: JobResult) -> Failure:
    report = result.report
    failure: dict[str, Any] = dict(report.get("failure") or {})
    job = next((j for j in project.jobs if j.name == result.name), None)
    step = str(failure.get("step", "?"))
    if failure.get("while"):  # Spark ran the SQL lazily, inside a later step
        step += f" (evaluated during {failure['while']})"
    check = failure.get("check")
    errors = tuple(
        CheckError(str(c["name"]), _check_span(project, job, str(c["name"])), str(c["error"]))
        for c in report.get("checks", [])
        if c.get("error")
    )
    location, located = None, ""
    if isinstance(job, Pipeline) and failure.get("in_sql"):
        location, located = sql_location(job, failure), "SQL"
    if location is None and check:
        location, located = _check_span(project, job, str(check)), f"check '{check}'"
    if location is None:  # a deliberate stop located at a contract column (evolution)
        location, located = column_location(project, str(failure.get("message", "")))
    if location is None and job is not None:
        location, located = job.span, ("pipeline" if isinstance(job, Pipeline) else "ingestion")
    return Failure(
        job=result.name,
        step=step,
        error=result.error or str(failure.get("message", "failed")),
        location=location,
        located=located,
        check=str(check) if check else None,
        check_errors=errors,
        report_path=report.get("report_path"),
        trace=failure.get("traceback"),
    )


def sql_location(pipeline: Pipeline, failure: dict[str, Any]) -> Span | None:
    """The YAML / .sql span of Spark's position (`sql_offset`, or `sql_line`/`sql_col`)
    in the SQL the job ran."""
    ran = rewrite_sql(pipeline.sql, pipeline.sources)
    if "sql_offset" in failure:
        offset = int(failure["sql_offset"])
    elif "sql_line" in failure:
        offset = _offset(ran, int(failure["sql_line"]), int(failure.get("sql_col", 1)))
    else:
        return None
    if ran != pipeline.sql:
        mapped = original_offset(pipeline, offset)
        if mapped is None:
            return None
        offset = mapped
    line, col = _line_col(pipeline.sql, offset)
    length = len(str(failure.get("sql_fragment") or "x").splitlines()[0] or "x")
    return _span_in_sql(pipeline, line, col, length)


def original_offset(pipeline: Pipeline, offset: int) -> int | None:
    """An offset in the rewritten SQL -> the same place in the SQL as written."""
    refs = sorted((a, b, alias, s.table) for s in pipeline.sources for a, b, alias in s.refs)
    if not refs:
        return None
    shift = 0
    for start, end, has_alias, table in refs:
        new_len = len(view_name(table) + ("" if has_alias else f" AS {table}"))
        if offset < start + shift:
            break
        if offset < start + shift + new_len:
            return start  # inside a replaced table name: the name as written
        shift += new_len - (end - start)
    return max(0, offset - shift)


def _offset(text: str, line: int, col: int) -> int:
    lines = text.splitlines(keepends=True)
    return sum(len(x) for x in lines[: max(0, line - 1)]) + max(0, col - 1)


def _line_col(text: str, offset: int) -> tuple[int, int]:
    before = text[:offset]
    line = before.count("\n") + 1
    return line, offset - (before.rfind("\n") + 1) + 1


def _span_in_sql(pipeline: Pipeline, line: int, col: int, length: int) -> Span:
    """The SQL starts at `sql_span`: 1:1 of a sql_file, or the first line of the YAML
    block scalar, which keeps the same indentation on every line."""
    first = pipeline.sql_span
    file_line, file_col = first.line + line - 1, first.col + col - 1
    return Span(first.file, file_line, file_col, file_line, file_col + length - 1, first.source)


#: "contracts/x.yaml:12:5: column 'c' of ..." in a runtime message (evolve.py, bronze_types.py)
_COLUMN_AT = re.compile(
    r"(?m)^\s*(?P<file>[^\s:]+):(?P<line>\d+):(?P<col>\d+): column '(?P<name>[^']+)'"
)


def column_location(project: Project, message: str) -> tuple[Span | None, str]:
    """The contract column the first located line of `message` names: the column's own
    span (the runtime writes the contract's path relative to the project root)."""
    found = _COLUMN_AT.search(message)
    if found is None:
        return None, ""
    rel = "/" + found["file"].lstrip("./")
    for table in project.tables:
        if not os.path.abspath(table.span.file).replace(os.sep, "/").endswith(rel):
            continue
        for col in table.columns:
            if col.name == found["name"] and (col.span.line, col.span.col) == (
                int(found["line"]),
                int(found["col"]),
            ):
                return col.span, f"column '{col.name}' of {table.name}"
    return None, ""


def _check_span(project: Project, job: object, name: str) -> Span | None:
    target = getattr(job, "target", None)
    checks: list[Check] = list(getattr(job, "checks", ()))
    for table in project.tables:
        if table.name == target:
            checks += list(table.checks)
    for check in checks:
        if check.name == name:
            return check.span
    return None


def render_failure(failure: Failure, files: dict[str, str], debug: bool = False) -> str:
    """Plain text: what failed where, the source line with a caret, the report, the trace
    (only with --debug; the JSON report always keeps it)."""
    head = f"error: job {failure.job} failed in step {failure.step}"
    if failure.check:
        head += f" (check {failure.check})"
    lines = [f"{head}: {failure.error}"]
    if failure.location is not None:
        lines.append(f"  --> {failure.location}  ({failure.located})")
        lines += _excerpt(failure.location, files)
    for item in failure.check_errors:
        at = f" at {item.span}" if item.span is not None else ""
        lines.append(f"  check {item.name}{at}: {item.error.splitlines()[0][:300]}")
    if failure.report_path:
        lines.append(f"  report: {failure.report_path}")
    if debug and failure.trace:
        lines.append(failure.trace.rstrip())
    elif failure.trace:
        lines.append("  hint: re-run with --debug for the full trace")
    return "\n".join(lines)


def _excerpt(span: Span, files: dict[str, str]) -> list[str]:
    text = span.source if span.source is not None else files.get(span.file)
    if text is None:
        return []
    rows = text.splitlines()
    if not 1 <= span.line <= len(rows):
        return []
    width = len(str(span.line))
    marks = max(1, span.end_col - span.col + 1) if span.end_line == span.line else 1
    return [
        f"  {' ' * width} |",
        f"  {span.line} | {rows[span.line - 1]}",
        f"  {' ' * width} | {' ' * (span.col - 1)}{'^' * marks}",
    ]
