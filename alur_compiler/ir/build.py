"""Validated documents -> a frozen ir.Project. Reports every problem; never raises."""

from __future__ import annotations

from pathlib import Path

from alur_compiler.diagnostics import Diagnostics, Span
from alur_compiler.ir.build_ingestion import build_ingestion
from alur_compiler.ir.build_jobs import analyse_all, build_pipeline
from alur_compiler.ir.build_project import build_environments, project_settings
from alur_compiler.ir.build_tables import build_table
from alur_compiler.ir.graph import job_dependencies
from alur_compiler.ir.nodes import Ingestion, Pipeline, Project, Table
from alur_compiler.semantic.context import SpecIndex
from alur_compiler.semantic.dag import check_cycles
from alur_compiler.semantic.refs import check_after, check_relationships, check_writers


def build_project(root: Path, index: SpecIndex, diags: Diagnostics) -> Project | None:
    """The IR, or None when any error was reported (by this or an earlier phase)."""
    name, description, defaults, local = project_settings(index.project)
    environments = build_environments(index.project, defaults, diags)
    tables: dict[str, Table] = {}
    for tname, doc in sorted(index.tables.items()):
        table = build_table(doc, diags)
        if table is not None:
            tables[tname] = table
    known = set(index.tables) | index.broken_tables
    pipelines: list[Pipeline] = []
    ingestions: list[Ingestion] = []
    pipeline_docs = [doc for _, doc in sorted(index.pipelines.items())]
    analysed = analyse_all(pipeline_docs, tables)
    for doc in pipeline_docs:
        pipe = build_pipeline(doc, tables, known, defaults, diags, analysed)
        if pipe is not None:
            pipelines.append(pipe)
    for _, doc in sorted(index.ingestions.items()):
        ing = build_ingestion(doc, tables, known, defaults, diags)
        if ing is not None:
            ingestions.append(ing)
    jobs: list[Pipeline | Ingestion] = [*pipelines, *ingestions]
    check_after(jobs, index, diags)
    check_relationships(tables, pipelines, index, diags)
    check_writers(tables, jobs, index, diags)
    project = Project(
        name=name,
        root=str(root),
        tables=tuple(tables[n] for n in sorted(tables)),
        pipelines=tuple(pipelines),
        ingestions=tuple(ingestions),
        environments=environments,
        description=description,
        local=local,
        span=index.project.span if index.project else Span.unknown(),
    )
    spans = {n: d.span_of("/name") for n, d in index.jobs.items()}
    check_cycles(job_dependencies(project), spans, diags)
    return None if diags.has_errors else project
