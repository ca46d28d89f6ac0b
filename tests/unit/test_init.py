"""`alurc init`: a working project that validates clean, with IDE schema settings."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from typer.testing import CliRunner, Result

from alur_compiler.cli import app
from alur_compiler.scaffold import (
    SCHEMA_FOLDER,
    InitError,
    check_name,
    init_project,
)
from alur_compiler.schema.files import schema_dir

ROOT = Path(__file__).resolve().parents[2]
EXPECTED = [
    ".gitignore",
    ".vscode/alur-schemas/alur.schema.json",
    ".vscode/alur-schemas/common.schema.json",
    ".vscode/alur-schemas/ingestion.schema.json",
    ".vscode/alur-schemas/pipeline.schema.json",
    ".vscode/alur-schemas/project.schema.json",
    ".vscode/alur-schemas/table.schema.json",
    ".vscode/alur-schemas/test.schema.json",
    ".vscode/extensions.json",
    ".vscode/settings.json",
    "README.md",
    "alur.yaml",
    "contracts/bronze/orders_raw.yaml",
    "contracts/gold/daily_sales.yaml",
    "contracts/silver/orders.yaml",
    "data/landing/orders/orders_2026-01-05.csv",
    "ingestions/ingest_orders.yaml",
    "pipelines/clean_orders.yaml",
    "pipelines/daily_sales.yaml",
    "tests/clean_orders.yaml",
]


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("init") / "shop_demo"
    written = init_project(root, "shop_demo")
    assert [p.relative_to(root).as_posix() for p in written] == EXPECTED
    return root


def docs_of(project: Path) -> list[tuple[str, Any]]:
    found = []
    for path in sorted(project.rglob("*.yaml")):
        for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")):
            found.append((path.relative_to(project).as_posix(), doc))
    return found


def test_files_on_disk_are_exactly_the_returned_ones(project: Path) -> None:
    on_disk = sorted(p.relative_to(project).as_posix() for p in project.rglob("*") if p.is_file())
    assert on_disk == EXPECTED


def test_project_file(project: Path) -> None:
    doc = yaml.safe_load((project / "alur.yaml").read_text())
    assert doc["name"] == "shop_demo"
    assert list(doc["environments"]) == ["dev"]
    assert doc["environments"]["dev"]["buckets"] == {
        "lake": "shop-demo-dev-lake",
        "artifacts": "shop-demo-dev-artifacts",
        "landing": "shop-demo-dev-landing",
    }


def test_gitignore_ignores_build_and_state(project: Path) -> None:
    lines = (project / ".gitignore").read_text().splitlines()
    assert "build/" in lines
    assert ".alur/" in lines
    assert not any(line.startswith(".vscode") for line in lines)  # schemas are versioned


def test_vscode_settings_map_the_copied_schemas(project: Path) -> None:
    settings = json.loads((project / ".vscode" / "settings.json").read_text())
    mapping = settings["yaml.schemas"]
    assert list(mapping) == [f"./{SCHEMA_FOLDER}/alur.schema.json"]
    assert "contracts/**/*.yaml" in mapping[f"./{SCHEMA_FOLDER}/alur.schema.json"]
    assert settings["yaml.validate"] is True
    for source in sorted(schema_dir().glob("*.schema.json")):
        copy = project / SCHEMA_FOLDER / source.name
        assert copy.read_bytes() == source.read_bytes()


def test_every_spec_validates_against_the_copied_schemas(project: Path) -> None:
    folder = project / SCHEMA_FOLDER
    schemas = {p.name: json.loads(p.read_text()) for p in folder.glob("*.json")}
    registry: Registry = Registry().with_resources(
        (name, Resource.from_contents(s)) for name, s in schemas.items()
    )
    validator = Draft202012Validator(schemas["alur.schema.json"], registry=registry)
    docs = docs_of(project)
    assert [kind for _, kind in sorted((f, d["kind"]) for f, d in docs)] == [
        "Project", "Table", "Table", "Table", "Ingestion", "Pipeline", "Pipeline", "Test",
    ]  # fmt: skip
    for where, doc in docs:
        assert [e.message for e in validator.iter_errors(doc)] == [], where


def test_sample_csv_has_the_bronze_columns_by_name(project: Path) -> None:
    table = yaml.safe_load((project / "contracts/bronze/orders_raw.yaml").read_text())
    with (project / "data/landing/orders/orders_2026-01-05.csv").open(newline="") as f:
        rows = list(csv.DictReader(f))
    assert set(rows[0]) == {c["name"] for c in table["columns"]}
    assert len(rows) == 6
    assert len({r["order_id"] for r in rows}) == 5  # one order updated: merge keeps the latest


def test_project_compiles_without_any_diagnostic(project: Path) -> None:
    api = pytest.importorskip("alur_compiler.api")
    if not hasattr(api, "load_project"):
        pytest.skip("alur_compiler.api.load_project does not exist yet")
    ir_project, diags = api.load_project(project)
    assert [(d.code.code, d.message, str(d.span)) for d in diags.items] == []
    assert ir_project is not None
    assert [t.name for t in ir_project.tables] == ["daily_sales", "orders", "orders_raw"]
    assert [j.name for j in ir_project.jobs] == ["clean_orders", "daily_sales", "ingest_orders"]


def test_refuses_a_non_empty_folder(tmp_path: Path) -> None:
    (tmp_path / "keep.txt").write_text("mine")
    with pytest.raises(InitError) as info:
        init_project(tmp_path, "shop")
    assert info.value.exit_code == 1
    assert "is not empty" in info.value.message
    assert [p.name for p in tmp_path.iterdir()] == ["keep.txt"]


def test_an_empty_existing_folder_is_fine(tmp_path: Path) -> None:
    assert len(init_project(tmp_path, "shop")) == len(EXPECTED)


@pytest.mark.parametrize(
    ("name", "suggestion"),
    [
        ("My-Shop", "my_shop"),
        ("1shop", "project_1shop"),
        ("shop.v2", "shop_v2"),
        ("x" * 65, "x" * 64),
    ],
)
def test_invalid_names_exit_2_with_a_hint(name: str, suggestion: str) -> None:
    error = check_name(name)
    assert error is not None
    assert error.exit_code == 2
    assert error.hint is not None and repr(suggestion) in error.hint
    assert check_name(suggestion) is None


def run_cli(args: list[str]) -> Result:
    return CliRunner().invoke(app, args, catch_exceptions=False)


def test_cli_init_creates_the_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = run_cli(["init", "shop"])
    assert result.exit_code == 0, result.output
    assert "created shop/alur.yaml" in result.stdout
    assert "alurc validate" in result.stdout
    assert (tmp_path / "shop" / "alur.yaml").is_file()
    assert not (tmp_path / "My-Shop").exists()


def test_cli_init_exit_codes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    bad = run_cli(["init", "My-Shop"])
    assert bad.exit_code == 2
    assert "error: invalid project name 'My-Shop'" in bad.stderr
    assert "hint:" in bad.stderr and "'my_shop'" in bad.stderr
    target = tmp_path / "taken"
    target.mkdir()
    (target / "x").write_text("")
    taken = run_cli(["init", "shop", "--dir", str(target)])
    assert taken.exit_code == 1
    assert "is not empty" in taken.stderr
