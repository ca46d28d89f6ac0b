"""`alurc run NAME --env ENV` (run_remote) and `alurc logs` against moto's HTTP server.

moto's state manager makes Glue job runs progress one state per GetJobRun call
(`glue::job_run`, progression manual, times=2: moto advances before it reads):
STARTING -> RUNNING -> SUCCEEDED. To get a
failing run, the test gives one job's runs the transitions STARTING -> RUNNING -> FAILED
(moto has no failure switch; the patch is on moto's FakeJob in this process, before the
server starts). No terraform needed: the jobs are created with boto3.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from moto_server import moto_server

from alur_compiler.deploy.glue_runs import PollPolicy, print_logs, run_remote
from alur_compiler.deploy.sample import sample_environment, sample_project
from alur_compiler.ir import Project

FAST = PollPolicy(first_delay=0.01, max_delay=0.02, max_wait_seconds=5)


@pytest.fixture(scope="module")
def moto_url(moto_reset: Callable[[str], None]) -> Iterator[str]:
    from moto.glue.models import FakeJob
    from moto.moto_api import state_manager

    original = FakeJob.start_job_run

    def start_job_run(self: Any, *args: Any, **kwargs: Any) -> str:
        run_id: str = original(self, *args, **kwargs)
        if self.name.endswith("clean_orders"):
            self.job_runs[-1]._transitions = [("STARTING", "RUNNING"), ("RUNNING", "FAILED")]
        return run_id

    FakeJob.start_job_run = start_job_run  # type: ignore[method-assign]
    state_manager.set_transition("glue::job_run", {"progression": "manual", "times": 2})
    with moto_server(moto_reset) as url:
        yield url
    state_manager.unset_transition("glue::job_run")
    FakeJob.start_job_run = original  # type: ignore[method-assign]


@pytest.fixture(scope="module")
def project(moto_url: str) -> Project:
    import boto3

    proj = sample_project(envs=(sample_environment("dev", endpoint=moto_url),))
    glue = boto3.client("glue", region_name="eu-west-1", endpoint_url=moto_url)
    for job in proj.jobs:
        glue.create_job(
            Name=f"shop-dev-{job.name}",
            Role="arn:aws:iam::123456789012:role/x",
            Command={
                "Name": "glueetl",
                "ScriptLocation": f"s3://shop-dev-artifacts/glue/{job.name}.py",
            },
        )
    return proj


def test_successful_run_passes_through_every_state(project: Project) -> None:
    lines: list[str] = []
    assert (
        run_remote(
            project, "dev", "daily_revenue", out=lines.append, poll=FAST, sleep=lambda s: None
        )
        == 0
    )
    assert lines[0].startswith("started shop-dev-daily_revenue run jr_")
    assert lines[1:4] == ["  STARTING", "  RUNNING", "  SUCCEEDED"]
    assert ": SUCCEEDED in 123 s" in lines[4]
    assert "log-group/$252Faws-glue$252Fjobs$252Foutput/log-events/jr_" in lines[5]


def test_failed_run_exits_non_zero(project: Project) -> None:
    lines: list[str] = []
    assert (
        run_remote(
            project, "dev", "clean_orders", out=lines.append, poll=FAST, sleep=lambda s: None
        )
        == 1
    )
    assert lines[1:4] == ["  STARTING", "  RUNNING", "  FAILED"]


def test_following_is_bounded(project: Project, moto_url: str) -> None:
    from moto.moto_api import state_manager

    state_manager.set_transition("glue::job_run", {"progression": "manual", "times": 10**9})
    try:
        lines: list[str] = []
        slept: list[float] = []
        code = run_remote(
            project, "dev", "ingest_orders", out=lines.append, poll=FAST, sleep=slept.append
        )
    finally:
        state_manager.set_transition("glue::job_run", {"progression": "manual", "times": 2})
    assert code == 1
    assert lines[-1].startswith("error: run jr_") and "last state STARTING" in lines[-1]
    assert 0 < len(slept) <= 5 / 0.01 + 1


def test_unknown_job_and_undeployed_job(project: Project) -> None:
    lines: list[str] = []
    assert run_remote(project, "dev", "nope", out=lines.append) == 2
    other = sample_project(
        envs=(sample_environment("dev", endpoint=dict(project.environments[0].endpoints)["glue"]),)
    )
    renamed = type(other)(**{**other.__dict__, "name": "other"})
    assert run_remote(renamed, "dev", "daily_revenue", out=lines.append, poll=FAST) == 1
    assert "cannot start Glue job other-dev-daily_revenue" in lines[-2]


def test_logs_prints_the_run_output(project: Project, moto_url: str) -> None:
    import boto3

    logs = boto3.client("logs", region_name="eu-west-1", endpoint_url=moto_url)
    logs.create_log_group(logGroupName="/aws-glue/jobs/output")
    logs.create_log_stream(logGroupName="/aws-glue/jobs/output", logStreamName="jr_abc")
    logs.put_log_events(
        logGroupName="/aws-glue/jobs/output",
        logStreamName="jr_abc",
        logEvents=[
            {"timestamp": int(time.time() * 1000) + i, "message": f"line {i}"} for i in range(3)
        ],
    )
    lines: list[str] = []
    assert print_logs(project, "dev", "jr_abc", out=lines.append) == 0
    assert lines == ["line 0", "line 1", "line 2"]
    assert print_logs(project, "dev", "jr_missing", out=lines.append) == 1


def test_full_refresh_starts_the_pipeline_with_the_refresh_argument(
    project: Project, moto_url: str
) -> None:
    """`alurc run NAME --env ENV --full-refresh`: the run carries --alur_full_refresh true
    (what the runtime reads, as locally), read back from moto's GetJobRun; an ingestion
    has no target to rebuild and is refused before anything starts."""
    import boto3

    glue = boto3.client("glue", region_name="eu-west-1", endpoint_url=moto_url)
    lines: list[str] = []
    code = run_remote(
        project,
        "dev",
        "daily_revenue",
        out=lines.append,
        poll=FAST,
        sleep=lambda s: None,
        full_refresh=True,
    )
    assert code == 0 and lines[0].endswith("(full refresh)")
    run_id = lines[0].split(" run ")[1].split(" ")[0]
    run = glue.get_job_run(JobName="shop-dev-daily_revenue", RunId=run_id)["JobRun"]
    assert run["Arguments"]["--alur_full_refresh"] == "true"
    plain: list[str] = []
    assert (
        run_remote(
            project, "dev", "daily_revenue", out=plain.append, poll=FAST, sleep=lambda s: None
        )
        == 0
    )
    run_id = plain[0].split(" run ")[1]
    run = glue.get_job_run(JobName="shop-dev-daily_revenue", RunId=run_id)["JobRun"]
    assert "--alur_full_refresh" not in run.get("Arguments", {})

    before = len(glue.get_job_runs(JobName="shop-dev-ingest_orders")["JobRuns"])
    refused: list[str] = []
    assert run_remote(project, "dev", "ingest_orders", out=refused.append, full_refresh=True) == 2
    assert "is an ingestion" in refused[0]
    assert len(glue.get_job_runs(JobName="shop-dev-ingest_orders")["JobRuns"]) == before


def test_a_declined_full_refresh_starts_nothing_and_an_ingestion_is_refused_before_asking(
    project: Project, moto_url: str
) -> None:
    import boto3

    glue = boto3.client("glue", region_name="eu-west-1", endpoint_url=moto_url)
    asked: list[list[str]] = []

    def no(jobs: list[str]) -> bool:
        asked.append(jobs)
        return False

    before = len(glue.get_job_runs(JobName="shop-dev-daily_revenue")["JobRuns"])
    lines: list[str] = []
    code = run_remote(
        project, "dev", "daily_revenue", out=lines.append, full_refresh=True, confirm=no
    )
    assert (code, asked, lines) == (1, [["daily_revenue"]], [])
    assert len(glue.get_job_runs(JobName="shop-dev-daily_revenue")["JobRuns"]) == before
    asked.clear()
    assert (
        run_remote(project, "dev", "ingest_orders", out=lines.append, full_refresh=True, confirm=no)
        == 2
    )
    assert asked == []  # refused before the question
