"""MERGE with memory: latest record per key, tombstones, and replays that change nothing.

specs/pipeline.md#merge states the rule this module implements. For one key, records are
totally ordered by

    (sequence value, is-delete, the other stored columns in contract order)

with NULL lower than every value. The greatest record ever received for a key decides the
target: a delete -> the key is absent, an upsert -> that row. The target plus the side table
`<target>__alur_tombstones` (keys, `__alur_seq`, `__alur_deleted`, `_deleted_at`, `_run_id`)
is exactly the greatest record per key seen so far, so the result does not depend on how
records are split into batches or runs, nor on their order (with and without
`incremental`). The side table holds deleted keys (tombstones) and, when `sequence_by` is a
column the target does not store, the sequence value of every live key too.

A run: (1) keeps the greatest record per key of the rows that passed the checks; (2) joins
each to the stored version of its key (the target row, else a tombstone) and keeps only the
records strictly greater than it (`applied`): a replay of a batch applies nothing and
commits no snapshot; (3) MERGEs the applied records into the target; (4) MERGEs the side
table. A crash between (3) and (4) is repaired by re-running the same input (pipeline.py's
intent): (2) then finds the target already changed and applies only the side-table part.
"""

from __future__ import annotations

import datetime
from typing import Any

from pyspark.sql import Window
from pyspark.sql import functions as F

from alur_runtime.common import crash_point, log
from alur_runtime.config import Merge, PipelineJob
from alur_runtime.conform import column_names, quote_ident
from alur_runtime.evolve import evolve_merge_tables

SEQ = "__alur_seq"
DELETE = "__alur_delete"
DELETED = "__alur_deleted"
TOMBSTONE_SUFFIX = "__alur_tombstones"
_T = "__alur_t_"  # prefix of the stored row's columns in the joined frame
_HAS_T = "__alur_has_t"
_HAS_K = "__alur_has_k"
_K_SEQ = "__alur_k_seq"
_K_DEL = "__alur_k_deleted"
DEFAULT_RETENTION_DAYS = 90


def orderable(type_: str) -> bool:
    """Spark can order values of this type (maps cannot, nor anything holding one)."""
    return "map<" not in type_.lower().replace(" ", "")


def tie_columns(job: PipelineJob) -> list[str]:
    """The stored non-key columns that break ties between equal sequence values."""
    merge = job["merge"]
    keys = {k.lower() for k in merge["keys"]} if merge else set()
    return [
        c["name"]
        for c in job["target"]["columns"]
        if c["name"].lower() not in keys and orderable(c["type"])
    ]


def stage_merge_columns(out: Any, job: PipelineJob, contract: list[Any]) -> Any:
    """The contract columns plus `__alur_seq` / `__alur_delete`, computed from the query's
    output (so both may use columns the target does not store)."""
    merge = job["merge"]
    names = {c["name"].lower() for c in job["target"]["columns"]}
    extra = [F.col(quote_ident(c)) for c in out.columns if c.lower() not in names]
    wide = out.select(*contract, *extra)
    cols = [F.col(quote_ident(c)) for c in column_names(job["target"]["columns"])]
    if merge is None:
        return wide.select(*cols)
    if merge["sequence_by"]:
        cols.append(F.col(quote_ident(merge["sequence_by"])).alias(SEQ))
    if merge["delete_when"]:
        cols.append(F.coalesce(F.expr(merge["delete_when"]), F.lit(False)).alias(DELETE))
    else:
        cols.append(F.lit(False).alias(DELETE))
    return wide.select(*cols)


def _order(job: PipelineJob) -> list[Any]:
    merge = job["merge"]
    out = []
    if merge is not None and merge["sequence_by"]:
        out.append(F.col(SEQ).desc_nulls_last())
    out.append(F.col(DELETE).desc())
    out += [F.col(quote_ident(c)).desc_nulls_last() for c in tie_columns(job)]
    return out


