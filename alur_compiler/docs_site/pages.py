"""What the site shows of each table and job, as plain JSON-able data (from the IR).

One document per table and per job, each loaded by the page only when it is opened, and
the search index: every table with its columns and descriptions, every job. Run figures
are the last local run's report of each job (`runs`), when there is one.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from alur_compiler.docs_site.dag import layout
from alur_compiler.docs_site.highlight import sql_runs
from alur_compiler.docs_site.lineage import ColumnGraph
from alur_compiler.ir import Check, GlueConfig, Ingestion, Pipeline, Project, Schedule, Table

Doc = dict[str, Any]
RUN_FIELDS = (
    "status",
    "run_id",
    "started_at",
    "seconds",
    "rows_read",
    "rows_written",
    "rows_dropped",
    "rows_quarantined",
)


def run_figures(report: Mapping[str, Any] | None) -> Doc | None:
    if not report:
        return None
    return {key: report[key] for key in RUN_FIELDS if key in report}


def _check(check: Check) -> Doc:
    params: list[str] = []
    if check.values:
        params.append("values: " + ", ".join(str(v) for v in check.values))
    for label, value in (("min", check.min), ("max", check.max)):
        if value is not None:
            params.append(f"{label}: {value}")
    for label, text in (
        ("pattern", check.pattern),
        ("sql", check.sql),
        ("where", check.where),
    ):
        if text:
            params.append(f"{label}: {text}")
    if check.max_age_seconds is not None:
        params.append(f"max age: {check.max_age_seconds} s")
    if check.ref_table:
        params.append(f"to: {check.ref_table}.{check.ref_column}")
    if check.mostly < 1:
        params.append(f"mostly: {check.mostly}")
    return {
        "name": check.name,
        "type": str(check.type),
        "action": str(check.action),
        "columns": list(check.columns),
        "origin": check.origin,
        "params": params,
    }


def _columns(table: Table, pii_derived: set[str]) -> list[Doc]:
    partitions = {p.column for p in table.partition_by}
    return [
        {
            "name": col.name,
            "type": col.type,
            "nullable": col.nullable,
            "description": col.description,
            "pii": col.pii,
            "pii_derived": f"{table.name}.{col.name}" in pii_derived,
            "key": col.name in table.primary_key,
            "partition": col.name in partitions,
            "source_name": col.source_name,
        }
        for col in table.columns
    ]


def table_doc(
    project: Project,
    table: Table,
    jobs: Mapping[str, list[str]],
    graph: ColumnGraph,
    pii_derived: set[str],
    runs: Mapping[str, Doc],
) -> Doc:
    """Everything a table's page shows, with the lineage closure of each of its columns."""
    nodes: dict[str, list[object]] = {}
    lineage: dict[str, Doc] = {}
    for col in table.columns:
        key = f"{table.name}.{col.name}"
        up, down = graph.upstream(key), graph.downstream(key)
        for other, _ in [(key, 0), *up, *down]:
            nodes[other] = graph.node(other)
        lineage[col.name] = {"up": up, "down": down}
    writers = jobs.get("writers:" + table.name, [])
    return {
        "name": table.name,
        "layer": str(table.layer),
        "format": table.file_format,
        "description": table.description,
        "tags": list(table.tags),
        "primary_key": list(table.primary_key),
        "partition_by": [p.expression for p in table.partition_by],
        "columns": _columns(table, pii_derived),
        "checks": [_check(c) for c in project.effective_checks(table.name)],
        "written_by": writers,
        "read_by": jobs.get("readers:" + table.name, []),
        "runs": {w: runs[w] for w in writers if w in runs},
        "lineage": lineage,
        "nodes": dict(sorted(nodes.items())),
    }


def _schedule(schedule: Schedule | None) -> Doc | None:
    if schedule is None:
        return None
    return {
        "cron": schedule.aws_expression,
        "after": list(schedule.after),
        "after_any": list(schedule.after_any),
        "max_wait_minutes": schedule.max_wait_minutes,
        "on_max_wait": schedule.on_max_wait if schedule.max_wait_minutes is not None else None,
        "enabled": schedule.enabled,
    }


