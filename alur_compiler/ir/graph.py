"""The job dependency graph: who writes a table, who reads it, in which order jobs run."""

from __future__ import annotations

from collections.abc import Iterable

from alur_compiler.diagnostics.span import Span
from alur_compiler.ir.nodes import Check, CheckType, Ingestion, Pipeline, Project

Job = Pipeline | Ingestion


def writers(project: Project) -> dict[str, tuple[str, ...]]:
    """table name -> names of the jobs that write it (sorted)."""
    out: dict[str, list[str]] = {}
    for job in project.jobs:
        out.setdefault(job.target, []).append(job.name)
    return {t: tuple(sorted(names)) for t, names in out.items()}


def edge_reasons(project: Project) -> dict[tuple[str, str], tuple[str, Span]]:
    """(job, job it runs after) -> why, with the YAML span that makes the edge: a table
    its SQL reads, a relationship check of its target reading another table, `after:` or
    `after_any:`.
    One reason per edge, the first in that order."""
    by_table = writers(project)
    out: dict[tuple[str, str], tuple[str, Span]] = {}

    def add(job: Job, tables: Iterable[str], why: str, span: Span) -> None:
        for table in tables:
            for writer in by_table.get(table, ()):
                if writer != job.name:
                    out.setdefault((job.name, writer), (why.format(table=table), span))

    for job in project.jobs:
        if isinstance(job, Pipeline):
            add(job, job.upstream_tables, "its SQL reads {table}", job.sql_span)
        for check in _reading_checks(project, job):
            why = f"check '{check.name}' of {job.target} reads {{table}}"
            add(job, [str(check.ref_table)], why, check.span)
        if job.schedule is not None:
            for name in job.schedule.after:
                if name != job.name:
                    out.setdefault((job.name, name), ("after:", job.schedule.span))
            for name in job.schedule.after_any:
                if name != job.name:
                    out.setdefault((job.name, name), ("after_any:", job.schedule.span))
    return out


def _reading_checks(project: Project, job: Job) -> tuple[Check, ...]:
    """The checks a job evaluates while writing its target that read another table."""
    try:
        checks = project.effective_checks(job.target)
    except KeyError:  # an unknown target is reported elsewhere
        return ()
    return tuple(c for c in checks if c.type is CheckType.RELATIONSHIP and c.ref_table)


def job_dependencies(project: Project) -> dict[str, tuple[str, ...]]:
    """job name -> jobs that must run before it: writers of the tables it reads (its SQL
    sources and the tables its relationship checks read) plus `after:`."""
    deps: dict[str, set[str]] = {job.name: set() for job in project.jobs}
    for job, before in edge_reasons(project):
        deps[job].add(before)
    return {name: tuple(sorted(before)) for name, before in deps.items()}


def topological_order(deps: dict[str, tuple[str, ...]]) -> list[str]:
    """Kahn's algorithm with a sorted frontier: deterministic. Raises ValueError on a cycle."""
    remaining = {name: set(before) & deps.keys() for name, before in deps.items()}
    order: list[str] = []
    ready = sorted(n for n, b in remaining.items() if not b)
    while ready:
        name = ready.pop(0)
        order.append(name)
        del remaining[name]
        for other, before in remaining.items():
            if name in before:
                before.discard(name)
                if not before and other not in ready:
                    ready.append(other)
        ready.sort()
    if remaining:
        raise ValueError("cycle among: " + ", ".join(sorted(remaining)))
    return order


def with_upstreams(deps: dict[str, tuple[str, ...]], names: Iterable[str]) -> set[str]:
    """The named jobs plus everything they (transitively) depend on."""
    seen: set[str] = set()
    stack = list(names)
    while stack:
        name = stack.pop()
        if name in seen:
            continue
        seen.add(name)
        stack.extend(deps.get(name, ()))
    return seen


def execution_order(project: Project, names: Iterable[str] | None = None) -> list[str]:
    """Jobs to run (the selection and its upstreams, or all) in dependency order."""
    deps = job_dependencies(project)
    order = topological_order(deps)
    if names is None:
        return order
    keep = with_upstreams(deps, names)
    return [n for n in order if n in keep]
