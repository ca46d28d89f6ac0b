"""How often and how long jobs run: starts in a window (by the schedule preview, so
`after:` jobs inherit their triggers' counts), and the median of observed Glue runs."""

from __future__ import annotations

import statistics
from dataclasses import replace
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from alur_compiler.cost.estimate import OBSERVED_RUNS, Duration
from alur_compiler.ir import Project, Schedule

#: the month of a monthly cost
WINDOW = timedelta(days=30)
#: final states of a Glue job run: each one was billed
FINISHED = frozenset({"SUCCEEDED", "FAILED", "STOPPED", "TIMEOUT", "ERROR"})


def run_counts(project: Project, start: datetime, end: datetime) -> dict[str, int]:
    """Each job's starts in [start, end): cron firings by AWS rules, `after:` jobs by the
    chain Lambda's decision function, as `alurc schedule` lists them (specs/schedule.md)."""
    # Imported here: the preview runs alur_runtime.chain, which the CLI must not import
    # at start-up (tests/unit/test_layers.py).
    from alur_compiler.schedule.preview import firings

    counts = dict.fromkeys((j.name for j in project.jobs), 0)
    for firing in firings(project, start, end):
        counts[firing.job] += 1
    return counts


def with_schedules(project: Project, schedules: dict[str, Schedule | None]) -> Project:
    """The project with these jobs' schedules replaced (the deployed ones)."""
    pipelines = tuple(
        replace(p, schedule=schedules[p.name]) if p.name in schedules else p
        for p in project.pipelines
    )
    ingestions = tuple(
        replace(i, schedule=schedules[i.name]) if i.name in schedules else i
        for i in project.ingestions
    )
    return replace(project, pipelines=pipelines, ingestions=ingestions)


def _seconds(run: dict[str, Any]) -> Decimal | None:
    """What a run was billed for: ExecutionTime (the seconds it consumed resources),
    else CompletedOn - StartedOn."""
    execution = run.get("ExecutionTime")
    if isinstance(execution, int) and not isinstance(execution, bool) and execution > 0:
        return Decimal(execution)
    start, end = run.get("StartedOn"), run.get("CompletedOn")
    if isinstance(start, datetime) and isinstance(end, datetime) and end > start:
        return Decimal(str((end - start).total_seconds()))
    return None


def _started(run: dict[str, Any]) -> float:
    start = run.get("StartedOn")
    return start.timestamp() if isinstance(start, datetime) else 0.0


def median_duration(runs: list[dict[str, Any]], last: int = OBSERVED_RUNS) -> Duration | None:
    """The median duration of the `last` finished runs (newest first by StartedOn), or
    None when the job has none."""
    finished = [r for r in runs if r.get("JobRunState") in FINISHED and _seconds(r) is not None]
    finished.sort(key=lambda r: (_started(r), str(r.get("Id"))))
    chosen = [s for r in finished[-last:] if (s := _seconds(r)) is not None]
    if not chosen:
        return None
    return Duration(Decimal(statistics.median(chosen)), "observed", len(chosen))
