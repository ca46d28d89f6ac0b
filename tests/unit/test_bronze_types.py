"""alur_runtime/bronze_types.py without Spark: the record's shapes, the located messages
and the partition folders of a file path (the Spark side: test_schema_evolution.py)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from alur_runtime import bronze_types as bt


def job(*cols: tuple[str, str], parts: tuple[str, ...] = ()) -> Any:
    return {
        "name": "ingest_raw",
        "target": {
            "name": "raw",
            "contract": "contracts/raw.yaml",
            "columns": [
                {"name": n, "type": t, "nullable": True, "at": f"{i + 5}:5"}
                for i, (n, t) in enumerate(cols)
            ],
            "partition_by": [{"column": p, "transform": None, "arg": None} for p in parts],
        },
    }


def test_a_type_the_files_do_not_hold_yet_or_no_longer_declared_is_no_conflict() -> None:
    j = job(("id", "string"), ("qty", "Integer"), ("new", "bigint"))
    stored = {"types": {"id": "string", "qty": "int", "gone": "double"}, "partitions": []}
    assert bt.conflicts(stored, j) == []


def test_a_changed_type_is_located_at_its_column_with_the_way_out() -> None:
    j = job(("id", "string"), ("qty", "bigint"))
    stored = {"types": {"id": "string", "qty": "int"}, "partitions": []}
    assert bt.conflicts(stored, j) == [
        "contracts/raw.yaml:6:5: column 'qty' of bronze table raw: its Parquet files store "
        "int, the contract says bigint; Spark cannot read a file as another type and bronze "
        "files are never rewritten (hint: keep `type: int` in the bronze contract and "
        "CAST(qty AS bigint) in the pipelines that read it, or ingest into a table of a new "
        "name)"
    ]


def test_partition_folders_are_compared_in_order_and_never_as_columns() -> None:
    j = job(("id", "string"), ("day", "date"), parts=("day",))
    assert bt.stored_columns(j) == [j["target"]["columns"][0]]
    assert bt.conflicts({"types": {"id": "string"}, "partitions": ["day"]}, j) == []
    (problem,) = bt.conflicts({"types": {}, "partitions": []}, j)
    assert "its files are not partitioned, the contract says partitioned by (day)" in problem
    two = job(("a", "int"), ("b", "int"), parts=("a", "b"))
    (problem,) = bt.conflicts({"types": {}, "partitions": ["b", "a"]}, two)
    assert "partitioned by (b, a), the contract says partitioned by (a, b)" in problem


@pytest.mark.parametrize(
    "spelled, canonical",
    [
        ("INTEGER", "int"),
        ("smallint", "smallint"),  # not int: Parquet keeps it apart
        ("short", "smallint"),
        ("byte", "tinyint"),
        ("numeric(10, 2)", "decimal(10,2)"),
        ("decimal", "decimal(10,0)"),
        ("decimal(12)", "decimal(12,0)"),
        ("varchar(5)", "string"),
        ("array<struct<a:long,b:char(2)>>", "array<struct<a:bigint,b:string>>"),
    ],
)
def test_parquet_type(spelled: str, canonical: str) -> None:
    assert bt.parquet_type(spelled) == canonical


def test_partition_folders_of_a_file_path() -> None:
    assert bt._folders("file:/w/lake/bronze/raw/part-0.parquet") == []
    assert bt._folders("s3://b/lake/bronze/raw/Day=2026-11-01/h=3/part-0.parquet") == ["day", "h"]
    # a `k=v` folder above the table is not a partition: the run stops at the table folder
    assert bt._folders("file:/home/a=b/lake/bronze/raw/d=1/part-0.parquet") == ["d"]


@pytest.mark.parametrize(
    "item",
    [
        None,
        {},
        {"types": "{not json", "partitions": "[]"},
        {"types": "[]", "partitions": "[]"},
        {"types": "{}", "partitions": "{}"},
        {"types": json.dumps({"a": 1}), "partitions": "[]"},
        {"types": "{}", "partitions": json.dumps([2])},
        {"types": "{}"},
    ],
)
def test_a_missing_or_damaged_record_is_no_record(item: dict[str, str] | None) -> None:
    assert bt._load(item) is None


def test_a_record_reads_back() -> None:
    item = {"types": json.dumps({"qty": "int"}), "partitions": json.dumps(["day"])}
    assert bt._load(item) == {"types": {"qty": "int"}, "partitions": ["day"]}


class Store:
    """The state store's get/put (alur_runtime/state.py), counting the writes."""

    def __init__(self) -> None:
        self.items: dict[tuple[str, str], dict[str, str]] = {}
        self.puts = 0

    def get(self, pk: str, sk: str) -> dict[str, str] | None:
        return self.items.get((pk, sk))

    def put(self, pk: str, sk: str, item: dict[str, str]) -> None:
        self.puts += 1
        self.items[(pk, sk)] = dict(item)


def test_the_record_spares_the_footers_and_a_refusal_rests_on_the_files(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    files: dict[str, Any] = {"types": {"id": "string", "qty": "int"}, "partitions": []}
    reads: list[str] = []

    def from_files(spark: Any, path: str, job: Any) -> dict[str, Any] | None:
        reads.append(path)
        return files

    monkeypatch.setattr(bt, "from_files", from_files)
    store, args = Store(), {"alur_lake": "/lake"}
    v1 = job(("id", "string"), ("qty", "int"))
    bt.guard(None, v1, args, store)  # no record: the files are asked, the record written
    assert (reads, store.puts) == (["/lake/bronze/raw"], 1)
    bt.guard(None, v1, args, store)  # the record agrees: no footer read, no write
    assert (len(reads), store.puts) == (1, 1)

    v2 = job(("id", "string"), ("qty", "int"), ("note", "string"))  # additive
    bt.guard(None, v2, args, store)
    assert (len(reads), store.puts) == (1, 2)
    assert json.loads(store.items[("bronze#raw", "types")]["types"])["note"] == "string"

    narrowed = job(("id", "string"), ("qty", "bigint"))
    with pytest.raises(bt.JobFailed, match="its Parquet files store int, the contract says"):
        bt.guard(None, narrowed, args, store)
    assert (len(reads), store.puts) == (2, 2)  # asked the files, wrote nothing

    # A record that says more than the files (its run crashed before writing one): the
    # files decide, and the record is rewritten from them.
    store.items[("bronze#raw", "types")]["types"] = json.dumps({"qty": "string"})
    bt.guard(None, v1, args, store)
    assert len(reads) == 3
    assert json.loads(store.items[("bronze#raw", "types")]["types"]) == {
        "id": "string",
        "qty": "int",
    }
