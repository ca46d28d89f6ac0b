"""SCD type 2: every version of a key with `valid_from` / `valid_to` / `is_current`.

specs/pipeline.md#scd2 states the rule this module implements. The history of a key is a
pure function of the set of *events* ever received for it: one event per (key, sequence
value), the greatest record by (is-delete, the other stored columns in contract order, NULL
lowest) as in merge.py. Sorted by sequence, every upsert event is a version from its
sequence value to the next event's (a later version or a delete), the last one open
(`valid_to` NULL, `is_current` true); a delete event is no version, it only ends the one
before it. The history table holds the upsert events (`valid_from` is their sequence value),
the side table `<target>__alur_tombstones` every delete event (keys, `__alur_seq`), so the
events are always recoverable and a late record simply takes its place among them.

With `check_cols` there is no sequence: a record is an event at the run's start time when
a tracked column differs from the key's current version (a delete when it has one).

A run: (1) events of the rows that passed the checks (records without a sequence value are
skipped); (2) the affected keys' current version and last delete event joined in, which
tells the keys that are only appended to (scd2_history.py: their current version closed,
new versions added) from the rest; (3) the rest's stored events joined in and their
history recomputed and compared with the stored one: the whole difference (new, changed,
closed and removed versions) is MERGEd in ONE commit, after the new delete events are
appended to the side table. A re-run of the same input finds no difference and writes
nothing; a crash between the two writes is repaired by that re-run (the side table is a set
of events, the history is recomputed from it).
"""

from __future__ import annotations

import datetime
from typing import Any

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from alur_runtime.common import crash_point
from alur_runtime.config import PipelineJob, Scd2
from alur_runtime.conform import quote_ident
from alur_runtime.gate import iceberg_name
from alur_runtime.merge import DELETE, DELETED, SEQ, TOMBSTONE_SUFFIX, sized
from alur_runtime.scd2_history import (
    OP,
    data_columns,
    greatest_event,
    history_columns,
    history_difference,
    same,
    settings,
    tag_keys,
)

_O = "__alur_o_"  # prefix of the current version's columns in changed_only


def stage_scd2_columns(out: Any, job: PipelineJob) -> Any:
    """The query's rows cast to the contract's data columns, plus `__alur_seq` (the
    sequence_by value as the type of `valid_from`; NULL with check_cols, set at write time)
    and `__alur_delete`, both computed from the query output."""
    s = settings(job)
    lower = {c.lower(): c for c in out.columns}
    vf_type = next(c["type"] for c in job["target"]["columns"] if c["name"] == s["valid_from"])
    cols = [
        F.col(quote_ident(lower.get(c["name"].lower(), c["name"]))).cast(c["type"]).alias(c["name"])
        for c in data_columns(job)
    ]
    if s["sequence_by"]:
        seq = F.col(quote_ident(lower.get(s["sequence_by"].lower(), s["sequence_by"])))
        cols.append(seq.cast(vf_type).alias(SEQ))
    else:
        cols.append(F.lit(None).cast(vf_type).alias(SEQ))
    deleted = (
        F.coalesce(F.expr(s["delete_when"]), F.lit(False)) if s["delete_when"] else F.lit(False)
    )
    return out.select(*cols, deleted.alias(DELETE))


def changed_only(spark: Any, job: PipelineJob, events: DataFrame, target: str) -> DataFrame:
    """check_cols: keep a record that differs from its key's current version in a tracked
    column (a delete: only when the key has a current version)."""
    s = settings(job)
    keys = s["keys"]
    cur = spark.table(target).where(F.col(quote_ident(s["is_current"])))
    cur = cur.select(
        *[F.col(quote_ident(c)).alias(_O + c) for c in keys + s["check_cols"]],
        F.lit(True).alias("__alur_has_cur"),
    )
    on = [F.col(quote_ident(k)) == F.col(quote_ident(_O + k)) for k in keys]
    joined = events.join(cur, on, "left")
    has = F.col("__alur_has_cur").isNotNull()
    equal = same([(F.col(quote_ident(c)), F.col(quote_ident(_O + c))) for c in s["check_cols"]])
    keep = F.when(F.col(DELETE), has).otherwise(~has | ~equal)
    return joined.where(keep).select(*events.columns)


_MATCH = "__alur_match_from"  # valid_from, NULL for a new version (it matches no stored row)


def merge_history_sql(target: str, view: str, s: Scd2, columns: list[str]) -> str:
    """The MERGE of the history difference. A new version (I) is never stored yet, so its
    match column is NULL: the join skips it at once instead of comparing it (the
    hand-written SCD2 MERGE's NULL merge key; about 5 % of the MERGE at 1M rows)."""
    q = quote_ident
    on = " AND ".join(
        [*(f"t.{q(k)} = s.{q(k)}" for k in s["keys"]), f"t.{q(s['valid_from'])} = s.{_MATCH}"]
    )
    sets = ", ".join(f"t.{q(c)} = s.{q(c)}" for c in columns)
    closes = ", ".join(f"t.{q(c)} = s.{q(c)}" for c in [s["valid_to"], s["is_current"]])
    names = ", ".join(q(c) for c in columns)
    values = ", ".join(f"s.{q(c)}" for c in columns)
    return "\n".join(
        [
            f"MERGE INTO {target} AS t",
            f"USING {view} AS s",
            f"ON {on}",
            f"WHEN MATCHED AND s.{OP} = 'D' THEN DELETE",
            f"WHEN MATCHED AND s.{OP} = 'C' THEN UPDATE SET {closes}",
            f"WHEN MATCHED THEN UPDATE SET {sets}",
            f"WHEN NOT MATCHED AND s.{OP} = 'I' THEN INSERT ({names}) VALUES ({values})",
        ]
    )


