"""Selection on a real local run: a job whose relationship check reads another table runs
after that table's writer, also when it is run with its upstreams on an empty warehouse."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from selection_project import FILES, write_project
from typer.testing import CliRunner

from alur_compiler.api_local import RunOptions, run_local
from alur_compiler.cli import app

pytestmark = pytest.mark.spark

CSV_A = "id\n1\n2\n"
CSV_B = "id,a_id\n10,1\n11,2\n12,3\n"  # 12 points at no row of a


def landing_project(root: Path, name: str) -> Path:
    write_project(root)
    project = (root / "alur.yaml").read_text().replace("name: seltest", f"name: {name}")
    (root / "alur.yaml").write_text(project)
    ingest = FILES["ingestions/ingest.yaml"].replace(
        "format: csv}", "format: csv, options: {header: true}}"
    )
    (root / "ingestions/ingest.yaml").write_text(ingest)
    for folder, text in (("a", CSV_A), ("b", CSV_B)):
        (root / "data/landing" / folder).mkdir(parents=True)
        (root / "data/landing" / folder / f"{folder}.csv").write_text(text)
    return root


def test_checked_job_with_its_upstreams_on_an_empty_warehouse(spark: Any, tmp_path: Path) -> None:
    root = landing_project(tmp_path / "p", "selrel")
    run = run_local(root, RunOptions(select=["+clean_b"], preview=0))
    assert run.exit_code == 0, [(r.name, r.status, r.error) for r in run.results]
    order = [r.name for r in run.results]
    assert set(order) == {"ingest_a", "ingest_b", "load_a", "clean_b"}
    assert order.index("load_a") < order.index("clean_b")  # alphabetically it would be after
    assert run.not_selected == ["report"]
    clean_b = next(r for r in run.results if r.name == "clean_b")
    checks = {c["name"]: c for c in clean_b.report["checks"]}
    rel = checks["relationship_a_id"]
    assert rel["unexpected_count"] == 1, rel  # 12 -> 3 is the one orphan: `a` was read
    rows = spark.table("glue_catalog.selrel_local_silver.b").collect()
    assert sorted(r["id"] for r in rows) == [10, 11, 12]  # warn: nothing dropped


def test_run_names_only_what_is_selected(spark: Any, tmp_path: Path) -> None:
    root = landing_project(tmp_path / "p", "selonly")
    result = CliRunner().invoke(app, ["run", "--local", str(root), "ingest_a", "--preview", "0"])
    assert result.exit_code == 0, result.output
    assert "not selected (4 jobs): clean_b, ingest_b, load_a, report" in result.output
    assert "succeeded  ingest_a" in result.output
    shutil.rmtree(root)
