"""Native data-quality evaluation inside a job: every count in one Spark job.

Pure PySpark + stdlib (this source is inlined verbatim into generated Glue scripts). The
checks are the dicts produced at compile time by `alur_compiler.backends.quality.native`
(notes/contracts.md §1); semantics are specified in specs/checks.md and proven equal to
Great Expectations 1.x by tests/integration/test_quality_equivalence.py.

All counts come from ONE `collect` of a union of single-row branches (maps of counts), so
Spark plans once and runs the branches' stages side by side:

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
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

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
    checks: Sequence[dict[str, Any]],
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
    row: list[tuple[int, dict[str, Any]]],
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


def _key(check: dict[str, Any]) -> tuple[str, ...]:
    """The key set of a unique check (order does not change which rows are duplicates)."""
    return tuple(sorted(set(check["columns"])))


class _KeySet(NamedTuple):
    """One distinct key set of the unique checks."""

    k: int
    considered: str
    flagged: bool  # rows are flagged (drop/quarantine, or `_failed_checks` lists it)
    blocking: bool  # a drop/quarantine check on it: flagged rows are not published
    quarantining: bool  # a quarantine check on it: flagged rows go to quarantine


def _key_sets(row: list[tuple[int, dict[str, Any]]]) -> dict[tuple[str, ...], _KeySet]:
    """Distinct key sets of the unique checks, in order of first use.

    Rows are flagged for a key set of a `drop`/`quarantine` unique check, and for every key
    set when some check quarantines (`_failed_checks` names all row checks).
    """
    quarantining = any(c["action"] == "quarantine" for _, c in row)
    out: dict[tuple[str, ...], _KeySet] = {}
    for _, c in row:
        if c["type"] == "unique":
            old = out.get(_key(c), _KeySet(len(out), c["considered_expr"], False, False, False))
            blocking = old.blocking or c["action"] in _BLOCKING
            out[_key(c)] = old._replace(
                flagged=old.flagged or quarantining or blocking,
                blocking=blocking,
                quarantining=old.quarantining or c["action"] == "quarantine",
            )
    return out


def _other_flags(row: list[tuple[int, dict[str, Any]]]) -> dict[str, str]:
    """SQL of "a non-unique drop/quarantine check flags the row" (`b`) and quarantine (`q`)."""
    out = {}
    for name, actions in (("b", _BLOCKING), ("q", ("quarantine",))):
        parts = [
            f"coalesce(({c['fail_expr']}), FALSE)"
            for _, c in row
            if c["type"] != "unique" and c["action"] in actions
        ]
        if parts:
            out[name] = " OR ".join(parts)
    return out


def _dup_groups(
    source: Any, keysets: dict[tuple[str, ...], _KeySet], other: dict[str, str], held: list[Any]
) -> dict[tuple[str, ...], Any]:
    """Per key set, its duplicate groups, one row each (lazy; cached when rows are flagged).

    Columns: the key (`__alur_k<k>_<j>`), the group's row count `__alur_c`, and how many of
    its rows other drop (`__alur_b`) and quarantine (`__alur_q`) checks flag, when needed
    to count the rows removed without a join (`_rows_removed`). Counted with window
    functions over the rows partitioned by the key (NULLs equal, as in a group-by): one
    shuffle of the key columns, then a sort, and no hash aggregation of ~one group per row
    on the map side, which is what a group-by costs when most keys are unique.
    """
    out: dict[tuple[str, ...], Any] = {}
    for cols, ks in keysets.items():
        names = [f"__alur_k{ks.k}_{j}" for j in range(len(cols))]
        keys = ", ".join(names)
        group = f"PARTITION BY {keys} ORDER BY {keys}"
        whole = f"({group} ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)"
        inner = [f"{_q_ident(c)} AS {n}" for c, n in zip(cols, names, strict=True)]
        outer = [*names, f"count(1) OVER {whole} AS __alur_c"]
        for extra, needed in (("b", ks.blocking), ("q", ks.quarantining)):
            if needed and extra in other:
                inner.append(f"({other[extra]}) AS __alur_f{extra}")
                outer.append(f"count(CASE WHEN __alur_f{extra} THEN 1 END) OVER {whole}")
                outer[-1] += f" AS __alur_{extra}"
        outer.append(f"row_number() OVER ({group}) AS __alur_n")
        rows = source.where(ks.considered).selectExpr(*inner).selectExpr(*outer)
        found = rows.where("__alur_c > 1 AND __alur_n = 1").drop("__alur_n")
        if ks.flagged:
            found = found.cache()  # filled by the counting job, read again to flag rows
            held.append(found)
        out[cols] = found
    return out


def _ref_keys(
    checks: Sequence[dict[str, Any]], lookup: Callable[[str], Any] | None
) -> tuple[dict[int, Any], dict[int, str]]:
    """Per relationship check: its target's key column (`__alur_r`), or why it cannot be read."""
    refs: dict[int, Any] = {}
    errors: dict[int, str] = {}
    for i, c in enumerate(checks):
        if c["type"] != "relationship":
            continue
        try:
            if lookup is None:
                raise ValueError(f"relationship check {c['name']} needs lookup({c['ref_table']!r})")
            ref = lookup(c["ref_table"])
            refs[i] = ref.selectExpr(f"{_q_ident(c['ref_column'])} AS __alur_r")
        except Exception as exc:  # a missing or unreadable lookup table is a failed check
            errors[i] = f"{type(exc).__name__}: {exc}"
    return refs, errors


