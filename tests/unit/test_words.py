"""Counts agree with their nouns (issue 14: `1 ingestions`), through one helper.

The class is every place in the compiler that formats a count next to a noun. The scan
below reads every module's f-strings and fails on a count formatted with a fixed plural
(`{len(x)} files`) or a `(s)` suffix, unless it goes through diagnostics/words.py or is
listed in KNOWN with the reason the count can never be 1.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from alur_compiler.cli import app
from alur_compiler.diagnostics.words import count, noun, plural

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "alur_compiler"

#: (file, text of the f-string part) -> why the count is never 1 there
KNOWN = {
    ("semantic/sql_parse.py", "statements"): "only reported for 2 or more statements",
    ("semantic/aws_limits.py", "characters"): "only reported past a limit of dozens",
    ("semantic/aws_limits.py", "tags"): "only reported past 45 tags",
    ("backends/glue/backend.py", "quality check(s)"): "generated code, not console output",
    ("scaffold/project.py", "characters"): "only reported past the name length limit",
}


@pytest.mark.parametrize(
    ("n", "word", "expected"),
    [
        (0, "table", "0 tables"),
        (1, "table", "1 table"),
        (2, "table", "2 tables"),
        (1, "ingestion", "1 ingestion"),
        (3, "ingestion", "3 ingestions"),
        (1, "entry", "1 entry"),
        (2, "entry", "2 entries"),
        (2, "dependency", "2 dependencies"),
        (2, "key", "2 keys"),
        (2, "class", "2 classes"),
        (2, "destructive change", "2 destructive changes"),
    ],
)
def test_count_agrees(n: int, word: str, expected: str) -> None:
    assert count(n, word) == expected


def test_noun_and_plural() -> None:
    assert noun(1, "environment") == "environment"
    assert noun(2, "environment") == "environments"
    assert plural("job") == "jobs"
    assert count(2, "child", "children") == "2 children"


_COUNTED = re.compile(r"^\s*(\w+s)\b")


def _violations(path: Path, base: Path = PACKAGE) -> list[tuple[str, int, str]]:
    rel = path.relative_to(base).as_posix()
    found = []
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {id(n.value) for n in ast.walk(tree) if isinstance(n, ast.Expr)}
    for node in ast.walk(tree):
        text = node.value if isinstance(node, ast.Constant) else None
        if isinstance(text, str) and "(s)" in text and id(node) not in docstrings:
            word = text.strip().split("(s)")[0].split()[-2:]
            found.append((rel, node.lineno, " ".join(word) + "(s)"))
        if not isinstance(node, ast.JoinedStr):
            continue
        for before, after in zip(node.values, node.values[1:], strict=False):
            is_len = (
                isinstance(before, ast.FormattedValue)
                and isinstance(before.value, ast.Call)
                and isinstance(before.value.func, ast.Name)
                and before.value.func.id == "len"
            )
            text = after.value if isinstance(after, ast.Constant) else None
            m = _COUNTED.match(text) if is_len and isinstance(text, str) else None
            if m:
                found.append((rel, node.lineno, m.group(1)))
    return [v for v in found if (v[0], v[2]) not in KNOWN]


def test_no_count_bypasses_the_helper() -> None:
    violations = [v for p in sorted(PACKAGE.rglob("*.py")) for v in _violations(p)]
    assert not violations, f"format these counts with diagnostics.words.count: {violations}"


def test_the_scan_sees_what_it_forbids(tmp_path: Path) -> None:
    bad = tmp_path / "probe.py"
    bad.write_text('def f(x: list[int]) -> str:\n    return f"{len(x)} files, {len(x)} job(s)"\n')
    assert {v[2] for v in _violations(bad, tmp_path)} == {"files", "job(s)"}


def test_validate_prints_singulars(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = (ROOT / "tests" / "errors" / "references.yaml").read_text(encoding="utf-8")
    head = text.split("\n---\n")[0]  # the Project document, one environment
    table = "apiVersion: alur/v1\nkind: Table\nname: raw\nlayer: bronze\n"
    table += "columns: [{name: id, type: int}]\n"
    ingestion = "apiVersion: alur/v1\nkind: Ingestion\nname: load_raw\ntarget: raw\n"
    ingestion += "source_system: s\nsources: [{path: raw/, format: csv}]\n"
    (tmp_path / "alur.yaml").write_text("\n---\n".join([head, table, ingestion]) + "\n")
    monkeypatch.setenv("NO_COLOR", "1")
    result = CliRunner().invoke(app, ["validate", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "1 table, 0 pipelines, 1 ingestion, 1 environment" in result.output
