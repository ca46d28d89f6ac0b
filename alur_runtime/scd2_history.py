"""The history difference of an SCD2 run (step 3 of scd2.py), in two parts of the keys.

A key is *appended to* when every new event is later than everything stored for it: it
has a current version, no delete event at or after that version's start and its first new
event is later than that start, or it has no stored event at all (no current version, no
delete event; a stored version without either is impossible: a version ends only at a
later version or at a delete event). Its recomputed history is then the stored one with
the current version closed at the first new event, plus the versions of the new events
among themselves: that is what `recompute` returns for it, computed from the batch and the
key's current version alone (`appended`: no window over the stored history, no full outer
join with it). Every other key (late records, a sequence value equal to a stored one, a
delete event at or after the current version, a deleted key coming back) goes through
`recompute`. Both parts form one frame: one MERGE, one commit. A re-run of the same input
finds every key's events stored (no key is appended to twice); after a crash between the
side table's append and the MERGE, every key with a delete event in the batch finds it
stored, at or after its current version's start or its first new event, so it is
recomputed and repaired.
"""

from __future__ import annotations

from typing import Any

from pyspark.sql import DataFrame, Window
from pyspark.sql import functions as F

from alur_runtime.config import PipelineJob, Scd2
from alur_runtime.conform import quote_ident
from alur_runtime.merge import DELETE, DELETED, SEQ, orderable

OP = "__alur_op"  # I (new version), U (changed), C (closed: valid_to, is_current), D (removed)
_O = "__alur_o_"  # prefix of the stored version's columns in the diff
_CUR = "__alur_cur_from"  # valid_from of the key's current version (NULL: none)
_TOMB = "__alur_last_delete"  # the key's greatest stored delete event
_FIRST = "__alur_first"  # the key's first sequence value in the batch
_NEXT = "__alur_next"  # the next sequence value of the key in the batch
_FAST = "__alur_appended"  # the key is appended to (module docstring)
_TAGS = (_CUR, _FIRST, _NEXT, _FAST)


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


def same(pairs: list[tuple[Any, Any]]) -> Any:
    out = F.lit(True)
    for a, b in pairs:
        out = out & a.eqNullSafe(b)
    return out


def events_by_key(df: DataFrame, job: PipelineJob) -> DataFrame:
    """`greatest_event` by a window over the key only (the first record of each sequence
    value in (sequence, is-delete desc, other columns desc) order), so the batch is
    partitioned once, by key, for this, the join and the window of `tag_keys`."""
    by = [F.col(quote_ident(k)) for k in settings(job)["keys"]]
    order = [F.col(SEQ), F.col(DELETE).desc()]
    order += [F.col(quote_ident(c)).desc_nulls_last() for c in _ties(job)]
    prev = F.lag(F.col(SEQ)).over(Window.partitionBy(*by).orderBy(*order))
    ranked = df.withColumn("__alur_prev", prev)
    first = F.col("__alur_prev").isNull() | (F.col("__alur_prev") != F.col(SEQ))
    return ranked.where(first).drop("__alur_prev")


def tag_keys(spark: Any, job: PipelineJob, batch: DataFrame, names: tuple[str, str]) -> DataFrame:
    """The events of `batch` (records with a sequence value) plus, per event, its key's
    current version start, first and next new sequence values and whether the key is
    appended to (one pass: the current versions and the delete events joined to the
    batch's events, a window over them)."""
    s = settings(job)
    target, side = names
    keys = s["keys"]
    by = [F.col(quote_ident(k)) for k in keys]
    batch = events_by_key(batch, job)
    cur = spark.table(target).where(F.col(quote_ident(s["is_current"])))
    cur = cur.select(*by, F.col(quote_ident(s["valid_from"])).alias(_CUR))
    tomb = spark.table(side).where(F.col(DELETED)).groupBy(*by).agg(F.max(SEQ).alias(_TOMB))
    joined = batch.join(cur, keys, "left").join(tomb, keys, "left")
    per_key = Window.partitionBy(*by)
    first = F.min(SEQ).over(per_key)
    starts, last_delete = F.col(_CUR), F.col(_TOMB)
    later = (last_delete.isNull() | (last_delete < starts)) & (first > starts)
    fast = F.when(starts.isNull(), last_delete.isNull()).otherwise(later)
    return joined.select(
        *[F.col(quote_ident(c)) for c in batch.columns],
        starts,
        first.alias(_FIRST),
        F.lead(SEQ).over(per_key.orderBy(F.col(SEQ))).alias(_NEXT),
        F.coalesce(fast, F.lit(False)).alias(_FAST),
    )


