"""Equivalence: native evaluator == Great Expectations 1.24 (pandas and Spark), per check.

Hypothesis generates tables (nulls, duplicates, boundary values, unicode, empty tables) and
check parameters for all 10 check types; the suite written by the quality backend is run by
real GX on pandas and on Spark, and the native single-pass evaluator runs on the same
Spark DataFrame. Success and unexpected counts must be equal. The SQL checks (expression,
relationship, freshness) are `unexpected_rows_expectation`s, which GX runs on Spark only.

`make test` runs 12 examples per test; `make fuzz` runs 200 (ALURC_EQUIV_EXAMPLES=200).
"""

from __future__ import annotations

import datetime as dt
import math
import os
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, note, settings
from hypothesis import strategies as st

from alur_compiler.backends.quality.suite import build_suite
from alur_compiler.ir import Action, Check, CheckType, Column, Layer, Project, Table
from alur_compiler.ir.check_sql import native_checks
from alur_runtime.quality import evaluate_checks

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks" / "quality"))
import gxrun

pytestmark = pytest.mark.spark
T = CheckType
EXAMPLES = int(os.environ.get("ALURC_EQUIV_EXAMPLES", "12"))
# Shrinking re-runs GX on Spark hundreds of times (minutes); opt in with ALURC_EQUIV_SHRINK=1.
PHASES = [Phase.explicit, Phase.reuse, Phase.generate]
if os.environ.get("ALURC_EQUIV_SHRINK"):
    PHASES.append(Phase.shrink)
SCHEMA = "k int, k2 int, n int, s string, ts timestamp"
COLUMNS = (
    Column("k", "int"),
    Column("k2", "int"),
    Column("n", "int"),
    Column("s", "string"),
    Column("ts", "timestamp"),
)
SQL_TYPES = {T.EXPRESSION, T.RELATIONSHIP, T.FRESHNESS}
NOW = dt.datetime.now(dt.UTC).replace(tzinfo=None, minute=0, second=0, microsecond=0)
ALPHABET = ["a", "b", "'", "\\", "é", "漢", "🙂", " ", "{"]
PATTERNS = ["^a", "b$", "^[ab]+$", "é", "^.{2}$", "'", "\\\\", "^\\s*$", "[漢🙂]", "a{2}"]
EXPRESSIONS = [
    "n > k",
    "s LIKE 'a%'",
    "coalesce(n, 0) >= 0",
    "char_length(s) < 3 OR k IS NULL",
    "n <> 1",
]

small_int = st.none() | st.integers(-3, 3)
text = st.none() | st.lists(st.sampled_from(ALPHABET), max_size=4).map("".join)
hours = st.none() | st.integers(0, 48)
rows_strategy = st.lists(st.tuples(small_int, small_int, small_int, text, hours), max_size=12)
mostly = st.sampled_from([1.0, 1.0, 0.9, 0.75, 0.5, 0.34])
bound = st.none() | st.integers(-3, 3)
strict = st.booleans()


def _ordered(lo: int | None, hi: int | None) -> tuple[int | None, int | None]:
    """GX rejects min > max (so does the front end): draw bounds in order."""
    if lo is not None and hi is not None and lo > hi:
        return hi, lo
    return lo, hi


@st.composite
def check_params(draw: Any) -> tuple[Check, ...]:
    """One check of every type, parameters drawn (10 types, unique twice)."""
    lo, hi = _ordered(draw(bound), draw(bound))
    if lo is None and hi is None:
        lo = draw(st.integers(-3, 3))
    llo, lhi = _ordered(draw(st.none() | st.integers(0, 4)), draw(st.integers(0, 4)))
    rlo, rhi = _ordered(draw(st.integers(0, 6)), draw(st.none() | st.integers(0, 12)))
    values = tuple(draw(st.lists(st.sampled_from([*ALPHABET, "ab", "a'"]), max_size=4)))
    return (
        Check("nn", T.NOT_NULL, Action.WARN, ("n",), mostly=draw(mostly)),
        Check("uq", T.UNIQUE, Action.WARN, ("k",), mostly=draw(mostly)),
        Check("uq2", T.UNIQUE, Action.WARN, ("k", "k2"), mostly=draw(mostly)),
        Check("av", T.ACCEPTED_VALUES, Action.DROP, ("s",), values=values, mostly=draw(mostly)),
        Check(
            "bt",
            T.BETWEEN,
            Action.DROP,
            ("n",),
            min=lo,
            max=hi,
            strict_min=draw(strict),
            strict_max=draw(strict),
            mostly=draw(mostly),
        ),
        Check(
            "rx",
            T.REGEX,
            Action.WARN,
            ("s",),
            pattern=draw(st.sampled_from(PATTERNS)),
            mostly=draw(mostly),
        ),
        Check(
            "ln",
            T.LENGTH_BETWEEN,
            Action.WARN,
            ("s",),
            min=llo,
            max=lhi,
            strict_min=draw(strict),
            strict_max=draw(strict),
            mostly=draw(mostly),
        ),
        Check("rc", T.ROW_COUNT_BETWEEN, Action.FAIL, min=rlo, max=rhi, strict_min=draw(strict)),
        Check(
            "ex",
            T.EXPRESSION,
            Action.WARN,
            sql=draw(st.sampled_from(EXPRESSIONS)),
            mostly=draw(mostly),
        ),
        Check(
            "rel",
            T.RELATIONSHIP,
            Action.WARN,
            ("k",),
            ref_table="ref_keys",
            ref_column="key",
            mostly=draw(mostly),
        ),
        Check(
            "fr",
            T.FRESHNESS,
            Action.WARN,
            ("ts",),
            max_age_seconds=draw(st.integers(0, 48)) * 3600 + 1800,
        ),
    )


