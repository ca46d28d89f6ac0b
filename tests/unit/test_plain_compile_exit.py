"""A plain `alurc compile` ends with `os._exit` (alur_compiler/entry.py `_hard_exit`: no
interpreter teardown). Nothing may be lost by skipping it: the build such a process leaves
is compared, file by file and byte by byte, with the build of an in-process compile that
ends normally (the oracle), on retail and on generated projects of both benchmark shapes
(the sharded generation and the SQL workers run there); a second plain compile must then
find the build up to date (its fingerprint was written completely)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks" / "compile"))

from generate import generate

from alur_compiler import api

ROOT = Path(__file__).resolve().parents[2]


def _tree(build: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(build)): p.read_bytes() for p in sorted(build.rglob("*")) if p.is_file()
    }


def _plain_compile(root: Path) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "alur_compiler", "compile", str(root)]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=300, check=False)


def _projects(tmp_path: Path, source: str) -> tuple[Path, Path]:
    """Two copies of one project at the same depth: the child's and the oracle's."""
    roots = []
    for side in ("child", "oracle"):
        root = tmp_path / side / "project"
        if source == "retail":
            shutil.copytree(
                ROOT / "examples" / "retail", root, ignore=shutil.ignore_patterns("build", ".alur")
            )
        else:
            alurc, _, _ = generate(40, tmp_path / side / "gen", shape=source)
            shutil.move(alurc, root)
        roots.append(root)
    return roots[0], roots[1]


@pytest.mark.parametrize("source", ["retail", "standard", "dbtlike"])
def test_the_hard_exit_leaves_the_complete_build(tmp_path: Path, source: str) -> None:
    child, oracle = _projects(tmp_path, source)
    done = _plain_compile(child)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    result = api.compile_project(oracle)
    assert result.ok, result.diagnostics.errors
    got, want = _tree(child / "build"), _tree(oracle / "build")
    assert sorted(got) == sorted(want)
    assert [name for name in want if got[name] != want[name]] == []
    again = _plain_compile(child)
    assert again.returncode == 0 and "up to date" in again.stderr, again.stderr
