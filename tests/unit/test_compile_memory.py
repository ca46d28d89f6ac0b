"""What a compile keeps in memory while it generates the build folder.

Two leaks that made a 10,000-pipeline compile peak at 2 GB, each checked where it showed:
at the moment the build folder is written (after the project is built).

- The loaded documents (SourceDoc) must be gone. The parse cache used to hold them until
  it saved, and with them every document's PyYAML node tree (about 80 MB per 1,000
  dbt-like pipelines).
- sqlglot's parse trees must not be waiting for the collector. They are reference cycles
  (each node points to its parent) and the compile runs with the cyclic collector paused,
  so without sql_batch's collections every tree of the project stayed until the end.
  The oracle is Python's own collector: DEBUG_SAVEALL lists every unreachable object.
"""

from __future__ import annotations

import gc
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlglot import exp

from alur_compiler import api
from alur_compiler.load.source import SourceDoc

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks" / "compile"))

from generate import generate  # noqa: E402


def _at_write(monkeypatch: pytest.MonkeyPatch, root: Path) -> dict[str, int]:
    seen: dict[str, int] = {}
    write = api._write_outputs

    def counted(*args: Any, **kwargs: Any) -> Any:
        seen["docs"] = sum(1 for o in gc.get_objects() if isinstance(o, SourceDoc))
        gc.set_debug(gc.DEBUG_SAVEALL)
        try:
            gc.collect()
            seen["trees"] = sum(1 for o in gc.garbage if isinstance(o, exp.Expression))
            seen["garbage"] = len(gc.garbage)
        finally:
            gc.set_debug(0)
            gc.garbage.clear()
        return write(*args, **kwargs)

    monkeypatch.setattr(api, "_write_outputs", counted)
    monkeypatch.setenv("ALURC_NO_PARALLEL", "1")  # analyse in this process
    gc.collect()  # what earlier tests in this process left is not this compile's
    result = api.compile_project(root)
    assert not result.diagnostics.has_errors
    return seen


@pytest.mark.parametrize("second", [False, True], ids=["cold", "from-the-caches"])
def test_nothing_of_the_load_or_the_sql_analysis_is_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, second: bool
) -> None:
    root, _, syn = generate(40, tmp_path / "gen", shape="dbtlike")
    if second:  # the parse cache answers, and a few files are edited
        assert not api.compile_project(root).diagnostics.has_errors
        sql = sorted((root / "sql").glob("*.sql"))[0]
        sql.write_text(sql.read_text() + "\n")
    seen = _at_write(monkeypatch, root)
    assert seen["docs"] == 0, seen
    assert seen["trees"] == 0, seen
    assert len(syn.pipelines) == 40