def latest_per_key(df: Any, job: PipelineJob) -> Any:
    """One record per key: the greatest by (sequence, is-delete, other columns)."""
    merge = job["merge"]
    assert merge is not None
    window = Window.partitionBy(*[F.col(quote_ident(k)) for k in merge["keys"]])
    ranked = df.withColumn("__alur_rank", F.row_number().over(window.orderBy(*_order(job))))
    return ranked.where(F.col("__alur_rank") == 1).drop("__alur_rank")


def _gt(a: Any, b: Any) -> Any:
    """a > b with NULL lower than every value (never NULL itself)."""
    return a.isNotNull() & (b.isNull() | F.coalesce(a > b, F.lit(False)))


def greater(pairs: list[tuple[Any, Any]]) -> Any:
    """Lexicographic strict greater over (left, right) column pairs, NULL lowest."""
    result = F.lit(False)
    for left, right in reversed(pairs):
        result = _gt(left, right) | (left.eqNullSafe(right) & result)
    return result


def side_table_mode(job: PipelineJob) -> str:
    """`tombstones` (deleted keys only) or `versions` (every key: the target does not store
    `sequence_by`), or `none` without `sequence_by`."""
    merge = job["merge"]
    if merge is None or not merge["sequence_by"]:
        return "none"
    stored = {c["name"].lower() for c in job["target"]["columns"]}
    return "tombstones" if merge["sequence_by"].lower() in stored else "versions"


def applied_records(spark: Any, job: PipelineJob, latest: Any, target: str, side: str) -> Any:
    """The records of `latest` strictly greater than their key's stored version."""
    merge = job["merge"]
    assert merge is not None
    keys = merge["keys"]
    mode = side_table_mode(job)
    ties = tie_columns(job)
    seq_name = merge["sequence_by"] or ""
    stored_cols = list(ties)
    if mode == "tombstones" and seq_name not in stored_cols:
        stored_cols.append(seq_name)
    tgt = spark.table(target).select(
        *[F.col(quote_ident(k)).alias(_T + k) for k in keys],
        *[F.col(quote_ident(c)).alias(_T + c) for c in stored_cols if c not in keys],
        F.lit(True).alias(_HAS_T),
    )
    on = [F.col(quote_ident(k)) == F.col(quote_ident(_T + k)) for k in keys]
    joined = latest.join(tgt, on, "left")
    if mode != "none":
        kt = spark.table(side).select(
            *[F.col(quote_ident(k)).alias("__alur_k_" + k) for k in keys],
            F.col(SEQ).alias(_K_SEQ),
            F.col(DELETED).alias(_K_DEL),
            F.lit(True).alias(_HAS_K),
        )
        kon = [F.col(quote_ident(k)) == F.col(quote_ident("__alur_k_" + k)) for k in keys]
        joined = joined.join(kt, kon, "left")
    else:
        joined = joined.withColumn(_HAS_K, F.lit(None).cast("boolean"))
    has_t = F.col(_HAS_T).isNotNull()
    has_k = F.col(_HAS_K).isNotNull()
    is_del = F.col(DELETE)
    tie_s = [F.when(~is_del, F.col(quote_ident(c))) for c in ties]
    if mode == "none":
        # No order across runs: a record applies when it changes the stored row.
        same = F.lit(True)
        for c in ties:
            same = same & F.col(quote_ident(c)).eqNullSafe(F.col(quote_ident(_T + c)))
        apply = F.when(has_t, is_del | ~same).otherwise(~is_del)
    else:
        seq_t = F.col(quote_ident(_T + seq_name)) if mode == "tombstones" else F.col(_K_SEQ)
        row_version = [(F.col(SEQ), seq_t), (is_del, F.lit(False))]
        row_version += list(zip(tie_s, [F.col(quote_ident(_T + c)) for c in ties], strict=True))
        tomb_version = [(F.col(SEQ), F.col(_K_SEQ)), (is_del, F.lit(True))]
        tombstoned = has_k & F.coalesce(F.col(_K_DEL), F.lit(False))
        apply = (
            F.when(has_t, greater(row_version))
            .when(tombstoned, greater(tomb_version))
            .otherwise(F.lit(True))
        )
    keep = [c for c in latest.columns] + [_HAS_T, _HAS_K]
    return joined.where(apply).select(*[F.col(quote_ident(c)) for c in keep])


