"""Job state: ingestion file claims/commits and pipeline watermarks.

Two stores with the same semantics (compare-and-set on one item):

- `DynamoStateStore` (Glue mode): the environment's DynamoDB table, hash key `pk`, range key
  `sk` (contracts.md §5); conditional writes make claims atomic across concurrent runs.
- `LocalStateStore` (local mode): SQLite in the `--alur_state` folder; each compare-and-set
  runs in a `BEGIN IMMEDIATE` transaction, so two processes behave like two Glue runs.

Items are flat dicts of strings. Keys are prefixed by the job name:
`pk=<job>`, `sk=file#<uri>#<fingerprint>` (one item per version of a landing file) or
`sk=watermark#<table>`.
"""

from __future__ import annotations

import json
import os
import sqlite3
from typing import Any


class LocalStateStore:
    """SQLite-backed store in a local folder (`state.sqlite`)."""

    def __init__(self, folder: str) -> None:
        os.makedirs(folder, exist_ok=True)
        self.path = os.path.join(folder, "state.sqlite")
        with self._connect() as db:
            db.execute(
                "CREATE TABLE IF NOT EXISTS state (pk TEXT NOT NULL, sk TEXT NOT NULL, "
                "body TEXT NOT NULL, PRIMARY KEY (pk, sk))"
            )

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=30, isolation_level=None)

    def get(self, pk: str, sk: str) -> dict[str, str] | None:
        with self._connect() as db:
            row = db.execute("SELECT body FROM state WHERE pk = ? AND sk = ?", (pk, sk)).fetchone()
        return None if row is None else dict(json.loads(row[0]))

    def put(self, pk: str, sk: str, item: dict[str, str]) -> None:
        with self._connect() as db:
            db.execute(
                "INSERT OR REPLACE INTO state (pk, sk, body) VALUES (?, ?, ?)",
                (pk, sk, json.dumps(item, sort_keys=True)),
            )

    def put_if(
        self, pk: str, sk: str, item: dict[str, str], expected: dict[str, str] | None
    ) -> bool:
        """Write `item` if the current item matches `expected` (None: no item may exist)."""
        db = self._connect()
        try:
            db.execute("BEGIN IMMEDIATE")
            row = db.execute("SELECT body FROM state WHERE pk = ? AND sk = ?", (pk, sk)).fetchone()
            current = None if row is None else json.loads(row[0])
            if not _matches(current, expected):
                db.execute("ROLLBACK")
                return False
            db.execute(
                "INSERT OR REPLACE INTO state (pk, sk, body) VALUES (?, ?, ?)",
                (pk, sk, json.dumps(item, sort_keys=True)),
            )
            db.execute("COMMIT")
            return True
        finally:
            db.close()

    def query(self, pk: str, prefix: str) -> list[tuple[str, dict[str, str]]]:
        """Items of `pk` whose sort key starts with `prefix`, sorted by sort key."""
        with self._connect() as db:
            rows = db.execute(
                "SELECT sk, body FROM state WHERE pk = ? AND substr(sk, 1, ?) = ? ORDER BY sk",
                (pk, len(prefix), prefix),
            ).fetchall()
        return [(str(sk), dict(json.loads(body))) for sk, body in rows]

    def delete_if(self, pk: str, sk: str, expected: dict[str, str]) -> bool:
        db = self._connect()
        try:
            db.execute("BEGIN IMMEDIATE")
            row = db.execute("SELECT body FROM state WHERE pk = ? AND sk = ?", (pk, sk)).fetchone()
            if row is None or not _matches(json.loads(row[0]), expected):
                db.execute("ROLLBACK")
                return False
            db.execute("DELETE FROM state WHERE pk = ? AND sk = ?", (pk, sk))
            db.execute("COMMIT")
            return True
        finally:
            db.close()


def _matches(current: dict[str, str] | None, expected: dict[str, str] | None) -> bool:
    if expected is None:
        return current is None
    return current is not None and all(current.get(k) == v for k, v in expected.items())


