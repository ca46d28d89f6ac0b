"""Full refresh of a pipeline's target (`--alur_full_refresh true`, `alurc run --local
--full-refresh`): forget what the job has read and rebuild the target from its sources.

The reset, run before the job reads anything (and after it made sure no other run of the
job is live), is: record a `refresh` marker in the job's state; empty the target and its
`<target>_quarantine` (an append target also forgets its snapshot history, which holds
the input ids that make appends idempotent, so the same input can be appended again);
delete the job's watermarks, its recorded `inputs` and any unfinished intent; delete the
marker. The run then goes on as a first run: every source row is read and written.

A crash anywhere in the reset leaves the marker, and the next run of the job (with or
without the argument) does the reset again: each step is idempotent. The tombstones of a
merge target (`<target>__alur_tombstones`) are kept, so a deleted key stays deleted
unless the sources hold a newer record of it, exactly as without the refresh.
Ingestions are never refreshed: bronze is the record of what landed, and landing files
may be gone.
"""

from __future__ import annotations

import datetime
from typing import Any

from alur_runtime.common import log
from alur_runtime.config import PipelineJob
from alur_runtime.gate import iceberg_name

REFRESH_ARG = "alur_full_refresh"
MARKER = "refresh"


def requested(args: dict[str, str]) -> bool:
    return args.get(REFRESH_ARG, "false").strip().lower() in ("true", "1", "yes")


def reset_if_asked(
    spark: Any,
    job: PipelineJob,
    args: dict[str, str],
    store: Any,
    report: dict[str, Any],
    intent: dict[str, str] | None,
) -> dict[str, str] | None:
    """Do the reset when asked (or when an earlier one was cut short); returns the intent
    item the run goes on from: `intent` unchanged, or None after a reset."""
    name = job["name"]
    if not requested(args) and store.get(name, MARKER) is None:
        return intent
    store.put(name, MARKER, {"at": _now().isoformat()})
    log(name, "full refresh: emptying the target and forgetting watermarks and inputs")
    _empty_tables(spark, job, args)
    for key, item in store.query(name, "watermark#"):
        store.delete_if(name, key, item)
    for key in ("inputs", "intent", MARKER):
        item = store.get(name, key)
        if item is not None:
            store.delete_if(name, key, item)
    report["full_refresh"] = True
    return None


def _empty_tables(spark: Any, job: PipelineJob, args: dict[str, str]) -> None:
    target = job["target"]
    layer = target["layer"]
    table = iceberg_name(args, layer, target["name"])
    for name in (table, iceberg_name(args, layer, target["name"] + "_quarantine")):
        if spark.catalog.tableExists(name):
            spark.sql(f"DELETE FROM {name}")
    if job["mode"] == "append" and spark.catalog.tableExists(table):
        _forget_history(spark, args[f"alur_db_{layer}"], target["name"])


def _forget_history(spark: Any, database: str, table: str) -> None:
    """Expire every snapshot but the current (empty) one."""
    later = (_now() + datetime.timedelta(seconds=1)).strftime("%Y-%m-%d %H:%M:%S.%f")
    ident = f"{database}.{table}".replace("'", "''")
    spark.sql(
        f"CALL glue_catalog.system.expire_snapshots(table => '{ident}', "
        f"older_than => TIMESTAMP '{later}', retain_last => 1)"
    )


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC).replace(tzinfo=None)
