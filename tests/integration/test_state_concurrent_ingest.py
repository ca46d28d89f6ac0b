"""Two ingestion runs at once, through the generated script, with each state store."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto.server import ThreadedMotoServer
from test_glue_support import HEADER, Harness, project, write_csv

pytestmark = pytest.mark.spark


@pytest.fixture()
def dynamo_args(
    monkeypatch: pytest.MonkeyPatch, moto_reset: Callable[[str], None]
) -> Iterator[dict[str, str]]:
    server = ThreadedMotoServer(port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    moto_reset(f"http://{host}:{port}")
    endpoint = f"http://{host}:{port}"
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    client = boto3.client("dynamodb", endpoint_url=endpoint, region_name="eu-west-1")
    client.create_table(
        TableName="lake-alur-state",
        KeySchema=[
            {"AttributeName": "pk", "KeyType": "HASH"},
            {"AttributeName": "sk", "KeyType": "RANGE"},
        ],
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "S"},
        ],
        BillingMode="PAY_PER_REQUEST",
    )
    # Glue mode only changes the state store here: files and tables stay local.
    yield {
        "alur_mode": "glue",
        "alur_state": "lake-alur-state",
        "alur_dynamodb_endpoint": endpoint,
        "alur_region": "eu-west-1",
    }
    server.stop()


def run_twice_at_once(h: Harness, extra: dict[str, str]) -> list[dict[str, Any]]:
    reports: list[dict[str, Any]] = []
    barrier = threading.Barrier(2)

    def one() -> None:
        barrier.wait()
        reports.append(h.run("ingest_orders", **extra))

    threads = [threading.Thread(target=one) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return reports


@pytest.mark.parametrize("store", ["sqlite", "dynamodb"])
def test_concurrent_runs_ingest_each_file_once(
    spark: Any, tmp_path: Path, store: str, request: pytest.FixtureRequest
) -> None:
    extra = {} if store == "sqlite" else request.getfixturevalue("dynamo_args")
    h = Harness(spark, tmp_path, project(tmp_path))
    for i in range(4):
        write_csv(h.landing, f"{i}.csv", HEADER, [f"O{i},C{i},1,1.00,placed,2026-11-01 10:00:00"])
    reports = run_twice_at_once(h, extra)
    assert [r["status"] for r in reports] == ["succeeded", "succeeded"]
    assert sum(r["files_claimed"] for r in reports) == 4
    # The loser says why it left a file alone: claims_held names the other run's batch
    # (alive: it is running in this process) and only files this run did not load.
    batches = {r["run_id"] for r in reports}
    for r in reports:
        for held in r.get("claims_held", []):
            assert held["batch_id"] in batches - {r["run_id"]}
            assert held["owner_liveness"] == "alive" and held["files"]
    ids = sorted(r["order_id"] for r in h.bronze().select("order_id").collect())
    assert ids == ["O0", "O1", "O2", "O3"]
    assert h.run("ingest_orders", **extra)["files_claimed"] == 0
