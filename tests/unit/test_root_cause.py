"""One root cause, reported once (issue 14): a table whose contract has errors still exists
for the pipelines that read it."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

from alur_compiler import api
from alur_compiler.diagnostics import Diagnostics
from alur_compiler.load.yaml_loader import parse_documents

ROOT = Path(__file__).resolve().parents[2]
RETAIL = ROOT / "examples" / "retail"
re_reads = re.compile(r"FROM (silver\.)?orders\b")


def _load(folder: Path) -> list[tuple[str, str, int]]:
    cwd = os.getcwd()
    os.chdir(folder)
    try:
        result = api.load(Path("."))
    finally:
        os.chdir(cwd)
    return [(d.code.code, d.span.file, d.span.line) for d in result.diagnostics.sorted()]


def test_one_schema_error_and_three_readers_give_one_diagnostic(tmp_path: Path) -> None:
    shutil.copy(ROOT / "tests" / "errors" / "msg_one_root_cause.yaml", tmp_path / "alur.yaml")
    text = (tmp_path / "alur.yaml").read_text(encoding="utf-8")
    readers = [line for line in text.splitlines() if re_reads.search(line)]
    assert len(readers) == 3, readers
    assert _load(tmp_path) == [("AL203", "alur.yaml", 39)]


def test_the_retail_readers_of_a_broken_contract_stay_quiet(tmp_path: Path) -> None:
    project = tmp_path / "retail"
    shutil.copytree(RETAIL, project, ignore=shutil.ignore_patterns("build", ".alur"))
    orders = project / "contracts" / "silver" / "orders.yaml"
    text = orders.read_text(encoding="utf-8")
    assert "    columns: [order_id]\n" in text
    orders.write_text(text.replace("    columns: [order_id]\n", "    column: order_id\n"))
    found = _load(project)
    assert found == [("AL203", "contracts/silver/orders.yaml", 34)]


def test_a_broken_column_type_silences_readers_too(tmp_path: Path) -> None:
    project = tmp_path / "retail"
    shutil.copytree(RETAIL, project, ignore=shutil.ignore_patterns("build", ".alur"))
    orders = project / "contracts" / "silver" / "orders.yaml"
    text = orders.read_text(encoding="utf-8")
    orders.write_text(text.replace("    type: int\n", "    type: intt\n", 1))
    assert [code for code, _, _ in _load(project)] == ["AL205"]


def test_checks_after_a_removed_check_keep_their_own_lines() -> None:
    text = """apiVersion: alur/v1
kind: Table
name: t
layer: silver
columns: [{name: a, type: int}]
checks:
  - type: unique
    column: a
  - type: not_null
    column: b
"""
    diags = Diagnostics()
    (doc,) = parse_documents(text, "t.yaml", "/t.yaml", diags)
    kept = doc.without([("checks", 0)])
    assert kept.data["checks"] == [{"type": "not_null", "column": "b"}]
    assert kept.span_of("/checks/0/column").line == 10
    assert doc.data["checks"][0]["type"] == "unique"  # the original is untouched
    assert doc.span_of("/checks/0/column").line == 8
