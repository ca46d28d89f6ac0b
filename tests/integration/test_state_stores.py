"""State stores: DynamoDB (moto's real HTTP server) and SQLite share compare-and-set semantics."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto.server import ThreadedMotoServer

from alur_runtime.state import DynamoStateStore, LocalStateStore, open_state


@pytest.fixture(scope="module")
def dynamo_endpoint(moto_reset: Callable[[str], None]) -> Iterator[str]:
    server = ThreadedMotoServer(port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    moto_reset(f"http://{host}:{port}")
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture()
def dynamo(dynamo_endpoint: str, monkeypatch: pytest.MonkeyPatch, request: Any) -> Any:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    table = "lake-alur-state-" + request.node.name[-20:].replace("[", "").replace("]", "")
    client = boto3.client("dynamodb", endpoint_url=dynamo_endpoint, region_name="eu-west-1")
    client.create_table(
        TableName=table,
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
    args = {
        "alur_mode": "glue",
        "alur_state": table,
        "alur_dynamodb_endpoint": dynamo_endpoint,
        "alur_region": "eu-west-1",
    }
    store = open_state(args)
    assert isinstance(store, DynamoStateStore)
    return store


@pytest.fixture(params=["dynamodb", "sqlite"])
def store(request: Any, tmp_path: Path) -> Any:
    if request.param == "sqlite":
        return LocalStateStore(str(tmp_path / "state"))
    return request.getfixturevalue("dynamo")


def test_compare_and_set_semantics(store: Any) -> None:
    claim = {"status": "claimed", "batch_id": "b1"}
    assert store.get("job", "file#a") is None
    assert store.put_if("job", "file#a", claim, None) is True
    assert store.put_if("job", "file#a", {"status": "claimed", "batch_id": "b2"}, None) is False
    assert store.get("job", "file#a") == claim
    done = {"status": "committed", "batch_id": "b1"}
    assert store.put_if("job", "file#a", done, {"status": "claimed", "batch_id": "b2"}) is False
    assert store.put_if("job", "file#a", done, {"status": "claimed", "batch_id": "b1"}) is True
    assert store.get("job", "file#a") == done
    assert store.delete_if("job", "file#a", {"batch_id": "b2"}) is False
    assert store.delete_if("job", "file#a", {"batch_id": "b1"}) is True
    assert store.get("job", "file#a") is None
    store.put("job", "watermark#orders_raw", {"value": "2026-11-01 10:00:00"})
    assert store.get("job", "watermark#orders_raw") == {"value": "2026-11-01 10:00:00"}
    assert store.get("other_job", "watermark#orders_raw") is None
    store.put("job", "batch#b2", {"status": "open"})
    store.put("job", "batch#b1", {"status": "aborted"})
    store.put("other_job", "batch#b3", {"status": "open"})
    assert store.query("job", "batch#") == [
        ("batch#b1", {"status": "aborted"}),
        ("batch#b2", {"status": "open"}),
    ]


def test_concurrent_claims_exactly_one_wins(store: Any) -> None:
    barrier = threading.Barrier(8)
    wins: list[str] = []

    def claimer(batch: str) -> None:
        barrier.wait()
        item = {"status": "claimed", "batch_id": batch}
        if store.put_if("ingest_orders", "file#s3://landing/a.csv#etag:1", item, None):
            wins.append(batch)

    threads = [threading.Thread(target=claimer, args=(f"b{i}",)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(wins) == 1
    stored = store.get("ingest_orders", "file#s3://landing/a.csv#etag:1")
    assert stored == {"status": "claimed", "batch_id": wins[0]}
