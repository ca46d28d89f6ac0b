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
skipped); (2) the affected keys' stored events (history rows and delete events) joined in;
(3) their history recomputed and compared with the stored one: the difference (new,
changed and removed versions) is MERGEd in ONE commit, after the new delete events are
appended to the side table. A re-run of the same input finds no difference and writes
nothing; a crash between the two writes is repaired by that re-run (the side table is a set
of events, the history is recomputed from it).
"""

from __future__ import annotations

import datetime
from typing import Any

from pyspark.sql import DataFrame, Window
from pyspark.sql import functions as F

from alur_runtime.common import crash_point
from alur_runtime.config import PipelineJob, Scd2
from alur_runtime.conform import quote_ident
from alur_runtime.gate import iceberg_name
from alur_runtime.merge import DELETE, DELETED, SEQ, TOMBSTONE_SUFFIX, orderable

_OP = "__alur_op"
_O = "__alur_o_"  # prefix of the stored version's columns in the diff


def settings(job: PipelineJob) -> Scd2:
    scd2 = job.get("scd2")
    assert scd2 is not None, "mode scd2 without scd2 settings"
    return scd2


def history_columns(s: Scd2) -> list[str]:
    return [s["valid_from"], s["valid_to"], s["is_current"]]


def data_columns(job: PipelineJob) -> list[dict[str, Any]]:
    """The contract columns the query fills (all but the three history columns)."""
    hist = {c.lower() for c in history_columns(settings(job))}
    return [dict(c) for c in job["target"]["columns"] if c["name"].lower() not in hist]


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


def _ties(job: PipelineJob) -> list[str]:
    keys = {k.lower() for k in settings(job)["keys"]}
    return [
        str(c["name"])
        for c in data_columns(job)
        if c["name"].lower() not in keys and orderable(str(c["type"]))
    ]


def greatest_event(df: DataFrame, job: PipelineJob) -> DataFrame:
    """One event per (key, sequence value): the greatest by (is-delete, other columns)."""
    by = [F.col(quote_ident(k)) for k in settings(job)["keys"]] + [F.col(SEQ)]
    order = [F.col(DELETE).desc()] + [F.col(quote_ident(c)).desc_nulls_last() for c in _ties(job)]
    ranked = df.withColumn(
        "__alur_rank", F.row_number().over(Window.partitionBy(*by).orderBy(*order))
    )
    return ranked.where(F.col("__alur_rank") == 1).drop("__alur_rank")


def _same(pairs: list[tuple[Any, Any]]) -> Any:
    out = F.lit(True)
    for a, b in pairs:
        out = out & a.eqNullSafe(b)
    return out


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
    same = _same([(F.col(quote_ident(c)), F.col(quote_ident(_O + c))) for c in s["check_cols"]])
    keep = F.when(F.col(DELETE), has).otherwise(~has | ~same)
    return joined.where(keep).select(*events.columns)


def recompute(spark: Any, job: PipelineJob, batch: DataFrame, names: tuple[str, str]) -> DataFrame:
    """The affected keys' new history, full-outer-joined to the stored one: the rows that
    differ, with `__alur_op` I (new version), U (changed) or D (removed)."""
    s = settings(job)
    target, side = names
    keys, vf, vt, cur = s["keys"], s["valid_from"], s["valid_to"], s["is_current"]
    data = [str(c["name"]) for c in data_columns(job)]
    affected = batch.select(*[F.col(quote_ident(k)) for k in keys]).distinct()
    old = spark.table(target).join(affected, keys, "left_semi")
    old_del = spark.table(side).where(F.col(DELETED)).join(affected, keys, "left_semi")
    stored = old.select(
        *[F.col(quote_ident(c)) for c in data],
        F.col(quote_ident(vf)).alias(SEQ),
        F.lit(False).alias(DELETE),
    )
    nulls = [F.lit(None).cast(batch.schema[c].dataType).alias(c) for c in data if c not in keys]
    deletes = old_del.select(
        *[F.col(quote_ident(k)) for k in keys], *nulls, F.col(SEQ), F.lit(True).alias(DELETE)
    ).select(*batch.columns)
    events = greatest_event(batch.unionByName(stored).unionByName(deletes), job)
    nxt = F.lead(F.col(SEQ)).over(
        Window.partitionBy(*[F.col(quote_ident(k)) for k in keys]).orderBy(F.col(SEQ))
    )
    new = events.withColumn("__alur_next", nxt).where(~F.col(DELETE))
    new = new.select(
        *[F.col(quote_ident(c)) for c in data],
        F.col(SEQ).alias(vf),
        F.col("__alur_next").alias(vt),
        F.col("__alur_next").isNull().alias(cur),
        F.lit(True).alias("__alur_has_n"),
    )
    every = [*data, vf, vt, cur]
    o = old.select(
        *[F.col(quote_ident(c)).alias(_O + c) for c in every], F.lit(True).alias("__alur_has_o")
    )
    on = [F.col(quote_ident(c)) == F.col(quote_ident(_O + c)) for c in [*keys, vf]]
    joined = new.join(o, on, "full")
    has_n, has_o = F.col("__alur_has_n").isNotNull(), F.col("__alur_has_o").isNotNull()
    same = _same([(F.col(quote_ident(c)), F.col(quote_ident(_O + c))) for c in every])
    op = F.when(~has_o, "I").when(~has_n, "D").when(~same, "U")
    ident = {*keys, vf}
    out = [
        (
            F.coalesce(F.col(quote_ident(c)), F.col(quote_ident(_O + c)))
            if c in ident
            else F.col(quote_ident(c))
        ).alias(c)
        for c in every
    ]
    return joined.select(*out, op.alias(_OP)).where(F.col(_OP).isNotNull())


def merge_history_sql(target: str, view: str, s: Scd2, columns: list[str]) -> str:
    q = quote_ident
    on = " AND ".join(f"t.{q(k)} = s.{q(k)}" for k in [*s["keys"], s["valid_from"]])
    sets = ", ".join(f"t.{q(c)} = s.{q(c)}" for c in columns)
    names = ", ".join(q(c) for c in columns)
    values = ", ".join(f"s.{q(c)}" for c in columns)
    return "\n".join(
        [
            f"MERGE INTO {target} AS t",
            f"USING {view} AS s",
            f"ON {on}",
            f"WHEN MATCHED AND s.{_OP} = 'D' THEN DELETE",
            f"WHEN MATCHED THEN UPDATE SET {sets}",
            f"WHEN NOT MATCHED AND s.{_OP} = 'I' THEN INSERT ({names}) VALUES ({values})",
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
    batch = greatest_event(batch.where(F.col(SEQ).isNotNull()), job)
    if not s["sequence_by"]:
        batch = changed_only(spark, job, batch, target)
    batch = batch.localCheckpoint(eager=True)
    report["rows_skipped_no_sequence"] = (
        passed.where(F.col(SEQ).isNull()).count() if s["sequence_by"] else 0
    )
    _create_side(spark, job, side, batch.schema[SEQ].dataType.simpleString())
    keys = s["keys"]
    known = spark.table(side).select(*[F.col(quote_ident(k)) for k in keys], F.col(SEQ))
    new_deletes = batch.where(F.col(DELETE)).select(
        *[F.col(quote_ident(k)) for k in keys], F.col(SEQ)
    )
    new_deletes = new_deletes.join(known, [*keys, SEQ], "left_anti").localCheckpoint(eager=True)
    diff = recompute(spark, job, batch, (target, side)).localCheckpoint(eager=True)
    _write(spark, job, (target, side), (diff, new_deletes), (now, run_id), report)


def _write(
    spark: Any,
    job: PipelineJob,
    names: tuple[str, str],
    frames: tuple[DataFrame, DataFrame],
    stamp_run: tuple[datetime.datetime, str],
    report: dict[str, Any],
) -> None:
    """Append the new delete events, then MERGE the history difference (one commit)."""
    s = settings(job)
    keys = s["keys"]
    (target, side), (diff, new_deletes), (now, run_id) = names, frames, stamp_run
    counts = {
        r[_OP]: int(r["n"]) for r in diff.groupBy(_OP).agg(F.count(F.lit(1)).alias("n")).collect()
    }
    n_deletes = new_deletes.count()
    report["rows_deleted"] = n_deletes
    report["versions_inserted"] = counts.get("I", 0)
    report["versions_changed"] = counts.get("U", 0)
    report["versions_removed"] = counts.get("D", 0)
    report["rows_applied"] = report["rows_written"] = sum(counts.values())
    if n_deletes:
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
    if counts:
        view = "__alur_stage_" + job["name"]
        diff.createOrReplaceTempView(view)
        try:
            columns = [str(c["name"]) for c in data_columns(job)] + history_columns(s)
            spark.sql(merge_history_sql(target, view, s, columns))
        finally:
            spark._jsparkSession.sessionState().catalog().dropTempView(view)
    crash_point("after_merge")
