"""Native data-quality evaluation inside a job: every count in one Spark job.

Pure PySpark + stdlib (this source is inlined verbatim into generated Glue scripts). The
checks are the dicts produced at compile time by `alur_compiler.ir.check_sql`
(notes/contracts.md §1); semantics are specified in specs/checks.md and proven equal to
Great Expectations 1.x by tests/integration/test_quality_equivalence.py.

All counts come from ONE `collect` of a union of single-row branches (maps of counts), so
Spark plans once and runs the branches' stages side by side (built in quality_count.py):

- Row pass: every unexpected count (`count_if(fail_expr)`), considered count, the row
  count, the max of every freshness column, and the rows flagged by the non-unique
  drop/quarantine checks, in one aggregation without a flag table.
- `unique`, one branch per distinct key set: window functions over the considered rows
  partitioned by the key (NULLs equal, as in a group-by) give each duplicate group once,
  with its size and how many of its rows other drop/quarantine checks flag. (A group-by
  costs twice as much when most keys are unique: its map side hash-aggregates ~one group
  per row for nothing; the window only shuffles the key columns and sorts them.) The
  unexpected count is the number of rows in groups of more than one considered row.
- Relationship, one branch per check: a left-anti join of the non-NULL column values to
  `lookup(ref_table)` (Spark broadcasts a small target, shuffles a large one). If the job
  fails while relationship branches are in it, it runs again without them and each is
  counted alone, so an unreadable target fails its own check only.
- Rows removed: with duplicates in at most one drop/quarantine key set, arithmetic on the
  counts (rows flagged by other checks + rows of duplicate groups not already flagged);
  otherwise one more pass over the rows joined to their duplicate markers.
- Verdict (GX's rule): success iff the table is empty, or no row is considered, or
  (considered - unexpected) / considered >= mostly, computed in floating point.
- `drop` / `quarantine` checks remove every row they flag, whatever the verdict; `mostly`
  only decides the verdict. `fail` checks never remove rows: an unsuccessful one sets
  `.failed`, and then nothing may be published. `passed_df` / `quarantine_df` flag rows
  by a left join to the (cached) duplicate keys, broadcast when they are few; they are
  built on first use.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from alur_runtime.conform import quote_ident
from alur_runtime.quality_count import (
    _BLOCKING,
    _count,
    _counts_map,
    _dup_groups,
    _Key,
    _key,
    _key_sets,
    _KeySet,
    _other_flags,
    _ref_keys,
)

#: At most this many duplicate key groups are broadcast to flag rows; more use a shuffle join.
_BROADCAST_MAX_GROUPS = 500_000
#: Plan nodes that are cheap to recompute on top of a cached relation (no shuffle, no UDF).
_CHEAP_NODES = frozenset({"Project", "Filter", "InMemoryRelation", "LocalRelation"})


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
    """The verdicts of one evaluation and the DataFrames to publish and quarantine.

    `passed_df` and `quarantine_df` are built on first use (a run whose `fail` check is
    unsuccessful never needs them, and building them costs several plan analyses).
    """

    def __init__(
        self,
        results: list[dict[str, Any]],
        frames: Callable[[], tuple[Any, Any]],
        counts: dict[str, int],
        cached: Sequence[Any] = (),
    ) -> None:
        self.results = results
        self.counts = counts
        self._frames = frames
        self._built: tuple[Any, Any] | None = None
        self._cached = list(cached)

    @property
    def passed_df(self) -> Any:
        """The rows to publish (lazy DataFrame)."""
        return self._dataframes()[0]

    @property
    def quarantine_df(self) -> Any:
        """The rows to quarantine with `_failed_checks`, or None without quarantine checks."""
        return self._dataframes()[1]

    def _dataframes(self) -> tuple[Any, Any]:
        if self._built is None:
            self._built = self._frames()
        return self._built

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
    checks: Sequence[Mapping[str, Any]],
    *,
    lookup: Callable[[str], Any] | None = None,
    now: Any = None,
    cache: bool = True,
) -> QualityOutcome:
    """Evaluate `checks` on `df` (see the module docstring and specs/checks.md).

    `cache=True` (the default, for jobs) caches the input once, unless it is cached already
    or only filters/projects cached rows, so that the counting job and the writes of
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
    other = _other_flags(row)
    groups = _dup_groups(source, keysets, other, held)
    refs, errors = _ref_keys(checks, lookup)
    stats = _count(source, checks, other, keysets, groups, refs, errors)
    flags = _flags(row, keysets, stats)

    def joined() -> tuple[Any, list[str]]:
        return _joined(source, keysets, groups, stats)

    stats.update(_rows_removed(stats, joined, row, keysets, flags))
    for i, c in row:
        if c["type"] == "unique":
            stats[f"u{i}"] = stats[f"r{keysets[_key(c)].k}"]
    micros = _epoch_micros(now)
    results = [_verdict(i, c, stats, errors, micros) for i, c in enumerate(checks)]
    return _outcome(results, source, joined, row, flags, stats, held)


def _outcome(
    results: list[dict[str, Any]],
    source: Any,
    joined: Callable[[], tuple[Any, list[str]]],
    row: list[tuple[int, Mapping[str, Any]]],
    flags: dict[int, str],
    stats: dict[str, Any],
    held: list[Any],
) -> QualityOutcome:
    """The verdicts, the row counts and how to build the rows to publish and to quarantine."""

    def frames() -> tuple[Any, Any]:
        base, helpers = joined()
        blocking = [flags[i] for i, c in row if c["action"] in _BLOCKING]
        passed = source
        if blocking:
            passed = base.where("NOT (" + " OR ".join(blocking) + ")").drop(*helpers)
        quarantine = None
        if any(c["action"] == "quarantine" for _, c in row):
            quarantine = _quarantine(base, row, flags, helpers)
        return passed, quarantine

    counts = {
        "row_count": stats["n"],
        "rows_dropped": stats["blocked"] - stats["quarantined"],
        "rows_passed": stats["n"] - stats["blocked"],
        "rows_quarantined": stats["quarantined"],
    }
    return QualityOutcome(results, frames, counts, held)


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