def _create_side(spark: Any, job: PipelineJob, side: str, seq_type: str) -> None:
    types = {c["name"]: c["type"] for c in job["target"]["columns"]}
    cols = [f"{quote_ident(k)} {types[k]}" for k in settings(job)["keys"]]
    cols += [f"{SEQ} {seq_type}", f"{DELETED} boolean", "_deleted_at timestamp", "_run_id string"]
    spark.sql(
        f"CREATE TABLE IF NOT EXISTS {side} ({', '.join(cols)}) USING iceberg "
        "TBLPROPERTIES ('format-version'='2')"
    )


def scd2_records(
    spark: Any,
    job: PipelineJob,
    args: dict[str, str],
    passed: DataFrame,
    run_id: str,
    report: dict[str, Any],
) -> None:
    """Steps (1)-(3) of the module docstring; writes nothing when the history is unchanged."""
    s = settings(job)
    layer, table = job["target"]["layer"], job["target"]["name"]
    target = iceberg_name(args, layer, table)
    side = iceberg_name(args, layer, table + TOMBSTONE_SUFFIX)
    now = datetime.datetime.now(datetime.UTC).replace(tzinfo=None, microsecond=0)
    batch = passed
    if not s["sequence_by"]:
        batch = batch.withColumn(SEQ, F.lit(now).cast(batch.schema[SEQ].dataType))
    batch = batch.where(F.col(SEQ).isNotNull())
    if not s["sequence_by"]:  # tag_keys below takes the greatest event per key otherwise
        batch = changed_only(spark, job, greatest_event(batch, job), target)
    report["rows_skipped_no_sequence"] = (
        passed.where(F.col(SEQ).isNull()).count() if s["sequence_by"] else 0
    )
    _create_side(spark, job, side, batch.schema[SEQ].dataType.simpleString())
    # read before the side table's append below: checkpointed, never re-read after it
    tagged = tag_keys(spark, job, batch, (target, side)).localCheckpoint(eager=True)
    diff, counts = history_difference(spark, job, tagged, (target, side))
    new_deletes = None
    if counts.pop("deletes"):
        keys = [F.col(quote_ident(k)) for k in s["keys"]]
        known = spark.table(side).select(*keys, F.col(SEQ))
        new_deletes = tagged.where(F.col(DELETE)).select(*keys, F.col(SEQ))
        on = [*s["keys"], SEQ]
        new_deletes = new_deletes.join(known, on, "left_anti").localCheckpoint(eager=True)
    _write(spark, job, (target, side), (diff, new_deletes, counts), (now, run_id), report)


def _write(
    spark: Any,
    job: PipelineJob,
    names: tuple[str, str],
    frames: tuple[DataFrame, DataFrame | None, dict[str, int]],
    stamp_run: tuple[datetime.datetime, str],
    report: dict[str, Any],
) -> None:
    """Append the new delete events, then MERGE the history difference (one commit)."""
    s = settings(job)
    keys = s["keys"]
    (target, side), (diff, new_deletes, counts), (now, run_id) = names, frames, stamp_run
    n_deletes = new_deletes.count() if new_deletes is not None else 0
    report["rows_deleted"] = n_deletes
    report["versions_inserted"] = counts.get("I", 0)
    report["versions_changed"] = counts.get("U", 0) + counts.get("C", 0)
    report["versions_removed"] = counts.get("D", 0)
    report["rows_applied"] = report["rows_written"] = sum(counts.values())
    if new_deletes is not None and n_deletes:
        stamp = F.lit(now).cast("timestamp")
        rows = new_deletes.select(
            *[F.col(quote_ident(k)) for k in keys],
            F.col(SEQ),
            F.lit(True).alias(DELETED),
            stamp.alias("_deleted_at"),
            F.lit(run_id).alias("_run_id"),
        )
        rows.writeTo(side).append()
    crash_point("after_tombstones")
    if sum(counts.values()):
        view = "__alur_stage_" + job["name"]
        match = F.when(F.col(OP) != "I", F.col(quote_ident(s["valid_from"])))
        staged = diff.withColumn(_MATCH, match)
        sized(spark, staged, [*keys, _MATCH], sum(counts.values())).createOrReplaceTempView(view)
        try:
            columns = [str(c["name"]) for c in data_columns(job)] + history_columns(s)
            spark.sql(merge_history_sql(target, view, s, columns))
        finally:
            spark._jsparkSession.sessionState().catalog().dropTempView(view)
    crash_point("after_merge")
