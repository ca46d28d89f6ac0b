"""Local runs: a job that provably has nothing to do is answered without Spark.

After a run of a job that succeeded, the next run on the same inputs finds nothing new:
an ingestion has claimed every landing file version it lists (each is `committed` in the
state), and a pipeline's watermarks are at the latest value of its incremental sources (no
batch was hidden from its read, no earlier input was resumed) or its `inputs` digest is the
sources' content. So a run that ends like that records, in the state item `settled` of
its job, a key over everything the next run's decision depends on:

- the job's configuration (its JOB literal), the job arguments and this runtime's code;
- its inputs as they were when the run started, and unchanged when it ended (else nothing
  is recorded): the landing files with their content ids, as the ingestion lists them, or
  the sources' folders (bronze Parquet files; an Iceberg table's `metadata/`: every commit
  adds a file there) with each file's size and modification time, and the batch items of
  the sources' writers (an unfinished batch hides rows);
- its outputs when it ended: the folders of its bronze table and quarantine, or the
  `metadata/` of its Iceberg target and of the tables beside it whose names start with
  the target's (tombstones, quarantine), which the run would bring to the contract;
- every state item of the job (claims, watermarks, inputs, an unfinished intent).

`settled_report` computes the key again; when it matches, the run's outcome is known
without reading anything: "no new input", written as the report of such a run. Any
change, including one that would not matter, misses the key and the job runs on Spark
as before. Only local runs (`alur_mode` local: one run at a time per warehouse, under its
lock), never with a full refresh, and not for JDBC sources (a database cannot be listed).
`ALURC_LOCAL_SETTLED=0` turns it off.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from importlib import resources
from typing import Any

from alur_runtime.common import (
    base_report,
    finish_report,
    join_path,
    landing_files,
    log,
    new_run_id,
)
from alur_runtime.config import Job
from alur_runtime.state import open_state

#: The state item that holds the key (sort key; the partition key is the job's name).
SETTLED = "settled"
#: A batch in one of these states hides its rows from readers (pipeline.pending_batches).
_HIDING = ("open", "aborted", "committed")
_RUNTIME_DIGEST: list[str] = []


def applies(job: Job, args: dict[str, str]) -> bool:
    """Whether runs of `job` with `args` may be answered without Spark."""
    if os.environ.get("ALURC_LOCAL_SETTLED", "1") == "0":
        return False
    if args.get("alur_mode") != "local" or args.get("alur_full_refresh") == "true":
        return False
    if job["kind"] == "ingestion" and "jdbc" in job:
        return False
    if not all(args.get(k) for k in ("alur_state", "alur_lake", "alur_warehouse")):
        return False
    return catalog_folder(args) is not None


def observe(job: Job, args: dict[str, str]) -> Any:
    """The job's inputs now (see the module docstring), as JSON-able data."""
    if job["kind"] == "ingestion":
        return {"landing": landing_files(job["sources"], args)}
    store = open_state(args)
    sources = []
    for source in job["sources"]:
        if source["layer"] == "bronze":
            where = join_path(args["alur_lake"], "bronze", source["table"])
        else:
            where = os.path.join(_db_folder(args, source["layer"]), source["table"], "metadata")
        batches = [store.query(w, "batch#") for w in sorted(source["writers"])]
        sources.append([source["layer"], source["table"], tree(where), batches])
    return {"sources": sources}


def is_settled(job: Job, args: dict[str, str]) -> bool:
    """Whether the key recorded by the job's last run matches now (reads and writes
    nothing else)."""
    if not applies(job, args):
        return False
    store = open_state(args)
    recorded = store.get(job["name"], SETTLED)
    return recorded is not None and recorded.get("key") == _key(
        job, args, observe(job, args), store
    )


def settled_report(job: Job, args: dict[str, str]) -> dict[str, Any] | None:
    """The report of a run of `job` that would find nothing new, if that is certain now
    (the key recorded by its last run matches); None: run it."""
    if not is_settled(job, args):
        return None
    recorded = open_state(args).get(job["name"], SETTLED) or {}
    report = base_report(job, args, new_run_id())
    report["no_new_input"] = True
    report["settled"] = True  # decided from the recorded key, without Spark
    if job["kind"] == "ingestion":
        report["files_seen"] = int(recorded.get("files", "0"))
        report["files_claimed"] = 0
    log(job["name"], "nothing changed since its last successful run; nothing to do")
    return finish_report(args, report, "succeeded")


def record(job: Job, args: dict[str, str], before: Any, report: dict[str, Any]) -> None:
    """After a run: record the key if the next run provably finds nothing new, else
    forget any key recorded earlier."""
    store = open_state(args)
    after = observe(job, args)
    if _final(job, args, report, before) and after == before and _tables_found(job, after, args):
        item = {"key": _key(job, args, after, store)}
        if job["kind"] == "ingestion":
            item["files"] = str(len(after["landing"]))
        store.put(job["name"], SETTLED, item)
    else:
        forget(job, args)