def merge_target_sql(target: str, view: str, columns: list[str], keys: list[str]) -> str:
    q = quote_ident
    on = " AND ".join(f"t.{q(k)} = s.{q(k)}" for k in keys)
    sets = ", ".join(f"t.{q(c)} = s.{q(c)}" for c in columns)
    names = ", ".join(q(c) for c in columns)
    values = ", ".join(f"s.{q(c)}" for c in columns)
    return "\n".join(
        [
            f"MERGE INTO {target} AS t",
            f"USING {view} AS s",
            f"ON {on}",
            f"WHEN MATCHED AND s.{DELETE} THEN DELETE",
            f"WHEN MATCHED THEN UPDATE SET {sets}",
            f"WHEN NOT MATCHED AND NOT s.{DELETE} THEN INSERT ({names}) VALUES ({values})",
        ]
    )


def merge_side_sql(side: str, view: str, keys: list[str], mode: str) -> str:
    q = quote_ident
    on = " AND ".join(f"k.{q(k)} = d.{q(k)}" for k in keys)
    cols = [*keys, SEQ, DELETED, "_deleted_at", "_run_id"]
    sets = ", ".join(f"k.{q(c)} = d.{q(c)}" for c in cols if c not in keys)
    names = ", ".join(q(c) for c in cols)
    values = ", ".join(f"d.{q(c)}" for c in cols)
    lines = [f"MERGE INTO {side} AS k", f"USING {view} AS d", f"ON {on}"]
    if mode == "tombstones":  # a re-inserted key: its tombstone is obsolete
        lines.append(f"WHEN MATCHED AND NOT d.{DELETED} THEN DELETE")
    lines.append(f"WHEN MATCHED THEN UPDATE SET {sets}")
    lines.append(f"WHEN NOT MATCHED THEN INSERT ({names}) VALUES ({values})")
    return "\n".join(lines)


def create_side_table(spark: Any, job: PipelineJob, side: str, seq_type: str) -> None:
    merge = job["merge"]
    assert merge is not None
    types = {c["name"]: c["type"] for c in job["target"]["columns"]}
    cols = [f"{quote_ident(k)} {types[k]}" for k in merge["keys"]]
    cols += [f"{SEQ} {seq_type}", f"{DELETED} boolean", "_deleted_at timestamp", "_run_id string"]
    spark.sql(
        f"CREATE TABLE IF NOT EXISTS {side} ({', '.join(cols)}) USING iceberg "
        "TBLPROPERTIES ('format-version'='2')"
    )


