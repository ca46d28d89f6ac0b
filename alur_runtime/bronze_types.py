"""One stored type per column in a bronze table's Parquet files (specs/evolution.md).

A bronze table is a folder of Parquet files that every reader reads with the contract's
columns as its schema. Spark 3.5 reads a Parquet column only as the type it was written
with: an INT32 column does not read as bigint, FLOAT not as double, decimal(5,2) not as
decimal(10,2), and an int reads as smallint by truncating it (40000 -> -25536); a schema
merge of two such files fails. And once a table's files sit in partition folders, Spark's
reader skips every file outside them, so a partitioning change hides older rows. The files
are never rewritten (bronze is the record of what landed) and an ingestion is never
refreshed, so once one file of each type exists the whole folder is unreadable to every
Spark job reading it, the downstream pipelines included.

So before an ingestion writes anything (`guard`, called by batch_run.run_batch) it compares
each contract column with the type the table's files store for it, and the partition
folders with the contract's `partition_by`; a difference stops the run with one located
message per column (and one for the folders) and nothing written. A column the files do not
hold yet (a new one: older files read NULL) takes any type; a column the contract dropped
stays in the older files, unread.

What the files store is kept in the state store (`bronze#<table>` / `types`: column, lower
case -> type, and the partition columns), widened with every new column before the first
file holding it is written. The record only saves reading every file's footer: whenever
the contract disagrees with it, or no record exists (a table written by an older runtime)
or it is damaged, the files themselves are read (Spark's schema merge over their footers)
and the record is rewritten from them, so a refusal always rests on the files.
"""

from __future__ import annotations

import json
from typing import Any

from alur_runtime.common import JobFailed, crash_point, join_path, log, path_exists
from alur_runtime.config import Column, IngestionJob
from alur_runtime.conform import spelled
from alur_runtime.spark_paths import literal


def parquet_type(type_: str) -> str:
    """A Spark SQL type as a Parquet footer reads back (conform.spelled). Unlike Iceberg
    (evolve.stored_type) Parquet keeps smallint and tinyint apart from int: Spark would
    read an int column as smallint by truncating it."""
    return spelled(type_)


def stored_columns(job: IngestionJob) -> list[Column]:
    """The contract columns a bronze file holds (partition columns live in folder names)."""
    parts = set(layout(job))
    return [c for c in job["target"]["columns"] if c["name"].lower() not in parts]


def layout(job: IngestionJob) -> list[str]:
    """The partition folders' column names, outermost first (lower case)."""
    return [p["column"].lower() for p in job["target"]["partition_by"]]


def _show(parts: list[str]) -> str:
    return f"partitioned by ({', '.join(parts)})" if parts else "not partitioned"


def conflicts(stored: dict[str, Any], job: IngestionJob) -> list[str]:
    """Pure: one located message per contract column whose type differs from the stored
    one (`stored["types"]`), and one when the partition folders differ (`"partitions"`)."""
    target = job["target"]
    contract = target.get("contract")
    types: dict[str, str] = stored.get("types", {})
    out = []
    for col in stored_columns(job):
        have = types.get(col["name"].lower())
        if have is None or have == parquet_type(col["type"]):
            continue
        at = col.get("at")
        where = f"{contract}:{at}: " if contract and at else (f"{contract}: " if contract else "")
        out.append(
            f"{where}column '{col['name']}' of bronze table {target['name']}: its Parquet "
            f"files store {have}, the contract says {parquet_type(col['type'])}; Spark cannot "
            "read a file as another type and bronze files are never rewritten (hint: keep "
            f"`type: {have}` in the bronze contract and CAST({col['name']} AS "
            f"{parquet_type(col['type'])}) in the pipelines that read it, or ingest into a "
            "table of a new name)"
        )
    parts = stored.get("partitions")
    if parts is not None and parts != layout(job):
        where = f"{contract}: " if contract else ""
        out.append(
            f"{where}bronze table {target['name']}: its files are {_show(parts)}, the "
            f"contract says {_show(layout(job))}; no reader can read both layouts in one "
            "folder and bronze files are never rewritten (hint: keep the partition_by the "
            "files have, or ingest into a table of a new name)"
        )
    return out


