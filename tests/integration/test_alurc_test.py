"""`alurc test` on retail, in the test suite's one Spark session.

The retail tests (examples/retail/tests, expected rows written by hand from the SQL) pass,
each in its own namespace: a copy of a test that writes the same tables passes too. A
wrong expectation exits 1 with the diff, in text, JSON and JUnit.
"""

from __future__ import annotations

import json
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from alur_compiler.cli import app

pytestmark = pytest.mark.spark
ROOT = Path(__file__).resolve().parents[2]


def retail(tmp_path: Path) -> Path:
    project = tmp_path / "retail"
    shutil.copytree(
        ROOT / "examples" / "retail", project, ignore=shutil.ignore_patterns(".alur", "build")
    )
    return project


def test_retail_tests_pass_each_in_its_own_namespace(spark: Any, tmp_path: Path) -> None:
    project = retail(tmp_path)
    again = (project / "tests" / "clean_orders.yaml").read_text(encoding="utf-8")
    again = again.replace("name: clean_orders_merge_end_state", "name: clean_orders_again")
    (project / "tests" / "again.yaml").write_text(again, encoding="utf-8")
    result = CliRunner().invoke(app, ["test", str(project)])
    assert result.exit_code == 0, result.output
    assert "8 tests: 8 passed" in result.output
    for name in (
        "clean_orders_merge_end_state",
        "clean_orders_again",
        "clean_products_upsert",
        "daily_revenue_overwrites_partitions",
        "ingest_orders_by_header_name",
    ):
        assert f"PASS {name} " in result.output