class DynamoStateStore:
    """The environment's DynamoDB state table; every compare-and-set is a conditional write."""

    def __init__(self, table: str, endpoint_url: str | None = None, region: str | None = None):
        import boto3

        self.table = table
        self.client = boto3.client("dynamodb", endpoint_url=endpoint_url, region_name=region)

    def get(self, pk: str, sk: str) -> dict[str, str] | None:
        out = self.client.get_item(TableName=self.table, Key=_ddb_key(pk, sk), ConsistentRead=True)
        item = out.get("Item")
        if item is None:
            return None
        return {k: v["S"] for k, v in item.items() if k not in ("pk", "sk")}

    def put(self, pk: str, sk: str, item: dict[str, str]) -> None:
        self.client.put_item(TableName=self.table, Item=_ddb_item(pk, sk, item))

    def put_if(
        self, pk: str, sk: str, item: dict[str, str], expected: dict[str, str] | None
    ) -> bool:
        cond, names, values = _ddb_condition(expected)
        kwargs: dict[str, Any] = {"ConditionExpression": cond}
        if names:
            kwargs["ExpressionAttributeNames"] = names
        if values:
            kwargs["ExpressionAttributeValues"] = values
        try:
            self.client.put_item(TableName=self.table, Item=_ddb_item(pk, sk, item), **kwargs)
        except self.client.exceptions.ConditionalCheckFailedException:
            return False
        return True

    def query(self, pk: str, prefix: str) -> list[tuple[str, dict[str, str]]]:
        """Items of `pk` whose sort key starts with `prefix`, sorted by sort key."""
        out: list[tuple[str, dict[str, str]]] = []
        pages = self.client.get_paginator("query").paginate(
            TableName=self.table,
            KeyConditionExpression="pk = :pk AND begins_with(sk, :prefix)",
            ExpressionAttributeValues={":pk": {"S": pk}, ":prefix": {"S": prefix}},
            ConsistentRead=True,
        )
        for page in pages:
            for item in page.get("Items", []):
                body = {k: v["S"] for k, v in item.items() if k not in ("pk", "sk")}
                out.append((item["sk"]["S"], body))
        return sorted(out, key=lambda kv: kv[0])

    def delete_if(self, pk: str, sk: str, expected: dict[str, str]) -> bool:
        cond, names, values = _ddb_condition(expected)
        try:
            self.client.delete_item(
                TableName=self.table,
                Key=_ddb_key(pk, sk),
                ConditionExpression=cond,
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=values,
            )
        except self.client.exceptions.ConditionalCheckFailedException:
            return False
        return True


def _ddb_key(pk: str, sk: str) -> dict[str, Any]:
    return {"pk": {"S": pk}, "sk": {"S": sk}}


def _ddb_item(pk: str, sk: str, item: dict[str, str]) -> dict[str, Any]:
    out = _ddb_key(pk, sk)
    out.update({k: {"S": str(v)} for k, v in sorted(item.items())})
    return out


def _ddb_condition(
    expected: dict[str, str] | None,
) -> tuple[str, dict[str, str], dict[str, Any]]:
    if expected is None:
        return "attribute_not_exists(pk)", {}, {}
    parts, names, values = [], {}, {}
    for i, (key, value) in enumerate(sorted(expected.items())):
        names[f"#a{i}"] = key
        values[f":v{i}"] = {"S": value}
        parts.append(f"#a{i} = :v{i}")
    return " AND ".join(parts), names, values


def open_state(args: dict[str, str]) -> Any:
    """The state store for this run: DynamoDB on Glue, SQLite locally."""
    if args.get("alur_mode") == "glue":
        return DynamoStateStore(
            args["alur_state"],
            endpoint_url=args.get("alur_dynamodb_endpoint") or None,
            region=args.get("alur_region") or None,
        )
    return LocalStateStore(args["alur_state"])
