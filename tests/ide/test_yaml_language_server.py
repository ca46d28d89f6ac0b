"""The real yaml-language-server (the engine of VS Code's YAML extension) on a project made
by `alurc init`: the .vscode settings map our schemas, and the editor gets completion with
descriptions, hover docs and diagnostics from exactly the files the compiler reads."""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from lsp_client import LspClient  # tests/ide is on sys.path (pytest rootdir-less import)

from alur_compiler.scaffold import init_project
from alur_compiler.scaffold.templates import FILES

ROOT = Path(__file__).resolve().parents[2]
SERVER = ROOT / "node_modules" / "yaml-language-server" / "bin" / "yaml-language-server"
NODE = shutil.which("node")

pytestmark = [
    pytest.mark.ide,
    pytest.mark.skipif(NODE is None, reason="node is not installed (needed for the IDE test)"),
    pytest.mark.skipif(
        not SERVER.is_file(),
        reason="node_modules/yaml-language-server is missing: run `make node-setup` (npm ci)",
    ),
]

KINDS = {"Project", "Table", "Pipeline", "Ingestion", "Test"}
PRIMITIVES = {
    "string", "boolean", "tinyint", "smallint", "int", "bigint",
    "float", "double", "date", "timestamp", "timestamp_ntz", "binary",
}  # fmt: skip


def settings_for(project: Path) -> dict[str, Any]:
    """What VS Code would send: the project's .vscode/settings.json, by section."""
    vscode = json.loads((project / ".vscode" / "settings.json").read_text(encoding="utf-8"))
    yaml_section = {k.removeprefix("yaml."): v for k, v in vscode.items() if k.startswith("yaml.")}
    yaml_section["schemaStore"] = {"enable": False}  # no network: only our schemas
    return {"yaml": yaml_section, "http": {}, "[yaml]": {}, "editor": {"tabSize": 2}}


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("ide") / "shop"
    init_project(root, "shop")
    return root


@pytest.fixture(scope="module")
def lsp(project: Path) -> Iterator[LspClient]:
    assert NODE is not None
    started = time.monotonic()
    client = LspClient([NODE, str(SERVER), "--stdio"], project, settings_for(project))
    with client:
        client.initialize()
        yield client
    assert time.monotonic() - started < 10, "the IDE session must stay under 10 s"


def doc_text(item: dict[str, Any]) -> str:
    doc = item.get("documentation")
    if isinstance(doc, dict):
        return str(doc.get("value", ""))
    return str(doc or "")


def by_label(items: list[dict[str, Any]]) -> dict[str, str]:
    return {item["label"]: doc_text(item) for item in items}


def open_doc(lsp: LspClient, project: Path, relative: str, text: str) -> str:
    path = project / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return lsp.open(path)


def test_kind_completion_offers_the_four_kinds(lsp: LspClient, project: Path) -> None:
    uri = open_doc(lsp, project, "contracts/new.yaml", "apiVersion: alur/v1\nkind: \n")
    items = by_label(lsp.completion(uri, 1, 6))
    assert set(items) == KINDS
    assert "table contract" in items["Table"]
    assert "bronze table" in items["Ingestion"]
    assert all(items[k] for k in KINDS), items


def test_layer_completion_describes_each_layer(lsp: LspClient, project: Path) -> None:
    text = "apiVersion: alur/v1\nkind: Table\nname: t\nlayer: \n"
    uri = open_doc(lsp, project, "contracts/layer.yaml", text)
    items = by_label(lsp.completion(uri, 3, 7))
    assert set(items) == {"bronze", "silver", "gold"}
    assert "Parquet, append only" in items["bronze"]
    assert "merged (upserted) by primary key" in items["silver"]
    assert "overwritten on each run" in items["gold"]


def test_column_type_completion_offers_primitive_types(lsp: LspClient, project: Path) -> None:
    text = (
        "apiVersion: alur/v1\nkind: Table\nname: t\nlayer: silver\n"
        "columns:\n  - name: amount\n    type: \n"
    )
    uri = open_doc(lsp, project, "contracts/types.yaml", text)
    items = by_label(lsp.completion(uri, 6, 10))
    assert set(items) >= PRIMITIVES
    assert items["bigint"] == "64-bit signed integer."
    assert all(items[name] for name in PRIMITIVES)
    assert "decimal(10,2)" in items  # parameterised forms are offered as examples


def test_check_type_completion(lsp: LspClient, project: Path) -> None:
    text = (
        "apiVersion: alur/v1\nkind: Table\nname: t\nlayer: silver\n"
        "columns:\n  - name: a\n    type: int\nchecks:\n  - type: \n"
    )
    uri = open_doc(lsp, project, "contracts/checks.yaml", text)
    items = by_label(lsp.completion(uri, 8, 10))
    assert {"not_null", "unique", "between", "freshness", "relationship"} <= set(items)
    assert "is not NULL" in items["not_null"]


def test_key_completion_in_a_table(lsp: LspClient, project: Path) -> None:
    uri = open_doc(
        lsp, project, "contracts/keys.yaml", "apiVersion: alur/v1\nkind: Table\nname: t\n\n"
    )
    items = by_label(lsp.completion(uri, 3, 0))
    assert {"layer", "columns", "primary_key", "partition_by", "checks", "description"} <= set(
        items
    )
    assert "name" not in items and "kind" not in items  # already present
    assert items["primary_key"].startswith("Columns that identify a row")


