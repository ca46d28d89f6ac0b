"""The in-memory state store (alur_runtime.memory_state, what `alurc schedule` and the chain
tests use) behaves exactly like the real stores: one sequence of puts, compare-and-sets,
deletes and reads against it, against SQLite (LocalStateStore) and against DynamoDB on
moto's server (DynamoStateStore, with a table shaped like the one terraform creates), with
identical outcomes. The sequence includes the case whole-item comparison gets wrong: an
expected item that names only some fields of the stored one matches.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from alur_runtime.memory_state import MemoryStateStore
from alur_runtime.state import DynamoStateStore, LocalStateStore

TABLE = "parity-alur-state"
OK = {"count": "1", "state": "SUCCEEDED", "run": "jr_1"}

#: (operation, arguments); every outcome (bool or the item read) is compared
SEQUENCE: list[tuple[str, tuple[Any, ...]]] = [
    ("get", ("s", "schedule#started")),
    ("put_if", ("a", "schedule#outcome", OK, None)),  # no item yet: written
    ("put_if", ("a", "schedule#outcome", OK, None)),  # exists now: refused
    ("get", ("a", "schedule#outcome")),
    # a partial expected item: only `count` is named, and it matches
    ("put_if", ("a", "schedule#outcome", {"count": "2", "state": "FAILED"}, {"count": "1"})),
    ("get", ("a", "schedule#outcome")),  # the whole item was replaced
    ("put_if", ("a", "schedule#outcome", {"count": "9"}, {"count": "1"})),  # stale: refused
    ("put_if", ("a", "schedule#outcome", {"count": "9"}, {"count": "2", "state": "SUCCEEDED"})),
    ("put_if", ("a", "schedule#outcome", {"count": "9"}, {"count": "2", "run": "jr_1"})),
    ("put_if", ("a", "schedule#outcome", {"count": "3"}, {"count": "2", "state": "FAILED"})),
    ("get", ("a", "schedule#outcome")),
    ("put_if", ("b", "schedule#outcome", {"count": "1"}, {"count": "0"})),  # absent: refused
    ("put", ("b", "file#x#1", {"status": "claimed"})),
    ("put", ("b", "file#y#1", {"status": "done"})),
    ("put", ("b", "watermark#t", {"v": "5"})),
    ("query", ("b", "file#")),
    ("delete_if", ("b", "file#x#1", {"status": "done"})),  # mismatch: kept
    ("delete_if", ("b", "file#x#1", {"status": "claimed"})),
    ("delete_if", ("b", "file#x#1", {"status": "claimed"})),  # gone: refused
    ("query", ("b", "file#")),
    ("get", ("b", "file#x#1")),
]


@pytest.fixture(scope="module")
def dynamo(moto_reset: Callable[[str], None]) -> Iterator[DynamoStateStore]:
    import boto3
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    url = f"http://{host}:{port}"
    moto_reset(url)
    saved = {k: os.environ.get(k) for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")}
    os.environ.update({"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"})
    boto3.client("dynamodb", endpoint_url=url, region_name="eu-west-1").create_table(
        TableName=TABLE,
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
    yield DynamoStateStore(TABLE, endpoint_url=url, region="eu-west-1")
    server.stop()
    for k, v in saved.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v


def _run(store: Any) -> list[Any]:
    return [getattr(store, op)(*args) for op, args in SEQUENCE]


def test_memory_store_matches_sqlite_and_dynamodb(dynamo: DynamoStateStore, tmp_path: Path) -> None:
    on_dynamo = _run(dynamo)
    assert _run(LocalStateStore(str(tmp_path / "state"))) == on_dynamo
    assert _run(MemoryStateStore()) == on_dynamo
    # the outcomes themselves, by hand: DynamoDB is the oracle, but the sequence must also
    # reach the cases it is there for (a partial match written, stale expectations refused)
    writes = [out for (op, _), out in zip(SEQUENCE, on_dynamo, strict=True) if op == "put_if"]
    assert writes == [True, False, True, False, False, False, True, False]
    assert on_dynamo[5] == {"count": "2", "state": "FAILED"}
    assert on_dynamo[10] == {"count": "3"}
    assert on_dynamo[15] == [("file#x#1", {"status": "claimed"}), ("file#y#1", {"status": "done"})]
    assert on_dynamo[16:19] == [False, True, False] and on_dynamo[-1] is None


def test_whole_item_comparison_would_differ() -> None:
    """The flaw this store replaces: comparing the whole stored item refuses the partial
    match that DynamoDB accepts (so chain tests could pass on semantics AWS lacks)."""
    store = MemoryStateStore()
    store.put("a", "k", {"count": "1", "state": "SUCCEEDED"})
    whole_item_equal = store.get("a", "k") == {"count": "1"}
    assert not whole_item_equal and store.put_if("a", "k", {"count": "2"}, {"count": "1"})