def appended(job: PipelineJob, tagged: DataFrame) -> DataFrame:
    """The difference of the appended keys: their new versions (I) and their current
    version, if any, closed at the first new event (C)."""
    s = settings(job)
    keys, vf, vt, cur = s["keys"], s["valid_from"], s["valid_to"], s["is_current"]
    data = [str(c["name"]) for c in data_columns(job)]
    fast = tagged.where(F.col(_FAST))
    new = fast.where(~F.col(DELETE)).select(
        *[F.col(quote_ident(c)) for c in data],
        F.col(SEQ).alias(vf),
        F.col(_NEXT).alias(vt),
        F.col(_NEXT).isNull().alias(cur),
        F.lit("I").alias(OP),
    )
    kept = [
        F.col(quote_ident(c)) if c in keys else F.lit(None).cast(tagged.schema[c].dataType)
        for c in data
    ]
    closed = fast.where(F.col(_CUR).isNotNull() & (F.col(SEQ) == F.col(_FIRST))).select(
        *[col.alias(c) for col, c in zip(kept, data, strict=True)],
        F.col(_CUR).alias(vf),
        F.col(_FIRST).alias(vt),
        F.lit(False).alias(cur),
        F.lit("C").alias(OP),
    )
    return new.unionByName(closed)


def appended_counts(tagged: DataFrame) -> dict[str, int]:
    """I and C of `appended`, and `slow` (events of the other keys), `deletes` (delete
    events of the batch): one aggregation over the tagged batch."""
    fast, first = F.col(_FAST), F.col(_CUR).isNotNull() & (F.col(SEQ) == F.col(_FIRST))
    sums = {
        "I": fast & ~F.col(DELETE),
        "C": fast & first,
        "slow": ~fast,
        "deletes": F.col(DELETE),
    }
    row = tagged.agg(
        *[F.sum(F.when(cond, 1).otherwise(0)).alias(name) for name, cond in sums.items()]
    ).collect()[0]
    return {name: int(row[name] or 0) for name in sums}


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
    new = events.withColumn(_NEXT, nxt).where(~F.col(DELETE))
    new = new.select(
        *[F.col(quote_ident(c)) for c in data],
        F.col(SEQ).alias(vf),
        F.col(_NEXT).alias(vt),
        F.col(_NEXT).isNull().alias(cur),
        F.lit(True).alias("__alur_has_n"),
    )
    every = [*data, vf, vt, cur]
    o = old.select(
        *[F.col(quote_ident(c)).alias(_O + c) for c in every], F.lit(True).alias("__alur_has_o")
    )
    on = [F.col(quote_ident(c)) == F.col(quote_ident(_O + c)) for c in [*keys, vf]]
    joined = new.join(o, on, "full")
    has_n, has_o = F.col("__alur_has_n").isNotNull(), F.col("__alur_has_o").isNotNull()
    equal = same([(F.col(quote_ident(c)), F.col(quote_ident(_O + c))) for c in every])
    op = F.when(~has_o, "I").when(~has_n, "D").when(~equal, "U")
    ident = {*keys, vf}
    out = [
        (
            F.coalesce(F.col(quote_ident(c)), F.col(quote_ident(_O + c)))
            if c in ident
            else F.col(quote_ident(c))
        ).alias(c)
        for c in every
    ]
    return joined.select(*out, op.alias(OP)).where(F.col(OP).isNotNull())


def history_difference(
    spark: Any, job: PipelineJob, tagged: DataFrame, names: tuple[str, str]
) -> tuple[DataFrame, dict[str, int]]:
    """The whole difference (appended keys, then the recomputed rest) and its counts by
    `__alur_op`, plus `deletes` (the batch's delete events)."""
    counts = appended_counts(tagged)
    diff = appended(job, tagged)
    if counts.pop("slow"):
        rest = tagged.where(~F.col(_FAST)).select(
            *[F.col(quote_ident(c)) for c in tagged.columns if c not in _TAGS]
        )
        changed = recompute(spark, job, rest, names).localCheckpoint(eager=True)
        for r in changed.groupBy(OP).agg(F.count(F.lit(1)).alias("n")).collect():
            counts[r[OP]] = counts.get(r[OP], 0) + int(r["n"])
        diff = diff.unionByName(changed)
    return diff, counts
