"""`kind: Test` documents -> checked `TestCase`s against the compiled project.

Every mistake is a located diagnostic: a test naming an unknown pipeline or ingestion
(AL303), a given table that is not one of the job's upstreams (AL302), rows with unknown
columns (AL304) or values that do not fit the column type (AL204), an unknown check
(AL310). A test with errors is not run.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from alur_compiler.diagnostics import Diagnostics, Span, codes
from alur_compiler.diagnostics.suggest import suggestion_suffix
from alur_compiler.ir import Ingestion, Pipeline, Project, Table
from alur_compiler.load.source import SourceDoc
from alur_compiler.schema.validate import check_document
from alur_compiler.testing.rows import Rows, raw_rows, typed_rows

#: quarantine columns a test may expect besides the target's own
QUARANTINE_COLUMNS = {
    "_failed_checks": "array<string>",
    "_bad_columns": "array<string>",
    "_raw_record": "string",
}


@dataclass(frozen=True)
class TestCase:
    name: str
    description: str
    span: Span
    job: Pipeline | Ingestion
    target: Table
    given: tuple[tuple[Table, Rows], ...]
    existing: Rows | None
    files: tuple[tuple[str, bytes], ...]
    expect_rows: Rows
    expect_quarantine: Rows | None
    expect_checks: tuple[tuple[str, str], ...]
    expect_status: str

    __test__ = False  # not a pytest class

    @property
    def kind(self) -> str:
        return "pipeline" if isinstance(self.job, Pipeline) else "ingestion"


def load_tests(docs: list[SourceDoc], project: Project, diags: Diagnostics) -> list[TestCase]:
    """Every valid test of `docs`; each problem of the others is reported."""
    cases: list[TestCase] = []
    seen: dict[str, Span] = {}
    for doc in docs:
        if doc.kind not in (None, "Test") and isinstance(doc.data, dict):
            diags.report(
                codes.UNKNOWN_KIND,
                f"a {doc.kind} document in a test file",
                doc.span_of("/kind"),
                hint="tests/ holds `kind: Test` documents; move specs to the project's paths",
            )
            continue
        valid, _ = check_document(doc, diags)
        if not valid:
            continue
        name = str(doc.data["name"])
        if name in seen:
            diags.report(
                codes.DUPLICATE_NAME,
                f"test '{name}' is defined twice",
                doc.span_of("/name"),
                notes=(("first defined here", seen[name]),),
            )
            continue
        seen[name] = doc.span_of("/name")
        case = _case(doc, project, diags)
        if case is not None:
            cases.append(case)
    return cases


def _job(doc: SourceDoc, project: Project, diags: Diagnostics) -> Pipeline | Ingestion | None:
    kind = "pipeline" if "pipeline" in doc.data else "ingestion"
    name = str(doc.data[kind])
    jobs = project.pipelines if kind == "pipeline" else project.ingestions
    for job in jobs:
        if job.name == name:
            return job
    names = [j.name for j in jobs]
    diags.report(
        codes.UNKNOWN_JOB,
        f"unknown {kind} '{name}'{suggestion_suffix(name, names)}",
        doc.span_of(f"/{kind}"),
        hint=f"{kind}s: " + (", ".join(names) or "none"),
    )
    return None


def _case(doc: SourceDoc, project: Project, diags: Diagnostics) -> TestCase | None:
    before = len(diags.errors)
    job = _job(doc, project, diags)
    if job is None:
        return None
    target = project.table(job.target)
    columns = {c.name: c.type for c in target.columns}
    data: dict[str, Any] = doc.data
    given = _given(doc, job, project, diags)
    files = _files(doc, job, diags)
    existing = _rows(doc, "/existing", columns, f"table '{target.name}'", diags)
    expect: dict[str, Any] = data["expect"]
    expected = _rows(doc, "/expect/rows", columns, f"table '{target.name}'", diags, True)
    quarantine = None
    if "quarantine" in expect:
        q_columns = columns | QUARANTINE_COLUMNS
        what = f"the quarantine of '{target.name}'"
        quarantine = _rows(doc, "/expect/quarantine", q_columns, what, diags, True)
    checks = _checks(doc, project, target, diags)
    if len(diags.errors) > before or expected is None:
        return None
    return TestCase(
        name=str(data["name"]),
        description=str(data.get("description", "")),
        span=doc.span_of("/name"),
        job=job,
        target=target,
        given=tuple(given),
        existing=existing,
        files=tuple(files),
        expect_rows=expected,
        expect_quarantine=quarantine,
        expect_checks=checks,
        expect_status=str(expect.get("status", "succeeded")),
    )


def _rows(
    doc: SourceDoc,
    ptr: str,
    columns: dict[str, str],
    what: str,
    diags: Diagnostics,
    same: bool = False,
) -> Rows | None:
    value = doc.data
    for part in ptr.split("/")[1:]:
        value = value.get(part) if isinstance(value, dict) else None
    if value is None:
        return None
    raw = raw_rows(doc, ptr, value, diags)
    if raw is None:
        return None
    return typed_rows(raw, columns, what, doc.span_of(ptr), diags, same)


def upstreams(job: Pipeline | Ingestion, project: Project) -> list[str]:
    """The tables a pipeline reads: its SQL's sources and the tables its checks look up."""
    if not isinstance(job, Pipeline):
        return []
    names = {s.table for s in job.sources}
    names |= {c.ref_table for c in project.effective_checks(job.target) if c.ref_table}
    return sorted(names)


