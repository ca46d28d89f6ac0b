"""The firings of a time window: cron jobs by AWS cron semantics, `after:` jobs by the
chain Lambda's own decision function (alur_runtime.chain), as if every run succeeded the
moment it started. The window starts with no success counted, like a fresh environment.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from alur_compiler.diagnostics.words import count
from alur_compiler.ir import Environment, Project
from alur_compiler.semantic.cron_times import firing_times
from alur_runtime.chain import SUCCEEDED, Chains, on_state_change


@dataclass(frozen=True)
class Firing:
    at: datetime
    job: str
    cron: str | None = None  # what started it: its cron, or
    after: tuple[str, ...] = ()  # the predecessors whose successes it followed

    @property
    def cause(self) -> str:
        return f"cron {self.cron}" if self.cron else "after " + ", ".join(self.after)


class _Memory:
    def __init__(self) -> None:
        self.items: dict[tuple[str, str], dict[str, str]] = {}

    def get(self, pk: str, sk: str) -> dict[str, str] | None:
        item = self.items.get((pk, sk))
        return None if item is None else dict(item)

    def put_if(
        self, pk: str, sk: str, item: dict[str, str], expected: dict[str, str] | None
    ) -> bool:
        if self.items.get((pk, sk)) != expected:
            return False
        self.items[(pk, sk)] = dict(item)
        return True


def chains_of(project: Project) -> Chains:
    after = {
        j.name: tuple(sorted(j.schedule.after))
        for j in project.jobs
        if j.schedule and j.schedule.after
    }
    disabled = frozenset(
        j.name for j in project.jobs if j.name in after and j.schedule and not j.schedule.enabled
    )
    return Chains(after, disabled)


def cron_firings(project: Project, start: datetime, end: datetime) -> list[Firing]:
    out = [
        Firing(t, job.name, cron=job.schedule.cron)
        for job in project.jobs
        if job.schedule is not None and job.schedule.cron and job.schedule.enabled
        for t in firing_times(job.schedule.cron, start, end)
    ]
    return sorted(out, key=lambda f: (f.at, f.job))


def _accept(job: str) -> bool:
    return True  # every start succeeds in the preview


def firings(project: Project, start: datetime, end: datetime) -> list[Firing]:
    """Every job start in [start, end), in order (cron starts, then what they set off)."""
    chains, store = chains_of(project), _Memory()
    out: list[Firing] = []
    for fired in cron_firings(project, start, end):
        queue = deque([fired])
        while queue:
            firing = queue.popleft()
            out.append(firing)
            decisions = on_state_change(
                chains, store, firing.job, SUCCEEDED, firing.at.isoformat(), _accept
            )
            queue.extend(
                Firing(firing.at, d.job, after=chains.after[d.job])
                for d in decisions
                if d.action == "started"
            )
    return out


def to_json(
    project: Project, env: Environment, start: datetime, end: datetime, found: list[Firing]
) -> dict[str, Any]:
    counts: dict[str, int] = {}
    for f in found:
        counts[f.job] = counts.get(f.job, 0) + 1
    return {
        "project": project.name,
        "environment": env.name,
        "from": start.isoformat(),
        "to": end.isoformat(),
        "counts": dict(sorted(counts.items())),
        "firings": [
            {"at": f.at.isoformat(), "job": f.job, "glue_job": f"{project.name}-{env.name}-{f.job}"}
            | ({"cron": f.cron} if f.cron else {"after": list(f.after)})
            for f in found
        ],
    }


def render_text(
    project: Project, env: Environment, start: datetime, end: datetime, found: list[Firing]
) -> list[str]:
    span = f"{start:%Y-%m-%d %H:%M} to {end:%Y-%m-%d %H:%M} UTC"
    lines = [f"{project.name} ({env.name}): {count(len(found), 'firing')} from {span}"]
    width = max((len(f.job) for f in found), default=0)
    lines += [f"  {f.at:%Y-%m-%d %H:%M}  {f.job:<{width}}  {f.cause}" for f in found]
    never = sorted(
        j.name
        for j in project.jobs
        if j.schedule is not None and j.name not in {f.job for f in found}
    )
    if never:
        lines.append(f"  not in this window: {', '.join(never)}")
    return lines
