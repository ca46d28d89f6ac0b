"""Bronze ingestion, exactly once per landing file version, also across crashes.

Protocol (state items, see state.py; `pk` is the job name):

- `sk=batch#<id>` — one item per run: `open` -> `committed` (or `aborted` by a recovering
  run). Its conditional `open -> committed` write is THE commit point of the whole batch.
- `sk=file#<uri>#<content id>` — one item per file version (path + ETag on S3, path +
  sha256 of the bytes locally; a `touch` is not a new version): `claimed` by a batch,
  then `committed` (`ingested`, `quarantined`, `skipped` or `duplicate`).
- `sk=content#<content id>` — the first file version ingested with these bytes, so the
  same bytes under another name are recognised (`on_duplicate_file: skip`).

The batch item records its owner: on Glue the JobRunId (`--JOB_RUN_ID`), locally the host,
pid and process start time. A run (1) opens its batch (`opened_at`, before any write); (2)
claims each new file version with a conditional put (two concurrent runs: exactly one wins
a file); a file claimed by another batch is left alone, and reported, while that batch's
owner is alive (Glue GetJobRun says it is running; the local process still exists), and
also while its liveness cannot be decided (another host, no API access) and the batch is
younger than the lease (the job timeout); it is finished if that batch `committed`, and
recovered at once if its owner is provably gone: the dead batch is first marked `aborted`
(conditional, so it can never commit later), its staging folder (see (3)) and its
quarantined file copies are deleted (for a batch of a runtime before 0.2, which wrote into
the table folders, every data file there holding its `_batch_id`),
the batch item is dropped and the file re-claimed; (3) reads, conforms and checks the claimed
files and writes all rows, tagged with its `_batch_id`, into its own staging folder
`<lake>/_alur_staging/<table>/<batch id>/{data,rows,checks}/`, outside every table
location, so no reader (Athena through the Glue catalog, Spark, a relationship check)
can see them; (4) commits the batch item, publishes (moves) its staged files into
`bronze/<table>/` and `quarantine/<table>/{rows,checks}/`, marks its files committed and
drops the batch item. A run that dies between the commit point and the end of (4) is
finished by the next run (publish again: idempotent; mark files with the results recorded
before the commit point). A crash anywhere before the commit point leaves an `open` batch
whose staging folder the next run deletes before ingesting the files again, so every row
lands exactly once and no reader ever sees a row of an uncommitted or aborted batch.

Readers (pipeline.py) also hide rows of batches whose item still exists (open, aborted, or
committed and still publishing) and never move their `_ingested_at` watermark past the
`opened_at` of such a batch, so a slow concurrent batch is read later, whole, instead of
being skipped or read in part.
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
    is_s3,
    join_path,
    list_tree,
    log,
    move_file,
    path_exists,
    write_text,
)
from alur_runtime.conform import files_with_batch
from alur_runtime.owner import describe_owner, owner_fields, owner_liveness


def _now() -> str:
    return str(int(time.time()))


def lake_paths(args: dict[str, str], table: str) -> dict[str, str]:
    lake = args["alur_lake"]
    return {
        "data": join_path(lake, "bronze", table),
        "rows": join_path(lake, "quarantine", table, "rows"),
        "checks": join_path(lake, "quarantine", table, "checks"),
        "files": join_path(lake, "quarantine", table, "files"),
        "staging": join_path(lake, STAGING_PREFIX, table),
    }


#: Where a batch writes its files before its commit point, outside every table location
#: (Athena, Spark and Glue readers list only `bronze/<table>/` and `quarantine/<table>/`):
#: `<lake>/_alur_staging/<table>/<batch id>/{data,rows,checks}/`. Kept in sync with
#: alur_compiler/ir/layout.py STAGING_PREFIX (tests/unit/test_runtime_layout.py).
STAGING_PREFIX = "_alur_staging"
#: The three kinds of rows a batch writes, each published into its own table folder.
STAGED_KINDS = ("data", "rows", "checks")


def staged_path(ctx: dict[str, Any], kind: str, batch_id: str | None = None) -> str:
    """The staging folder of `kind` rows of a batch (this run's by default)."""
    return join_path(ctx["paths"]["staging"], batch_id or ctx["batch_id"], kind)


def _utc_now() -> str:
    """Microsecond UTC timestamp, the format Spark casts back exactly."""
    return datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def open_batch(store: Any, job: str, batch_id: str, args: dict[str, str] | None = None) -> None:
    """Create the batch item before any claim or write; `opened_at` <= its `_ingested_at`."""
    item = {"status": "open", "claimed_at": _now(), "opened_at": _utc_now(), "staged": "1"}
    item.update(owner_fields(args or {}))
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
        if owner not in ctx.setdefault("finished", set()):
            finish_batch(spark, store, ctx, owner)
            ctx["finished"].add(owner)
        return False
    if batch.get("status") == "open":
        liveness = owner_liveness(owner, batch, ctx["args"])
        age = int(_now()) - int(batch.get("claimed_at", "0"))
        if liveness == "alive" or (liveness == "unknown" and age < ctx["lease_seconds"]):
            _report_held(ctx, owner, batch, sk, liveness)
            return False  # another run is ingesting it right now
        if not store.put_if(job, f"batch#{owner}", {**batch, "status": "aborted"}, batch):
            return False
        log(
            job,
            f"batch {owner}: its owner is {liveness} ({describe_owner(batch)}); recovering it now",
        )
    if owner not in ctx["recovered"]:
        remove_batch_data(spark, ctx, owner, legacy="staged" not in batch)
        store.delete_if(job, f"batch#{owner}", {"status": "aborted"})
        ctx["recovered"].add(owner)
    return True


def recover_orphans(spark: Any, store: Any, ctx: dict[str, Any]) -> None:
    """Recover open batches of dead owners that no file claim leads to (a run killed
    before it claimed anything): pipelines would otherwise wait for them forever; drop
    committed batch items whose files are all final (a run killed just before that)."""
    job = ctx["job"]
    for sk, batch in store.query(job, "batch#"):
        owner = sk[len("batch#") :]
        if owner == ctx["batch_id"]:
            continue
        if batch.get("status") == "committed":  # killed after its commit point: finish it
            if owner not in ctx.setdefault("finished", set()):
                finish_batch(spark, store, ctx, owner)
                ctx["finished"].add(owner)
            continue
        if batch.get("status") == "open":
            liveness = owner_liveness(owner, batch, ctx["args"])
            age = int(_now()) - int(batch.get("claimed_at", "0"))
            if liveness == "alive" or (liveness == "unknown" and age < ctx["lease_seconds"]):
                continue
            if not store.put_if(job, sk, {**batch, "status": "aborted"}, batch):
                continue
        if not any(i.get("batch_id") == owner for _k, i in store.query(job, "file#")):
            remove_batch_data(spark, ctx, owner, legacy="staged" not in batch)
            store.delete_if(job, sk, {"status": "aborted"})
            ctx["recovered"].add(owner)


def _report_held(
    ctx: dict[str, Any], owner: str, batch: dict[str, str], sk: str, liveness: str
) -> None:
    held = ctx.setdefault("held", {})
    if owner not in held:
        held[owner] = {
            "batch_id": owner,
            "owner": describe_owner(batch),
            "owner_liveness": liveness,
            "since": batch.get("opened_at", ""),
            "files": [],
        }
        log(
            ctx["job"],
            f"files claimed by batch {owner} ({describe_owner(batch)}, {liveness}, since "
            f"{batch.get('opened_at', '?')} UTC) are left to it",
        )
    held[owner]["files"].append(sk.split("#", 2)[1])


def remove_batch_data(spark: Any, ctx: dict[str, Any], batch_id: str, legacy: bool = False) -> None:
    """Delete every data file the dead batch wrote: its staging folder (bronze and both
    quarantines never held its rows) and its quarantined file copies. `legacy`: the batch
    was opened by a runtime before 0.2 that wrote into the table folders directly, so
    those are searched for files holding its `_batch_id` too."""
    removed = remove_tree(join_path(ctx["paths"]["staging"], batch_id))
    for key in STAGED_KINDS if legacy else ():
        path = ctx["paths"][key]
        if not path_exists(spark, path):
            continue
        for uri in files_with_batch(spark, path, batch_id):
            delete_file(uri)
            removed += 1
    removed += remove_tree(join_path(ctx["paths"]["files"], batch_id))
    log(ctx["job"], f"recovered dead batch {batch_id}: removed {removed} uncommitted data file(s)")
    if removed and legacy:
        for key in STAGED_KINDS:
            spark.catalog.refreshByPath(ctx["paths"][key])


def commit_batch(spark: Any, store: Any, ctx: dict[str, Any], results: dict[str, str]) -> None:
    """The commit point, then the per-file items (`results`: sk -> ingested|quarantined|...)."""
    job, batch_id = ctx["job"], ctx["batch_id"]
    for sk, result in sorted(results.items()):  # so that a finishing run knows each result
        uri = sk.split("#", 2)[1]
        claim = {"status": "claimed", "batch_id": batch_id, "uri": uri, "result": result}
        store.put_if(job, sk, claim, {"status": "claimed", "batch_id": batch_id})
    crash_point("before_commit")
    opened = store.get(job, f"batch#{batch_id}")
    if opened is None or opened.get("status") != "open":
        raise JobFailed(f"batch {batch_id} was aborted by a concurrent run; nothing committed")
    if not store.put_if(job, f"batch#{batch_id}", {**opened, "status": "committed"}, opened):
        raise JobFailed(f"batch {batch_id} was aborted by a concurrent run; nothing committed")
    ctx["committed"] = True
    crash_point("after_commit")
    publish_batch(spark, ctx, batch_id)
    _commit_files(store, job, batch_id, sorted(results.items()))
    # Every file item is final: the batch item is no longer needed by recovery.
    store.delete_if(job, f"batch#{batch_id}", {"status": "committed"})


def _commit_files(store: Any, job: str, batch_id: str, results: list[tuple[str, str]]) -> None:
    for sk, result in results:
        done = {"status": "committed", "batch_id": batch_id, "result": result}
        store.put_if(job, sk, done, {"status": "claimed", "batch_id": batch_id})
        if result != "duplicate":
            _record_content(store, job, sk, batch_id)
        crash_point("after_file_commit")
    crash_point("after_commit_files")


def publish_files(ctx: dict[str, Any], batch_id: str) -> int:
    """Move a committed batch's files from its staging folder into the table folders, where
    readers see them; returns the number moved. Idempotent and safe against a concurrent
    finisher: a file is moved once, under the name Spark gave it (unique per write), at
    the same relative path (Hive partition folders included)."""
    moved = 0
    for kind in STAGED_KINDS:
        folder = staged_path(ctx, kind, batch_id)
        for rel in list_tree(folder):
            if move_file(join_path(folder, rel), join_path(ctx["paths"][kind], rel)):
                moved += 1
            crash_point("after_publish_file")
    remove_tree(join_path(ctx["paths"]["staging"], batch_id))
    return moved


def publish_batch(spark: Any, ctx: dict[str, Any], batch_id: str) -> int:
    """publish_files, then Spark forgets its cached listings of the table folders."""
    moved = publish_files(ctx, batch_id)
    if moved:
        for kind in STAGED_KINDS:
            spark.catalog.refreshByPath(ctx["paths"][kind])
        log(ctx["job"], f"batch {batch_id}: published {moved} data file(s)")
    return moved


def finish_batch(spark: Any, store: Any, ctx: dict[str, Any], owner: str) -> None:
    """Finish a batch that passed its commit point but whose run died: publish its files,
    mark each file it claimed with the result it recorded, drop its batch item."""
    job = ctx["job"]
    publish_batch(spark, ctx, owner)
    claims = [
        (sk, item.get("result", "ingested"))
        for sk, item in store.query(job, "file#")
        if item.get("batch_id") == owner and item.get("status") == "claimed"
    ]
    _commit_files(store, job, owner, sorted(claims))
    store.delete_if(job, f"batch#{owner}", {"status": "committed"})


def _record_content(store: Any, job: str, sk: str, batch_id: str) -> None:
    """Remember the first file version with these bytes (the first writer wins)."""
    _prefix, uri, content = sk.split("#", 2)
    store.put_if(job, f"content#{content}", {"uri": uri, "batch_id": batch_id}, None)


def remove_tree(folder: str) -> int:
    """Delete a folder of quarantined file copies (local or s3://); returns files removed."""
    if is_s3(folder):
        from alur_runtime.common import _s3_client, _split_s3

        bucket, prefix = _split_s3(folder.rstrip("/") + "/")
        client = _s3_client()
        n = 0
        for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
            for obj in page.get("Contents", []):
                client.delete_object(Bucket=bucket, Key=obj["Key"])
                n += 1
        return n
    if not os.path.isdir(folder):
        return 0
    import shutil

    n = sum(len(files) for _r, _d, files in os.walk(folder))
    shutil.rmtree(folder)
    return n


def release_batch(store: Any, ctx: dict[str, Any], claimed: list[tuple[str, str]]) -> None:
    """Give back the claims of a batch whose data is gone (a handled failure), then drop it."""
    job, batch_id = ctx["job"], ctx["batch_id"]
    for uri, fingerprint in claimed:
        store.delete_if(job, f"file#{uri}#{fingerprint}", {"batch_id": batch_id})
    store.delete_if(job, f"batch#{batch_id}", {"status": "open"})


def quarantine_file(ctx: dict[str, Any], uri: str, reason: str, name: str | None = None) -> None:
    """Copy a bad file to <lake>/quarantine/<table>/files/<batch>/<name> with a reason
    file; `name` (a relative path) defaults to the file's own name."""
    name = name or uri.rstrip("/").rsplit("/", 1)[-1]
    dest = join_path(ctx["paths"]["files"], ctx["batch_id"], name)
    copy_file(uri, dest)
    stamp = datetime.datetime.now(datetime.UTC).isoformat()
    write_text(dest + ".reason.txt", f"{uri}\n{reason}\nquarantined at {stamp}\n")
