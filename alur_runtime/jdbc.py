"""Bronze ingestion from a database over JDBC: each extracted range exactly once.

State items (state.py; `pk` is the job name), beside the `batch#<id>` items of ingest.py:

- `extract#jdbc` — the extraction claim: the one batch allowed to extract now. Taken with a
  conditional put; a second concurrent run leaves the source to its owner while that
  owner is alive (reported under `claims_held`), and recovers it when it is provably gone.
- `watermark#jdbc` — the committed high-water mark (`high`, as the database prints it)
  of the `incremental` column and the batch that advanced it.

A run (1) opens its batch and takes the claim; (2) finishes or recovers the batch of a
previous run (committed: publish its staged files, advance the watermark to its `high`;
open and its owner gone: delete its staging folder); (3) asks the database for the range's
upper end, `high` = MAX(column) above the watermark, and records (low, high] in its batch
item before reading; (4) extracts exactly `column > low AND column <= high` (everything
without `incremental`), conforms it by column name into the batch's staging folder
(bad rows and checks as for files, bronze.py); (5) commits the batch item (the commit
point), publishes, advances the watermark to `high`, drops the claim and the batch item.

A crash before (5)'s commit leaves an open batch whose staged rows the next run deletes
before it extracts again from the same `low`: the range is read again, and lands once. A
crash after the commit is finished by the next run with the `high` the batch recorded,
so the watermark never moves past rows that are not in bronze, nor stays behind rows
that are. Kill points: `after_open_batch`, `after_extract`, `after_commit`,
`after_publish_file`, `after_watermark` (common.KILL_POINTS["jdbc"]).
"""

from __future__ import annotations

from typing import Any

from alur_runtime.batch_run import batch_context, run_batch
from alur_runtime.common import JobFailed, base_report, crash_point, log, new_run_id
from alur_runtime.config import IngestionJob, JdbcSource
from alur_runtime.conform import conform_file
from alur_runtime.ingest import (
    _now,
    open_batch,
    publish_batch,
    remove_batch_data,
)
from alur_runtime.owner import describe_owner, owner_liveness
from alur_runtime.secrets import Credentials, resolve
from alur_runtime.state import open_state
from alur_runtime.steps import enter

CLAIM = "extract#jdbc"
WATERMARK = "watermark#jdbc"
_INTEGRAL = frozenset({"tinyint", "smallint", "int", "bigint"})


def run_jdbc_ingestion(spark: Any, job: IngestionJob, args: dict[str, str]) -> dict[str, Any]:
    """Extract the new range of `job`'s database source once; returns the run report."""
    run_id = new_run_id()
    report = base_report(job, args, run_id)
    store = open_state(args)
    ctx = batch_context(job, args, run_id)

    def body() -> None:
        open_batch(store, ctx["job"], run_id, args)
        crash_point("after_open_batch")
        if not _claim(spark, store, ctx, report):
            _drop(store, ctx, run_id, "open")
            return
        _recover(spark, store, ctx)
        enter(report, "read")
        if _extract(spark, job, args, ctx, store, report):
            crash_point("after_extract")
            enter(report, "commit")
            _commit(spark, store, ctx)
        else:
            _release(store, ctx)

    return run_batch(
        spark, job, args, report, body, lambda: _undo(spark, store, ctx, report), store
    )


def _claim(spark: Any, store: Any, ctx: dict[str, Any], report: dict[str, Any]) -> bool:
    """Take the extraction claim; False when a live run holds it (reported)."""
    job, me = ctx["job"], ctx["batch_id"]
    for _attempt in range(3):
        current = store.get(job, CLAIM)
        if current is None:
            if store.put_if(job, CLAIM, {"batch_id": me}, None):
                return True
            continue
        owner = current.get("batch_id", "")
        batch = store.get(job, f"batch#{owner}")
        if batch is not None and batch.get("status") == "committed":
            _finish(spark, store, ctx, owner, batch)  # drops the claim
            continue
        if batch is not None and batch.get("status") == "open" and _alive(ctx, owner, batch):
            report["claims_held"] = [
                {
                    "batch_id": owner,
                    "owner": describe_owner(batch),
                    "owner_liveness": owner_liveness(owner, batch, ctx["args"]),
                    "since": batch.get("opened_at", ""),
                    "files": [],
                }
            ]
            log(job, f"the source is being extracted by batch {owner}; left to it")
            return False
        if store.put_if(job, CLAIM, {"batch_id": me}, current):
            return True
    raise JobFailed("could not take the extraction claim (concurrent runs)")


