"""Recovery's liveness check of a Glue owner, against moto's Glue HTTP API (GetJobRun).

moto's job runs move STARTING -> RUNNING -> SUCCEEDED under its state manager; the test
sets that manager through moto's own API so a run stays running, or ends at once.
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest
from moto.server import ThreadedMotoServer

from alur_runtime.owner import describe_owner, owner_liveness

ARGS = {"alur_region": "us-east-1"}


@pytest.fixture()
def glue(monkeypatch: pytest.MonkeyPatch, moto_reset: Callable[[str], None]) -> Iterator[Any]:
    server = ThreadedMotoServer(port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    moto_reset(endpoint)
    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "ALUR_GLUE_ENDPOINT": endpoint,
    }.items():
        monkeypatch.setenv(key, value)
    client = boto3.client("glue", endpoint_url=endpoint, region_name="us-east-1")
    client.create_job(Name="ingest_orders", Role="r", Command={"Name": "glueetl"})
    client.endpoint = endpoint  # type: ignore[attr-defined]
    yield client
    _progression(endpoint, {"progression": "immediate"})
    server.stop()


def _progression(endpoint: str, transition: dict[str, object]) -> None:
    body = json.dumps({"model_name": "glue::job_run", "transition": transition}).encode()
    req = urllib.request.Request(
        f"{endpoint}/moto-api/state-manager/set-transition", data=body, method="POST"
    )
    with urllib.request.urlopen(req, timeout=30) as response:
        response.read()


def _owner(run_id: str) -> dict[str, str]:
    return {"owner_run": run_id, "owner_job": "ingest_orders", "owner_host": "glue-worker"}


def test_a_running_glue_owner_is_alive_a_finished_one_gone_an_unknown_one_undecided(
    glue: Any,
) -> None:
    _progression(glue.endpoint, {"progression": "manual", "times": 1000})
    running = glue.start_job_run(JobName="ingest_orders")["JobRunId"]
    state = glue.get_job_run(JobName="ingest_orders", RunId=running)["JobRun"]["JobRunState"]
    assert state in ("STARTING", "RUNNING")
    assert owner_liveness("b1", _owner(running), ARGS) == "alive"
    assert describe_owner(_owner(running)) == f"Glue job run {running}"

    _progression(glue.endpoint, {"progression": "immediate"})
    finished = glue.start_job_run(JobName="ingest_orders")["JobRunId"]
    state = glue.get_job_run(JobName="ingest_orders", RunId=finished)["JobRun"]["JobRunState"]
    assert state == "SUCCEEDED"
    assert owner_liveness("b2", _owner(finished), ARGS) == "gone"  # recovered at once

    # A run id Glue does not know (another account, a typo, no API access): undecidable,
    # so the batch is held for its lease instead of being recovered under a live owner.
    assert owner_liveness("b3", _owner("jr_unknown"), ARGS) == "unknown"
