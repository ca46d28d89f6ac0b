"""`kind: Test` documents: schema, located diagnostics, typed values and the row diff.

No Spark here: what a test means is checked before any JVM starts. Expected values are
written by hand.
"""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

from alur_compiler import api
from alur_compiler.diagnostics import Diagnostics
from alur_compiler.load.discover import load_project_files, load_test_files
from alur_compiler.testing.diff import diff_rows
from alur_compiler.testing.spec import TestCase, load_tests
from alur_compiler.testing.values import BadValue, canonical

ROOT = Path(__file__).resolve().parents[2]
RETAIL = ROOT / "examples" / "retail"


def retail_copy(tmp_path: Path) -> Path:
    project = tmp_path / "retail"
    shutil.copytree(RETAIL, project, ignore=shutil.ignore_patterns(".alur", "build", "tests"))
    (project / "tests").mkdir()
    return project


def load(project: Path) -> tuple[list[TestCase], Diagnostics]:
    loaded = api.load(project)
    assert loaded.project is not None and not loaded.diagnostics.has_errors
    diags = Diagnostics()
    docs = load_test_files(load_project_files(project, Diagnostics()), diags)
    return load_tests(docs, loaded.project, diags), diags


def messages(diags: Diagnostics) -> list[str]:
    return [
        f"{d.span.file.split('/')[-1]}:{d.span.line}:{d.span.col} {d.code} {d.message}"
        for d in diags.sorted()
    ]


def test_retail_tests_load_without_diagnostics() -> None:
    cases, diags = load(RETAIL)
    assert messages(diags) == []
    jobs = {c.job.name for c in cases}
    assert {
        "clean_orders",
        "clean_customers",
        "clean_products",
        "daily_revenue",
        "customer_lifetime_value",
    } <= jobs


def test_every_mistake_is_located(tmp_path: Path) -> None:
    project = retail_copy(tmp_path)
    (project / "tests" / "rows.csv").write_text(
        "order_id,quantity\nO1,1\nO2,two\n", encoding="utf-8"
    )
    (project / "tests" / "bad.yaml").write_text(
        textwrap.dedent("""\
        apiVersion: alur/v1
        kind: Test
        name: unknown_pipeline
        pipeline: clean_order
        expect:
          rows: []
        ---
        apiVersion: alur/v1
        kind: Test
        name: not_upstream
        pipeline: clean_orders
        given:
          products: []
          nosuch: []
          orders_raw:
            - {order_id: O1, amout: 3, quantity: two}
        expect:
          rows:
            - {order_id: O1, unit_price: "1.234"}
            - {order_id: O2}
          checks:
            accepted_value_status: passed
        ---
        apiVersion: alur/v1
        kind: Test
        name: from_file
        pipeline: clean_orders
        given:
          orders_raw: rows.csv
          customers: missing.jsonl
        expect:
          rows: []
        ---
        apiVersion: alur/v1
        kind: Test
        name: no_expectation
        pipeline: clean_orders
        ---
        apiVersion: alur/v1
        kind: Pipeline
        name: misplaced
        target: orders
        sql: SELECT 1
        """),
        encoding="utf-8",
    )
    cases, diags = load(project)
    assert cases == []
    assert messages(diags) == [
        "bad.yaml:4:11 AL303 unknown pipeline 'clean_order' (did you mean 'clean_orders'?)",
        "bad.yaml:13:3 AL302 table 'products' is not an upstream of clean_orders",
        "bad.yaml:14:3 AL302 unknown table 'nosuch'",
        "bad.yaml:16:22 AL304 table 'orders_raw' has no column 'amout'",
        "bad.yaml:16:42 AL204 value of 'quantity' does not fit its type int: \"two\" is not "
        "an integer",
        "bad.yaml:19:34 AL204 value of 'unit_price' does not fit its type decimal(10,2): 1.234 "
        "has more than 2 decimal places (decimal(10,2))",
        "bad.yaml:20:8 AL206 expected row 2 of table 'orders' names other columns than row 1 "
        "(leaves out unit_price)",
        "bad.yaml:22:5 AL310 table 'orders' has no check 'accepted_value_status' (did you mean "
        "'accepted_values_status'?)",
        "bad.yaml:30:14 AL104 cannot read rows file 'missing.jsonl': No such file or directory",
        "bad.yaml:34:1 AL203 test `no_expectation` needs `expect`, a mapping",
        "bad.yaml:40:7 AL201 a Pipeline document in a test file",
        "rows.csv:3:1 AL204 value of 'quantity' does not fit its type int: \"two\" is not an "
        "integer",
    ]
    hints = {d.message.split(" ")[1]: d.hint for d in diags.sorted()}
    assert hints["'products'"] == "clean_orders reads customers, orders_raw"


