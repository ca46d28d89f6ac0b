"""Bronze ingestion, exactly once per landing file version, also across crashes.

Protocol (state items, see state.py; `pk` is the job name):

- `sk=batch#<id>` — one item per run: `open` -> `committed` (or `aborted` by a recovering
  run). Its conditional `open -> committed` write is THE commit point of the whole batch.
- `sk=file#<uri>#<fingerprint>` — one item per file version (ETag on S3, size+mtime
  locally, so a changed file is a new version and is ingested again): `claimed` by a
  batch, then `committed` (`ingested`, `quarantined` or `skipped`).

A run (1) opens its batch (`opened_at`, before any write); (2) claims each new file
version with a conditional put (two concurrent runs: exactly one wins a file); a file
claimed by another batch is skipped if that batch is `open` and younger than the lease (the
job timeout), finished if that batch `committed`, and recovered if it is dead: the dead
batch is first marked `aborted` (conditional, so it can never commit later), every data
file holding its `_batch_id` (bronze, row quarantine, check quarantine) is deleted, the
batch item is dropped and the file re-claimed; (3) reads, conforms and checks the claimed
files and appends all rows, tagged with its `_batch_id`, in Spark writes that produce only
that batch's files; (4) commits the batch item, marks its files committed (a crash in
between is finished by the next run) and drops the batch item.
A crash anywhere before (4) leaves an `open` batch whose rows the next run deletes before
ingesting the files again, so every row lands exactly once.

Readers (pipeline.py) hide rows of batches that are `open` or `aborted` (they query the
batch items before and after listing the files) and never move their `_ingested_at`
watermark past the `opened_at` of an open batch, so a slow concurrent batch is read later
instead of being skipped.
"""

from __future__ import annotations

import datetime
import os
import time
from typing import Any

from alur_runtime.common import (
    JobFailed,
    copy_file,
    crash_point,
    delete_file,
    join_path,
    log,
    path_exists,
    write_text,
)
from alur_runtime.conform import files_with_batch


def _now() -> str:
    return str(int(time.time()))


def source_base(args: dict[str, str], path: str) -> str:
    """A source path relative to the landing base, unless it is absolute (s3://, /)."""
    if "://" in path or os.path.isabs(path):
        return path
    return join_path(args["alur_landing"], path)


def lake_paths(args: dict[str, str], table: str) -> dict[str, str]:
    lake = args["alur_lake"]
    return {
        "data": join_path(lake, "bronze", table),
        "rows": join_path(lake, "quarantine", table, "rows"),
        "checks": join_path(lake, "quarantine", table, "checks"),
        "files": join_path(lake, "quarantine", table, "files"),
    }


def _utc_now() -> str:
    """Microsecond UTC timestamp, the format Spark casts back exactly."""
    return datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def open_batch(store: Any, job: str, batch_id: str) -> None:
    """Create the batch item before any claim or write; `opened_at` <= its `_ingested_at`."""
    item = {"status": "open", "claimed_at": _now(), "opened_at": _utc_now()}
    if not store.put_if(job, f"batch#{batch_id}", item, None):
        raise JobFailed(f"batch {batch_id} already exists")


def claim_files(
    spark: Any, store: Any, ctx: dict[str, Any], files: list[tuple[str, str]]
) -> list[tuple[str, str]]:
    """Claim each file version for this batch; returns the ones this run now owns."""
    job, batch_id = ctx["job"], ctx["batch_id"]
    mine: list[tuple[str, str]] = []
    for uri, fingerprint in files:
        sk = f"file#{uri}#{fingerprint}"
        item = {"status": "claimed", "batch_id": batch_id, "uri": uri}
        current = store.get(job, sk)
        if current is None:
            if store.put_if(job, sk, item, None):
                mine.append((uri, fingerprint))
            continue
        if current.get("status") != "claimed":
            continue  # committed before: exactly once
        owner = current.get("batch_id", "")
        if not resolve_owner(spark, store, ctx, owner, sk):
            continue
        if store.put_if(job, sk, item, {"status": "claimed", "batch_id": owner}):
            mine.append((uri, fingerprint))
    return mine