def _alive(ctx: dict[str, Any], owner: str, batch: dict[str, str]) -> bool:
    liveness = owner_liveness(owner, batch, ctx["args"])
    age = int(_now()) - int(batch.get("claimed_at", "0"))
    return liveness == "alive" or (liveness == "unknown" and age < ctx["lease_seconds"])


def _recover(spark: Any, store: Any, ctx: dict[str, Any]) -> None:
    """Finish committed batches of earlier runs; delete what dead open batches staged."""
    job = ctx["job"]
    for sk, batch in store.query(job, "batch#"):
        owner = sk[len("batch#") :]
        if owner == ctx["batch_id"]:
            continue
        if batch.get("status") == "committed":
            _finish(spark, store, ctx, owner, batch)
            continue
        if batch.get("status") == "open" and _alive(ctx, owner, batch):
            continue  # a run that lost the claim to us: it writes nothing
        if batch.get("status") == "open" and not store.put_if(
            job, sk, {**batch, "status": "aborted"}, batch
        ):
            continue
        remove_batch_data(spark, ctx, owner)
        store.delete_if(job, sk, {"status": "aborted"})
        ctx["recovered"].add(owner)


def _finish(spark: Any, store: Any, ctx: dict[str, Any], owner: str, batch: dict[str, str]) -> None:
    """After the commit point: publish, advance the watermark, drop the claim and batch."""
    job = ctx["job"]
    publish_batch(spark, ctx, owner)
    if "high" in batch:
        store.put(job, WATERMARK, {"high": batch["high"], "batch_id": owner})
    crash_point("after_watermark")
    store.delete_if(job, CLAIM, {"batch_id": owner})
    store.delete_if(job, f"batch#{owner}", {"status": "committed"})


def _commit(spark: Any, store: Any, ctx: dict[str, Any]) -> None:
    job, me = ctx["job"], ctx["batch_id"]
    opened = store.get(job, f"batch#{me}")
    if opened is None or opened.get("status") != "open":
        raise JobFailed(f"batch {me} was aborted by a concurrent run; nothing committed")
    committed = {**opened, "status": "committed"}
    if not store.put_if(job, f"batch#{me}", committed, opened):
        raise JobFailed(f"batch {me} was aborted by a concurrent run; nothing committed")
    ctx["committed"] = True
    crash_point("after_commit")
    _finish(spark, store, ctx, me, committed)


def _drop(store: Any, ctx: dict[str, Any], batch_id: str, status: str) -> None:
    store.delete_if(ctx["job"], f"batch#{batch_id}", {"status": status})


def _release(store: Any, ctx: dict[str, Any]) -> None:
    """Nothing to extract: give the claim back and drop the batch (no state change)."""
    store.delete_if(ctx["job"], CLAIM, {"batch_id": ctx["batch_id"]})
    _drop(store, ctx, ctx["batch_id"], "open")


def _undo(spark: Any, store: Any, ctx: dict[str, Any], report: dict[str, Any]) -> None:
    if ctx.get("committed"):  # past the commit point: the next run finishes it
        return
    if report.pop("data_written", False):
        remove_batch_data(spark, ctx, ctx["batch_id"])
    _release(store, ctx)


def _extract(
    spark: Any,
    job: IngestionJob,
    args: dict[str, str],
    ctx: dict[str, Any],
    store: Any,
    report: dict[str, Any],
) -> bool:
    """Read the new range into the batch's staging folder; False when there is none."""
    from alur_runtime.bronze import _write_rows  # the same conform/check/stage as files

    source = job["jdbc"]
    creds = resolve(source["secret"], args)
    reader = JdbcReader(spark, source, creds)
    mark = store.get(ctx["job"], WATERMARK)
    low = mark.get("high") if mark else None
    where, high = "", None
    if source["incremental_column"] is not None:
        high = reader.high(low)
        if high is None:
            log(ctx["job"], "no new rows above the high-water mark")
            return False
        where = reader.range_filter(low, high)
    _record_range(store, ctx, low, high)
    df = reader.read(where)
    conformed, reason = conform_file(df, source["identity"], job["file_columns"], decoded=False)
    if conformed is None:
        raise JobFailed(f"source {source['identity']}: {reason}")
    _write_rows(spark, job, ctx, conformed, report)
    report["extracted_range"] = {"low": low, "high": high}
    return True


