"""Native lowering of checks to Spark SQL (no Spark here; tests/integration runs the SQL)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from alur_compiler.ir import Action, Check, CheckType, Pipeline, WriteMode
from alur_compiler.ir.check_sql import ident, literal, lower_check, native_checks, string_literal

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks" / "quality"))
import qsample

T = CheckType


def test_string_literal_escapes_quote_and_backslash() -> None:
    assert string_literal("it's") == "'it\\'s'"
    assert string_literal("a\\b") == "'a\\\\b'"
    assert string_literal("\\'") == "'\\\\\\''"
    assert string_literal("") == "''"


def test_literal_scalars() -> None:
    assert literal(True) == "TRUE"
    assert literal(False) == "FALSE"
    assert literal(7) == "7"
    assert literal(-2.5) == "CAST(-2.5 AS DOUBLE)"
    assert literal(float("inf")) == "CAST('Infinity' AS DOUBLE)"
    assert literal(None) == "NULL"
    assert literal("x") == "'x'"


def test_ident_doubles_backquotes() -> None:
    assert ident("a`b") == "`a``b`"
    assert ident("order id") == "`order id`"


@pytest.mark.parametrize(
    ("check", "considered", "fail"),
    [
        (Check("c", T.NOT_NULL, columns=("a",)), "TRUE", "`a` IS NULL"),
        (
            Check("c", T.UNIQUE, columns=("a",)),
            "`a` IS NOT NULL",
            "(`a` IS NOT NULL AND count(1) OVER (PARTITION BY `a`) > 1)",
        ),
        (
            Check("c", T.UNIQUE, columns=("a", "b")),
            "NOT (`a` IS NULL AND `b` IS NULL)",
            "(NOT (`a` IS NULL AND `b` IS NULL) AND count(1) OVER (PARTITION BY `a`, `b`) > 1)",
        ),
        (
            Check("c", T.ACCEPTED_VALUES, columns=("s",), values=("it's", "b\\", 3)),
            "`s` IS NOT NULL",
            "(`s` IS NOT NULL AND coalesce(NOT (`s` IN ('it\\'s', 'b\\\\', 3)), FALSE))",
        ),
        (
            Check("c", T.ACCEPTED_VALUES, columns=("s",)),
            "`s` IS NOT NULL",
            "(`s` IS NOT NULL AND coalesce(TRUE, FALSE))",
        ),
        (
            Check("c", T.BETWEEN, columns=("q",), min=1, max=5, strict_max=True),
            "`q` IS NOT NULL",
            "(`q` IS NOT NULL AND coalesce(NOT (`q` >= 1 AND `q` < 5), FALSE))",
        ),
        (
            Check("c", T.BETWEEN, columns=("d",), min="2020-01-01", strict_min=True),
            "`d` IS NOT NULL",
            "(`d` IS NOT NULL AND coalesce(NOT (`d` > '2020-01-01'), FALSE))",
        ),
        (
            Check("c", T.REGEX, columns=("e",), pattern="^a'\\d+$"),
            "`e` IS NOT NULL",
            "(`e` IS NOT NULL AND coalesce(NOT (`e` RLIKE '^a\\'\\\\d+$'), FALSE))",
        ),
        (
            Check("c", T.LENGTH_BETWEEN, columns=("s",), min=2, max=2),
            "`s` IS NOT NULL",
            "(`s` IS NOT NULL AND coalesce(NOT (char_length(`s`) >= 2 AND "
            "char_length(`s`) <= 2), FALSE))",
        ),
        (Check("c", T.EXPRESSION, sql="a > b"), "TRUE", "NOT coalesce((a > b), FALSE)"),
    ],
)
def test_row_check_lowering(check: Check, considered: str, fail: str) -> None:
    lowered = lower_check(check)
    assert lowered["level"] == "row"
    assert lowered["considered_expr"] == considered
    assert lowered["fail_expr"] == fail


def test_table_level_checks_carry_parameters() -> None:
    rc = lower_check(Check("rc", T.ROW_COUNT_BETWEEN, Action.WARN, min=1, max=10.0))
    assert rc == {
        "action": "warn",
        "columns": [],
        "level": "table",
        "max": 10,
        "min": 1,
        "mostly": 1.0,
        "name": "rc",
        "origin": "table",
        "strict_max": False,
        "strict_min": False,
        "type": "row_count_between",
    }
    fr = lower_check(Check("fr", T.FRESHNESS, columns=("ts",), max_age_seconds=60))
    assert (fr["column"], fr["max_age_seconds"], fr["level"]) == ("ts", 60, "table")
    assert "fail_expr" not in fr
    rel = lower_check(
        Check("r", T.RELATIONSHIP, columns=("c",), ref_table="cust", ref_column="id", mostly=0.5)
    )
    assert (rel["ref_table"], rel["ref_column"], rel["mostly"]) == ("cust", "id", 0.5)


def test_native_checks_cover_all_types_in_order_and_are_json() -> None:
    lowered = native_checks(qsample.project(), "orders")
    assert [c["name"] for c in lowered] == [c.name for c in qsample.ALL_CHECKS]
    assert {c["type"] for c in lowered} == {str(t) for t in CheckType}
    for c in lowered:
        assert list(c) == sorted(c)
    text = json.dumps(lowered, sort_keys=True)
    assert json.loads(text) == lowered


def test_native_checks_include_pipeline_checks_after_contract_checks() -> None:
    base = qsample.project(checks=(Check("nn", T.NOT_NULL, columns=("order_id",)),))
    extra = Check("pq", T.NOT_NULL, Action.DROP, ("status",), origin="pipeline")
    pipe = Pipeline("p", "orders", "SELECT 1", WriteMode.APPEND, (), checks=(extra,))
    project = type(base)(base.name, base.root, base.tables, (pipe,), (), ())
    lowered = native_checks(project, "orders")
    assert [(c["name"], c["origin"], c["action"]) for c in lowered] == [
        ("nn", "table", "fail"),
        ("pq", "pipeline", "drop"),
    ]
    assert native_checks(project, "customers") == []