def _project(checks: tuple[Check, ...]) -> Project:
    table = Table("t", Layer.SILVER, COLUMNS, checks=checks)
    return Project("eq", "/nonexistent", (table,), (), (), ())


def _spark_rows(rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    return [(*r[:4], None if r[4] is None else NOW - dt.timedelta(hours=r[4])) for r in rows]


def _same_percent(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is b
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


def _compare(native: dict[str, Any], gx: dict[str, Any], check: Check, engine: str) -> None:
    where = f"{engine} {check.name}"
    assert gx["exception"] is None, where + f": GX raised {gx['exception']}"
    assert native["success"] == gx["success"], where + f": native {native} gx {gx}"
    if check.type is T.ROW_COUNT_BETWEEN:
        assert native["observed_value"] == gx["observed_value"], where
    elif check.type in SQL_TYPES:
        if check.mostly >= 1 and check.type is not T.FRESHNESS:
            assert native["unexpected_count"] == gx["observed_value"], where
    else:
        gx_count = gx["unexpected_count"]
        if gx_count is None and gx["element_count"] == 0:
            gx_count = 0  # GX on Spark sums over no rows: NULL; native reports 0
        assert native["unexpected_count"] == gx_count, where + f" {native} {gx}"
        assert native["element_count"] == gx["element_count"], where
        assert _same_percent(native["unexpected_percent"], gx["unexpected_percent"]), where


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    phases=PHASES,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(rows=rows_strategy, checks=check_params(), ref=st.lists(st.integers(-3, 3), max_size=4))
def test_native_equals_gx_on_pandas_and_spark(
    spark: Any, rows: list[tuple[Any, ...]], checks: tuple[Check, ...], ref: list[int]
) -> None:
    note(f"rows={_spark_rows(rows)!r} ref={ref!r}")
    project = _project(checks)
    suite = build_suite(project, "t")
    df = spark.createDataFrame(_spark_rows(rows), SCHEMA)
    spark.createDataFrame([(r,) for r in ref], "key int").createOrReplaceTempView("ref_keys")
    outcome = evaluate_checks(df, native_checks(project, "t"), lookup=spark.table)
    native = {r["name"]: r for r in outcome.results}
    outcome.unpersist()

    on_spark = gxrun.validate(suite, df, "spark")
    assert [g["check"] for g in on_spark] == [c.name for c in checks]  # none dropped
    for check, gx in zip(checks, on_spark, strict=True):
        _compare(native[check.name], gx, check, "spark")

    pandas_suite = {
        **suite,
        "expectations": [
            e for e in suite["expectations"] if e["type"] != gxrun.SQL_EXPECTATION_TYPE
        ],
    }
    on_pandas = gxrun.validate(pandas_suite, df.drop("ts").toPandas(), "pandas")
    plain = [c for c in checks if c.type not in SQL_TYPES]
    assert [g["check"] for g in on_pandas] == [c.name for c in plain]
    for check, gx in zip(plain, on_pandas, strict=True):
        _compare(native[check.name], gx, check, "pandas")


#: row filters for `where`: NULL for some rows (NULL columns), string, timestamp and
#: arithmetic predicates, one that holds for no row and one for every row
WHERES = [
    "n > 0",
    "k2 IS NULL OR k2 >= 0",
    "s LIKE 'a%'",
    "ts IS NOT NULL",
    "n <> k",
    "coalesce(k, 0) <> 1 AND char_length(s) < 3",
    "FALSE",
    "TRUE",
]


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    phases=PHASES,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    rows=rows_strategy,
    checks=check_params(),
    ref=st.lists(st.integers(-3, 3), max_size=4),
    wheres=st.lists(st.sampled_from(WHERES), min_size=11, max_size=11),
)
def test_native_equals_gx_with_where_on_spark(
    spark: Any,
    rows: list[tuple[Any, ...]],
    checks: tuple[Check, ...],
    ref: list[int],
    wheres: list[str],
) -> None:
    """Every check type with a `where` filter: GX's `row_condition` (condition_parser spark)
    or the filtered SQL query, against the native evaluator. (GX on pandas cannot run a
    Spark SQL row_condition, so Spark only.)"""
    filtered = tuple(replace(c, where=w) for c, w in zip(checks, wheres, strict=True))
    note(f"rows={_spark_rows(rows)!r} ref={ref!r} wheres={wheres!r}")
    project = _project(filtered)
    suite = build_suite(project, "t")
    df = spark.createDataFrame(_spark_rows(rows), SCHEMA)
    spark.createDataFrame([(r,) for r in ref], "key int").createOrReplaceTempView("ref_keys")
    outcome = evaluate_checks(df, native_checks(project, "t"), lookup=spark.table)
    native = {r["name"]: r for r in outcome.results}
    outcome.unpersist()

    on_spark = gxrun.validate(suite, df, "spark")
    assert [g["check"] for g in on_spark] == [c.name for c in filtered]  # none dropped
    for check, gx in zip(filtered, on_spark, strict=True):
        _compare(native[check.name], gx, check, "spark")
