"""`alurc cost --env dev` against moto's HTTP server: observed durations from GetJobRuns,
the deployed worker settings from GetJob and the deployed cron from GetTrigger.

moto cannot give real durations: every job run it returns has `ExecutionTime: 123`
(hard-coded in moto.glue.models.FakeJobRun.as_dict, moto 5.2), and its StartedOn and
CompletedOn are the same instant. So the observed median here is 123 s, which is what
moto gives; the median over differing runs is tested on plain run records in
tests/unit/test_cost.py. The jobs, their trigger and their runs are created with boto3
(no Terraform); runs are started through moto, which finishes them at once.

Window: the 30 days from 2027-01-15 00:00 UTC (see tests/unit/test_cost.py).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from moto_server import moto_server
from typer.testing import CliRunner

from alur_compiler.cli import app

PROJECT = """\
apiVersion: alur/v1
kind: Project
name: shop
paths: [contracts, jobs]
environments:
  dev:
    region: eu-west-1
    buckets: {{lake: shop-dev-lake, artifacts: shop-dev-artifacts, landing: shop-dev-landing}}
    endpoints: {{glue: "{url}"}}
"""
TABLES = """\
apiVersion: alur/v1
kind: Table
name: orders_raw
layer: bronze
columns: [{name: id, type: int}]
---
apiVersion: alur/v1
kind: Table
name: orders
layer: silver
primary_key: [id]
columns: [{name: id, type: int, nullable: false}]
"""
JOBS = """\
apiVersion: alur/v1
kind: Ingestion
name: ingest_orders
target: orders_raw
source_system: shop
sources: [{path: orders/, format: csv}]
schedule: {cron: "0 * * * ? *"}
expected_minutes: 0.5
---
apiVersion: alur/v1
kind: Pipeline
name: clean_orders
target: orders
sql: SELECT id FROM orders_raw WHERE id IS NOT NULL
schedule: {after: [ingest_orders]}
expected_minutes: 3
glue: {worker_type: G.2X, workers: 4}
"""


@pytest.fixture(scope="module")
def moto_url(moto_reset: Callable[[str], None]) -> Iterator[str]:
    from moto.moto_api import state_manager

    state_manager.set_transition("glue::job_run", {"progression": "immediate"})
    with moto_server(moto_reset) as url:
        yield url
    state_manager.unset_transition("glue::job_run")


@pytest.fixture(scope="module")
def project(moto_url: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The build wants ingest_orders hourly on G.1X x 2; deployed is G.2X x 2 every two
    hours, with three finished runs; clean_orders is not deployed yet."""
    import boto3

    root = tmp_path_factory.mktemp("shop")
    (root / "contracts").mkdir()
    (root / "jobs").mkdir()
    (root / "alur.yaml").write_text(PROJECT.format(url=moto_url))
    (root / "contracts" / "tables.yaml").write_text(TABLES)
    (root / "jobs" / "jobs.yaml").write_text(JOBS)
    glue = boto3.client("glue", region_name="eu-west-1", endpoint_url=moto_url)
    glue.create_job(
        Name="shop-dev-ingest_orders",
        Role="arn:aws:iam::123456789012:role/x",
        Command={"Name": "glueetl", "ScriptLocation": "s3://shop-dev-artifacts/glue/x.py"},
        GlueVersion="5.0",
        WorkerType="G.2X",
        NumberOfWorkers=2,
    )
    glue.create_trigger(
        Name="shop-dev-ingest_orders-cron",
        Type="SCHEDULED",
        Schedule="cron(0 0/2 * * ? *)",
        Actions=[{"JobName": "shop-dev-ingest_orders"}],
        StartOnCreation=True,
    )
    for _ in range(3):
        glue.start_job_run(JobName="shop-dev-ingest_orders")
    runs = glue.get_job_runs(JobName="shop-dev-ingest_orders")["JobRuns"]
    assert [(r["JobRunState"], r["ExecutionTime"]) for r in runs] == [("SUCCEEDED", 123)] * 3
    return root


def _cost(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["cost", *args])
    return result.exit_code, result.output


