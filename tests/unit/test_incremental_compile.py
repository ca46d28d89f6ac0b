"""Incremental recompile (semantic/sql_cache.py): the result of a cold compile, byte for byte.

Oracle: after every edit of a generated dbt-like project (multi-document YAML, `sql_file`,
`SELECT *` through CTEs), the incremental compile's build folder and rendered diagnostics are
compared with those of a cold compile of the same edited project (no cache at all). Each
edit also re-analyses exactly the pipelines that depend on it and no other.
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import orjson
import pytest

from alur_compiler import api, fastpath
from alur_compiler.diagnostics.render import render_text
from alur_compiler.semantic import sql_batch, sql_cache

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks" / "compile"))

from generate import generate  # noqa: E402

N = 20
CACHE_FILE = Path(".alur") / "cache" / sql_cache.FILE


@pytest.fixture
def analysed(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The targets whose SQL was really analysed (not answered from the cache)."""
    seen: list[str] = []
    real = sql_batch.analyze_one

    def spy(sql: str, target: str, catalog: sql_batch.Catalog) -> sql_batch.SqlResult:
        seen.append(target)
        return real(sql, target, catalog)

    monkeypatch.setattr(sql_batch, "analyze_one", spy)
    monkeypatch.setenv("ALURC_NO_PARALLEL", "1")
    frozen = fastpath._tool_hash()  # alurc's code is taken as fixed for the test's duration
    monkeypatch.setattr(fastpath, "_tool_hash", lambda: frozen)
    yield seen


def _outcome(project: Path) -> tuple[dict[str, bytes], str]:
    """Compile; every byte of the build folder and the rendered diagnostics."""
    result = api.compile_project(project)
    text = render_text(result.diagnostics.sorted(), result.files)
    build = project / "build"
    files = {
        p.relative_to(build).as_posix(): p.read_bytes() for p in build.rglob("*") if p.is_file()
    }
    return files, text


def _cold(project: Path, from_empty: bool = True) -> tuple[dict[str, bytes], str]:
    """The oracle: the same project compiled with no cache (and, `from_empty`, into no
    build folder; otherwise into a copy of the current one). The incremental state is kept."""
    keep = project.parent / "keep"
    shutil.rmtree(keep, ignore_errors=True)
    keep.mkdir()
    for name in ("build", ".alur"):
        if (project / name).exists():
            shutil.move(project / name, keep / name)
    if not from_empty and (keep / "build").exists():
        shutil.copytree(keep / "build", project / "build")
    result = _outcome(project)
    for name in ("build", ".alur"):
        shutil.rmtree(project / name, ignore_errors=True)
        if (keep / name).exists():
            shutil.move(keep / name, project / name)
    return result


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) >= 1, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _project(tmp_path: Path) -> Path:
    root, _, _ = generate(N, tmp_path / "gen", shape="dbtlike")
    return root


def _readers(project: Path, table: str) -> set[str]:
    loaded = api.load(project)
    assert loaded.project is not None
    return {p.target for p in loaded.project.pipelines if any(s.table == table for s in p.sources)}


def test_each_edit_recompiles_like_a_cold_compile(tmp_path: Path, analysed: list[str]) -> None:
    project = _project(tmp_path)
    first = _outcome(project)
    assert (project / CACHE_FILE).is_file() and len(analysed) == N
    assert first == _cold(project)
    bronze = "src_orders_0"  # the first table of bronze_0000.yaml
    readers = _readers(project, bronze)
    sql = project / "sql" / "build_stg_orders_0.sql"
    contract = project / "contracts" / "bronze" / "bronze_0000.yaml"
    silver = project / "contracts" / "silver" / "silver_0000.yaml"
    edits: list[tuple[str, Callable[[], None], set[str] | None]] = [
        ("sql", lambda: _edit(sql, "status <> '", "status <> 'archived_"), {"stg_orders_0"}),
        ("contract", lambda: _edit(contract, DISCOUNT, DISCOUNT + EXTRA), readers),
        ("check", lambda: _edit(silver, "action: drop", "action: warn"), set()),
        (
            "error",
            lambda: _edit(sql, "lower(trim(status))", "lower(trim(no_such_column))"),
            {"stg_orders_0"},
        ),
        (
            "fixed",
            lambda: _edit(sql, "lower(trim(no_such_column))", "upper(trim(status))"),
            {"stg_orders_0"},
        ),
        (
            "reverted",
            lambda: _edit(sql, "upper(trim(status))", "lower(trim(status))"),
            {"stg_orders_0"},  # its entry was dropped: the compiles since did not use it
        ),
        ("unchanged", lambda: None, set()),
    ]
    for label, change, expected in edits:
        change()
        analysed.clear()
        incremental = _outcome(project)
        if expected is not None:
            assert set(analysed) == expected, label
        # a compile with errors writes nothing: its oracle starts from the same build folder
        cold = _cold(project, from_empty=label != "error")
        assert incremental[1] == cold[1], label
        assert incremental[0].keys() == cold[0].keys(), label
        for rel, data in cold[0].items():
            assert incremental[0][rel] == data, (label, rel)
        if label == "error":
            assert "error[" in incremental[1]
    assert readers and len(readers) < N


DISCOUNT = '    description: "Discount rate between 0 and 1."\n'  # a bronze column's last line
EXTRA = "  - name: extra_note\n    type: string\n"


def test_a_corrupt_or_foreign_cache_is_ignored(tmp_path: Path, analysed: list[str]) -> None:
    project = _project(tmp_path)
    cold = _outcome(project)
    cache = project / CACHE_FILE
    good = cache.read_bytes()
    doc = orjson.loads(good)
    foreign = {**doc, "header": {**doc["header"], "alurc": "0.0.0-other"}}
    wrong_shape = {
        **doc,
        "entries": {k: [v[0], v[1], "nonsense"] for k, v in doc["entries"].items()},
    }
    for label, data in (
        ("garbage", b"\x00not json{"),
        ("not an object", b"[1, 2, 3]"),
        ("foreign alurc", orjson.dumps(foreign)),
        ("wrong shape", orjson.dumps(wrong_shape)),
    ):
        shutil.rmtree(project / "build")
        (project / ".alur" / "cache" / "compile.json").unlink()
        cache.write_bytes(data)
        analysed.clear()
        assert _outcome(project) == cold, label
        assert len(analysed) == N, label  # nothing trusted: every query analysed again
    shutil.rmtree(project / "build")
    (project / ".alur" / "cache" / "compile.json").unlink()
    analysed.clear()
    assert _outcome(project) == cold
    assert analysed == []  # the cache rewritten by the last compile answers everything
