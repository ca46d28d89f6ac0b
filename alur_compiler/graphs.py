"""The job DAG and column lineage as data, mermaid and dot."""

from __future__ import annotations

from collections.abc import Iterable

from alur_compiler.diagnostics.suggest import suggestion_suffix
from alur_compiler.ir import CheckType, Ingestion, Pipeline, Project
from alur_compiler.ir.graph import job_dependencies, topological_order


def graph_document(project: Project, jobs: Iterable[str] | None = None) -> dict[str, object]:
    """The DAG as data: the jobs (all, or `jobs` from a selection) in run order, what each
    reads through its SQL and through relationship checks, and the tables they touch."""
    deps = job_dependencies(project)
    keep = set(deps) if jobs is None else set(jobs)
    nodes = []
    touched: set[str] = set()
    for name in topological_order(deps):
        if name not in keep:
            continue
        job = project.job(name)
        reads = list(job.upstream_tables) if isinstance(job, Pipeline) else []
        checks = check_reads(project, job.target)
        touched.update([job.target, *reads, *checks])
        nodes.append(
            {
                "name": name,
                "kind": "pipeline" if isinstance(job, Pipeline) else "ingestion",
                "target": job.target,
                "reads": reads,
                "check_reads": checks,
                "after": list(deps[name]),
                "schedule": (job.schedule.aws_expression if job.schedule else None),
            }
        )
    tables = [
        {"name": t.name, "layer": t.layer.value}
        for t in project.tables
        if jobs is None or t.name in touched
    ]
    return {"jobs": nodes, "tables": tables}


def check_reads(project: Project, table: str) -> list[str]:
    """Tables (other than itself) that the relationship checks of `table` read."""
    try:
        checks = project.effective_checks(table)
    except KeyError:
        return []
    refs = {c.ref_table for c in checks if c.type is CheckType.RELATIONSHIP and c.ref_table}
    return sorted(refs - {table})


def render_mermaid(doc: dict[str, object]) -> str:
    lines = ["flowchart LR"]
    for t in doc["tables"]:  # type: ignore[attr-defined]
        lines.append(f"  t_{t['name']}[({t['name']}<br/><i>{t['layer']}</i>)]")
    for j in doc["jobs"]:  # type: ignore[attr-defined]
        shape = (
            f"j_{j['name']}[/{j['name']}/]"
            if j["kind"] == "ingestion"
            else (f"j_{j['name']}[{j['name']}]")
        )
        lines.append(f"  {shape}")
        for src in j["reads"]:
            lines.append(f"  t_{src} --> j_{j['name']}")
        for src in j["check_reads"]:
            lines.append(f"  t_{src} -. check .-> j_{j['name']}")
        lines.append(f"  j_{j['name']} --> t_{j['target']}")
    return "\n".join(lines)


def render_dot(doc: dict[str, object]) -> str:
    lines = ["digraph alur {", "  rankdir=LR;"]
    for t in doc["tables"]:  # type: ignore[attr-defined]
        lines.append(f'  "t_{t["name"]}" [label="{t["name"]}\\n{t["layer"]}", shape=cylinder];')
    for j in doc["jobs"]:  # type: ignore[attr-defined]
        shape = "parallelogram" if j["kind"] == "ingestion" else "box"
        lines.append(f'  "j_{j["name"]}" [label="{j["name"]}", shape={shape}];')
        for src in j["reads"]:
            lines.append(f'  "t_{src}" -> "j_{j["name"]}";')
        for src in j["check_reads"]:
            lines.append(f'  "t_{src}" -> "j_{j["name"]}" [style=dashed, label="check"];')
        lines.append(f'  "j_{j["name"]}" -> "t_{j["target"]}";')
    lines.append("}")
    return "\n".join(lines)


def upstream_columns(project: Project, table: str, column: str) -> dict[str, object]:
    """Recursive upstream tree of TABLE.COLUMN. Raises KeyError with a helpful message."""
    names = [t.name for t in project.tables]
    if table not in names:
        raise KeyError(f"unknown table '{table}'{suggestion_suffix(table, names)}")
    tab = project.table(table)
    if tab.column(column) is None:
        raise KeyError(
            f"unknown column '{table}.{column}'{suggestion_suffix(column, tab.column_names)}"
        )
    return _trace(project, table, column, set())


def _trace(project: Project, table: str, column: str, seen: set[str]) -> dict[str, object]:
    key = f"{table}.{column}"
    node: dict[str, object] = {"column": key, "upstream": []}
    writer = next((p for p in project.pipelines if p.target == table), None)
    ingestion = next((i for i in project.ingestions if i.target == table), None)
    if isinstance(ingestion, Ingestion):
        node["via"] = f"ingestion {ingestion.name} from {ingestion.source_system}"
    if writer is None or key in seen:
        return node
    node["via"] = f"pipeline {writer.name}"
    ups = dict(writer.lineage).get(column, ())
    node["upstream"] = [
        _trace(project, u.split(".", 1)[0], u.split(".", 1)[1], seen | {key}) for u in ups
    ]
    return node