def _record_range(store: Any, ctx: dict[str, Any], low: str | None, high: str | None) -> None:
    job, me = ctx["job"], ctx["batch_id"]
    opened = store.get(job, f"batch#{me}")
    if opened is None or opened.get("status") != "open":
        raise JobFailed(f"batch {me} was aborted by a concurrent run")
    item = {**opened, "low": low or ""}
    if high is not None:
        item["high"] = high
    if not store.put_if(job, f"batch#{me}", item, opened):
        raise JobFailed(f"batch {me} was aborted by a concurrent run")


class JdbcReader:
    """Spark's JDBC reader for one source; the SQL it sends is built here only."""

    def __init__(self, spark: Any, source: JdbcSource, creds: Credentials) -> None:
        self.spark, self.source, self.creds = spark, source, creds

    def url(self) -> str:
        """The YAML's URL, or the host/port/database the local credentials override."""
        if not {"host", "port", "database"} & set(self.creds):
            return self.source["url"]
        engine, rest = self.source["url"][len("jdbc:") :].split("://", 1)
        hostport, database = rest.split("/", 1)
        host, port = hostport.rsplit(":", 1)
        host, port = self.creds.get("host", host), self.creds.get("port", port)
        return f"jdbc:{engine}://{host}:{port}/{self.creds.get('database', database)}"

    def quote(self, name: str) -> str:
        if self.source["engine"] == "mysql":
            return "`" + name.replace("`", "``") + "`"
        return '"' + name.replace('"', '""') + '"'

    def relation(self) -> str:
        if self.source["table"] is not None:
            return self.source["table"]
        return f"({self.source['query']}) alur_query"

    def literal(self, value: str) -> str:
        if self.source["incremental_type"] in _INTEGRAL or str(
            self.source["incremental_type"]
        ).startswith("decimal"):
            return str(int(value))  # refuses anything but an integer
        if self.source["engine"] == "mysql":  # backslash escapes in MySQL's strings
            value = value.replace("\\", "\\\\")
        return "'" + value.replace("'", "''") + "'"

    def range_filter(self, low: str | None, high: str) -> str:
        col = self.quote(str(self.source["incremental_column"]))
        upper = f"{col} <= {self.literal(high)}"
        return f" WHERE {col} > {self.literal(low)} AND {upper}" if low else f" WHERE {upper}"

    def high(self, low: str | None) -> str | None:
        """MAX(column) above `low`, printed by the database (it parses it back exactly)."""
        col = self.quote(str(self.source["incremental_column"]))
        text = "CHAR" if self.source["engine"] == "mysql" else "text"
        where = f" WHERE {col} > {self.literal(low)}" if low else ""
        sql = f"SELECT CAST(MAX({col}) AS {text}) AS alur_high FROM {self.relation()}{where}"
        rows = self._reader(f"({sql}) alur_h").load().collect()
        value = rows[0]["alur_high"] if rows else None
        return None if value is None else str(value)

    def read(self, where: str) -> Any:
        reader = self._reader(f"(SELECT * FROM {self.relation()}{where}) alur_src")
        part = self.source["partition"]
        if part is not None:
            reader = reader.options(
                partitionColumn=part["column"],  # Spark quotes it with the dialect's rules
                lowerBound=str(part["lower"]),
                upperBound=str(part["upper"]),
                numPartitions=str(part["count"]),
            )
        return reader.load()

    def _reader(self, dbtable: str) -> Any:
        driver = {"postgresql": "org.postgresql.Driver", "mysql": "com.mysql.cj.jdbc.Driver"}
        return (
            self.spark.read.format("jdbc")
            .option("url", self.url())
            .option("driver", driver[self.source["engine"]])
            .option("dbtable", dbtable)
            .option("user", self.creds["username"])
            .option("password", self.creds["password"])
            .option("fetchsize", str(self.source["fetchsize"]))
        )
