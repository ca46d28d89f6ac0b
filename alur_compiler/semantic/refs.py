"""Cross-document references: `after:`, relationship targets, who writes which table."""

from __future__ import annotations

from alur_compiler.diagnostics import Diagnostics, codes
from alur_compiler.diagnostics.suggest import suggestion_suffix
from alur_compiler.ir.nodes import CheckType, Ingestion, Layer, Pipeline, Table
from alur_compiler.semantic.context import SpecIndex


def check_after(jobs: list[Pipeline | Ingestion], index: SpecIndex, diags: Diagnostics) -> None:
    for job in jobs:
        if job.schedule is None:
            continue
        doc = index.jobs[job.name]
        for i, name in enumerate(job.schedule.after):
            if name == job.name:
                diags.report(
                    codes.CYCLE,
                    f"'{job.name}' cannot run after itself",
                    doc.span_of(f"/schedule/after/{i}"),
                )
            elif not index.job_known(name):
                diags.report(
                    codes.UNKNOWN_JOB,
                    f"unknown pipeline or ingestion '{name}'{suggestion_suffix(name, index.jobs)}",
                    doc.span_of(f"/schedule/after/{i}"),
                )


def check_relationships(
    tables: dict[str, Table], pipelines: list[Pipeline], index: SpecIndex, diags: Diagnostics
) -> None:
    owners: list[tuple[str, Table | Pipeline]] = [(t.name, t) for t in tables.values()]
    owners += [(p.name, p) for p in pipelines]
    for _, owner in owners:
        doc = index.tables[owner.name] if isinstance(owner, Table) else index.pipelines[owner.name]
        for i, check in enumerate(owner.checks):
            if check.type is not CheckType.RELATIONSHIP or check.ref_table is None:
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
            elif check.ref_column and ref.column(check.ref_column) is None:
                diags.report(
                    codes.UNKNOWN_COLUMN,
                    f"'{check.ref_column}' is not a column of "
                    f"'{ref.name}'{suggestion_suffix(check.ref_column, ref.column_names)}",
                    span,
                )


def check_writers(
    tables: dict[str, Table], jobs: list[Pipeline | Ingestion], index: SpecIndex, diags: Diagnostics
) -> None:
    """Each table has one writer; tables nothing writes get a warning."""
    by_table: dict[str, list[Pipeline | Ingestion]] = {}
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
        what = "ingestion" if table.layer is Layer.BRONZE else "pipeline"
        diags.report(
            codes.UNUSED_TABLE,
            f"no {what} writes table '{name}'",
            index.tables[name].span_of("/name"),
            hint=f"add a{'n' if what == 'ingestion' else ''} {what} with target: {name}",
        )
