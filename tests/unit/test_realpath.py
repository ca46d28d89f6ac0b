"""load/realpath.py: the same answer as `Path.resolve`, through links and `..`."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from alur_compiler.load.realpath import Realpath

CASES = [
    "link/x.sql",
    "link/lx.sql",
    "link/lsub/../x.sql",
    "link/sub/../x.sql",
    "real/lsub/y.sql",
    "link/./x.sql",
    "link//x.sql",
    "link/missing.sql",
    "link/..",
    "link/.",
    "link/lsub/..",
    "nonexistent/../real/x.sql",
    "real/loop.sql",
]


def test_realpath_is_path_resolve(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "real" / "sub").mkdir(parents=True)
    (tmp_path / "real" / "x.sql").write_text("x")
    (tmp_path / "real" / "sub" / "y.sql").write_text("y")
    os.symlink(tmp_path / "real", tmp_path / "link")
    os.symlink(tmp_path / "real" / "x.sql", tmp_path / "real" / "lx.sql")
    os.symlink(tmp_path / "real" / "sub", tmp_path / "real" / "lsub")
    os.symlink("loop.sql", tmp_path / "real" / "loop.sql")
    monkeypatch.chdir(tmp_path)
    real = Realpath()
    for case in [*CASES, str(tmp_path / "link" / "lsub" / "y.sql")]:
        try:
            expected = str(Path(case).resolve())
        except RuntimeError:  # a link loop (Python 3.11): the same error either way
            with pytest.raises(RuntimeError):
                real(case)
            continue
        assert real(case) == expected, case
