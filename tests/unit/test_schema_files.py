"""Where alurc finds its JSON Schemas, and the schema layer's imports."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from alur_compiler.schema import files
from alur_compiler.schema.files import SCHEMA_DIR_ENV, schema_dir, schema_files

ROOT = Path(__file__).resolve().parents[2]


def test_a_checkout_reads_the_repository_schemas(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(SCHEMA_DIR_ENV, raising=False)
    assert schema_dir() == ROOT / "schemas"
    assert schema_files() == sorted((ROOT / "schemas").glob("*.schema.json"))


def test_the_environment_variable_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "alur.schema.json").write_text("{}")
    monkeypatch.setenv(SCHEMA_DIR_ENV, str(tmp_path))
    assert schema_dir() == tmp_path


def test_an_installed_package_reads_its_own_copy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = tmp_path / "site-packages" / "alur_compiler"
    (package / "schemas").mkdir(parents=True)
    (package / "schemas" / "alur.schema.json").write_text("{}")
    (tmp_path / "site-packages" / "schemas").mkdir()  # not a checkout: no pyproject.toml
    (tmp_path / "site-packages" / "schemas" / "alur.schema.json").write_text("{}")
    monkeypatch.delenv(SCHEMA_DIR_ENV, raising=False)
    monkeypatch.setattr(files, "_PACKAGE", package)
    assert schema_dir() == package / "schemas"


def test_missing_schemas_name_every_place_searched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(SCHEMA_DIR_ENV, raising=False)
    monkeypatch.setattr(files, "_PACKAGE", tmp_path / "alur_compiler")
    with pytest.raises(FileNotFoundError, match="JSON Schemas are missing") as info:
        schema_dir()
    assert str(tmp_path / "alur_compiler" / "schemas") in str(info.value)


def test_the_schema_layer_does_not_import_scaffold() -> None:
    for path in sorted((ROOT / "alur_compiler" / "schema").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            for name in names:
                assert not name.startswith(("alur_compiler.scaffold", "alur_compiler.cli")), path