def merge_records(
    spark: Any,
    job: PipelineJob,
    names: tuple[str, str],
    passed: Any,
    run_id: str,
    report: dict[str, Any],
) -> None:
    """Steps (1)-(4) of the module docstring; writes nothing when nothing changes.

    `names` are the target's and its side table's catalog names."""
    merge: Merge | None = job["merge"]
    assert merge is not None
    target, side = names
    mode = side_table_mode(job)
    latest = latest_per_key(passed, job)
    if mode != "none":
        seq_type = latest.schema[SEQ].dataType.simpleString()
        create_side_table(spark, job, side, seq_type)
    evolve_merge_tables(spark, job, names, latest)  # to the contract, or stop unwritten
    applied = applied_records(spark, job, latest, target, side).localCheckpoint(eager=True)
    stats = applied.agg(
        F.count(F.lit(1)).alias("n"),
        F.sum(F.when(~F.col(DELETE) | F.col(_HAS_T).isNotNull(), 1).otherwise(0)).alias("t"),
        F.sum(F.when(F.col(DELETE), 1).otherwise(0)).alias("d"),
        F.sum(F.when(F.col(_HAS_K).isNotNull(), 1).otherwise(0)).alias("k"),
    ).collect()[0]
    n, touches_target = int(stats["n"]), int(stats["t"] or 0)
    deletes, has_side = int(stats["d"] or 0), int(stats["k"] or 0)
    report["rows_applied"] = n
    report["rows_deleted"] = deletes
    columns = column_names(job["target"]["columns"])
    view = "__alur_stage_" + job["name"]
    if touches_target:
        sized(spark, applied, merge["keys"], n).createOrReplaceTempView(view)
        try:
            spark.sql(merge_target_sql(target, view, columns, merge["keys"]))
        finally:
            _forget(spark, view)
    crash_point("after_merge")
    if mode == "none":
        return
    now = datetime.datetime.now(datetime.UTC)
    side_rows = (
        applied if mode == "versions" else applied.where(F.col(DELETE) | F.col(_HAS_K).isNotNull())
    )
    if mode == "versions" or deletes or has_side:
        side_df = side_rows.select(
            *[F.col(quote_ident(k)) for k in merge["keys"]],
            F.col(SEQ),
            F.col(DELETE).alias(DELETED),
            F.when(F.col(DELETE), F.lit(now).cast("timestamp")).alias("_deleted_at"),
            F.lit(run_id).alias("_run_id"),
        )
        if n:
            sized(spark, side_df, merge["keys"], n).createOrReplaceTempView(view + "_side")
            try:
                spark.sql(merge_side_sql(side, view + "_side", merge["keys"], mode))
            finally:
                _forget(spark, view + "_side")
    crash_point("after_tombstones")
    if n:
        purge_tombstones(spark, job, side, now)


_WIDTH = {"string": 20, "binary": 20, "decimal": 16}  # Spark's default sizes; others 8 or less


def sized(spark: Any, df: Any, columns: list[str], rows: int) -> Any:
    """`df` as the source of a MERGE, hinted for broadcast when its match columns fit
    Spark's broadcast threshold with the row count the run has already counted.

    A MERGE's source here is a checkpoint (or drawn from one), whose size Spark estimates
    as that of the joins before it, far too large: without the hint the MERGE finds the
    files to rewrite by shuffling the whole target for a sort-merge semi join instead of
    broadcasting the few keys (about 0.7 s of a 5 s MERGE into 1M rows). The hint cannot
    apply to the MERGE's outer join itself; Spark keeps that one as it was."""
    limit = int(spark._jsparkSession.sessionState().conf().autoBroadcastJoinThreshold())
    types = [df.schema[c].dataType.typeName() for c in columns]
    width = 8 + sum(_WIDTH.get(t, 8) for t in types) + 16  # null bits, values, hash entry
    return F.broadcast(df) if 0 <= rows * width <= limit else df


def purge_tombstones(spark: Any, job: PipelineJob, side: str, now: datetime.datetime) -> None:
    """Drop tombstones older than the retention (a run that changed something only)."""
    merge = job["merge"]
    assert merge is not None
    days = merge["tombstone_retention_days"] or DEFAULT_RETENTION_DAYS
    cutoff = (now - datetime.timedelta(days=days)).strftime("%Y-%m-%d %H:%M:%S.%f")
    cond = f"{DELETED} AND _deleted_at < TIMESTAMP '{cutoff}'"
    if spark.table(side).where(cond).limit(1).count():
        spark.sql(f"DELETE FROM {side} WHERE {cond}")
        log(job["name"], f"purged tombstones older than {days} day(s)")


def _forget(spark: Any, view: str) -> None:
    spark._jsparkSession.sessionState().catalog().dropTempView(view)