def test_observed_durations_and_the_change_against_what_is_deployed(project: Path) -> None:
    code, out = _cost("--env", "dev", "--from", "2027-01-15T00:00", "-f", "json", str(project))
    assert code == 0, out
    doc = json.loads(out)
    jobs = {j["job"]: j for j in doc["jobs"]}
    ingest, clean = jobs["ingest_orders"], jobs["clean_orders"]
    # ingest_orders planned: hourly = 720 runs, observed median of moto's 3 runs = 123 s
    # (above the 1-minute minimum), G.1X x 2 = 2 DPU:
    #   720 x 2 x 123 / 3600 = 49.2 DPU-h x $0.44 (eu-west-1) = $21.648 -> $21.65
    assert ingest["duration"] == {
        "seconds": 123.0,
        "source": "observed",
        "label": "observed median of last 3 runs",
        "runs": 3,
    }
    assert (ingest["runs"], ingest["dpu_hours"], ingest["monthly_usd"]) == (720, 49.2, 21.65)
    # ingest_orders now: the deployed trigger fires every 2 hours = 12 x 30 = 360 runs,
    # on G.2X x 2 = 4 DPU: 360 x 4 x 123 / 3600 = 49.2 DPU-h = $21.65; change $0.00
    now = ingest["now"]
    assert (now["runs"], now["worker_type"], now["dpus"], now["monthly_usd"]) == (
        360,
        "G.2X",
        4.0,
        21.65,
    )
    assert ingest["change_usd"] == 0.0
    # clean_orders: after ingest_orders, so its 720 runs; not deployed: no observed runs,
    # declared 3 min = 180 s; G.2X x 4 = 8 DPU: 720 x 8 x 180 / 3600 = 288 DPU-h
    #   x $0.44 = $126.72, now $0 (not deployed)
    assert clean["duration"]["label"] == "declared expected_minutes"
    assert (clean["runs"], clean["dpu_hours"], clean["monthly_usd"]) == (720, 288.0, 126.72)
    assert clean["deployed"] is False and clean["now"]["monthly_usd"] == 0.0
    # totals: 21.648 + 126.72 = 148.368 -> $148.37 planned; $21.648 -> $21.65 now;
    # change 126.72
    assert doc["total"] == {
        "dpu_hours": 337.2,
        "monthly_usd": 148.37,
        "now_monthly_usd": 21.65,
        "change_usd": 126.72,
    }
    assert doc["compared_with"].startswith("the deployed Glue jobs and triggers")


def test_text_output_names_each_source(project: Path) -> None:
    code, out = _cost("--env", "dev", "--from", "2027-01-15T00:00", str(project))
    assert code == 0, out
    lines = {line.split()[0]: line for line in out.splitlines() if line.startswith("    ")}
    assert "123 s (observed median of last 3 runs)" in lines["ingest_orders"]
    assert lines["clean_orders"].split()[-2:] == ["new", "+126.72"]
    assert lines["total"].split()[-4:] == ["337.20", "148.37", "21.65", "+126.72"]


def test_offline_reads_nothing_and_compares_nothing(project: Path) -> None:
    code, out = _cost(
        "--env", "dev", "--from", "2027-01-15T00:00", "--offline", "-f", "json", str(project)
    )
    assert code == 0, out
    doc = json.loads(out)
    ingest = next(j for j in doc["jobs"] if j["job"] == "ingest_orders")
    # declared 0.5 min, billed the 60 s minimum: 720 x 2 x 60 / 3600 = 24 DPU-h = $10.56
    assert (ingest["billed_seconds_per_run"], ingest["monthly_usd"]) == (60, 10.56)
    assert "now" not in ingest and doc["compared_with"] is None


def test_bad_arguments_are_usage_errors(project: Path) -> None:
    code, out = _cost("--env", "qa", "--offline", str(project))
    assert code == 2 and "unknown environment 'qa'" in out, out
    code, out = _cost("--env", "dev", "--price-per-dpu-hour", "cheap", str(project))
    assert code == 2 and "is not a price" in out, out
    code, out = _cost("--env", "dev", "--from", "yesterday", str(project))
    assert code == 2 and "is not a time" in out, out