def resolve_owner(spark: Any, store: Any, ctx: dict[str, Any], owner: str, sk: str) -> bool:
    """Whether a file claimed by batch `owner` may be taken over (its batch is dead)."""
    job = ctx["job"]
    batch = store.get(job, f"batch#{owner}") or {"status": "aborted"}
    if batch.get("status") == "committed":  # crashed after its commit point: finish it
        done = {"status": "committed", "batch_id": owner, "result": "ingested"}
        store.put_if(job, sk, done, {"status": "claimed", "batch_id": owner})
        return False
    if batch.get("status") == "open":
        age = int(_now()) - int(batch.get("claimed_at", "0"))
        if age < ctx["lease_seconds"]:
            return False  # another run is ingesting it right now
        if not store.put_if(job, f"batch#{owner}", {**batch, "status": "aborted"}, batch):
            return False
    if owner not in ctx["recovered"]:
        remove_batch_data(spark, ctx, owner)
        store.delete_if(job, f"batch#{owner}", {"status": "aborted"})
        ctx["recovered"].add(owner)
    return True


def remove_batch_data(spark: Any, ctx: dict[str, Any], batch_id: str) -> None:
    """Delete every data file the dead batch wrote (bronze and both quarantines)."""
    removed = 0
    for key in ("data", "rows", "checks"):
        path = ctx["paths"][key]
        if not path_exists(spark, path):
            continue
        for uri in files_with_batch(spark, path, batch_id):
            delete_file(uri)
            removed += 1
    log(ctx["job"], f"recovered dead batch {batch_id}: removed {removed} uncommitted data file(s)")
    if removed:
        for key in ("data", "rows", "checks"):
            spark.catalog.refreshByPath(ctx["paths"][key])


def commit_batch(store: Any, ctx: dict[str, Any], results: dict[str, str]) -> None:
    """The commit point, then the per-file items (`results`: sk -> ingested|quarantined|...)."""
    job, batch_id = ctx["job"], ctx["batch_id"]
    crash_point("before_commit")
    opened = store.get(job, f"batch#{batch_id}")
    if opened is None or opened.get("status") != "open":
        raise JobFailed(f"batch {batch_id} was aborted by a concurrent run; nothing committed")
    if not store.put_if(job, f"batch#{batch_id}", {**opened, "status": "committed"}, opened):
        raise JobFailed(f"batch {batch_id} was aborted by a concurrent run; nothing committed")
    ctx["committed"] = True
    crash_point("after_commit")
    for sk, result in sorted(results.items()):
        done = {"status": "committed", "batch_id": batch_id, "result": result}
        store.put_if(job, sk, done, {"status": "claimed", "batch_id": batch_id})
    # Every file item is final: the batch item is no longer needed by recovery.
    store.delete_if(job, f"batch#{batch_id}", {"status": "committed"})


def release_batch(store: Any, ctx: dict[str, Any], claimed: list[tuple[str, str]]) -> None:
    """Give back the claims of a batch whose data is gone (a handled failure), then drop it."""
    job, batch_id = ctx["job"], ctx["batch_id"]
    for uri, fingerprint in claimed:
        store.delete_if(job, f"file#{uri}#{fingerprint}", {"batch_id": batch_id})
    store.delete_if(job, f"batch#{batch_id}", {"status": "open"})


def quarantine_file(ctx: dict[str, Any], uri: str, reason: str) -> None:
    """Copy a bad file to <lake>/quarantine/<table>/files/<batch>/ with a reason file."""
    name = uri.rstrip("/").rsplit("/", 1)[-1]
    dest = join_path(ctx["paths"]["files"], ctx["batch_id"], name)
    copy_file(uri, dest)
    stamp = datetime.datetime.now(datetime.UTC).isoformat()
    write_text(dest + ".reason.txt", f"{uri}\n{reason}\nquarantined at {stamp}\n")
