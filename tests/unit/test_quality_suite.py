"""The quality backend's GX 1.x suites: structure, mapping, determinism (no GX import here)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from alur_compiler.backends import BACKENDS
from alur_compiler.backends.quality import QualityBackend
from alur_compiler.backends.quality.suite import build_suite
from alur_compiler.diagnostics import Diagnostics, Span
from alur_compiler.ir import Check, CheckType

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks" / "quality"))
import qsample

EXPECTED_TYPES = {
    "order_id_not_null": "expect_column_values_to_not_be_null",
    "order_id_unique": "expect_column_values_to_be_unique",
    "order_customer_unique": "expect_compound_columns_to_be_unique",
    "status_accepted": "expect_column_values_to_be_in_set",
    "quantity_range": "expect_column_values_to_be_between",
    "email_format": "expect_column_values_to_match_regex",
    "country_iso2": "expect_column_value_lengths_to_be_between",
    "row_count": "expect_table_row_count_to_be_between",
    "fresh_orders": "unexpected_rows_expectation",
    "amount_positive": "unexpected_rows_expectation",
    "customer_exists": "unexpected_rows_expectation",
}


def _generate() -> tuple[list[tuple[str, bytes]], Diagnostics]:
    diags = Diagnostics()
    arts = QualityBackend().generate(qsample.project(), diags)
    return [(a.path, a.content) for a in arts], diags


def test_registered_once() -> None:
    assert [b.name for b in BACKENDS].count("quality") == 1


def test_one_suite_per_checked_table_deterministic_bytes() -> None:
    first, diags = _generate()
    second, _ = _generate()
    assert not diags.items
    assert [p for p, _ in first] == ["quality/orders.json"]  # customers has no checks
    assert first == second
    content = first[0][1]
    assert content.endswith(b"}\n")
    suite = json.loads(content)
    assert (
        content.decode() == json.dumps(suite, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    )


def test_gx_1x_layout_and_every_check_present() -> None:
    suite = json.loads(_generate()[0][0][1])
    assert suite["name"] == "shop.orders"
    assert "expectation_suite_name" not in suite
    exps = suite["expectations"]
    assert len(exps) == len(qsample.ALL_CHECKS)
    for exp in exps:
        assert set(exp) == {"type", "kwargs", "meta"}
    got = {e["meta"]["alurc"]["check"]: e["type"] for e in exps}
    assert got == EXPECTED_TYPES


def test_meta_carries_name_action_and_level() -> None:
    suite = build_suite(qsample.project(), "orders")
    metas = {e["meta"]["alurc"]["check"]: e["meta"]["alurc"] for e in suite["expectations"]}
    assert metas["order_id_unique"]["action"] == "quarantine"
    assert metas["order_id_unique"]["table_level"] is False
    assert metas["customer_exists"]["table_level"] is True
    assert metas["customer_exists"]["ref_table"] == "customers"
    assert metas["fresh_orders"]["max_age_seconds"] == 86_400


def test_kwargs_of_column_checks() -> None:
    exps = {
        e["meta"]["alurc"]["check"]: e
        for e in build_suite(qsample.project(), "orders")["expectations"]
    }
    assert exps["status_accepted"]["kwargs"]["value_set"] == [
        "placed",
        "shipped",
        "it's {odd}",
        "back\\slash",
    ]
    assert exps["quantity_range"]["kwargs"] == {
        "column": "quantity",
        "max_value": 1000,
        "min_value": 1,
        "mostly": 1.0,
        "strict_max": False,
        "strict_min": False,
    }
    assert exps["email_format"]["kwargs"]["mostly"] == 0.9
    assert exps["order_customer_unique"]["kwargs"]["column_list"] == ["order_id", "customer_id"]


def test_sql_queries_use_batch_and_double_user_braces() -> None:
    exps = {
        e["meta"]["alurc"]["check"]: e
        for e in build_suite(qsample.project(), "orders")["expectations"]
    }
    expr = exps["amount_positive"]["kwargs"]["unexpected_rows_query"]
    assert (
        expr == "SELECT * FROM {batch} WHERE NOT coalesce((amount > 0 OR status = 'x{{y}}'), FALSE)"
    )
    assert (
        expr.format(batch="v")
        == "SELECT * FROM v WHERE NOT coalesce((amount > 0 OR status = 'x{y}'), FALSE)"
    )
    rel = exps["customer_exists"]["kwargs"]["unexpected_rows_query"]
    assert (
        "NOT EXISTS (SELECT 1 FROM `customers` AS r WHERE r.`customer_id` = b.`customer_id`)" in rel
    )
    fresh = exps["fresh_orders"]["kwargs"]["unexpected_rows_query"]
    assert "unix_micros(current_timestamp()) - latest_micros > 86400000000" in fresh


def test_mostly_below_one_for_sql_checks_aggregates() -> None:
    check = Check("e", CheckType.EXPRESSION, sql="a > 0", mostly=0.75)
    suite = build_suite(qsample.project(checks=(check,)), "orders")
    query = suite["expectations"][0]["kwargs"]["unexpected_rows_query"]
    assert "count_if(NOT coalesce((a > 0), FALSE)) AS unexpected_count" in query
    assert query.endswith("< CAST(0.75 AS DOUBLE)")


def test_unbounded_range_is_reported_not_dropped() -> None:
    span = Span("contracts/orders.yaml", 12, 5)
    check = Check("q", CheckType.BETWEEN, columns=("quantity",), span=span)
    diags = Diagnostics()
    arts = QualityBackend().generate(qsample.project(checks=(check,)), diags)
    assert [(d.code.code, str(d.span)) for d in diags.items] == [
        ("AL501", "contracts/orders.yaml:12:5")
    ]
    assert "neither min nor max" in diags.items[0].message
    assert len(json.loads(arts[0].content)["expectations"]) == 1


def test_min_above_max_is_reported() -> None:
    check = Check("rc", CheckType.ROW_COUNT_BETWEEN, min=10, max=2)
    diags = Diagnostics()
    QualityBackend().generate(qsample.project(checks=(check,)), diags)
    assert [d.message for d in diags.items] == [
        "check 'rc' (row_count_between) has min 10 > max 2; Great Expectations rejects it"
    ]
