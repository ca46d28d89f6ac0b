"""The glue backend's output: valid, lint-clean, deterministic, every YAML value escaped."""

from __future__ import annotations

import ast
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from alur_compiler import api
from alur_compiler.backends.glue import GlueBackend
from alur_compiler.backends.glue.literal import block_string, literal
from alur_compiler.backends.glue.sql import rewrite_sql
from alur_compiler.diagnostics import Diagnostics
from alur_compiler.ir import SourceTable

ROOT = Path(__file__).resolve().parents[2]
RUFF = Path(sys.executable).parent / "ruff"
EVIL = [
    "",
    "plain",
    'it\'s "quoted" \\ back\\slash',
    '"""; import os; os.system("rm -rf /") #',
    "{JOB} %s {0} \\N{BULLET}",
    "line1\nline2\r\nline3\ttab \x00 nul \u2028 sep",
    "é 中文 🚀 " * 30,
    "x" * 500,
]


@pytest.fixture(scope="module")
def retail(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("retail-build")
    result = api.compile_project(ROOT / "examples" / "retail", out)
    assert result.ok, [str(d.message) for d in result.diagnostics.items]
    return out / "glue"


class _Inline(ast.NodeTransformer):
    """Replace the name SQL inside the JOB literal by the SQL block's value."""

    def __init__(self, sql: str | None) -> None:
        self.sql = sql

    def visit_Name(self, node: ast.Name) -> ast.AST:
        assert node.id == "SQL" and self.sql is not None, f"unexpected name {node.id}"
        return ast.Constant(self.sql)


def job_literal(source: str) -> Any:
    """The JOB value of a script, evaluated as a literal (only the name SQL is resolved)."""
    sql: str | None = None
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "SQL":
            sql = ast.literal_eval(node.value)
        if isinstance(node, ast.AnnAssign) and getattr(node.target, "id", "") == "JOB":
            assert node.value is not None
            return ast.literal_eval(_Inline(sql).visit(node.value))
    raise AssertionError("no JOB literal")


def test_retail_scripts_parse_and_pass_ruff(retail: Path) -> None:
    scripts = sorted(p.name for p in retail.glob("*.py"))
    assert scripts == [
        "clean_customers.py",
        "clean_orders.py",
        "clean_products.py",
        "customer_lifetime_value.py",
        "daily_revenue.py",
        "ingest_customers.py",
        "ingest_orders.py",
        "ingest_products.py",
    ]
    for path in retail.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        assert not [n for n in tree.body if isinstance(n, ast.FunctionDef | ast.ClassDef)]
        imported = {n.module for n in tree.body if isinstance(n, ast.ImportFrom)}
        assert imported == {"__future__", "alur_runtime.config", "alur_runtime.entry"}
        assert ast.unparse(tree.body[-1]) == "if __name__ == '__main__':\n    main(JOB)"
    proc = subprocess.run(
        [str(RUFF), "check", "--no-cache", "--config", str(ROOT / "pyproject.toml"), str(retail)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_retail_job_config(retail: Path) -> None:
    job = job_literal((retail / "clean_orders.py").read_text(encoding="utf-8"))
    assert job["merge"] == {
        "keys": ["order_id"],
        "sequence_by": "updated_at",
        "delete_when": "status = 'deleted'",
        "tombstone_retention_days": 90,
    }
    assert job["target"]["partition_by"] == [
        {"column": "order_ts", "transform": "days", "arg": None}
    ]
    assert "FROM __alur_src_orders_raw AS o" in job["sql"]
    assert [s["incremental_column"] for s in job["sources"]] == ["_ingested_at"]
    assert [c["name"] for c in job["checks"]] == [
        "unique_order_id",
        "accepted_values_status",
        "between_quantity",
        "relationship_customer_id",
    ]
    assert job["lookups"]["customers"]["layer"] == "silver"
    ingest = job_literal((retail / "ingest_orders.py").read_text(encoding="utf-8"))
    assert ingest["sources"] == [
        {
            "path": "orders/",
            "format": "csv",
            "pattern": "*.csv",
            "options": {"delimiter": ",", "header": "true"},
            "recursive": False,
        }
    ]
    assert [c["name"] for c in ingest["file_columns"]][:2] == ["order_id", "customer_id"]
    assert ingest["on_bad_row"] == "quarantine"


def test_generation_is_deterministic() -> None:
    project, diags = api.load_project(ROOT / "examples" / "retail")
    assert project is not None
    first = GlueBackend().generate(project, diags)
    second = GlueBackend().generate(project, Diagnostics())
    assert [(a.path, a.content) for a in first] == [(a.path, a.content) for a in second]


@pytest.mark.parametrize("text", EVIL)
def test_literal_round_trips_any_string(text: str) -> None:
    value = {"s": text, "l": [text, 1, None, True, 2.5], "d": {text: text}}
    source = "X = " + literal(value, used=4)
    tree = ast.parse(source)
    assert ast.literal_eval(tree.body[0].value) == value  # type: ignore[attr-defined]
    if "\x00" not in text and "\u2028" not in text and "\r" not in text:
        assert max(len(line) for line in source.splitlines()) <= 100


def test_yaml_text_cannot_escape_into_code(tmp_path: Path) -> None:
    project, _ = api.load_project(ROOT / "examples" / "retail")
    assert project is not None
    evil = EVIL[3] + "\n" + EVIL[5]
    pipe = replace(project.pipelines[0], description=evil, delete_when=evil)
    ing = replace(project.ingestions[0], source_system=evil, description=evil)
    project = replace(project, pipelines=(pipe, *project.pipelines[1:]), ingestions=(ing,))
    for art in GlueBackend().generate(project, Diagnostics()):
        if art.path not in (f"glue/{pipe.name}.py", f"glue/{ing.name}.py"):
            continue
        source = art.content.decode("utf-8")
        tree = ast.parse(source)
        assert "os.system" not in "".join(
            ast.unparse(n) for n in tree.body if not isinstance(n, ast.AnnAssign | ast.Expr)
        )
        job = job_literal(source)
        doc = ast.get_docstring(tree) or ""
        assert "os.system" in doc and '"' not in doc and "\\" not in doc  # inert, one form
        assert job.get("source_system", evil) == evil
        if job["kind"] == "pipeline":
            assert job["merge"]["delete_when"] == evil


@pytest.mark.parametrize("text", [*EVIL, '"', '""', 'a"""b', 'x\\"', "end\\", '""""'])
def test_sql_block_round_trips_any_string(text: str) -> None:
    rendered = block_string(text)
    assert ast.literal_eval(rendered) == text
    assert rendered.startswith('"""\\\n') and rendered.endswith('"""')


def test_sql_block_keeps_the_sql_as_written(retail: Path) -> None:
    source = (retail / "clean_orders.py").read_text(encoding="utf-8")
    sql = (ROOT / "examples/retail/pipelines/clean_orders.yaml").read_text(encoding="utf-8")
    written = [line.strip() for line in sql.splitlines() if line.strip().startswith("o.")]
    assert written and all(f"  {line}" in source.splitlines() for line in written)


def test_retail_scripts_are_short(retail: Path) -> None:
    lines = {p.name: len(p.read_text(encoding="utf-8").splitlines()) for p in retail.glob("*.py")}
    assert lines["clean_orders.py"] < 160, lines  # 150 with the target's `contract` line
    assert all(n <= 120 for name, n in lines.items() if name.startswith("ingest_")), lines


def test_sql_rewrite_keeps_aliases_and_ctes() -> None:
    sql = (
        "WITH orders_cte AS (SELECT * FROM orders) "
        "SELECT orders.id, c.name FROM silver.orders JOIN customers c ON c.id = orders.cid "
        "JOIN orders_cte ON orders_cte.id = orders.id"
    )
    out = rewrite_sql(
        sql, (SourceTable("customers", "customers"), SourceTable("orders", "silver.orders"))
    )
    assert "FROM __alur_src_orders AS orders" in out
    assert "JOIN __alur_src_customers AS c" in out
    assert "JOIN orders_cte" in out
    assert "silver." not in out


def test_bad_sql_is_a_diagnostic_not_a_crash() -> None:
    project, _ = api.load_project(ROOT / "examples" / "retail")
    assert project is not None
    first = project.pipelines[0]
    # an IR whose SQL was not analysed by the front end (no recorded references): the
    # backend must parse it itself and report what it cannot handle
    broken = replace(
        first, sql="SELECT FROM WHERE (", sources=tuple(replace(s, refs=()) for s in first.sources)
    )
    project = replace(project, pipelines=(broken, *project.pipelines[1:]))
    diags = Diagnostics()
    arts = GlueBackend().generate(project, diags)
    assert [d.code.code for d in diags.items] == ["AL501"]
    assert f"glue/{broken.name}.py" not in {a.path for a in arts}


def test_yaml_ingestion_settings_reach_the_job(tmp_path: Path) -> None:
    """recursive and on_duplicate_file go from the YAML through the IR into the JOB literal."""
    import shutil

    copy = tmp_path / "retail"
    shutil.copytree(
        ROOT / "examples" / "retail", copy, ignore=shutil.ignore_patterns("build", ".alur")
    )
    spec = next(
        p for p in (copy / "ingestions").glob("*.yaml") if "ingest_customers" in p.read_text()
    )
    text = spec.read_text(encoding="utf-8")
    text = text.replace(
        '    pattern: "*.jsonl"\non_bad_file: fail',
        '    pattern: "*.jsonl"\n    recursive: true\non_duplicate_file: ingest\non_bad_file: fail',
        1,
    )
    spec.write_text(text, encoding="utf-8")
    result = api.compile_project(copy, tmp_path / "out")
    assert result.ok, [str(d.message) for d in result.diagnostics.items]
    job = job_literal((tmp_path / "out" / "glue" / "ingest_customers.py").read_text("utf-8"))
    assert [s["recursive"] for s in job["sources"]] == [True]
    assert job["on_duplicate_file"] == "ingest"
    default = job_literal((tmp_path / "out" / "glue" / "ingest_orders.py").read_text("utf-8"))
    assert [s["recursive"] for s in default["sources"]] == [False]
    assert default["on_duplicate_file"] == "skip"
