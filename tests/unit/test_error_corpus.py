"""The error corpus: every file in tests/errors/ is a one-file project (its alur.yaml).

Expected diagnostics are written next to the offending line, mypy style:
`# E: AL302 message-substring` (error) or `# W: ...` (warning); inside SQL use `-- E: ...`.
A line `# corpus: allow ALnnn` lets unexpected diagnostics of that code pass in that file.
Every expectation must be met on its line, and every diagnostic must be expected.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from alur_compiler import api
from alur_compiler.diagnostics.codes import REGISTRY

CORPUS = Path(__file__).resolve().parents[1] / "errors"
CASES = sorted(CORPUS.glob("*.yaml"))
_EXPECT = re.compile(r"(?:#|--)\s*(E|W):\s*(AL\d{3})\s+(.*?)\s*$")
_ALLOW = re.compile(r"#\s*corpus:\s*allow\s+(AL\d{3})")
#: codes proven by dedicated tests instead of the corpus (they need more than one YAML file)
EXEMPT = {
    "AL103": "no alur.yaml at all: tests/unit/test_cli.py::test_no_project",
    "AL104": "undecodable bytes: tests/unit/test_loader.py::test_binary_file",
    "AL108": "an unwritable build folder: tests/unit/test_cli.py::test_unwritable_out",
    "AL120": "a build folder alurc did not write: tests/unit/test_build_folder.py",
    "AL121": "a user's file in the build folder: tests/unit/test_build_folder.py",
    "AL109": "a file past the size limit: tests/unit/test_yaml_limits.py (limit lowered)",
    "AL501": "backend limits: reported by backends, tested in their own tests",
    "AL320": "a live database: tests/integration/test_jdbc_connect.py",
    "AL321": "a MySQL source under --connect: tests/integration/test_jdbc_connect.py",
    "AL901": "internal errors: tests/unit/test_cli.py::test_internal_error_is_reported",
}


def expectations(path: Path) -> tuple[list[tuple[int, str, str, str]], set[str]]:
    expected, allowed = [], set()
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        m = _EXPECT.search(line)
        if m:
            sev = "error" if m.group(1) == "E" else "warning"
            expected.append((number, sev, m.group(2), m.group(3)))
        a = _ALLOW.search(line)
        if a:
            allowed.add(a.group(1))
    return expected, allowed


def run_case(path: Path, tmp: Path) -> list[tuple[int, str, str, str]]:
    shutil.copy(path, tmp / "alur.yaml")
    cwd = os.getcwd()
    os.chdir(tmp)
    try:
        result = api.load(Path("."))
    finally:
        os.chdir(cwd)
    return [
        (d.span.line, d.severity.value, d.code.code, d.message) for d in result.diagnostics.sorted()
    ]


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_corpus_case(case: Path, tmp_path: Path) -> None:
    expected, allowed = expectations(case)
    assert expected, f"{case.name} declares no expected diagnostic"
    actual = run_case(case, tmp_path)
    unmet = [
        e
        for e in expected
        if not any(a[0] == e[0] and a[1] == e[1] and a[2] == e[2] and e[3] in a[3] for a in actual)
    ]
    unexpected = [
        a
        for a in actual
        if a[2] not in allowed
        and not any(
            a[0] == e[0] and a[1] == e[1] and a[2] == e[2] and e[3] in a[3] for e in expected
        )
    ]
    assert not unmet, f"expected but not reported: {unmet}\nreported: {actual}"
    assert not unexpected, f"reported but not expected: {unexpected}"


def test_every_code_is_exercised() -> None:
    covered = {e[2] for case in CASES for e in expectations(case)[0]}
    missing = sorted(set(REGISTRY) - covered - set(EXEMPT))
    assert not missing, f"error codes without a corpus example: {missing}"
    assert set(EXEMPT) <= set(REGISTRY)


def test_every_code_is_documented() -> None:
    page = (CORPUS.parents[1] / "specs" / "diagnostics.md").read_text(encoding="utf-8")
    for code, ec in REGISTRY.items():
        assert f"| {code} | `{ec.name}` | {ec.severity.value} | {ec.summary} |" in page, code