def _joined(
    source: Any,
    keysets: dict[_Key, _KeySet],
    groups: dict[_Key, Any],
    stats: dict[str, Any],
) -> tuple[Any, list[str]]:
    """(rows with a duplicate marker `__alur_d<k>` per flagged key set, helper columns).

    Only key sets with duplicates are joined (a left join to the duplicate keys, NULLs
    equal for several columns as in the partitioning), broadcast when they are few.
    """
    from pyspark.sql import functions as F

    base, helpers = source, []
    for key, ks in keysets.items():
        cols = ks.columns
        n_groups = int(stats[f"g{ks.k}"])
        if not ks.flagged or n_groups == 0:
            continue
        names = [f"__alur_k{ks.k}_{j}" for j in range(len(cols))]
        right = groups[key].selectExpr(*names, f"TRUE AS __alur_d{ks.k}")
        if n_groups <= _BROADCAST_MAX_GROUPS:
            right = F.broadcast(right)
        op = "=" if len(cols) == 1 else "<=>"
        on = " AND ".join(f"{quote_ident(c)} {op} {n}" for c, n in zip(cols, names, strict=True))
        base = base.join(right, F.expr(on), "left")
        helpers += [*names, f"__alur_d{ks.k}"]
    return base, helpers


def _flags(
    row: list[tuple[int, Mapping[str, Any]]],
    keysets: dict[_Key, _KeySet],
    stats: dict[str, Any],
) -> dict[int, str]:
    """SQL flag per flaggable row check, over the rows `_joined` returns."""
    flags = {}
    for i, c in row:
        if c["type"] != "unique":
            flags[i] = f"coalesce(({c['fail_expr']}), FALSE)"
        else:
            ks = keysets[_key(c)]
            if ks.flagged:
                joined = int(stats[f"g{ks.k}"]) > 0
                # a row outside the check's rows (its `where`) may share a duplicate key
                mark = f"(__alur_d{ks.k} IS NOT NULL AND {ks.considered})"
                flags[i] = mark if joined else "FALSE"
    return flags


def _rows_removed(
    stats: dict[str, Any],
    joined: Callable[[], tuple[Any, list[str]]],
    row: list[tuple[int, Mapping[str, Any]]],
    keysets: dict[_Key, _KeySet],
    flags: dict[int, str],
) -> dict[str, int]:
    """`blocked` (rows not published) and `quarantined` rows.

    With duplicates in at most one drop/quarantine key set K this is arithmetic on the
    counts: blocked = ob + (rows in K's duplicate groups - those other checks block too),
    likewise for quarantine. With several such key sets (the unions overlap) it is one
    more pass over the rows with their duplicate markers joined.
    """
    dup = [ks for ks in keysets.values() if ks.blocking and int(stats[f"g{ks.k}"]) > 0]
    if len(dup) > 1:
        blocking = [flags[i] for i, c in row if c["action"] in _BLOCKING]
        quarantining = [flags[i] for i, c in row if c["action"] == "quarantine"]
        pairs = [("blocked", "count_if(" + " OR ".join(blocking) + ")")]
        pairs.append(("quarantined", "count_if(" + " OR ".join(quarantining or ["FALSE"]) + ")"))
        got = joined()[0].selectExpr(_counts_map(pairs) + " AS m").collect()[0][0]
        return {name: int(got[name]) for name in ("blocked", "quarantined")}
    blocked, quarantined = int(stats.get("ob", 0)), int(stats.get("oq", 0))
    for ks in dup:
        rows = int(stats[f"r{ks.k}"])
        blocked += rows - int(stats.get(f"b{ks.k}", 0))
        if ks.quarantining:
            quarantined += rows - int(stats.get(f"q{ks.k}", 0))
    return {"blocked": blocked, "quarantined": quarantined}


def _quarantine(
    base: Any, row: list[tuple[int, Mapping[str, Any]]], flags: dict[int, str], helpers: list[str]
) -> Any:
    """Rows flagged by a quarantine check, with the names of ALL row checks that flag them."""
    from pyspark.sql import functions as F

    quarantining = [flags[i] for i, c in row if c["action"] == "quarantine"]
    reasons = F.array(*[F.when(F.expr(flags[i]), F.lit(c["name"])) for i, c in row])
    failed = F.filter(reasons, lambda x: x.isNotNull())
    out = base.where(" OR ".join(quarantining)).withColumn("_failed_checks", failed)
    return out.drop(*helpers)


def _base(c: Mapping[str, Any], level: str, n: int) -> dict[str, Any]:
    return {
        "action": c["action"],
        "element_count": n,
        "level": level,
        "name": c["name"],
        "type": c["type"],
    }


def _verdict(
    i: int,
    c: Mapping[str, Any],
    stats: dict[str, Any],
    errors: dict[int, str],
    now_micros: int,
) -> dict[str, Any]:
    n = int(stats[f"w{i}"] if c.get("where") else stats["n"])  # the rows the check applies to
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
        if i in errors:
            return {
                **out,
                "error": errors[i],
                "success": False,
                "unexpected_count": None,
                "unexpected_percent": None,
            }
        return {**out, **_ratio(int(stats[f"x{i}"]), int(stats[f"e{i}"]), n, c["mostly"])}
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
