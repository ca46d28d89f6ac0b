"""Rows the native evaluator removes and quarantines == a plain-Python oracle (real Spark).

The verdict counts are proven equal to GX by test_quality_equivalence.py; this file proves
the per-row side: which rows `drop`/`quarantine` checks remove, the `_failed_checks` lists,
the counts, for unique checks flagged through a join to their duplicate keys (broadcast or
shuffled), with NULLs in single and compound keys; the rows removed counted from one key
set's duplicate groups, or by one more pass when two drop/quarantine key sets have some.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from alur_compiler.ir import Action, Check, CheckType
from alur_compiler.ir.check_sql import lower_check
from alur_runtime import quality
from alur_runtime.quality import evaluate_checks

pytestmark = pytest.mark.spark
T = CheckType
SCHEMA = "k int, k2 int, n int, s string"
CHECKS = (
    Check("uq", T.UNIQUE, Action.QUARANTINE, ("k",)),
    Check("uq2", T.UNIQUE, Action.DROP, ("k2", "k"), mostly=0.5),
    Check("bt", T.BETWEEN, Action.DROP, ("n",), min=0),
    Check("nn", T.NOT_NULL, Action.WARN, ("s",)),
    Check("ex", T.EXPRESSION, Action.WARN, sql="n > k"),
    Check("uq_again", T.UNIQUE, Action.WARN, ("k",), mostly=0.9),
)
#: The same checks with a single drop/quarantine key set: the rows removed are then
#: counted from the duplicate groups, without a pass over the joined rows.
ONE_BLOCKING_KEY_SET = tuple(
    Check(c.name, c.type, Action.WARN, c.columns, mostly=c.mostly) if c.name == "uq2" else c
    for c in CHECKS
)
Row = tuple[Any, ...]


def _oracle_flags(rows: list[Row]) -> list[list[str]]:
    """Per row, the names of the checks that flag it, in check order (specs/checks.md)."""
    keys = Counter(r[0] for r in rows if r[0] is not None)
    pairs = Counter((r[0], r[1]) for r in rows if not (r[0] is None and r[1] is None))
    out = []
    for k, k2, n, s in rows:
        flagged = {
            "uq": k is not None and keys[k] > 1,
            "uq2": not (k is None and k2 is None) and pairs[(k, k2)] > 1,
            "bt": n is not None and n < 0,
            "nn": s is None,
            "ex": n is None or k is None or not n > k,
        }
        flagged["uq_again"] = flagged["uq"]
        out.append([c.name for c in CHECKS if flagged[c.name]])
    return out


def _expect(
    rows: list[Row], checks: tuple[Check, ...] = CHECKS
) -> tuple[Counter[Row], Counter[Row], dict[str, int]]:
    passed: Counter[Row] = Counter()
    quarantined: Counter[Row] = Counter()
    unexpected = dict.fromkeys((c.name for c in checks), 0)
    quarantining = {c.name for c in checks if c.action is Action.QUARANTINE}
    dropping = {c.name for c in checks if c.action is Action.DROP}
    for row, names in zip(rows, _oracle_flags(rows), strict=True):
        for name in names:
            unexpected[name] += 1
        if quarantining & set(names):
            quarantined[(*row, tuple(names))] += 1
        elif not dropping & set(names):
            passed[row] += 1
    return passed, quarantined, unexpected


def _check_against_oracle(spark: Any, rows: list[Row], checks: tuple[Check, ...] = CHECKS) -> None:
    df = spark.createDataFrame(rows, SCHEMA)
    out = evaluate_checks(df, [lower_check(c) for c in checks])
    passed, quarantined, unexpected = _expect(rows, checks)
    try:
        assert Counter(tuple(r) for r in out.passed_df.collect()) == passed
        assert out.passed_df.columns == ["k", "k2", "n", "s"]
        got_q = Counter((*tuple(r)[:4], tuple(r[4])) for r in out.quarantine_df.collect())
        assert got_q == quarantined
        assert out.quarantine_df.columns == ["k", "k2", "n", "s", "_failed_checks"]
        assert {r["name"]: r["unexpected_count"] for r in out.results} == unexpected
        n_passed, n_quarantined = sum(passed.values()), sum(quarantined.values())
        assert out.counts == {
            "row_count": len(rows),
            "rows_dropped": len(rows) - n_passed - n_quarantined,
            "rows_passed": n_passed,
            "rows_quarantined": n_quarantined,
        }
    finally:
        out.unpersist()


small = st.none() | st.integers(-2, 2)
rows_strategy = st.lists(
    st.tuples(small, small, small, st.none() | st.sampled_from(["a", "b"])), max_size=14
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=rows_strategy)
def test_removed_and_quarantined_rows_match_the_oracle(spark: Any, rows: list[Row]) -> None:
    _check_against_oracle(spark, rows)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=rows_strategy)
def test_rows_removed_counted_from_one_key_sets_duplicate_groups(
    spark: Any, rows: list[Row]
) -> None:
    _check_against_oracle(spark, rows, ONE_BLOCKING_KEY_SET)


ROWS = [
    (1, None, 5, "a"),
    (1, None, -1, "b"),  # k dup (quarantine), (k2, k) = (NULL, 1) dup: NULLs compare equal
    (None, None, 3, None),  # all-NULL key: neither unique check considers it
    (None, None, 4, "a"),
    (2, 7, 1, "a"),
    (3, 7, -5, "a"),  # dropped by bt only
]


def test_shuffled_join_when_too_many_duplicate_keys(
    spark: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(quality, "_BROADCAST_MAX_GROUPS", 0)
    _check_against_oracle(spark, ROWS)


def test_rows_removed_with_duplicates_in_two_key_sets_need_one_more_pass(
    spark: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    passes: list[int] = []
    real = quality._rows_removed

    def spy(stats: dict[str, Any], joined: Any, *args: Any) -> dict[str, int]:
        calls: list[int] = []

        def counted() -> Any:
            calls.append(1)
            return joined()

        out = real(stats, counted, *args)
        passes.append(len(calls))
        return out

    monkeypatch.setattr(quality, "_rows_removed", spy)
    _check_against_oracle(spark, ROWS)  # (1, NULL) duplicates k and (k2, k)
    _check_against_oracle(spark, ROWS, ONE_BLOCKING_KEY_SET)
    _check_against_oracle(spark, ROWS[2:])  # no duplicate at all
    assert passes == [1, 0, 0]


def test_known_rows(spark: Any) -> None:
    passed, quarantined, _ = _expect(ROWS)
    assert sorted(passed, key=str) == [(2, 7, 1, "a"), (None, None, 3, None), (None, None, 4, "a")]
    assert sorted(quarantined, key=str) == [
        (1, None, -1, "b", ("uq", "uq2", "bt", "ex", "uq_again")),
        (1, None, 5, "a", ("uq", "uq2", "uq_again")),
    ]
    _check_against_oracle(spark, ROWS)
    _check_against_oracle(spark, ROWS, ONE_BLOCKING_KEY_SET)


def test_no_duplicates_means_no_join(spark: Any) -> None:
    df = spark.createDataFrame([(1, 1, 1, "a"), (2, 2, 2, "b")], SCHEMA)
    out = evaluate_checks(df, [lower_check(c) for c in CHECKS])
    plan = out.passed_df._jdf.queryExecution().analyzed().toString()
    assert "Join" not in plan
    assert out.passed_df.count() == 2
    assert out.quarantine_df.count() == 0
    out.unpersist()


def test_input_is_cached_once_only_when_costly(spark: Any) -> None:
    local = spark.createDataFrame(ROWS, SCHEMA)
    cached = spark.range(10).selectExpr("id AS k").cache()
    try:
        assert not quality._cheap_to_recompute(local)  # Python rows: recomputing runs Python
        assert quality._cheap_to_recompute(cached)
        assert quality._cheap_to_recompute(cached.where("k > 2").selectExpr("k + 1 AS k"))
        assert not quality._cheap_to_recompute(cached.groupBy("k").count())
        assert not quality._cheap_to_recompute(cached.selectExpr("rand() AS r"))
        costly = spark.range(10).selectExpr("id % 3 AS k").groupBy("k").count()
        rows = Check("rows", T.ROW_COUNT_BETWEEN, Action.WARN, min=1)
        out = evaluate_checks(costly, [lower_check(rows)])
        assert out.passed_df.storageLevel.useMemory  # publishing reads the cached rows
        assert not costly.storageLevel.useMemory  # the caller's plan is not cached
        out.unpersist()
        assert not out.passed_df.storageLevel.useMemory
    finally:
        cached.unpersist()
