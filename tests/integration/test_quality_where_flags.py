"""Rows that filtered (`where`) drop/quarantine checks remove == a plain-Python oracle.

A filtered check judges only the rows its filter is TRUE for: it never removes, quarantines
or names in `_failed_checks` a row outside them, also when that row shares a duplicate key
with filtered rows (unique checks flag rows through a join to their duplicate keys). The
verdict counts are proven equal to GX by test_quality_equivalence.py.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from alur_compiler.ir import Action, Check, CheckType
from alur_compiler.ir.check_sql import lower_check
from alur_runtime.quality import evaluate_checks

pytestmark = pytest.mark.spark
T = CheckType
SCHEMA = "k int, k2 int, n int, s string"
Row = tuple[Any, ...]
CHECKS = (
    Check("uq", T.UNIQUE, Action.QUARANTINE, ("k",), where="n > 0"),
    Check("uq2", T.UNIQUE, Action.DROP, ("k2", "k"), where="s = 'a'"),
    Check("bt", T.BETWEEN, Action.DROP, ("n",), min=0, where="k > 0"),
    Check("nn", T.NOT_NULL, Action.WARN, ("s",), where="k2 > 0"),
    Check("ex", T.EXPRESSION, Action.QUARANTINE, sql="n > k", where="s IS NOT NULL"),
    Check("uq_all", T.UNIQUE, Action.WARN, ("k",)),  # same key, no filter: its own key set
)


def _gt(a: Any, b: Any) -> bool | None:
    return None if a is None or b is None else a > b


#: SQL three-valued filters: only True selects a row
FILTERS: dict[str, Callable[[Row], bool | None]] = {
    "uq": lambda r: _gt(r[2], 0),
    "uq2": lambda r: None if r[3] is None else r[3] == "a",
    "bt": lambda r: _gt(r[0], 0),
    "nn": lambda r: _gt(r[1], 0),
    "ex": lambda r: r[3] is not None,
    "uq_all": lambda r: True,
}


def _oracle_flags(rows: list[Row]) -> list[list[str]]:
    inside = {name: [f(r) is True for r in rows] for name, f in FILTERS.items()}
    uq = Counter(r[0] for r, i in zip(rows, inside["uq"], strict=True) if i and r[0] is not None)
    uq_all = Counter(r[0] for r in rows if r[0] is not None)
    pairs = Counter(
        (r[0], r[1])
        for r, i in zip(rows, inside["uq2"], strict=True)
        if i and not (r[0] is None and r[1] is None)
    )
    out = []
    for j, (k, k2, n, s) in enumerate(rows):
        flagged = {
            "uq": k is not None and uq[k] > 1,
            "uq2": not (k is None and k2 is None) and pairs[(k, k2)] > 1,
            "bt": n is not None and n < 0,
            "nn": s is None,
            "ex": _gt(n, k) is not True,
            "uq_all": k is not None and uq_all[k] > 1,
        }
        out.append([c.name for c in CHECKS if flagged[c.name] and inside[c.name][j]])
    return out


def _check_against_oracle(spark: Any, rows: list[Row]) -> None:
    df = spark.createDataFrame(rows, SCHEMA)
    out = evaluate_checks(df, [lower_check(c) for c in CHECKS])
    passed: Counter[Row] = Counter()
    quarantined: Counter[Row] = Counter()
    unexpected = dict.fromkeys((c.name for c in CHECKS), 0)
    for row, names in zip(rows, _oracle_flags(rows), strict=True):
        for name in names:
            unexpected[name] += 1
        if {"uq", "ex"} & set(names):
            quarantined[(*row, tuple(names))] += 1
        elif not {"uq2", "bt"} & set(names):
            passed[row] += 1
    try:
        assert Counter(tuple(r) for r in out.passed_df.collect()) == passed
        got_q = Counter((*tuple(r)[:4], tuple(r[4])) for r in out.quarantine_df.collect())
        assert got_q == quarantined
        assert {r["name"]: r["unexpected_count"] for r in out.results} == unexpected
        counts = {r["name"]: r["element_count"] for r in out.results}
        assert counts == {n: sum(f(r) is True for r in rows) for n, f in FILTERS.items()}
        n_passed, n_quarantined = sum(passed.values()), sum(quarantined.values())
        assert out.counts == {
            "row_count": len(rows),
            "rows_dropped": len(rows) - n_passed - n_quarantined,
            "rows_passed": n_passed,
            "rows_quarantined": n_quarantined,
        }
    finally:
        out.unpersist()


ROWS = [
    (1, 1, 5, "a"),
    (1, 1, 6, "a"),  # duplicates for uq (n > 0) and uq2 (s = 'a')
    (1, 1, -1, "b"),  # shares the key, outside both unique filters: dropped by bt only
    (None, 2, 3, None),
    (2, 2, None, "a"),
]


def test_known_rows(spark: Any) -> None:
    assert _oracle_flags(ROWS)[2] == ["bt", "ex", "uq_all"]  # not uq, not uq2
    _check_against_oracle(spark, ROWS)


small = st.none() | st.integers(-2, 2)
rows_strategy = st.lists(
    st.tuples(small, small, small, st.none() | st.sampled_from(["a", "b"])), max_size=14
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=rows_strategy)
def test_filtered_rows_removed_match_the_oracle(spark: Any, rows: list[Row]) -> None:
    _check_against_oracle(spark, rows)
