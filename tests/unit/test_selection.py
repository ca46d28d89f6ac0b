"""`--select` / `--exclude` (specs/selection.md): each operator against sets written by hand,
on a small project and on examples/retail; bad selectors are usage errors with a hint."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from selection_project import LOAD_A, write_project
from typer.testing import CliRunner

from alur_compiler import api
from alur_compiler.cli import app
from alur_compiler.diagnostics.suggest import UnknownName
from alur_compiler.ir import Project
from alur_compiler.ir.graph import execution_order, job_dependencies
from alur_compiler.selection import SelectorError, select_jobs, select_tables

ROOT = Path(__file__).resolve().parents[2]
RETAIL = ROOT / "examples" / "retail"


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Project:
    root = write_project(tmp_path_factory.mktemp("sel"))
    project, diags = api.load_project(root)
    assert project is not None, [d.message for d in diags.errors]
    return project


@pytest.fixture(scope="module")
def retail() -> Project:
    project, diags = api.load_project(RETAIL)
    assert project is not None, [d.message for d in diags.errors]
    return project


ALL_SMALL = {"ingest_a", "ingest_b", "load_a", "clean_b", "report"}
SMALL_CASES = [
    (["load_a"], [], {"load_a"}),
    (["a"], [], {"load_a"}),  # a table stands for its writer
    (["+clean_b"], [], {"clean_b", "ingest_b", "load_a", "ingest_a"}),  # load_a: check edge
    (["1+clean_b"], [], {"clean_b", "ingest_b", "load_a"}),
    (["load_a+"], [], {"load_a", "clean_b", "report"}),
    (["ingest_a+1"], [], {"ingest_a", "load_a"}),
    (["ingest_a+2"], [], {"ingest_a", "load_a", "clean_b", "report"}),
    (["1+clean_b+1"], [], {"clean_b", "ingest_b", "load_a", "report"}),
    (["layer:silver"], [], {"load_a", "clean_b"}),
    (["layer:bronze"], [], {"ingest_a", "ingest_b"}),
    (["tag:finance"], [], {"load_a", "report"}),  # the pipeline's tag, the table's tag
    (["tag:daily"], [], {"report"}),
    (["path:pipelines/finance"], [], {"clean_b"}),
    (["path:pipelines"], [], {"load_a", "clean_b", "report"}),
    (["path:contracts"], [], ALL_SMALL),  # every job's target contract is in there
    (["layer:silver,tag:finance"], [], {"load_a"}),  # intersection
    (["load_a ingest_b"], [], {"load_a", "ingest_b"}),  # union in one value
    (["load_a", "ingest_b"], [], {"load_a", "ingest_b"}),  # union of repeated options
    (["+report"], ["layer:bronze"], {"load_a", "clean_b", "report"}),
    ([], ["report"], ALL_SMALL - {"report"}),
    ([], [], ALL_SMALL),
    (["tag:reference"], [], set()),  # only a writer-less table carries it
]


@pytest.mark.parametrize(("select", "exclude", "expected"), SMALL_CASES)
def test_small_project_selection(
    small: Project, select: list[str], exclude: list[str], expected: set[str]
) -> None:
    assert set(select_jobs(small, select, exclude)) == expected


RETAIL_CASES = [
    (
        ["+daily_revenue"],
        {"daily_revenue", "clean_orders", "clean_products", "clean_customers"}
        | {"ingest_orders", "ingest_products", "ingest_customers"},
    ),
    (
        ["clean_customers+"],
        {"clean_customers", "clean_orders", "customer_lifetime_value"} | {"daily_revenue"},
    ),
    (["clean_customers+1"], {"clean_customers", "clean_orders", "customer_lifetime_value"}),
    (["1+clean_orders"], {"clean_orders", "ingest_orders", "clean_customers"}),
    (["layer:gold"], {"customer_lifetime_value", "daily_revenue"}),
    (["path:ingestions"], {"ingest_orders", "ingest_products", "ingest_customers"}),
    (["path:contracts/silver"], {"clean_orders", "clean_products", "clean_customers"}),
    (["orders"], {"clean_orders"}),
]


@pytest.mark.parametrize(("select", "expected"), RETAIL_CASES)
def test_retail_selection(retail: Project, select: list[str], expected: set[str]) -> None:
    assert set(select_jobs(retail, select, [])) == expected


def test_tables_of_a_selection(small: Project) -> None:
    assert select_tables(small, ["layer:gold"], []) == ["g", "lookup"]
    assert select_tables(small, ["+clean_b"], []) == ["a", "b", "raw_a", "raw_b"]
    assert select_tables(small, ["layer:gold"], ["lookup"]) == ["g"]


def test_a_relationship_check_orders_its_job(small: Project, retail: Project) -> None:
    """clean_b's check reads `a`: load_a runs first (without the edge, clean_b sorts first)."""
    order = execution_order(small)
    assert order.index("load_a") < order.index("clean_b")
    assert "load_a" in job_dependencies(small)["clean_b"]
    assert "clean_customers" in job_dependencies(retail)["clean_orders"]


