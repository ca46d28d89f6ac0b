"""The job dependency graph: who writes a table, who reads it, in which order jobs run."""

from __future__ import annotations

from collections.abc import Iterable

from alur_compiler.ir.nodes import Ingestion, Pipeline, Project

Job = Pipeline | Ingestion


def writers(project: Project) -> dict[str, tuple[str, ...]]:
    """table name -> names of the jobs that write it (sorted)."""
    out: dict[str, list[str]] = {}
    for job in project.jobs:
        out.setdefault(job.target, []).append(job.name)
    return {t: tuple(sorted(names)) for t, names in out.items()}


def job_dependencies(project: Project) -> dict[str, tuple[str, ...]]:
    """job name -> jobs that must run before it: writers of its SQL sources plus `after:`."""
    by_table = writers(project)
    deps: dict[str, tuple[str, ...]] = {}
    for job in project.jobs:
        before: set[str] = set()
        if isinstance(job, Pipeline):
            for table in job.upstream_tables:
                before.update(by_table.get(table, ()))
        if job.schedule is not None:
            before.update(job.schedule.after)
        before.discard(job.name)
        deps[job.name] = tuple(sorted(before))
    return deps


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
