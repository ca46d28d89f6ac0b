"""The compile-benchmark generator: a clean alurc project and a matching dbt project."""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks" / "compile"))

from generate import generate

from alur_compiler import api
from alur_compiler.ir import Layer, WriteMode

N = 20


def test_alurc_project_loads_without_any_diagnostic(tmp_path: Path) -> None:
    alurc_root, _, syn = generate(N, tmp_path)
    result = api.load(alurc_root)
    assert [str(d) for d in result.diagnostics.errors] == []
    assert [str(d) for d in result.diagnostics.warnings] == []
    project = result.project
    assert project is not None
    assert len(project.pipelines) == N
    assert len(project.ingestions) == N // 4
    assert len(project.tables) == N + N // 4
    layers = [t.layer for t in project.tables]
    assert layers.count(Layer.BRONZE) == 5 and layers.count(Layer.SILVER) == 12
    assert layers.count(Layer.GOLD) == 8
    modes = {p.mode for p in project.pipelines}
    assert modes == {WriteMode.MERGE, WriteMode.OVERWRITE}
    assert all(
        p.sequence_by == "updated_at" for p in project.pipelines if p.mode is WriteMode.MERGE
    )
    kinds = {c.type.value for t in project.tables for c in t.checks}
    assert {"not_null", "unique", "accepted_values", "between"} <= kinds
    sql = " ".join(p.sql for p in project.pipelines)
    for feature in ("JOIN", "GROUP BY", "WITH ", "CASE", "OVER ("):
        assert feature in sql, feature
    assert {p.name for p in project.pipelines} == {j.name for j in syn.pipelines}


def test_dbt_project_has_one_model_and_one_yml_per_pipeline(tmp_path: Path) -> None:
    _, dbt_root, syn = generate(N, tmp_path)
    for name in (
        "dbt_project.yml",
        "profiles.yml",
        "models/sources.yml",
        "tests/generic/between.sql",
    ):
        assert (dbt_root / name).is_file(), name
    sql = sorted(p.stem for p in (dbt_root / "models").rglob("*.sql"))
    yml = sorted(p.stem for p in (dbt_root / "models").rglob("*.yml") if p.stem != "sources")
    assert sql == yml == sorted(j.target for j in syn.pipelines)
    assert len(sql) == N
    sources = yaml.safe_load((dbt_root / "models" / "sources.yml").read_text())
    assert len(sources["sources"][0]["tables"]) == N // 4
    model = next(p for p in (dbt_root / "models" / "silver").glob("*.sql"))
    text = model.read_text()
    assert "{{ source('bronze', '" in text and "unique_key='record_id'" in text
    doc = yaml.safe_load(model.with_suffix(".yml").read_text())["models"][0]
    assert doc["config"]["contract"]["enforced"] is True
    tests = [
        t if isinstance(t, str) else next(iter(t))
        for c in doc["columns"]
        for t in c.get("data_tests", [])
    ]
    assert {"unique", "not_null", "accepted_values", "between"} <= set(tests)
    assert all("data_type" in c for c in doc["columns"])


def test_generation_is_deterministic(tmp_path: Path) -> None:
    generate(N, tmp_path / "a")
    generate(N, tmp_path / "b")
    rel_a = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*.*"))
    rel_b = sorted(p.relative_to(tmp_path / "b") for p in (tmp_path / "b").rglob("*.*"))
    assert rel_a == rel_b and len(rel_a) > 2 * N
    for rel in rel_a:
        if rel.name != "profiles.yml":  # holds the absolute path of the duckdb file
            assert (tmp_path / "a" / rel).read_bytes() == (tmp_path / "b" / rel).read_bytes(), rel


def test_dbtlike_shape_is_clean_and_has_the_real_projects_features(tmp_path: Path) -> None:
    n = 40
    alurc_root, dbt_root, syn = generate(n, tmp_path, shape="dbtlike")
    result = api.load(alurc_root)
    assert [str(d) for d in result.diagnostics.sorted()] == []
    project = result.project
    assert project is not None
    assert len(project.pipelines) == n
    assert len(project.tables) == n * 8 // 5 and len(project.ingestions) == n * 3 // 5
    assert all(p.sql_file is not None for p in project.pipelines)
    assert all("SELECT * FROM final" in p.sql for p in project.pipelines)
    contracts = list((alurc_root / "contracts").rglob("*.yaml"))
    docs = [d for c in contracts for d in yaml.safe_load_all(c.read_text())]
    assert len(docs) == len(project.tables) and len(contracts) < len(docs) // 10
    assert len(list((alurc_root / "pipelines").glob("*.yaml"))) == 2  # 25 documents a file
    models = sorted(p.stem for p in (dbt_root / "models").rglob("*.sql"))
    assert models == sorted(j.target for j in syn.pipelines)
    schema_ymls = list((dbt_root / "models").rglob("_schema_*.yml"))
    assert sum(len(yaml.safe_load(p.read_text())["models"]) for p in schema_ymls) == n
