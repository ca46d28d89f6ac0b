"""The SQL fast path gives exactly what the full sqlglot analysis gives, or declines.

Reference: the same projects loaded with the fast path switched off. Compared: the whole
IR (lineage, DAG), every diagnostic and every query's analysis (each output column's type
and nullability, which the IR does not keep), on the retail example, every error-corpus
file, every spec page and a synthetic benchmark project; plus hand-written queries at the
edges of what the fast path accepts.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from alur_compiler import api
from alur_compiler.semantic import sql_batch, sql_fast
from alur_compiler.semantic.sql_analyze import analyze
from alur_compiler.semantic.sql_batch import Catalog, _schema
from alur_compiler.semantic.sql_parse import parse_select, resolve_tables

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks" / "compile"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import generate  # noqa: E402
from test_spec_examples import PAGES, parse_page, write_project  # noqa: E402

CORPUS = sorted((ROOT / "tests" / "errors").glob("*.yaml"))


@pytest.fixture
def answered(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[bool]]:
    """Records, per query, whether the fast path answered."""
    seen: list[bool] = []
    original = sql_fast.FastAnalyzer.query

    def spy(self: sql_fast.FastAnalyzer, tree: object) -> sql_fast.Select | None:
        result = original(self, tree)  # type: ignore[arg-type]
        seen.append(result is not None)
        return result

    monkeypatch.setattr(sql_fast.FastAnalyzer, "query", spy)
    monkeypatch.setenv("ALURC_NO_PARALLEL", "1")  # spy in this process
    yield seen


def _load(root: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[object, list[str], object]:
    """(IR, diagnostics, every query's analysis) of the project at `root`, in this process."""
    analyses: dict[tuple[str, str], sql_batch.SqlResult] = {}
    real = sql_batch.analyze_one

    def recorded(sql: str, target: str, catalog: sql_batch.Catalog) -> sql_batch.SqlResult:
        analyses[(target, sql)] = result = real(sql, target, catalog)
        return result

    cwd = os.getcwd()
    os.chdir(root)
    try:
        with monkeypatch.context() as spy:
            spy.setattr(sql_batch, "analyze_one", recorded)
            spy.setenv("ALURC_NO_PARALLEL", "1")
            result = api.load(Path("."))
    finally:
        os.chdir(cwd)
    return result.project, [str(d) for d in result.diagnostics.sorted()], analyses


def _same_with_and_without(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fast = _load(root, monkeypatch)
    with monkeypatch.context() as off:
        off.setattr(sql_fast.FastAnalyzer, "query", lambda self, tree: None)
        full = _load(root, monkeypatch)
    assert fast == full


def test_retail_and_benchmark_projects_take_the_fast_path_with_identical_ir(
    tmp_path: Path, answered: list[bool], monkeypatch: pytest.MonkeyPatch
) -> None:
    retail = tmp_path / "retail"
    shutil.copytree(ROOT / "examples" / "retail", retail, ignore=shutil.ignore_patterns("build"))
    bench, _, _ = generate(40, tmp_path / "bench")
    dbtlike, _, _ = generate(40, tmp_path / "dbtlike", shape="dbtlike")  # SELECT * via CTEs
    for root in (retail, bench, dbtlike):
        _same_with_and_without(root, monkeypatch)
    assert len(answered) >= 84 and all(answered), "every one of these queries is in scope"


@pytest.mark.parametrize("case", CORPUS, ids=[c.stem for c in CORPUS])
def test_error_corpus_gives_the_same_ir_and_diagnostics(
    case: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copy(case, tmp_path / "alur.yaml")
    _same_with_and_without(tmp_path, monkeypatch)


@pytest.mark.parametrize("page", PAGES, ids=[p.stem for p in PAGES])
def test_spec_pages_give_the_same_ir(
    page: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_project(parse_page(page), tmp_path)
    _same_with_and_without(tmp_path, monkeypatch)


CATALOG = Catalog(
    layers={"orders": "silver", "customers": "silver", "items": "bronze"},
    columns={
        "orders": {
            "order_id": "string",
            "customer_id": "string",
            "amount": "decimal(12,2)",
            "qty": "int",
            "ts": "timestamp",
        },
        "customers": {"customer_id": "string", "name": "string", "score": "double"},
        "items": {"order_id": "string", "price": "decimal(10,2)", "n": "bigint"},
    },
    not_null=frozenset({"orders.order_id", "customers.customer_id"}),
)

IN_SCOPE = [
    "SELECT o.order_id, o.amount * o.qty AS total FROM orders o",
    "SELECT order_id, SUM(amount) AS s, AVG(amount) AS a, COUNT(*) AS c FROM orders "
    "GROUP BY order_id",
    "SELECT o.order_id, c.name FROM orders o LEFT JOIN customers c "
    "ON c.customer_id = o.customer_id",
    "SELECT o.order_id, c.name FROM orders o RIGHT JOIN customers c "
    "ON c.customer_id = o.customer_id WHERE o.order_id IS NOT NULL",
    "WITH a AS (SELECT customer_id, MAX(ts) AS last_ts FROM orders GROUP BY customer_id), "
    "b AS (SELECT a.customer_id, a.last_ts FROM a) SELECT b.customer_id, b.last_ts FROM b",
    "SELECT x.order_id, x.rn FROM (SELECT order_id, ROW_NUMBER() OVER "
    "(PARTITION BY customer_id ORDER BY ts DESC) AS rn FROM orders) x WHERE x.rn = 1",
    "SELECT CASE WHEN qty > 1 THEN 'many' ELSE 'one' END AS k, coalesce(amount, 0) AS a, "
    "CAST(ts AS DATE) AS d, lower(trim(customer_id)) AS c, NULL AS nothing FROM orders",
    "SELECT i.order_id, i.price * i.n AS v, i.price / 3 AS third, i.n + 1 AS n1 FROM items i",
    "SELECT DISTINCT customer_id FROM orders WHERE amount > 10 AND qty IN (1, 2)",
    "SELECT o.order_id, c.score * 2.5 AS s2, date_trunc('MONTH', o.ts) AS m, "
    "concat(o.order_id, '-', c.name) AS label FROM orders o JOIN customers c "
    "ON o.customer_id = c.customer_id",
    "SELECT * FROM orders",
    "SELECT o.* FROM orders o",
    "SELECT *, 1 AS one FROM items",
    "SELECT o.*, c.name FROM orders o LEFT JOIN customers c ON c.customer_id = o.customer_id",
    "SELECT c.name, o.* FROM orders o RIGHT JOIN customers c ON c.customer_id = o.customer_id",
    "WITH a AS (SELECT * FROM orders WHERE customer_id IS NOT NULL), b AS (SELECT * FROM a) "
    "SELECT * FROM b",
    "WITH a AS (SELECT o.*, c.name FROM orders o JOIN customers c "
    "ON c.customer_id = o.customer_id WHERE c.name IS NOT NULL), "
    "b AS (SELECT a.*, i.price FROM a LEFT JOIN items i ON i.order_id = a.order_id) "
    "SELECT b.* FROM b",
    "SELECT t.*, i.price FROM (SELECT order_id, qty * 2 AS q FROM orders) t "
    "JOIN items i ON i.order_id = t.order_id",
]
DECLINED = [
    "SELECT i.*, i.* FROM items i",
    "SELECT o.*, * FROM orders o",
    "SELECT x.* FROM items i",
    "SELECT * FROM orders o JOIN customers c ON c.customer_id = o.customer_id",
    "WITH a AS (SELECT * FROM orders o JOIN items i ON i.order_id = o.order_id) SELECT * FROM a",
    "SELECT order_id FROM orders UNION ALL SELECT order_id FROM items",
    "SELECT customer_id FROM orders JOIN customers USING (customer_id)",
    "SELECT Order_ID FROM orders",
    "SELECT amount AS a, a + 1 AS b FROM orders",
    "SELECT nope FROM orders",
    "SELECT customer_id FROM orders o JOIN customers c ON o.customer_id = c.customer_id",
    "SELECT order_id FROM orders WHERE customer_id IN (SELECT customer_id FROM customers)",
    "SELECT upper(order_id) FROM orders",
    "SELECT order_id, order_id FROM orders",
]


def _analyse(sql: str, fast: bool) -> object:
    parsed = parse_select(sql)
    assert parsed.tree is not None and not parsed.problems, parsed.problems
    resolve_tables(parsed, CATALOG.layers, "target")
    assert not parsed.problems, parsed.problems
    tables = CATALOG.columns if fast else None
    return analyze(parsed, _schema(CATALOG), CATALOG.not_null, tables)


def _answers(sql: str) -> bool:
    parsed = parse_select(sql)
    assert parsed.tree is not None
    resolve_tables(parsed, CATALOG.layers, "target")
    return sql_fast.FastAnalyzer(CATALOG.columns, _schema(CATALOG)).query(parsed.tree) is not None


@pytest.mark.parametrize("sql", IN_SCOPE)
def test_in_scope_queries_answer_like_the_full_analysis(sql: str) -> None:
    assert _answers(sql)
    assert _analyse(sql, fast=True) == _analyse(sql, fast=False)


@pytest.mark.parametrize("sql", DECLINED)
def test_other_queries_are_left_to_the_full_analysis(sql: str) -> None:
    assert not _answers(sql)
    assert _analyse(sql, fast=True) == _analyse(sql, fast=False)


@pytest.mark.parametrize("fast", [True, False], ids=["fast", "full"])
def test_a_cast_to_an_invalid_decimal_has_no_type(fast: bool) -> None:
    sql = (
        "SELECT CAST(qty AS DECIMAL(40,2)) AS a, CAST(qty AS DECIMAL(10,12)) AS b, "
        "CAST(qty AS DECIMAL(38,10)) AS c FROM orders"
    )
    result = _analyse(sql, fast)
    assert [c.type for c in result.columns] == [None, None, "decimal(38,10)"]  # type: ignore[attr-defined]
