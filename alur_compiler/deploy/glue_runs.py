"""`alurc run NAME --env ENV` and `alurc logs`: start a deployed Glue job, follow it to a
final state with bounded backoff, print where its logs are (contracts.md §7)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from alur_compiler.deploy.aws import client
from alur_compiler.ir import Environment, Project

FINAL_STATES = frozenset({"SUCCEEDED", "FAILED", "STOPPED", "TIMEOUT", "ERROR", "EXPIRED"})
OUTPUT_LOG_GROUP = "/aws-glue/jobs/output"
Out = Callable[[str], None]


@dataclass(frozen=True)
class PollPolicy:
    """Backoff between GetJobRun calls, and the hard bound on how long we follow a run."""

    first_delay: float = 5.0
    max_delay: float = 30.0
    factor: float = 1.5
    max_errors: int = 5  # consecutive API errors before giving up
    max_wait_seconds: float | None = None  # default: the job's timeout + 10 minutes


def _glue_name(project: Project, env: Environment, job: str) -> str:
    return f"{project.name}-{env.name}-{job}"


def log_link(region: str, group: str, stream: str) -> str:
    enc = quote(quote(group, safe=""), safe="").replace("%", "$")
    return (
        f"https://{region}.console.aws.amazon.com/cloudwatch/home?region={region}"
        f"#logsV2:log-groups/log-group/{enc}/log-events/{stream}"
    )


def run_remote(
    project: Project,
    env_name: str,
    job_name: str,
    *,
    wait: bool = True,
    endpoint_url: str | None = None,
    out: Out = print,
    poll: PollPolicy | None = None,
    sleep: Callable[[float], None] = time.sleep,
    full_refresh: bool = False,
    confirm: Callable[[list[str]], bool] | None = None,
) -> int:
    """Start the job; 0 when the run SUCCEEDED (or was started with wait=False), else 1.
    `full_refresh`: this run rebuilds the pipeline's target from its sources (the job
    argument --alur_full_refresh true, read by the runtime as locally)."""
    from botocore.exceptions import BotoCoreError, ClientError

    from alur_compiler import lookup
    from alur_compiler.diagnostics.suggest import UnknownName

    try:
        env, job = lookup.environment(project, env_name), lookup.job(project, job_name)
    except UnknownName as exc:
        out(f"error: {exc.message}\n  hint: {exc.hint}")
        return 2
    if full_refresh and job.name not in {p.name for p in project.pipelines}:
        out(f"error: --full-refresh rebuilds a pipeline's target; {job.name} is an ingestion")
        out("  hint: an ingestion's files are taken once each; refresh its readers instead")
        return 2
    if full_refresh and confirm is not None and not confirm([job.name]):
        return 1  # declined: nothing started
    name = _glue_name(project, env, job.name)
    glue = client("glue", env, endpoint_url)
    extra = {"Arguments": {"--alur_full_refresh": "true"}} if full_refresh else {}
    try:
        run_id = glue.start_job_run(JobName=name, **extra)["JobRunId"]
    except (BotoCoreError, ClientError) as exc:
        out(f"error: cannot start Glue job {name}: {exc}")
        out("  hint: is the environment deployed (`alurc apply --env " + env.name + "`)?")
        return 1
    out(f"started {name} run {run_id}" + (" (full refresh)" if full_refresh else ""))
    if not wait:
        return 0
    policy = poll or PollPolicy(max_wait_seconds=(job.glue.timeout_minutes + 10) * 60.0)
    run = _follow(glue, name, run_id, policy, out, sleep)
    if run is None:
        return 1
    state = str(run.get("JobRunState"))
    out(f"{name} run {run_id}: {state} in {_duration(run)}")
    if run.get("ErrorMessage"):
        out(f"  error: {run['ErrorMessage']}")
    out(f"  logs: {log_link(env.region, OUTPUT_LOG_GROUP, run_id)}")
    return 0 if state == "SUCCEEDED" else 1


def _follow(
    glue: Any, name: str, run_id: str, policy: PollPolicy, out: Out, sleep: Callable[[float], None]
) -> dict[str, Any] | None:
    from botocore.exceptions import BotoCoreError, ClientError

    delay, waited, errors, last = policy.first_delay, 0.0, 0, None
    limit = policy.max_wait_seconds if policy.max_wait_seconds is not None else 24 * 3600.0
    while True:
        try:
            run: dict[str, Any] = glue.get_job_run(JobName=name, RunId=run_id)["JobRun"]
            errors = 0
        except (BotoCoreError, ClientError) as exc:
            errors += 1
            if errors >= policy.max_errors:
                out(f"error: giving up following run {run_id} after {errors} API errors: {exc}")
                return None
            run = {}
        state = run.get("JobRunState")
        if state and state != last:
            out(f"  {state}")
            last = state
        if state in FINAL_STATES:
            return run
        if waited >= limit:
            out(
                f"error: run {run_id} not final after {waited:.0f} s "
                f"(last state {last}); stopped following"
            )
            return None
        sleep(delay)
        waited += delay
        delay = min(delay * policy.factor, policy.max_delay)


def _duration(run: dict[str, Any]) -> str:
    if isinstance(run.get("ExecutionTime"), int) and run["ExecutionTime"] > 0:
        return f"{run['ExecutionTime']} s"
    start, end = run.get("StartedOn"), run.get("CompletedOn")
    if start is not None and end is not None:
        return f"{(end - start).total_seconds():.0f} s"
    return "unknown time"


def print_logs(
    project: Project,
    env_name: str,
    run_id: str,
    *,
    job_name: str | None = None,
    endpoint_url: str | None = None,
    out: Out = print,
) -> int:
    """Print a run's CloudWatch output (stream = run id); with a job, its own log group."""
    from botocore.exceptions import BotoCoreError, ClientError

    env = project.environment(env_name)
    group = OUTPUT_LOG_GROUP
    if job_name is not None:
        group = f"/aws-glue/jobs/{_glue_name(project, env, project.job(job_name).name)}"
    logs = client("logs", env, endpoint_url)
    token: str | None = None
    try:
        while True:
            args: dict[str, Any] = {
                "logGroupName": group,
                "logStreamName": run_id,
                "startFromHead": True,
            }
            if token:
                args["nextToken"] = token
            page = logs.get_log_events(**args)
            for event in page.get("events", []):
                out(str(event.get("message", "")).rstrip("\n"))
            if not page.get("events") or page.get("nextForwardToken") in (None, token):
                return 0
            token = page["nextForwardToken"]
    except (BotoCoreError, ClientError) as exc:
        out(f"error: no logs for run {run_id} in {group}: {exc}")
        return 1