def forget(job: Job, args: dict[str, str]) -> None:
    """Drop the key recorded for `job` (a run that failed or crashed)."""
    store = open_state(args)
    current = store.get(job["name"], SETTLED)
    if current is not None:
        store.delete_if(job["name"], SETTLED, current)


def _final(job: Job, args: dict[str, str], report: dict[str, Any], before: Any) -> bool:
    """Whether the run left nothing for the next run on the same inputs: it succeeded,
    took over no earlier input, saw no file held by another run, read no hidden batch."""
    if report.get("status") != "succeeded" or report.get("resumed_input"):
        return False
    store = open_state(args)
    if store.query(job["name"], "batch#") or store.get(job["name"], "intent") is not None:
        return False  # a batch or an input of this job is still unfinished
    if job["kind"] == "ingestion":
        return not report.get("claims_held")
    return not any(
        item.get("status") in _HIDING
        for source in before["sources"]
        for batches in source[3]
        for _sk, item in batches
    )


def _tables_found(job: Job, inputs: Any, args: dict[str, str]) -> bool:
    """A pipeline's Iceberg sources and target all have a `metadata/` where this looks:
    a run that succeeded has written its target there (else the catalog is elsewhere and
    no key is recorded; a source not created yet records none either)."""
    if job["kind"] == "ingestion":
        return True
    if any(layer != "bronze" and not found for layer, _t, found, _b in inputs["sources"]):
        return False
    return any(n == job["target"]["name"] and found for n, found in _outputs(job, args))


def _key(job: Job, args: dict[str, str], inputs: Any, store: Any) -> str:
    items = [[sk, item] for sk, item in store.query(job["name"], "") if sk != SETTLED]
    whole = {
        "runtime": runtime_digest(),
        "job": job,
        "args": {k: v for k, v in args.items() if k != "alur_print_report"},
        "inputs": inputs,
        "outputs": _outputs(job, args),
        "state": items,
    }
    text = json.dumps(whole, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _outputs(job: Job, args: dict[str, str]) -> Any:
    target = job["target"]
    if job["kind"] == "ingestion":
        lake = args["alur_lake"]
        return [tree(join_path(lake, part, target["name"])) for part in ("bronze", "quarantine")]
    folder = _db_folder(args, target["layer"])
    names = sorted(os.listdir(folder)) if os.path.isdir(folder) else []
    beside = [n for n in names if n == target["name"] or n.startswith(target["name"] + "_")]
    return [[n, tree(os.path.join(folder, n, "metadata"))] for n in beside]


def _db_folder(args: dict[str, str], layer: str) -> str:
    """The local Hadoop catalog's folder of a layer's database."""
    return os.path.join(catalog_folder(args) or "", args[f"alur_db_{layer}"])


def catalog_folder(args: dict[str, str]) -> str | None:
    """The folder of the Hadoop catalog `glue_catalog` this run's tables live in: that of
    the process's SparkContext if one runs already (any session a run gets now is made
    from it, whichever session is active in this thread), else the one
    `session.spark_conf` gives the run's warehouse; None when it cannot be known (another
    catalog type, an unreadable setting)."""
    context = None
    if "pyspark" in sys.modules:
        from pyspark import SparkContext

        context = SparkContext._active_spark_context
    if context is None:
        return os.path.join(os.path.realpath(args["alur_warehouse"]), "iceberg")
    try:  # a few py4j calls (SparkContext.getConf copies every setting: 150)
        kind = context._conf.get("spark.sql.catalog.glue_catalog.type", None)
        folder = context._conf.get("spark.sql.catalog.glue_catalog.warehouse", None)
    except Exception:  # a context being stopped: decide nothing from it
        return None
    if kind != "hadoop" or not folder or ":" in folder:
        return None  # a URI (file:, s3:) or another catalog: not a folder this reads
    return os.path.realpath(folder)


def tree(folder: str) -> list[Any]:
    """Every file and folder under `folder` (hidden ones too) with size and modification
    time; `[]` for a folder that does not exist."""
    out: list[Any] = []
    for root, dirs, files in os.walk(folder):
        dirs.sort()
        rel = os.path.relpath(root, folder)
        out.append([rel, "dir"])
        for name in sorted(files):
            try:
                stat = os.stat(os.path.join(root, name))
            except OSError:
                out.append([rel, name, "gone"])
                continue
            out.append([rel, name, stat.st_size, stat.st_mtime_ns])
    return out


def runtime_digest() -> str:
    """A digest of this runtime's own code (the wheel a build ships), once per process."""
    if not _RUNTIME_DIGEST:
        sha = hashlib.sha256()
        package = resources.files("alur_runtime")
        for entry in sorted(package.iterdir(), key=lambda e: e.name):
            if entry.name.endswith(".py"):
                sha.update(entry.name.encode() + b"\0" + entry.read_bytes() + b"\0")
        _RUNTIME_DIGEST.append(sha.hexdigest())
    return _RUNTIME_DIGEST[0]
