"""Every diagnostic is located where the user edits; SQL files render their line and caret.

- Folder cases of the error corpus (tests/errors/sql_*/: an alur.yaml and its .sql files):
  expectations are written next to the offending line in the .sql file (`-- E: ...`), as in
  the one-file cases, and each diagnostic in a .sql file renders that line and a caret.
- No diagnostic lands at 1:1 by default: every corpus case (files and folders) and every
  mutant of the diagnostics snapshot is run again with one comment line put in front of each
  file; a diagnostic about content moves to line 2, one that stays at 1:1 points nowhere.
  Only the codes in WHOLE_FILE (about a file as such) may.
- did-you-mean never offers the name it was asked about.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from test_diagnostics_snapshot import _write_mutant
from test_error_corpus import _ALLOW, _EXPECT, CORPUS

from alur_compiler import api
from alur_compiler.diagnostics.collector import Diagnostic
from alur_compiler.diagnostics.render import render_text
from alur_compiler.diagnostics.suggest import did_you_mean

FOLDERS = sorted(p for p in CORPUS.glob("sql_*") if p.is_dir())
#: codes that are about a whole file, so 1:1 is their honest position
WHOLE_FILE = {
    "AL101": "YAML that does not parse at all may have no better position than its start",
    "AL103": "no alur.yaml: there is no file to point into",
    "AL104": "a file that cannot be read or decoded has no lines",
    "AL109": "a file over the size limit is refused before it is read",
    "AL201": "alur.yaml without a `kind: Project` document: nothing in it is wrong, it lacks one",
}


def _load(project: Path) -> api.LoadResult:
    cwd = os.getcwd()
    os.chdir(project)
    try:
        return api.load(Path("."))
    finally:
        os.chdir(cwd)


def _expectations(folder: Path) -> tuple[set[tuple[str, int, str, str, str]], set[str]]:
    expected, allowed = set(), set()
    for path in sorted(folder.rglob("*")):
        if path.suffix not in (".yaml", ".sql"):
            continue
        rel = path.relative_to(folder).as_posix()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            m = _EXPECT.search(line)
            if m:
                sev = "error" if m.group(1) == "E" else "warning"
                expected.add((rel, number, sev, m.group(2), m.group(3)))
            a = _ALLOW.search(line)
            if a:
                allowed.add(a.group(1))
    return expected, allowed


def _met(d: Diagnostic, e: tuple[str, int, str, str, str]) -> bool:
    return (d.span.file, d.span.line, d.severity.value, d.code.code) == e[:4] and e[4] in d.message


@pytest.mark.parametrize("folder", FOLDERS, ids=[f.name for f in FOLDERS])
def test_folder_case(folder: Path, tmp_path: Path) -> None:
    project = tmp_path / folder.name
    shutil.copytree(folder, project)
    result = _load(project)
    expected, allowed = _expectations(folder)
    assert any(e[0].endswith(".sql") for e in expected), "a folder case tests a .sql file"
    got = result.diagnostics.sorted()
    unmet = [e for e in expected if not any(_met(d, e) for d in got)]
    unexpected = [
        d for d in got if d.code.code not in allowed and not any(_met(d, e) for e in expected)
    ]
    assert not unmet, f"expected but not reported: {unmet}\nreported: {got}"
    assert not unexpected, f"reported but not expected: {unexpected}"
    for d in got:
        if not d.span.file.endswith(".sql"):
            continue
        text = render_text([d], result.files)
        line = (project / d.span.file).read_text(encoding="utf-8").splitlines()[d.span.line - 1]
        assert f"{d.span.line:>4} | {line}" in text, text
        assert "^" in text.splitlines()[2], text


def _shift(project: Path) -> None:
    for path in [*project.rglob("*.yaml"), *project.rglob("*.sql")]:
        first = b"-- shifted\n" if path.suffix == ".sql" else b"# shifted\n"
        path.write_bytes(first + path.read_bytes())


def _strays(project: Path) -> list[str]:
    _shift(project)
    return [
        f"{d.span}: {d.code.code} {d.message}"
        for d in _load(project).diagnostics.items
        if (d.span.line, d.span.col) == (1, 1) and d.code.code not in WHOLE_FILE
    ]


def test_no_diagnostic_lands_at_1_1_by_default(tmp_path: Path) -> None:
    strays: list[str] = []
    codes: set[str] = set()
    for case in sorted(CORPUS.glob("*.yaml")):
        project = tmp_path / f"corpus-{case.stem}"
        project.mkdir()
        shutil.copy(case, project / "alur.yaml")
        strays += _strays(project)
        codes |= {d.code.code for d in _load(project).diagnostics.items}
    for folder in FOLDERS:
        project = tmp_path / f"folder-{folder.name}"
        shutil.copytree(folder, project)
        strays += _strays(project)
    for seed in range(300):  # the mutants of tests/unit/test_diagnostics_snapshot.py
        project = tmp_path / f"mutant-{seed}"
        _write_mutant(seed, project)
        strays += _strays(project)
    assert len({c for c in codes if c.startswith("AL4")}) >= 10, sorted(codes)
    assert not strays, "\n".join(strays[:20])


@given(st.text("abcd_", max_size=6), st.lists(st.text("abcd_", max_size=6), max_size=6))
def test_did_you_mean_never_offers_the_name_itself(word: str, candidates: list[str]) -> None:
    assert did_you_mean(word, [*candidates, word]) != word
