"""Native data-quality evaluation inside a job: one aggregation pass over the input.

Pure PySpark + stdlib (this source is inlined verbatim into generated Glue scripts). The
checks are the dicts produced at compile time by `alur_compiler.backends.quality.native`
(notes/contracts.md §1); semantics are specified in specs/checks.md and proven equal to
Great Expectations 1.x by tests/integration/test_quality_equivalence.py.

- Row checks: every unexpected count, considered count and the row count (and the max of
  every freshness column) come from ONE `agg` pass over the input (`count_if(fail_expr)`),
  without materialising a flag table.
- `unique`: one group-by on just the key columns per distinct key set (not a window over
  whole rows): the unexpected count is the number of rows in groups of more than one
  considered row. Rows are flagged (for drop/quarantine) by a left join to those duplicate
  keys, broadcast when they are few.
- Relationship: one left-anti-join count per check against `lookup(ref_table)`.
- Verdict (GX's rule): success iff the table is empty, or no row is considered, or
  (considered - unexpected) / considered >= mostly, computed in floating point.
- `drop` / `quarantine` checks remove every row they flag, whatever the verdict; `mostly`
  only decides the verdict. `fail` checks never remove rows: an unsuccessful one sets
  `.failed`, and then nothing may be published.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable, Sequence
from typing import Any

_BLOCKING = ("drop", "quarantine")
#: At most this many duplicate key groups are broadcast to flag rows; more use a shuffle join.
_BROADCAST_MAX_GROUPS = 500_000
#: Plan nodes that are cheap to recompute on top of a cached relation (no shuffle, no UDF).
_CHEAP_NODES = frozenset({"Project", "Filter", "InMemoryRelation", "LocalRelation"})


def _q_ident(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


def _epoch_micros(now: Any) -> int:
    if now is None:
        now = _dt.datetime.now(_dt.UTC)
    if isinstance(now, (int, float)):
        return int(now * 1_000_000)
    if now.tzinfo is None:  # naive datetimes are UTC, like the Spark session's time zone
        now = now.replace(tzinfo=_dt.UTC)
    delta: _dt.timedelta = now - _dt.datetime(1970, 1, 1, tzinfo=_dt.UTC)
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def mostly_success(considered: int, unexpected: int, mostly: float) -> bool:
    """GX 1.x `_mostly_success`, including its vacuous truth for zero rows."""
    if considered == 0:
        return True
    ratio = (float(considered) - float(unexpected)) / float(considered)
    return ratio >= mostly


class QualityOutcome:
    """The verdicts of one evaluation and the DataFrames to publish and quarantine."""

    def __init__(
        self,
        results: list[dict[str, Any]],
        passed_df: Any,
        quarantine_df: Any,
        counts: dict[str, int],
        cached: Sequence[Any] = (),
    ) -> None:
        self.results = results
        self.passed_df = passed_df
        self.quarantine_df = quarantine_df
        self.counts = counts
        self._cached = list(cached)

    @property
    def failed(self) -> bool:
        """True when a `fail` check is unsuccessful: nothing may be published."""
        return any(r["action"] == "fail" and not r["success"] for r in self.results)

    @property
    def warnings(self) -> list[str]:
        """Names of unsuccessful checks that do not fail the run."""
        return [r["name"] for r in self.results if not r["success"] and r["action"] != "fail"]

    def report(self) -> dict[str, Any]:
        return {"checks": self.results, "failed": self.failed, **self.counts}

    def unpersist(self) -> None:
        """Release what the evaluation cached (never the caller's own cache)."""
        for held in self._cached:
            held.unpersist()
        self._cached = []


def evaluate_checks(
    df: Any,
    checks: Sequence[dict[str, Any]],
    *,
    lookup: Callable[[str], Any] | None = None,
    now: Any = None,
    cache: bool = True,
) -> QualityOutcome:
    """Evaluate `checks` on `df` (see the module docstring and specs/checks.md).

    `cache=True` (the default, for jobs) caches the input once, unless it is cached already
    or only filters/projects cached rows, so that the counting passes and the writes of
    `passed_df` / `quarantine_df` read the same rows without recomputing the job's SQL. Pass
    False when the caller guarantees that itself.
    """
    held: list[Any] = []
    source = df
    if checks and cache and not _cheap_to_recompute(df):
        source = df.select("*").cache()  # a new plan: unpersisting it spares the caller's df
        held.append(source)
    row = [(i, c) for i, c in enumerate(checks) if c["level"] == "row"]
    keysets = _key_sets(row)
    dups, dup_stats = _duplicates(source, keysets, held)
    base, flags, helpers = _flag(source, row, keysets, dups, dup_stats)
    stats = _aggregate(base, checks, flags)
    for i, c in row:
        if c["type"] == "unique":
            stats[f"u{i}"] = dup_stats[_key(c)][1]
    micros = _epoch_micros(now)
    results = [_verdict(i, c, stats, source, lookup, micros) for i, c in enumerate(checks)]
    return _outcome(results, source, base, row, flags, helpers, stats, held)


def _outcome(
    results: list[dict[str, Any]],
    source: Any,
    base: Any,
    row: list[tuple[int, dict[str, Any]]],
    flags: dict[int, str],
    helpers: list[str],
    stats: dict[str, Any],
    held: list[Any],
) -> QualityOutcome:
    """The rows to publish and to quarantine (lazy DataFrames) and the row counts."""
    blocking = [flags[i] for i, c in row if c["action"] in _BLOCKING]
    passed = source
    if blocking:
        passed = base.where("NOT (" + " OR ".join(blocking) + ")").drop(*helpers)
    quarantine = None
    if any(c["action"] == "quarantine" for _, c in row):
        quarantine = _quarantine(base, row, flags, helpers)
    counts = {
        "row_count": stats["n"],
        "rows_dropped": stats.get("blocked", 0) - stats.get("quarantined", 0),
        "rows_passed": stats["n"] - stats.get("blocked", 0),
        "rows_quarantined": stats.get("quarantined", 0),
    }
    return QualityOutcome(results, passed, quarantine, counts, held)


def _cheap_to_recompute(df: Any) -> bool:
    """True when `df` is cached, or only projects/filters cached rows (deterministically).

    (A LogicalRDD, e.g. a Glue DynamicFrame's toDF() or Python rows, is not: it re-reads.)
    """
    try:
        level = df.storageLevel
        if level.useMemory or level.useDisk:
            return True
        return _cheap_plan(df._jdf.queryExecution().withCachedData())
    except Exception:  # an internal API differs: caching is always correct
        return False


def _cheap_plan(node: Any) -> bool:
    name = node.nodeName()
    if name not in _CHEAP_NODES or not node.deterministic():
        return False
    if name == "InMemoryRelation":
        return True
    children = node.children()
    return all(_cheap_plan(children.apply(j)) for j in range(children.size()))


def _key(check: dict[str, Any]) -> tuple[str, ...]:
    """The key set of a unique check (order does not change which rows are duplicates)."""
    return tuple(sorted(set(check["columns"])))


def _key_sets(
    row: list[tuple[int, dict[str, Any]]],
) -> dict[tuple[str, ...], tuple[int, str, bool]]:
    """Distinct key sets of the unique checks -> (index, considered_expr, rows flagged?).

    Rows are flagged for a key set of a `drop`/`quarantine` unique check, and for every key
    set when some check quarantines (`_failed_checks` names all row checks).
    """
    quarantining = any(c["action"] == "quarantine" for _, c in row)
    out: dict[tuple[str, ...], tuple[int, str, bool]] = {}
    for _, c in row:
        if c["type"] == "unique":
            k, _, flag = out.get(_key(c), (len(out), "", False))
            flag = flag or quarantining or c["action"] in _BLOCKING
            out[_key(c)] = (k, c["considered_expr"], flag)
    return out


def _duplicates(
    source: Any,
    keysets: dict[tuple[str, ...], tuple[int, str, bool]],
    held: list[Any],
) -> tuple[dict[tuple[str, ...], Any], dict[tuple[str, ...], tuple[int, int]]]:
    """Per key set: the duplicate keys (cached if rows are flagged) and (groups, rows)."""
    dups: dict[tuple[str, ...], Any] = {}
    stats: dict[tuple[str, ...], tuple[int, int]] = {}
    for cols, (k, considered, flagged) in keysets.items():
        names = [f"__alur_k{k}_{j}" for j in range(len(cols))]
        keyed = source.where(considered).selectExpr(
            *[f"{_q_ident(c)} AS {n}" for c, n in zip(cols, names, strict=True)]
        )
        found = keyed.groupBy(*names).agg({"*": "count"}).toDF(*names, "__alur_c")
        found = found.where("__alur_c > 1")
        if flagged:
            found = found.cache()
            held.append(found)
        got = found.selectExpr("count(1) AS g", "coalesce(sum(__alur_c), 0) AS r").collect()[0]
        dups[cols], stats[cols] = found, (int(got["g"]), int(got["r"]))
    return dups, stats


def _flag(
    source: Any,
    row: list[tuple[int, dict[str, Any]]],
    keysets: dict[tuple[str, ...], tuple[int, str, bool]],
    dups: dict[tuple[str, ...], Any],
    dup_stats: dict[tuple[str, ...], tuple[int, int]],
) -> tuple[Any, dict[int, str], list[str]]:
    """(rows with duplicate markers joined, SQL flag per flaggable row check, helper columns).

    Only key sets with duplicates are joined (a left join to the few duplicate keys, NULLs
    equal for several columns as in the group-by); every other flag is the check's SQL.
    """
    from pyspark.sql import functions as F

    base, helpers, flags = source, [], {}
    marker: dict[tuple[str, ...], str] = {}
    for cols in sorted(dups, key=lambda c: keysets[c][0]):
        (k, _, flagged), (groups, _) = keysets[cols], dup_stats[cols]
        if not flagged or groups == 0:
            marker[cols] = "FALSE"
            continue
        names = [f"__alur_k{k}_{j}" for j in range(len(cols))]
        right = dups[cols].selectExpr(*names, f"TRUE AS __alur_d{k}")
        if groups <= _BROADCAST_MAX_GROUPS:
            right = F.broadcast(right)
        op = "=" if len(cols) == 1 else "<=>"
        on = " AND ".join(f"{_q_ident(c)} {op} {n}" for c, n in zip(cols, names, strict=True))
        base = base.join(right, F.expr(on), "left")
        helpers += [*names, f"__alur_d{k}"]
        marker[cols] = f"(__alur_d{k} IS NOT NULL)"
    for i, c in row:
        if c["type"] != "unique":
            flags[i] = f"coalesce(({c['fail_expr']}), FALSE)"
        elif keysets[_key(c)][2]:
            flags[i] = marker[_key(c)]
    return base, flags, helpers


def _aggregate(
    base: Any, checks: Sequence[dict[str, Any]], flags: dict[int, str]
) -> dict[str, Any]:
    """All counts in one pass: `n`, `u<i>`/`e<i>` per row check, `ts<i>`/`e<i>` per table one.

    (`u<i>` of a unique check comes from its group-by, see `_duplicates`.)
    """
    aggs = ["count(1) AS n"]
    for i, c in enumerate(checks):
        if c["level"] == "row":
            aggs.append(f"count_if({c['considered_expr']}) AS e{i}")
            if c["type"] != "unique":
                aggs.append(f"count_if({flags[i]}) AS u{i}")
        elif c["type"] == "freshness":
            aggs.append(f"unix_micros(CAST(max({_q_ident(c['column'])}) AS TIMESTAMP)) AS ts{i}")
        elif c["type"] == "relationship":
            aggs.append(f"count_if({_q_ident(c['column'])} IS NOT NULL) AS e{i}")
    blocking = [flags[i] for i, c in enumerate(checks) if i in flags and c["action"] in _BLOCKING]
    quarantining = [
        flags[i] for i, c in enumerate(checks) if i in flags and c["action"] == "quarantine"
    ]
    if blocking:
        aggs.append("count_if(" + " OR ".join(blocking) + ") AS blocked")
    if quarantining:
        aggs.append("count_if(" + " OR ".join(quarantining) + ") AS quarantined")
    result: dict[str, Any] = base.selectExpr(*aggs).collect()[0].asDict()
    return result


def _quarantine(
    base: Any, row: list[tuple[int, dict[str, Any]]], flags: dict[int, str], helpers: list[str]
) -> Any:
    """Rows flagged by a quarantine check, with the names of ALL row checks that flag them."""
    from pyspark.sql import functions as F

    quarantining = [flags[i] for i, c in row if c["action"] == "quarantine"]
    reasons = F.array(*[F.when(F.expr(flags[i]), F.lit(c["name"])) for i, c in row])
    failed = F.filter(reasons, lambda x: x.isNotNull())
    out = base.where(" OR ".join(quarantining)).withColumn("_failed_checks", failed)
    return out.drop(*helpers)


def _base(c: dict[str, Any], level: str, n: int) -> dict[str, Any]:
    return {
        "action": c["action"],
        "element_count": n,
        "level": level,
        "name": c["name"],
        "type": c["type"],
    }


def _verdict(
    i: int,
    c: dict[str, Any],
    stats: dict[str, Any],
    source: Any,
    lookup: Callable[[str], Any] | None,
    now_micros: int,
) -> dict[str, Any]:
    n = int(stats["n"])
    out = _base(c, c["level"], n)
    if c["level"] == "row":
        return {**out, **_ratio(int(stats[f"u{i}"]), int(stats[f"e{i}"]), n, c["mostly"])}
    if c["type"] == "row_count_between":
        ok = _in_range(n, c.get("min"), c.get("max"), c.get("strict_min"), c.get("strict_max"))
        return {
            **out,
            "observed_value": n,
            "success": ok,
            "unexpected_count": None,
            "unexpected_percent": None,
        }
    if c["type"] == "freshness":
        return {**out, **_freshness(stats.get(f"ts{i}"), c.get("max_age_seconds"), now_micros)}
    if c["type"] == "relationship":
        try:
            unexpected = _orphans(source, c, lookup)
        except Exception as exc:  # a missing or unreadable lookup table is a failed check
            return {
                **out,
                "error": f"{type(exc).__name__}: {exc}",
                "success": False,
                "unexpected_count": None,
                "unexpected_percent": None,
            }
        return {**out, **_ratio(unexpected, int(stats[f"e{i}"]), n, c["mostly"])}
    raise ValueError(f"unknown check type {c['type']!r} ({c['name']})")


def _ratio(unexpected: int, considered: int, n: int, mostly: float) -> dict[str, Any]:
    percent = unexpected / considered * 100 if considered > 0 else None
    return {
        "considered_count": considered,
        "success": n == 0 or mostly_success(considered, unexpected, float(mostly)),
        "unexpected_count": unexpected,
        "unexpected_percent": percent,
    }


def _in_range(value: float, lo: Any, hi: Any, strict_lo: Any, strict_hi: Any) -> bool:
    if lo is not None and (value <= lo if strict_lo else value < lo):
        return False
    return not (hi is not None and (value >= hi if strict_hi else value > hi))


def _freshness(latest: int | None, max_age: int | None, now_micros: int) -> dict[str, Any]:
    """Stale when there is no timestamp at all, or now - latest > max_age (in microseconds)."""
    age = None if latest is None else now_micros - int(latest)
    ok = max_age is None or (age is not None and age <= int(max_age) * 1_000_000)
    return {
        "observed_value": None if age is None else age / 1_000_000,
        "success": ok,
        "unexpected_count": None,
        "unexpected_percent": None,
    }


def _orphans(source: Any, c: dict[str, Any], lookup: Callable[[str], Any] | None) -> int:
    """Rows whose non-null column value is absent from lookup(ref_table).ref_column."""
    if lookup is None:
        raise ValueError(f"relationship check {c['name']} needs lookup({c['ref_table']!r})")
    ref = lookup(c["ref_table"]).selectExpr(f"{_q_ident(c['ref_column'])} AS __alur_r")
    keys = source.selectExpr(f"{_q_ident(c['column'])} AS __alur_k").where("__alur_k IS NOT NULL")
    return int(keys.join(ref, keys["__alur_k"] == ref["__alur_r"], "left_anti").count())