@pytest.mark.parametrize(
    ("value", "kind", "text"),
    [
        ("2.5", "decimal(10,2)", "2.50"),
        (7, "decimal(21,2)", "7.00"),
        ("-0.10", "decimal(3,2)", "-0.10"),
        ("2026-11-01T10:00:00Z", "timestamp", "2026-11-01 10:00:00"),
        ("2026-11-01 12:00:00+02:00", "timestamp", "2026-11-01 10:00:00"),
        ("2026-11-01 10:00:00.500", "timestamp", "2026-11-01 10:00:00.5"),
        ("2026-02-03", "date", "2026-02-03"),
        (True, "boolean", "true"),
        ("3", "bigint", "3"),
        (["a", "b"], "array<string>", '["a","b"]'),
        ('["a", "b"]', "array<string>", '["a","b"]'),
        (1, "double", "1.0"),
        ("1.0E10", "double", "10000000000.0"),
        (12, "string", "12"),
        (None, "int", None),
    ],
)
def test_canonical_text(value: object, kind: str, text: str | None) -> None:
    assert canonical(value, kind) == text


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        ("x", "int"),
        (2**31, "int"),
        (1.5, "bigint"),
        (True, "int"),
        ("12345678901.00", "decimal(10,2)"),
        ("2026-02-30", "date"),
        ("yesterday", "timestamp"),
        ("yes", "boolean"),
        (True, "string"),
        ("not json", "array<string>"),
    ],
)
def test_values_that_do_not_fit(value: object, kind: str) -> None:
    with pytest.raises(BadValue):
        canonical(value, kind)


def test_row_diff_pairs_rows_by_key() -> None:
    columns = ("order_id", "status", "amount")
    expected = [("O1", "shipped", "10.00"), ("O2", "placed", "5.00"), ("O3", "placed", "1.00")]
    actual = [("O1", "placed", "10.00"), ("O3", "placed", "1.00"), ("O9", None, "0.00")]
    diff = diff_rows("table orders", columns, expected, actual, ("order_id",))
    assert not diff.ok
    assert diff.lines() == [
        "table orders: 1 missing, 1 unexpected, 1 changed (1 matched)",
        "  - missing     order_id='O2' status='placed' amount='5.00'",
        "  + unexpected  order_id='O9' status=null amount='0.00'",
        "  ~ changed     order_id='O1': status: expected 'shipped', got 'placed'",
    ]


def test_row_diff_counts_duplicates() -> None:
    diff = diff_rows("t", ("a",), [("x",), ("x",)], [("x",)])
    assert diff.missing == (("x",),) and diff.matched == 1
    assert diff_rows("t", ("a",), [("x",), ("y",)], [("y",), ("x",)]).ok


def test_a_test_inside_paths_is_set_apart_from_the_specs(tmp_path: Path) -> None:
    project = retail_copy(tmp_path)
    shutil.copy(RETAIL / "tests" / "clean_products.yaml", project / "pipelines" / "t.yaml")
    result = api.load(project)
    assert not result.diagnostics.has_errors, result.diagnostics.sorted()
    cases, diags = load(project)
    assert [c.name for c in cases] == ["clean_products_upsert"] and not diags.has_errors
