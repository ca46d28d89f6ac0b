"""Cross-document references: `after:`, relationship targets, who writes which table.

These rules read the IR the builder made, through the small protocols below: semantic/
sits below ir/ (DESIGN.md §3, check before build) and imports nothing from it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Protocol

from alur_compiler.diagnostics import Diagnostics, codes
from alur_compiler.diagnostics.suggest import suggestion_suffix
from alur_compiler.load.source import SourceDoc
from alur_compiler.semantic.context import SpecIndex

if TYPE_CHECKING:
    from alur_compiler.semantic.sql_batch import SqlResult


class _Schedule(Protocol):
    @property
    def after(self) -> tuple[str, ...]: ...
    @property
    def after_any(self) -> tuple[str, ...]: ...


class JobView(Protocol):
    """What these rules read of an ir.Pipeline or ir.Ingestion."""

    @property
    def name(self) -> str: ...
    @property
    def target(self) -> str: ...
    @property
    def schedule(self) -> _Schedule | None: ...


class CheckView(Protocol):
    @property
    def type(self) -> str: ...
    @property
    def ref_table(self) -> str | None: ...
    @property
    def ref_column(self) -> str | None: ...


class TableView(Protocol):
    """What these rules read of an ir.Table."""

    @property
    def name(self) -> str: ...
    @property
    def layer(self) -> str: ...
    @property
    def column_names(self) -> tuple[str, ...]: ...
    @property
    def checks(self) -> Sequence[CheckView]: ...


class PipelineView(JobView, Protocol):
    @property
    def checks(self) -> Sequence[CheckView]: ...


def check_after(jobs: Sequence[JobView], index: SpecIndex, diags: Diagnostics) -> None:
    for job in jobs:
        if job.schedule is None:
            continue
        doc = index.jobs[job.name]
        lists = (("after", job.schedule.after), ("after_any", job.schedule.after_any))
        for key, names in lists:
            for i, name in enumerate(names):
                if name == job.name:
                    diags.report(
                        codes.CYCLE,
                        f"'{job.name}' cannot run after itself",
                        doc.span_of(f"/schedule/{key}/{i}"),
                    )
                elif not index.job_known(name):
                    diags.report(
                        codes.UNKNOWN_JOB,
                        f"unknown pipeline or ingestion '{name}'"
                        f"{suggestion_suffix(name, index.jobs)}",
                        doc.span_of(f"/schedule/{key}/{i}"),
                    )


def check_relationships(
    tables: Mapping[str, TableView],
    pipelines: Sequence[PipelineView],
    index: SpecIndex,
    diags: Diagnostics,
) -> None:
    owners: list[tuple[Sequence[CheckView], SourceDoc]] = [
        (t.checks, index.tables[t.name]) for t in tables.values()
    ]
    owners += [(p.checks, index.pipelines[p.name]) for p in pipelines]
    for checks, doc in owners:
        for i, check in enumerate(checks):
            if check.type != "relationship" or check.ref_table is None:
                continue
            span = doc.span_of(f"/checks/{i}/to")
            ref = tables.get(check.ref_table)
            if ref is None:
                if not index.table_known(check.ref_table):
                    diags.report(
                        codes.UNKNOWN_TABLE,
                        f"relationship to unknown table "
                        f"'{check.ref_table}'{suggestion_suffix(check.ref_table, tables)}",
                        span,
                    )
            elif check.ref_column and check.ref_column not in ref.column_names:
                diags.report(
                    codes.UNKNOWN_COLUMN,
                    f"'{check.ref_column}' is not a column of "
                    f"'{ref.name}'{suggestion_suffix(check.ref_column, ref.column_names)}",
                    span,
                )


def check_writers(
    tables: Mapping[str, TableView], jobs: Sequence[JobView], index: SpecIndex, diags: Diagnostics
) -> None:
    """Each table has one writer; tables nothing writes get a warning."""
    by_table: dict[str, list[JobView]] = {}
    for job in sorted(jobs, key=lambda j: j.name):
        by_table.setdefault(job.target, []).append(job)
    for name, writers in by_table.items():
        for extra in writers[1:]:
            diags.report(
                codes.LAYER_RULE,
                f"table '{name}' is already written by '{writers[0].name}'",
                index.jobs[extra.name].span_of("/target"),
                hint="one job writes a table; combine the SQL with UNION ALL",
                notes=(("other writer", index.jobs[writers[0].name].span_of("/target")),),
            )
    for name, table in sorted(tables.items()):
        if name in by_table or name in index.broken_tables or name in index.targets:
            continue
        what = "ingestion" if table.layer == "bronze" else "pipeline"
        diags.report(
            codes.UNUSED_TABLE,
            f"no {what} writes table '{name}'",
            index.tables[name].span_of("/name"),
            hint=f"add a{'n' if what == 'ingestion' else ''} {what} with target: {name}",
        )


def forgive_unbuilt_reads(
    result: SqlResult | None, sql: str, unbuilt: set[str]
) -> SqlResult | None:
    """One root cause, reported once: a pipeline that reads a table whose contract has errors
    (reported there) gets no "unknown table" for it. Its SQL is then not analysed further
    (the table's columns are not known); everything else about the pipeline is checked."""
    if result is None or not unbuilt:
        return result
    forgiven: dict[str, str] = {}
    rest = []
    for problem in result.problems:
        written = sql[problem.offset : problem.offset + problem.length]
        name = written.rsplit(".", 1)[-1].strip("`")
        if problem.code is codes.SQL_UNKNOWN_TABLE and name in unbuilt:
            forgiven[name] = written
        else:
            rest.append(problem)
    if not forgiven:
        return result
    from alur_compiler.semantic.sql_batch import SqlResult

    return SqlResult(problems=rest, tables={**result.tables, **forgiven}, refs=result.refs)