def _count(
    source: Any,
    checks: Sequence[dict[str, Any]],
    other: dict[str, str],
    keysets: dict[tuple[str, ...], _KeySet],
    groups: dict[tuple[str, ...], Any],
    refs: dict[int, Any],
    errors: dict[int, str],
) -> dict[str, Any]:
    """Every count in ONE Spark job: a union of single-row branches, each a map of counts.

    If the job fails while relationship branches are in it, it runs again without them and
    each relationship is counted on its own: a target that fails to read fails its check only.
    """
    branches = [_main_branch(source, checks, other)]
    branches += [_group_branch(found, keysets[cols].k) for cols, found in groups.items()]
    if refs:
        orphans = [_orphan_branch(source, checks[i], i, ref) for i, ref in refs.items()]
        try:
            return _collect(branches + orphans)
        except Exception:  # find out below which target fails (if any does)
            pass
    stats = _collect(branches)
    for i, ref in refs.items():
        try:
            stats.update(_collect([_orphan_branch(source, checks[i], i, ref)]))
        except Exception as exc:  # an unreadable lookup table is a failed check
            errors[i] = f"{type(exc).__name__}: {exc}"
    return stats


def _collect(branches: list[Any]) -> dict[str, Any]:
    union = branches[0]
    for branch in branches[1:]:
        union = union.unionAll(branch)
    stats: dict[str, Any] = {}
    for got in union.collect():
        stats.update(got[0])
    return stats


def _counts_map(pairs: list[tuple[str, str]]) -> str:
    return "map(" + ", ".join(f"'{name}', CAST({sql} AS BIGINT)" for name, sql in pairs) + ")"


def _main_branch(source: Any, checks: Sequence[dict[str, Any]], other: dict[str, str]) -> Any:
    """One aggregation over the rows: `n`, `e<i>`/`u<i>` per row check (but the unique
    counts), `ts<i>` per freshness check, `e<i>` per relationship, `ob`/`oq` (other flags)."""
    aggs = [("n", "count(1)")]
    for i, c in enumerate(checks):
        if c["level"] == "row":
            aggs.append((f"e{i}", f"count_if({c['considered_expr']})"))
            if c["type"] != "unique":
                aggs.append((f"u{i}", f"count_if(coalesce(({c['fail_expr']}), FALSE))"))
        elif c["type"] == "freshness":
            column = _q_ident(c["column"])
            aggs.append((f"ts{i}", f"unix_micros(CAST(max({column}) AS TIMESTAMP))"))
        elif c["type"] == "relationship":
            aggs.append((f"e{i}", f"count_if({_q_ident(c['column'])} IS NOT NULL)"))
    aggs += [(f"o{name}", f"count_if({sql})") for name, sql in other.items()]
    return source.selectExpr(_counts_map(aggs) + " AS m")


def _group_branch(found: Any, k: int) -> Any:
    """`g<k>` duplicate groups and `r<k>` rows in them (+ `b<k>`/`q<k>`) of key set k."""
    pairs = [(f"g{k}", "count(1)"), (f"r{k}", "coalesce(sum(__alur_c), 0)")]
    for extra in ("b", "q"):
        if f"__alur_{extra}" in found.columns:
            pairs.append((f"{extra}{k}", f"coalesce(sum(__alur_{extra}), 0)"))
    return found.selectExpr(_counts_map(pairs) + " AS m")


def _orphan_branch(source: Any, c: dict[str, Any], i: int, ref: Any) -> Any:
    """`o<i>`: rows whose non-null column value is absent from the target (a left-anti join;
    Spark broadcasts the target when it is small, else shuffles both sides)."""
    keys = source.selectExpr(f"{_q_ident(c['column'])} AS __alur_k").where("__alur_k IS NOT NULL")
    orphans = keys.join(ref, keys["__alur_k"] == ref["__alur_r"], "left_anti")
    return orphans.selectExpr(_counts_map([(f"x{i}", "count(1)")]) + " AS m")


def _joined(
    source: Any,
    keysets: dict[tuple[str, ...], _KeySet],
    groups: dict[tuple[str, ...], Any],
    stats: dict[str, Any],
) -> tuple[Any, list[str]]:
    """(rows with a duplicate marker `__alur_d<k>` per flagged key set, helper columns).

    Only key sets with duplicates are joined (a left join to the duplicate keys, NULLs
    equal for several columns as in the partitioning), broadcast when they are few.
    """
    from pyspark.sql import functions as F

    base, helpers = source, []
    for cols, ks in keysets.items():
        n_groups = int(stats[f"g{ks.k}"])
        if not ks.flagged or n_groups == 0:
            continue
        names = [f"__alur_k{ks.k}_{j}" for j in range(len(cols))]
        right = groups[cols].selectExpr(*names, f"TRUE AS __alur_d{ks.k}")
        if n_groups <= _BROADCAST_MAX_GROUPS:
            right = F.broadcast(right)
        op = "=" if len(cols) == 1 else "<=>"
        on = " AND ".join(f"{_q_ident(c)} {op} {n}" for c, n in zip(cols, names, strict=True))
        base = base.join(right, F.expr(on), "left")
        helpers += [*names, f"__alur_d{ks.k}"]
    return base, helpers


def _flags(
    row: list[tuple[int, dict[str, Any]]],
    keysets: dict[tuple[str, ...], _KeySet],
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
                flags[i] = f"(__alur_d{ks.k} IS NOT NULL)" if joined else "FALSE"
    return flags


def _rows_removed(
    stats: dict[str, Any],
    joined: Callable[[], tuple[Any, list[str]]],
    row: list[tuple[int, dict[str, Any]]],
    keysets: dict[tuple[str, ...], _KeySet],
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
    errors: dict[int, str],
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