def test_a_wrong_expectation_fails_with_the_row_diff(spark: Any, tmp_path: Path) -> None:
    project = retail(tmp_path)
    path = project / "tests" / "clean_orders.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace(
        '{order_id: O4, status: placed, quantity: 3, amount: "7.50"',
        '{order_id: O4, status: placed, quantity: 3, amount: "7.55"',
    )
    text = text.replace("    - {order_id: O5, status: lost,", "    - {order_id: O6, status: lost,")
    text = text.replace("between_quantity: dropped", "between_quantity: passed")
    path.write_text(text, encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(app, ["test", str(project), "clean_orders"])
    assert result.exit_code == 1, result.output
    lines = [line.strip() for line in result.output.splitlines()]
    assert any(line.startswith("at ") and line.endswith("clean_orders.yaml:6:7") for line in lines)
    assert "check between_quantity: expected passed, got dropped" in lines
    assert "table orders: 1 changed (2 matched)" in lines
    assert "~ changed     order_id='O4': amount: expected '7.55', got '7.50'" in lines
    assert "quarantine of orders: 1 missing, 1 unexpected (0 matched)" in lines
    assert any(line.startswith("- missing     order_id='O6' status='lost'") for line in lines)
    assert any(line.startswith("+ unexpected  order_id='O5' status='lost'") for line in lines)
    assert "1 test: 1 failed" in result.output

    as_json = runner.invoke(app, ["test", str(project), "clean_orders", "--format", "json"])
    assert as_json.exit_code == 1
    body = json.loads(as_json.stdout)
    (test,) = body["tests"]
    assert test["status"] == "failed" and test["line"] == 6
    target = next(d for d in test["diffs"] if d["what"] == "table orders")
    assert target["changed"] == [
        {
            "key": {"order_id": "O4"},
            "cells": [{"column": "amount", "expected": "7.55", "actual": "7.50"}],
        }
    ]

    junit = runner.invoke(app, ["test", str(project), "clean_orders", "--format", "junit"])
    suite = ET.fromstring(junit.stdout).find("testsuite")
    assert suite is not None and suite.get("failures") == "1"


def test_the_tests_of_specs_testing_md_and_alurc_init_pass(spark: Any, tmp_path: Path) -> None:
    """The page's examples (expected rows written by hand) and the init example run green."""
    import re

    from alur_compiler.scaffold import init_project

    page = tmp_path / "page"
    folders = {
        "Table": "contracts",
        "Ingestion": "ingestions",
        "Pipeline": "pipelines",
        "Test": "tests",
    }
    text = (ROOT / "specs" / "testing.md").read_text(encoding="utf-8")
    blocks = re.findall(r"^```yaml\n(.*?)^```", text, re.MULTILINE | re.DOTALL)
    for i, block in enumerate(blocks):
        kind = re.search(r"^kind: (\w+)", block, re.MULTILINE)
        assert kind is not None
        path = page / folders[kind.group(1)] / f"example_{i}.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(block, encoding="utf-8")
    (page / "alur.yaml").write_text("apiVersion: alur/v1\nkind: Project\nname: page\n")
    shop = tmp_path / "shop"
    init_project(shop, "shop")
    for project, count in ((page, 2), (shop, 1)):
        result = CliRunner().invoke(app, ["test", str(project)])
        assert result.exit_code == 0, result.output
        assert f"{count} test{'s' if count > 1 else ''}: {count} passed" in result.output


def test_fixture_values_reach_spark_unchanged(spark: Any) -> None:
    """Quotes, backslashes, unicode, decimals, timestamps and lists survive the VALUES
    literal and Spark's casts, and read back as the same canonical text."""
    from alur_compiler.diagnostics import Span
    from alur_compiler.testing.rows import Rows
    from alur_compiler.testing.tables import fixture_frame, read_cells
    from alur_compiler.testing.values import canonical

    columns = [
        ("s", "string"),
        ("d", "decimal(10,2)"),
        ("t", "timestamp"),
        ("a", "array<string>"),
        ("b", "boolean"),
        ("n", "bigint"),
    ]
    values = [
        ["it's a \\ back'slash", "1.5", "2026-11-01T10:00:00.25Z", ["x", "y'z"], True, 2**40],
        ["ünïcödé 🚀", "-0.01", "2026-11-01 23:59:59", [], False, None],
    ]
    cells = tuple(
        tuple(canonical(v, kind) for v, (_, kind) in zip(row, columns, strict=True))
        for row in values
    )
    rows = Rows(tuple(c for c, _ in columns), tuple(k for _, k in columns), cells, Span("x", 1, 1))
    df = fixture_frame(spark, [*columns, ("_ingested_at", "timestamp")], rows)
    assert sorted(read_cells(df, columns), key=str) == sorted(cells, key=str)
    assert cells[0][0] == "it's a \\ back'slash" and cells[0][2] == "2026-11-01 10:00:00.25"
    stamps = [r[0] for r in df.selectExpr("CAST(_ingested_at AS STRING)").collect()]
    assert stamps == ["2000-01-01 00:00:00"] * 2  # an ingestion column left out: its default


def test_selectors_keep_the_tests_of_the_selected_jobs(spark: Any, tmp_path: Path) -> None:
    project = retail(tmp_path)
    result = CliRunner().invoke(
        app,
        ["test", str(project), "--select", "layer:gold", "--exclude", "customer_lifetime_value"],
    )
    assert result.exit_code == 0, result.output
    # retail's gold tests (tests/gold.yaml): two of daily_revenue, one of customer_lifetime_value
    assert "PASS daily_revenue_overwrites_partitions " in result.output
    assert "PASS daily_revenue_fails_on_no_rows " in result.output
    assert "customer_lifetime_value_segments" in result.output.split("not selected")[1]
    assert "PASS customer_lifetime_value_segments" not in result.output
    assert "PASS clean_orders_merge_end_state" not in result.output
    assert "2 tests: 2 passed" in result.output


def test_a_bad_selector_exits_2_before_spark_and_a_selection_without_tests_says_so(
    tmp_path: Path,
) -> None:
    project = retail(tmp_path)
    result = CliRunner().invoke(app, ["test", str(project), "--select", "layer:platinum"])
    assert result.exit_code == 2, result.output
    assert "error:" in result.output and "hint:" in result.output
    result = CliRunner().invoke(app, ["test", str(project), "--select", "ingest_products"])
    assert result.exit_code == 0, result.output
    assert "no tests of the selected jobs" in result.output
    assert "not selected (7 tests)" in result.output
