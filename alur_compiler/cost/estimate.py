"""The expected monthly Glue cost of an environment, per job (specs/cost.md). Pure: the
run counts, durations and deployed settings come in as arguments.

    cost = runs in 30 days × DPUs (DPUs per worker × workers)
           × billed seconds per run (at least 60, whole seconds) / 3600 × price per DPU-hour
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from alur_compiler.cost.prices import MINIMUM_BILLED_SECONDS, dpu_per_worker, price_per_dpu_hour
from alur_compiler.ir import Environment, GlueConfig, Ingestion, Pipeline, Project
from alur_compiler.ir.nodes import effective_glue

#: how many finished runs the observed median is taken over
OBSERVED_RUNS = 10


@dataclass(frozen=True)
class Duration:
    """How long one run is expected to take, and where that figure comes from."""

    seconds: Decimal
    source: str  # observed | declared | timeout
    runs: int = 0  # observed: the number of runs the median is of

    @property
    def label(self) -> str:
        if self.source == "observed":
            return f"observed median of last {self.runs} run{'s' if self.runs != 1 else ''}"
        if self.source == "declared":
            return "declared expected_minutes"
        return "timeout upper bound"


@dataclass(frozen=True)
class Workers:
    """The capacity a run is billed for."""

    worker_type: str
    workers: int
    execution_class: str

    @property
    def dpus(self) -> Decimal:
        return dpu_per_worker(self.worker_type) * self.workers

    @classmethod
    def of(cls, glue: GlueConfig) -> Workers:
        return cls(glue.worker_type, glue.workers, glue.execution_class)


@dataclass(frozen=True)
class Priced:
    """Runs × capacity × duration, and what that costs (None: no price known)."""

    runs: int
    workers: Workers
    billed_seconds: int
    dpu_hours: Decimal
    price: Decimal | None
    usd: Decimal | None


@dataclass(frozen=True)
class JobCost:
    job: str
    glue_job: str
    trigger: str  # "cron ...", "after a, b", "manual (no schedule)", "disabled"
    duration: Duration
    planned: Priced
    now: Priced | None  # the job as deployed (None: not compared)
    deployed: bool | None = None  # False: Glue does not know the job (it costs 0 now)

    @property
    def change(self) -> Decimal | None:
        if self.now is None or self.planned.usd is None or self.now.usd is None:
            return None
        return self.planned.usd - self.now.usd


@dataclass(frozen=True)
class EnvCost:
    project: str
    environment: str
    region: str
    start: datetime
    end: datetime
    jobs: tuple[JobCost, ...]
    price_override: Decimal | None = None
    compared_with: str | None = None  # where the deployed settings came from

    def total(self, which: str) -> Decimal | None:
        """Sum of `usd` over the jobs' `planned` or `now` (None when one is unknown)."""
        values = [getattr(j, which) for j in self.jobs]
        if any(v is None or v.usd is None for v in values):
            return None
        return sum((v.usd for v in values), Decimal(0))

    @property
    def total_dpu_hours(self) -> Decimal:
        return sum((j.planned.dpu_hours for j in self.jobs), Decimal(0))


def billed_seconds(duration: Duration) -> int:
    """Glue bills whole seconds, at least a minute per run."""
    return max(MINIMUM_BILLED_SECONDS, math.ceil(duration.seconds))


def price(
    runs: int, workers: Workers, duration: Duration, region: str, override: Decimal | None
) -> Priced:
    seconds = billed_seconds(duration)
    dpu_hours = runs * workers.dpus * seconds / Decimal(3600)
    rate = override if override is not None else price_per_dpu_hour(region, workers.execution_class)
    usd = dpu_hours * rate if rate is not None else None
    return Priced(runs, workers, seconds, dpu_hours, rate, usd)


def declared_duration(job: Pipeline | Ingestion, glue: GlueConfig) -> Duration:
    """`expected_minutes` when the YAML gives it, else the timeout (an upper bound)."""
    if job.expected_minutes is not None:
        return Duration(Decimal(str(job.expected_minutes)) * 60, "declared")
    return Duration(Decimal(glue.timeout_minutes * 60), "timeout")


def trigger_of(job: Pipeline | Ingestion) -> str:
    s = job.schedule
    if s is None:
        return "manual (no schedule)"
    if not s.enabled:
        return "disabled"
    if s.cron:
        return f"cron {s.cron}"
    if s.after:
        return "after " + ", ".join(sorted(s.after))
    return "after any of " + ", ".join(sorted(s.after_any))


def estimate(
    project: Project,
    env: Environment,
    window: tuple[datetime, datetime],
    runs: dict[str, int],
    observed: dict[str, Duration] | None = None,
    deployed: tuple[dict[str, Workers | None], dict[str, int], str] | None = None,
    override: Decimal | None = None,
) -> EnvCost:
    """Each job's cost in ENV; `runs` are its starts in `window` (schedule.preview).

    `observed` durations win over declared ones. `deployed` is (the deployed capacity of
    each job, None where it is not deployed; the deployed schedule's run counts; where
    that came from): it adds each job's cost as deployed now."""
    jobs = []
    for job in project.jobs:
        glue = effective_glue(env, job)
        duration = (observed or {}).get(job.name) or declared_duration(job, glue)
        planned = price(runs.get(job.name, 0), Workers.of(glue), duration, env.region, override)
        now, known = None, None
        if deployed is not None:
            capacity, now_runs, _ = deployed
            was = capacity.get(job.name)
            count = now_runs.get(job.name, 0) if was is not None else 0
            now = price(count, was or Workers.of(glue), duration, env.region, override)
            known = was is not None
        glue_job = f"{project.name}-{env.name}-{job.name}"
        jobs.append(JobCost(job.name, glue_job, trigger_of(job), duration, planned, now, known))
    source = deployed[2] if deployed is not None else None
    return EnvCost(
        project.name, env.name, env.region, *window, tuple(jobs), override, compared_with=source
    )
