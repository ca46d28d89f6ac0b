"""Native data-quality evaluation inside a job: one cached DataFrame, one aggregation pass.

Pure PySpark + stdlib (this source is inlined verbatim into generated Glue scripts). The
checks are the dicts produced at compile time by `alur_compiler.backends.quality.native`
(notes/contracts.md §1); semantics are specified in specs/checks.md and proven equal to
Great Expectations 1.x by tests/integration/test_quality_equivalence.py.

- Row checks: one boolean flag column per check (`fail_expr`, windows for unique); all
  unexpected counts, considered counts and the row count come from ONE `agg` pass, which
  also yields the max of every freshness column.
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

_FLAG = "__alur_q{}"
_BLOCKING = ("drop", "quarantine")


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
        cached: Any = None,
    ) -> None:
        self.results = results
        self.passed_df = passed_df
        self.quarantine_df = quarantine_df
        self.counts = counts
        self._cached = cached

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
        if self._cached is not None:
            self._cached.unpersist()


def evaluate_checks(
    df: Any,
    checks: Sequence[dict[str, Any]],
    *,
    lookup: Callable[[str], Any] | None = None,
    now: Any = None,
    cache: bool = True,
) -> QualityOutcome:
    """Evaluate `checks` on `df` (see the module docstring and specs/checks.md).

    `cache=True` (the default, for jobs) caches the flagged rows so that publishing
    `passed_df` and `quarantine_df` does not recompute the input and the windows; pass False
    when `df` is already cached and will not be written (benchmarks, ad-hoc checks).
    """
    row = [(i, c) for i, c in enumerate(checks) if c["level"] == "row"]
    flags = {i: _FLAG.format(i) for i, _ in row}
    exprs = [f"coalesce(({c['fail_expr']}), FALSE) AS {flags[i]}" for i, c in row]
    # Always a new plan: caching (and later unpersisting) it never touches the caller's df.
    flagged = df.selectExpr("*", *exprs)
    cached = flagged.cache() if checks and cache else None
    stats = _aggregate(flagged, checks, flags)
    results = [
        _verdict(i, c, stats, flagged, lookup, _epoch_micros(now)) for i, c in enumerate(checks)
    ]
    blocking = [flags[i] for i, c in row if c["action"] in _BLOCKING]
    quarantining = [flags[i] for i, c in row if c["action"] == "quarantine"]
    passed = flagged
    if blocking:
        passed = flagged.where("NOT (" + " OR ".join(blocking) + ")")
    quarantine = None
    if quarantining:
        quarantine = _quarantine(flagged, quarantining, row, flags)
    counts = {
        "row_count": stats["n"],
        "rows_dropped": stats.get("blocked", 0) - stats.get("quarantined", 0),
        "rows_passed": stats["n"] - stats.get("blocked", 0),
        "rows_quarantined": stats.get("quarantined", 0),
    }
    drop_cols = list(flags.values())
    return QualityOutcome(results, passed.drop(*drop_cols), quarantine, counts, cached)


def _aggregate(
    flagged: Any, checks: Sequence[dict[str, Any]], flags: dict[int, str]
) -> dict[str, Any]:
    """All counts in one pass: `n`, `u<i>`/`e<i>` per row check, `ts<i>`/`e<i>` per table one."""
    aggs = ["count(1) AS n"]
    for i, c in enumerate(checks):
        if i in flags:
            aggs += [f"count_if({flags[i]}) AS u{i}", f"count_if({c['considered_expr']}) AS e{i}"]
        elif c["type"] == "freshness":
            aggs.append(f"unix_micros(CAST(max({_q_ident(c['column'])}) AS TIMESTAMP)) AS ts{i}")
        elif c["type"] == "relationship":
            aggs.append(f"count_if({_q_ident(c['column'])} IS NOT NULL) AS e{i}")
    blocking = [f for i, f in flags.items() if checks[i]["action"] in _BLOCKING]
    quarantining = [f for i, f in flags.items() if checks[i]["action"] == "quarantine"]
    if blocking:
        aggs.append("count_if(" + " OR ".join(blocking) + ") AS blocked")
    if quarantining:
        aggs.append("count_if(" + " OR ".join(quarantining) + ") AS quarantined")
    result: dict[str, Any] = flagged.selectExpr(*aggs).collect()[0].asDict()
    return result


def _quarantine(
    flagged: Any,
    quarantining: list[str],
    row: list[tuple[int, dict[str, Any]]],
    flags: dict[int, str],
) -> Any:
    from pyspark.sql import functions as F

    reasons = F.array(*[F.when(F.col(flags[i]), F.lit(c["name"])) for i, c in row])
    failed = F.filter(reasons, lambda x: x.isNotNull())
    out = flagged.where(" OR ".join(quarantining)).withColumn("_failed_checks", failed)
    return out.drop(*flags.values())


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
    flagged: Any,
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
            unexpected = _orphans(flagged, c, lookup)
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


def _orphans(flagged: Any, c: dict[str, Any], lookup: Callable[[str], Any] | None) -> int:
    """Rows whose non-null column value is absent from lookup(ref_table).ref_column."""
    if lookup is None:
        raise ValueError(f"relationship check {c['name']} needs lookup({c['ref_table']!r})")
    ref = lookup(c["ref_table"]).selectExpr(f"{_q_ident(c['ref_column'])} AS __alur_r")
    keys = flagged.selectExpr(f"{_q_ident(c['column'])} AS __alur_k").where("__alur_k IS NOT NULL")
    return int(keys.join(ref, keys["__alur_k"] == ref["__alur_r"], "left_anti").count())