def test_check_snippets_in_a_check_list(lsp: LspClient, project: Path) -> None:
    text = "apiVersion: alur/v1\nkind: Pipeline\nname: p\nchecks:\n  - \n"
    uri = open_doc(lsp, project, "pipelines/snippets.yaml", text)
    items = {i["label"]: i for i in lsp.completion(uri, 4, 4)}
    assert {"not_null", "unique", "accepted_values", "between", "expression"} <= set(items)
    assert "type: not_null" in items["not_null"]["insertText"]
    assert {"type", "column", "action", "mostly"} <= set(items)  # the check's keys


def test_hover_on_a_key_shows_its_description(lsp: LspClient, project: Path) -> None:
    uri = lsp.open(project / "contracts" / "silver" / "orders.yaml")
    lines = (project / "contracts" / "silver" / "orders.yaml").read_text().splitlines()
    pk_line = next(i for i, line in enumerate(lines) if line.startswith("primary_key:"))
    hover = lsp.hover(uri, pk_line, 3)
    assert hover is not None
    assert "Columns that identify a row" in hover["contents"]["value"]
    name_line = lines.index("  - name: order_id")
    hover = lsp.hover(uri, name_line, 5)
    assert hover is not None
    assert "Column name" in hover["contents"]["value"]


def test_unknown_key_is_a_diagnostic_on_its_line(lsp: LspClient, project: Path) -> None:
    text = (
        "apiVersion: alur/v1\nkind: Table\nname: t\nlayer: silver\n"
        "colums:\n  - name: a\n    type: int\n"
    )
    uri = open_doc(lsp, project, "contracts/typo.yaml", text)
    diagnostics = lsp.diagnostics(uri)
    unknown = [d for d in diagnostics if "colums" in d["message"]]
    assert len(unknown) == 1, diagnostics
    assert unknown[0]["message"] == "Property colums is not allowed."
    assert unknown[0]["range"]["start"] == {"line": 4, "character": 0}
    assert unknown[0]["severity"] == 1
    missing = [d for d in diagnostics if d["message"] == 'Missing property "columns".']
    assert len(missing) == 1, diagnostics


def test_bad_value_is_a_diagnostic(lsp: LspClient, project: Path) -> None:
    text = (
        "apiVersion: alur/v1\nkind: Pipeline\nname: p\ntarget: t\nsql: SELECT 1 AS a\n"
        "mode: upsert\n"
    )
    uri = open_doc(lsp, project, "pipelines/bad_mode.yaml", text)
    lines = [d["range"]["start"]["line"] for d in lsp.diagnostics(uri)]
    assert lines == [5]


def test_scaffolded_project_has_no_diagnostics(lsp: LspClient, project: Path) -> None:
    specs = sorted(name for name in FILES if name.endswith(".yaml"))
    assert len(specs) == 8
    uris = {relative: lsp.open(project / relative) for relative in specs}  # validated in parallel
    found = {relative: lsp.diagnostics(uri) for relative, uri in uris.items()}
    assert found == {relative: [] for relative in specs}


def test_retail_example_has_no_diagnostics(lsp: LspClient, project: Path) -> None:
    """The IDE accepts the reference example, like the compiler does."""
    example = ROOT / "examples" / "retail"
    files = sorted(example.glob("*/**/*.yaml"))
    assert len(files) == 19  # 14 specs and 5 test files
    uris = {}
    for i, path in enumerate(files):
        folder = path.relative_to(example).parts[0]
        uris[path.relative_to(example).as_posix()] = open_doc(
            lsp, project, f"{folder}/retail_{i}.yaml", path.read_text()
        )
    found = {name: lsp.diagnostics(uri) for name, uri in uris.items()}
    assert found == {name: [] for name in uris}


def test_files_outside_the_spec_folders_are_not_validated(lsp: LspClient, project: Path) -> None:
    uri = open_doc(lsp, project, "notes/other.yaml", "kind: Table\ncolums: 1\n")
    assert lsp.diagnostics(uri) == []


def test_key_completion_in_a_test(lsp: LspClient, project: Path) -> None:
    """tests/*.yaml (kind: Test) are mapped too: `alurc test`'s keys complete, with docs."""
    text = "apiVersion: alur/v1\nkind: Test\nname: t\npipeline: clean_orders\nexpect:\n  \n"
    uri = open_doc(lsp, project, "tests/keys.yaml", text)
    items = by_label(lsp.completion(uri, 5, 2))
    assert {"rows", "quarantine", "checks", "status"} <= set(items)
    assert "after the write" in items["rows"]
    top = by_label(lsp.completion(uri, 3, 0))
    assert {"given", "existing", "files", "description"} <= set(top)
    missing = open_doc(
        lsp,
        project,
        "tests/missing.yaml",
        "apiVersion: alur/v1\nkind: Test\nname: t\npipeline: p\n",
    )
    assert any("expect" in d["message"] for d in lsp.diagnostics(missing))
