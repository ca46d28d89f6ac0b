"""What `alurc cost` / `alurc plan` read from AWS: each deployed job's recent runs
(GetJobRuns: how long a run takes) and its current settings (GetJob: worker type,
workers, execution class; GetTrigger `<glue job>-cron`: its deployed cron and state).
A job Glue does not know is not deployed: it has no observed runs and costs 0 now."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from alur_compiler.cost.estimate import Duration, Workers
from alur_compiler.cost.runs import median_duration
from alur_compiler.deploy.aws import client
from alur_compiler.deploy.errors import DeployError
from alur_compiler.ir import Environment, Project, Schedule
from alur_compiler.ir.nodes import effective_glue
from alur_compiler.semantic.cron import strip_wrapper

#: GetJobRuns page size: enough to hold the last finished runs behind running ones
RUNS_PAGE = 50
SOURCE = "the deployed Glue jobs and triggers (GetJob, GetTrigger)"


def _glue_name(project: Project, env: Environment, job: str) -> str:
    return f"{project.name}-{env.name}-{job}"


def _read_failed(env: Environment, exc: Exception) -> DeployError:
    return DeployError(
        f"cannot read the Glue jobs of {env.name}: {exc}",
        "check the AWS credentials and region of the environment, or use `alurc cost "
        "--offline` for declared durations only",
    )


def observed_durations(project: Project, env: Environment) -> dict[str, Duration]:
    """The median duration of each deployed job's last finished runs (jobs without any
    are left out: their declared duration applies)."""
    glue = client("glue", env)
    out: dict[str, Duration] = {}
    try:
        for job in project.jobs:
            try:
                page = glue.get_job_runs(
                    JobName=_glue_name(project, env, job.name), MaxResults=RUNS_PAGE
                )
            except glue.exceptions.EntityNotFoundException:
                continue
            found = median_duration(list(page.get("JobRuns", [])))
            if found is not None:
                out[job.name] = found
    except DeployError:
        raise
    except Exception as exc:  # botocore: credentials, endpoint, throttling
        raise _read_failed(env, exc) from None
    return out


def _schedule(trigger: dict[str, Any] | None, now: Schedule | None) -> Schedule | None:
    """The deployed schedule: the trigger's cron and state; `after:` lists as in the
    build (the chain Lambda's map is not read back)."""
    chained = now is not None and bool(now.after or getattr(now, "after_any", ()))
    if trigger is None:
        return replace(now, cron=None) if now is not None and chained else None
    cron, _ = strip_wrapper(str(trigger.get("Schedule", "")))
    base = now if now is not None and chained else Schedule()
    return replace(base, cron=" ".join(cron.split()), enabled=_activated(trigger))


def _activated(trigger: dict[str, Any]) -> bool:
    return str(trigger.get("State", "")) in ("ACTIVATED", "ACTIVATING")


def deployed_settings(
    project: Project, env: Environment
) -> tuple[dict[str, Workers | None], dict[str, Schedule | None]]:
    """Each job's deployed capacity (None: not deployed) and deployed schedule."""
    glue = client("glue", env)
    capacity: dict[str, Workers | None] = {}
    schedules: dict[str, Schedule | None] = {}
    try:
        for job in project.jobs:
            name = _glue_name(project, env, job.name)
            try:
                got = glue.get_job(JobName=name)["Job"]
            except glue.exceptions.EntityNotFoundException:
                capacity[job.name], schedules[job.name] = None, None
                continue
            built = effective_glue(env, job)
            capacity[job.name] = Workers(
                str(got.get("WorkerType") or built.worker_type),
                int(got.get("NumberOfWorkers") or built.workers),
                str(got.get("ExecutionClass") or "STANDARD"),
            )
            try:
                trigger = glue.get_trigger(Name=f"{name}-cron")["Trigger"]
            except glue.exceptions.EntityNotFoundException:
                trigger = None
            schedules[job.name] = _schedule(trigger, job.schedule)
    except Exception as exc:  # botocore: credentials, endpoint, throttling
        raise _read_failed(env, exc) from None
    return capacity, schedules