def _glue(glue: GlueConfig) -> Doc:
    return {
        "worker_type": glue.worker_type,
        "workers": glue.workers,
        "timeout_minutes": glue.timeout_minutes,
        "max_retries": glue.max_retries,
        "execution_class": glue.execution_class,
        "max_concurrent_runs": glue.max_concurrent_runs,
        "arguments": dict(glue.extra_arguments),
        "spark_conf": dict(glue.spark_conf),
    }


def neighbourhood(
    name: str,
    deps: Mapping[str, tuple[str, ...]],
    after_me: Mapping[str, list[str]],
    kinds: Mapping[str, str],
) -> Doc:
    """The DAG around one job: the jobs it runs after, itself, the jobs that run after it."""
    keep = {name, *deps.get(name, ()), *after_me.get(name, [])}
    sub = {n: tuple(d for d in deps.get(n, ()) if d in keep) for n in sorted(keep)}
    return layout(sub, kinds)


def job_doc(
    job: Pipeline | Ingestion,
    deps: Mapping[str, tuple[str, ...]],
    after_me: Mapping[str, list[str]],
    runs: Mapping[str, Doc],
    kinds: Mapping[str, str],
) -> Doc:
    doc: Doc = {
        "name": job.name,
        "kind": "pipeline" if isinstance(job, Pipeline) else "ingestion",
        "target": job.target,
        "description": job.description,
        "tags": list(job.tags),
        "schedule": _schedule(job.schedule),
        "glue": _glue(job.glue),
        "runs_after": list(deps.get(job.name, ())),
        "runs_before": after_me.get(job.name, []),
        "run": runs.get(job.name),
        "dag": neighbourhood(job.name, deps, after_me, kinds),
    }
    if isinstance(job, Pipeline):
        doc |= {
            "mode": str(job.mode),
            "reads": list(job.upstream_tables),
            "merge_keys": list(job.merge_keys),
            "sequence_by": job.sequence_by,
            "delete_when": job.delete_when,
            "sql_file": job.sql_file,
            "sql": [list(run) for run in sql_runs(job.sql)],
        }
    else:
        doc |= {
            "mode": "append",
            "source_system": job.source_system,
            "sources": [
                {
                    "path": s.path,
                    "format": s.format,
                    "pattern": s.pattern,
                    "recursive": s.recursive,
                    "options": dict(s.options),
                }
                for s in job.sources
            ],
            "on_bad_file": job.on_bad_file,
            "on_bad_row": job.on_bad_row,
            "database": _database(job),
        }
    return doc


def _database(job: Ingestion) -> Doc | None:
    """A database source (`jdbc`): where it reads, never a credential (only the secret's
    name, which the environment maps to a Secrets Manager ARN)."""
    source = job.jdbc
    if source is None:
        return None
    return {
        "url": source.url,
        "table": source.table,
        "query": [list(run) for run in sql_runs(source.query)] if source.query else None,
        "incremental_column": source.incremental_column,
        "secret": source.secret,
    }


def summary(project: Project, runs: Mapping[str, Doc]) -> Doc:
    """What the home page shows at once: the project, its counts, the last local run."""
    return {
        "project": project.name,
        "description": project.description,
        "tables": len(project.tables),
        "jobs": len(project.pipelines) + len(project.ingestions),
        "runs": {name: runs[name] for name in sorted(runs)},
    }


class _Strings:
    """Column names and descriptions repeat across tables: each distinct one is stored once
    and referred to by its number (and searched once)."""

    def __init__(self) -> None:
        self.ids: dict[str, int] = {}

    def __call__(self, text: str) -> int:
        return self.ids.setdefault(text, len(self.ids))


def search_index(project: Project) -> Doc:
    """`strings`: distinct column names and descriptions; `tables`: [name, layer,
    description id, [column name id, column description id, ...]]; `jobs`: [name, kind,
    target, description id]."""
    ids = _Strings()
    tables = [
        [
            t.name,
            str(t.layer),
            ids(t.description),
            [i for c in t.columns for i in (ids(c.name), ids(c.description))],
        ]
        for t in project.tables
    ]
    kinds = {j.name: "pipeline" if isinstance(j, Pipeline) else "ingestion" for j in project.jobs}
    jobs = [[j.name, kinds[j.name], j.target, ids(j.description)] for j in project.jobs]
    return {"strings": list(ids.ids), "tables": tables, "jobs": jobs}
