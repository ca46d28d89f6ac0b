"""Validated documents -> a frozen ir.Project.

For each entity, its semantic rules run first (semantic/tables.py, semantic/pipelines.py)
and report; the builders then build what the rules accepted. The project-wide rules of
semantic/passes.py run last, on what was built. Reports every problem; never raises.
"""

from __future__ import annotations

from pathlib import Path

from alur_compiler.diagnostics import Diagnostics, Span
from alur_compiler.ir.build_ingestion import build_ingestion
from alur_compiler.ir.build_jobs import analyse_all, build_pipeline
from alur_compiler.ir.build_project import build_environments, project_settings
from alur_compiler.ir.build_tables import build_table
from alur_compiler.ir.graph import edge_reasons, job_dependencies
from alur_compiler.ir.nodes import INGESTION_COLUMNS, Ingestion, Pipeline, Project, Table
from alur_compiler.semantic.context import SpecIndex
from alur_compiler.semantic.passes import ProjectFacts, run_rules
from alur_compiler.semantic.pipelines import JobVerdict, check_ingestion, check_pipeline
from alur_compiler.semantic.refs import forgive_unbuilt_reads
from alur_compiler.semantic.sql_source import read_sql
from alur_compiler.semantic.tables import check_table


def build_project(root: Path, index: SpecIndex, diags: Diagnostics) -> Project | None:
    """The IR, or None when any error was reported (by this or an earlier phase)."""
    name, description, defaults, local = project_settings(index.project)
    environments = build_environments(index.project, defaults)
    tables: dict[str, Table] = {}
    for tname, doc in sorted(index.tables.items()):
        table = build_table(check_table(doc, INGESTION_COLUMNS, diags))
        if table is not None:
            tables[tname] = table
    known = set(index.tables) | index.broken_tables
    pipelines: list[Pipeline] = []
    ingestions: list[Ingestion] = []
    pipeline_docs = dict(sorted(index.pipelines.items()))
    sources = {pname: read_sql(doc, diags) for pname, doc in pipeline_docs.items()}  # once
    analysed = analyse_all(pipeline_docs, sources, tables)
    unbuilt = known - set(tables)  # exist, but their contracts have errors (reported there)
    for pname, doc in pipeline_docs.items():
        source = sources[pname]
        result = forgive_unbuilt_reads(analysed.get(pname), source[0] if source else "", unbuilt)
        verdict = JobVerdict(doc, tables, known, source, result)
        pipe = build_pipeline(check_pipeline(verdict, diags), tables, defaults)
        if pipe is not None:
            pipelines.append(pipe)
    for _, doc in sorted(index.ingestions.items()):
        verdict = check_ingestion(JobVerdict(doc, tables, known), diags)
        ing = build_ingestion(verdict, tables, defaults)
        if ing is not None:
            ingestions.append(ing)
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
    jobs: list[Pipeline | Ingestion] = [*pipelines, *ingestions]
    deps = job_dependencies(project)
    reasons = edge_reasons(project)
    run_rules(ProjectFacts(index, tables, pipelines, jobs, deps, environments, reasons), diags)
    return None if diags.has_errors else project