def _given(
    doc: SourceDoc, job: Pipeline | Ingestion, project: Project, diags: Diagnostics
) -> list[tuple[Table, Rows]]:
    given: dict[str, Any] = doc.data.get("given") or {}
    allowed = upstreams(job, project)
    tables = {t.name for t in project.tables}
    out: list[tuple[Table, Rows]] = []
    for written in given:
        name = written.split(".", 1)[-1]
        span = doc.span_of(f"/given/{written}", key=True)
        if name not in allowed:
            known = name in tables
            reads = ", ".join(allowed) or "no table (it reads landing files: give `files`)"
            diags.report(
                codes.UNKNOWN_TABLE,
                (
                    f"table '{name}' is not an upstream of {job.name}"
                    if known
                    else f"unknown table '{name}'{suggestion_suffix(name, allowed or tables)}"
                ),
                span,
                hint=f"{job.name} reads {reads}",
            )
            continue
        table = project.table(name)
        if "." in written and written.split(".", 1)[0] != str(table.layer):
            diags.report(
                codes.UNKNOWN_TABLE,
                f"table '{name}' is in {table.layer}, not {written.split('.', 1)[0]}",
                span,
                hint=f"write {table.layer}.{name} or just {name}",
            )
            continue
        columns = {c.name: c.type for c in table.columns}
        rows = _rows(doc, f"/given/{written}", columns, f"table '{name}'", diags)
        if rows is not None:
            out.append((table, rows))
    return out


def _files(
    doc: SourceDoc, job: Pipeline | Ingestion, diags: Diagnostics
) -> list[tuple[str, bytes]]:
    entries: list[dict[str, str]] = doc.data.get("files") or []
    if isinstance(job, Pipeline):
        if entries:
            diags.report(
                codes.SCHEMA_OTHER,
                f"{job.name} is a pipeline: it reads tables, not landing files",
                doc.span_of("/files", key=True),
                hint="give its upstream tables' rows under `given`",
            )
        return []
    if not entries:
        diags.report(
            codes.MISSING_KEY,
            f"test of ingestion {job.name} gives no landing files",
            doc.span_of("/ingestion"),
            hint="add `files:` with a path below the landing folder and its content",
        )
        return []
    out: list[tuple[str, bytes]] = []
    for i, entry in enumerate(entries):
        if not _lands(entry["path"], job):
            where = ", ".join(f"{s.path} ({s.pattern})" for s in job.sources)
            diags.report(
                codes.BAD_VALUE,
                f"no source of {job.name} reads '{entry['path']}'",
                doc.span_of(f"/files/{i}/path"),
                hint=f"a path below the landing folder that a source reads: {where}",
            )
            continue
        if "content" in entry:
            out.append((entry["path"], entry["content"].encode("utf-8")))
            continue
        path = Path(doc.abspath).parent / entry["file"]
        try:
            out.append((entry["path"], path.read_bytes()))
        except OSError as exc:
            diags.report(
                codes.FILE_UNREADABLE,
                f"cannot read file '{entry['file']}': {exc.strerror}",
                doc.span_of(f"/files/{i}/file"),
                hint="the path is relative to the test file",
            )
    return out


def _lands(path: str, job: Ingestion) -> bool:
    """Whether one of the ingestion's sources reads the landing file `path`."""
    rel = PurePosixPath(path)
    if rel.is_absolute() or ".." in rel.parts or rel.name.startswith((".", "_")):
        return False
    for source in job.sources:
        if "://" in source.path or source.path.startswith("/"):
            continue
        base = PurePosixPath(source.path.strip("/") or ".")
        inside = rel.parent == base or (source.recursive and base in rel.parents)
        if inside and fnmatch.fnmatch(rel.name, source.pattern):
            return True
    return False


def _checks(
    doc: SourceDoc, project: Project, target: Table, diags: Diagnostics
) -> tuple[tuple[str, str], ...]:
    wanted: dict[str, str] = doc.data["expect"].get("checks") or {}
    names = [c.name for c in project.effective_checks(target.name)]
    for name in wanted:
        if name not in names:
            diags.report(
                codes.CHECK_RULE,
                f"table '{target.name}' has no check '{name}'{suggestion_suffix(name, names)}",
                doc.span_of(f"/expect/checks/{name}", key=True),
                hint="checks: " + (", ".join(names) or "none"),
            )
    return tuple(sorted(wanted.items()))