@pytest.mark.parametrize(
    ("selector", "error", "words"),
    [
        ("load_aa", UnknownName, "did you mean 'load_a'"),
        ("layr:silver", UnknownName, "did you mean 'layer'"),
        ("layer:silvr", UnknownName, "did you mean 'silver'"),
        ("tag:financ", UnknownName, "did you mean 'finance'"),
        ("x+load_a", SelectorError, "bad depth"),
        ("0+load_a", SelectorError, "bad depth '0'"),
        ("load_a+-1", SelectorError, "bad depth"),
        ("path:nowhere", SelectorError, "no file or folder 'nowhere'"),
        ("tag:", SelectorError, "names nothing"),
        ("a+b+c+d", SelectorError, "bad selector"),
    ],
)
def test_bad_selectors(small: Project, selector: str, error: type, words: str) -> None:
    with pytest.raises(error) as caught:
        select_jobs(small, [selector], [])
    assert words in caught.value.message  # type: ignore[attr-defined]
    assert caught.value.hint  # type: ignore[attr-defined]


def test_cli_bad_selector_is_a_usage_error(tmp_path: Path) -> None:
    root = write_project(tmp_path / "p")
    result = CliRunner().invoke(app, ["run", "--local", str(root), "--select", "layer:silvr"])
    assert result.exit_code == 2
    assert "unknown layer 'silvr' (did you mean 'silver'?)" in result.output
    assert "hint:" in result.output
    assert "Traceback" not in result.output


def test_graph_select(tmp_path: Path) -> None:
    import json

    root = write_project(tmp_path / "p")
    result = CliRunner().invoke(app, ["graph", str(root), "--format", "json", "-s", "+clean_b"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert {j["name"] for j in doc["jobs"]} == {"clean_b", "ingest_b", "load_a", "ingest_a"}
    assert {t["name"] for t in doc["tables"]} == {"a", "b", "raw_a", "raw_b"}


def test_tags_are_validated(tmp_path: Path) -> None:
    root = write_project(tmp_path / "p")
    path = root / "pipelines/load_a.yaml"
    path.write_text(LOAD_A.replace("[finance]", "[Finance Team]"), encoding="utf-8")
    result = api.load(root)
    assert any(d.span.line == 4 for d in result.diagnostics.errors)


def test_copying_retail_keeps_selection(tmp_path: Path) -> None:
    copy = tmp_path / "retail"
    shutil.copytree(RETAIL, copy, ignore=shutil.ignore_patterns("build", ".alur"))
    project, _ = api.load_project(copy)
    assert project is not None
    assert set(select_jobs(project, ["path:pipelines/clean_orders.yaml"], [], cwd=tmp_path)) == {
        "clean_orders"
    }
