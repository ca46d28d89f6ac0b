"""The firings of a time window: cron jobs by AWS cron semantics, `after:` and `after_any:`
jobs by the chain Lambda's own decision function (alur_runtime.chain), as if every run
succeeded the moment it started, over the in-memory store with the real stores' semantics
(alur_runtime.memory_state). The window starts with no success counted, like a fresh
environment. A `max_wait` is swept at the moment it elapses (on AWS the 5-minute timer
acts at most 5 minutes later): its late start, or its alert, is listed too.
"""

from __future__ import annotations

import heapq
from collections import deque
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from alur_compiler.diagnostics.words import count
from alur_compiler.ir import Environment, Project
from alur_compiler.semantic.cron_times import firing_times
from alur_runtime.chain import SUCCEEDED, WAITING, Chains, Wait, on_state_change
from alur_runtime.chain_wait import duration, on_timer
from alur_runtime.memory_state import MemoryStateStore


@dataclass(frozen=True)
class Firing:
    at: datetime
    job: str
    cron: str | None = None  # what started it: its cron, or
    after: tuple[str, ...] = ()  # the predecessors whose successes it followed
    any_of: bool = False  # after_any: one success of `after` started it
    max_wait: str | None = None  # started (or alerted) because this max_wait elapsed
    alert: bool = False  # not a start: the max_wait alert

    @property
    def cause(self) -> str:
        if self.cron:
            return f"cron {self.cron}"
        preds = ", ".join(self.after)
        if self.max_wait:
            what = "ALERT (not started): " if self.alert else ""
            return f"{what}max_wait {self.max_wait} elapsed (after {preds})"
        return f"after_any {preds}" if self.any_of else f"after {preds}"


def chains_of(project: Project) -> Chains:
    def jobs(key: str) -> dict[str, tuple[str, ...]]:
        return {
            j.name: tuple(sorted(getattr(j.schedule, key)))
            for j in project.jobs
            if j.schedule and getattr(j.schedule, key)
        }

    after, after_any = jobs("after"), jobs("after_any")
    disabled = frozenset(
        j.name
        for j in project.jobs
        if (j.name in after or j.name in after_any) and j.schedule and not j.schedule.enabled
    )
    waits = {
        j.name: Wait(j.schedule.max_wait_minutes, j.schedule.on_max_wait)
        for j in project.jobs
        if j.name in after and j.schedule and j.schedule.max_wait_minutes
    }
    return Chains(after, disabled, after_any, waits)


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


class _Window:
    """The event queue of one preview: cron firings, each with what it sets off, and sweeps
    at the moment a max_wait elapses (after the firings of that minute)."""

    def __init__(self, project: Project, end: datetime) -> None:
        self.chains, self.store, self.end = chains_of(project), MemoryStateStore(), end
        self.queue: list[tuple[datetime, int, int, Firing | None]] = []
        self.swept: set[tuple[str, datetime]] = set()
        self.out: list[Firing] = []
        self.pushed = 0

    def push(self, at: datetime, firing: Firing | None) -> None:
        """A cron firing (order 0) or a sweep (None, order 1)."""
        self.pushed += 1
        heapq.heappush(self.queue, (at, 0 if firing else 1, self.pushed, firing))

    def fire(self, first: Firing) -> None:
        """`first` and, breadth first, the chain starts its success sets off."""
        queue = deque([first])
        while queue:
            firing = queue.popleft()
            self.out.append(firing)
            if firing.alert:
                continue
            at = firing.at.isoformat()
            decisions = on_state_change(self.chains, self.store, firing.job, SUCCEEDED, at, _accept)
            queue.extend(self._firing(firing.at, d.job) for d in decisions if d.action == "started")
            self._arm_sweeps()

    def _firing(
        self, at: datetime, job: str, wait: str | None = None, alert: bool = False
    ) -> Firing:
        any_of = job in self.chains.after_any
        preds = self.chains.predecessors(job)
        return Firing(at, job, after=preds, any_of=any_of, max_wait=wait, alert=alert)

    def _arm_sweeps(self) -> None:
        for job, wait in sorted(self.chains.max_wait.items()):
            item = self.store.get(job, WAITING)
            if item is None:
                continue
            due = datetime.fromisoformat(item["since"]) + timedelta(minutes=wait.minutes)
            if due < self.end and (job, due) not in self.swept:
                self.swept.add((job, due))
                self.push(due, None)

    def sweep(self, at: datetime) -> None:
        decisions = on_timer(self.chains, self.store, at.isoformat(), _accept, _ignore)
        for d in decisions:
            if d.action in ("started", "alerted"):
                wait = duration(self.chains.max_wait[d.job].minutes)
                self.fire(self._firing(at, d.job, wait, alert=d.action == "alerted"))


def _ignore(job: str, message: str) -> None:
    """The preview lists an alert; it publishes nothing."""


def firings(project: Project, start: datetime, end: datetime) -> list[Firing]:
    """Every job start in [start, end), in order (cron starts, then what they set off), and
    the max_wait alerts (`alert=True`, not starts)."""
    window = _Window(project, end)
    for fired in cron_firings(project, start, end):
        window.push(fired.at, fired)
    while window.queue:
        at, _, _, firing = heapq.heappop(window.queue)
        if firing is None:
            window.sweep(at)
        else:
            window.fire(firing)
    return window.out


def _cause(f: Firing) -> dict[str, Any]:
    if f.cron:
        return {"cron": f.cron}
    out: dict[str, Any] = {"after_any" if f.any_of else "after": list(f.after)}
    return out | ({"max_wait": f.max_wait} if f.max_wait else {})


def to_json(
    project: Project, env: Environment, start: datetime, end: datetime, found: list[Firing]
) -> dict[str, Any]:
    starts = [f for f in found if not f.alert]
    counts: dict[str, int] = {}
    for f in starts:
        counts[f.job] = counts.get(f.job, 0) + 1

    def entry(f: Firing) -> dict[str, Any]:
        glue = f"{project.name}-{env.name}-{f.job}"
        return {"at": f.at.isoformat(), "job": f.job, "glue_job": glue} | _cause(f)

    doc = {
        "project": project.name,
        "environment": env.name,
        "from": start.isoformat(),
        "to": end.isoformat(),
        "counts": dict(sorted(counts.items())),
        "firings": [entry(f) for f in starts],
    }
    alerts = [entry(f) for f in found if f.alert]
    return doc | ({"alerts": alerts} if alerts else {})


def render_text(
    project: Project, env: Environment, start: datetime, end: datetime, found: list[Firing]
) -> list[str]:
    span = f"{start:%Y-%m-%d %H:%M} to {end:%Y-%m-%d %H:%M} UTC"
    starts = sum(1 for f in found if not f.alert)
    lines = [f"{project.name} ({env.name}): {count(starts, 'firing')} from {span}"]
    width = max((len(f.job) for f in found), default=0)
    lines += [f"  {f.at:%Y-%m-%d %H:%M}  {f.job:<{width}}  {f.cause}" for f in found]
    never = sorted(
        j.name
        for j in project.jobs
        if j.schedule is not None and j.name not in {f.job for f in found if not f.alert}
    )
    if never:
        lines.append(f"  not in this window: {', '.join(never)}")
    return lines