def wanted(job: IngestionJob) -> dict[str, Any]:
    types = {c["name"].lower(): parquet_type(c["type"]) for c in stored_columns(job)}
    return {"types": types, "partitions": layout(job)}


def _folders(file: str) -> list[str]:
    """The `name=value` folders a data file sits in, outermost first: the run of such
    folders right above it (as Spark's partition discovery reads them; the path above the
    table folder may be URL-encoded and hold anything)."""
    names: list[str] = []
    for part in reversed(file.split("/")[:-1]):
        if "=" not in part:
            break
        names.insert(0, part.split("=", 1)[0].lower())
    return names


def from_files(spark: Any, path: str, job: IngestionJob) -> dict[str, Any] | None:
    """What the files under `path` store (every footer, their folders); None when there is
    no data file."""
    if not path_exists(spark, path):
        return None
    try:
        df = spark.read.option("mergeSchema", "true").parquet(literal(path))
        files = df.inputFiles()
    except Exception as exc:
        text = str(exc)
        if "UNABLE_TO_INFER_SCHEMA" in text:  # a folder without any data file
            return None
        first = text.strip().splitlines()[0] if text.strip() else type(exc).__name__
        raise JobFailed(
            f"the Parquet files of bronze table {job['target']['name']} ({path}) do not agree "
            f"on their columns' types or folders, so no Spark job can read them together: "
            f"{first} (hint: they were written by an older alurc under two contracts; move "
            "the files of one kind out of the folder, or ingest into a table of a new name)"
        ) from None
    if not files:
        return None
    parts = _folders(str(files[0]))
    types = {
        f.name.lower(): parquet_type(f.dataType.simpleString())
        for f in df.schema.fields
        if f.name.lower() not in parts
    }
    return {"types": types, "partitions": parts}


RECORD = "types"


def record_key(job: IngestionJob) -> str:
    return f"bronze#{job['target']['name']}"


def _load(item: dict[str, str] | None) -> dict[str, Any] | None:
    """The record, or None when there is none or it is not one (then the files are read)."""
    try:
        types = json.loads(item["types"]) if item else None
        parts = json.loads(item["partitions"]) if item else None
    except (KeyError, TypeError, ValueError):
        return None
    if not isinstance(types, dict) or not isinstance(parts, list):
        return None
    if not all(isinstance(v, str) for v in (*types, *types.values(), *parts)):
        return None
    return {"types": types, "partitions": parts}


def guard(spark: Any, job: IngestionJob, args: dict[str, str], store: Any) -> None:
    """Raise JobFailed (nothing written yet) when a contract column's type or the partition
    folders differ from what the table's files store; otherwise record what the run may
    write."""
    pk = record_key(job)
    item = store.get(pk, RECORD)
    recorded = _load(item)
    if recorded is None or conflicts(recorded, job):
        path = join_path(args["alur_lake"], "bronze", job["target"]["name"])
        recorded = from_files(spark, path, job)
        if recorded is not None:
            problems = conflicts(recorded, job)
            if problems:
                raise JobFailed(
                    f"the contract of bronze table {job['target']['name']} changed after files "
                    "were written, in a way its files cannot follow; nothing was written:\n  "
                    + "\n  ".join(problems)
                )
            log(job["name"], f"{job['target']['name']}: what its files store, read from them")
    want = wanted(job)
    types = {**want["types"], **(recorded or {}).get("types", {})}
    new = {"types": json.dumps(types, sort_keys=True), "partitions": json.dumps(want["partitions"])}
    if item != new:
        store.put(pk, RECORD, new)
    crash_point("after_type_record")
