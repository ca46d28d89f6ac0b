"""Incremental recompile (load/parse_cache.py, semantic/sql_cache.py, backends/memo.py): the
result of a cold compile, byte for byte.

Oracle: after every edit of a generated dbt-like project (multi-document YAML, `sql_file`,
`SELECT *` through CTEs), the incremental compile's build folder and rendered diagnostics are
compared with those of a cold compile of the same edited project (no cache at all). Each
edit also re-parses only the edited YAML files, re-analyses exactly the pipelines that depend
on it and no other, and re-renders exactly the Glue scripts whose job or JOB literal changed.
"""

from __future__ import annotations

import re
import shutil
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest

from alur_compiler import api, fastpath
from alur_compiler.backends.glue import backend as glue_backend
from alur_compiler.diagnostics.render import render_text
from alur_compiler.ir import Ingestion, Pipeline
from alur_compiler.load import parse_cache
from alur_compiler.semantic import sql_batch, sql_cache

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks" / "compile"))

from generate import generate  # noqa: E402

N = 20
CACHE_FILE = Path(".alur") / "cache" / sql_cache.FILE
MEMO_FILE = Path(".alur") / "cache" / "glue.json"


@pytest.fixture
def parsed(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The spec files really parsed (not answered from the parse cache), by file name."""
    seen: list[str] = []
    real = parse_cache.parse_documents

    def spy(text: str, path: str, abspath: str, *args: Any) -> list[Any]:
        seen.append(Path(abspath).name)
        return real(text, path, abspath, *args)

    monkeypatch.setattr(parse_cache, "parse_documents", spy)
    yield seen


@pytest.fixture
def rendered(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The jobs whose Glue script was really rendered (not answered from the memo)."""
    seen: list[str] = []
    real = glue_backend.render_script

    def spy(job: Pipeline | Ingestion, config: Any) -> bytes:
        seen.append(job.name)
        return real(job, config)

    monkeypatch.setattr(glue_backend, "render_script", spy)
    yield seen


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


def _project(tmp_path: Path, n: int = N) -> Path:
    root, _, _ = generate(n, tmp_path / "gen", shape="dbtlike")
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
    cases = (
        ("garbage", b"\x00not json{"),
        ("not an object", b"[1, 2, 3]"),
        ("foreign alurc", orjson.dumps(foreign)),
        ("wrong shape", orjson.dumps(wrong_shape)),
    )
    _each_damage_is_a_miss(project, cache, cases, analysed, N, cold)


def _jobs(project: Path) -> int:
    loaded = api.load(project)
    assert loaded.project is not None
    return len(loaded.project.jobs)


def _word(name: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![A-Za-z0-9_]){re.escape(name)}(?![A-Za-z0-9_])")


def _rename(project: Path, old: str, new: str) -> None:
    """Rename a table everywhere (contract, target, every SQL that reads it, checks)."""
    pattern = _word(old)
    for path in sorted(project.rglob("*")):
        if path.suffix in (".yaml", ".sql") and not {"build", ".alur"} & set(path.parts):
            text = path.read_text(encoding="utf-8")
            path.write_text(pattern.sub(new, text), encoding="utf-8")


def test_deletes_and_renames_recompile_like_a_cold_compile(
    tmp_path: Path, analysed: list[str], rendered: list[str], parsed: list[str]
) -> None:
    project = _project(tmp_path, 60)  # three pipeline files, the last one only marts
    _outcome(project)
    assert (project / MEMO_FILE).is_file() and len(rendered) == _jobs(project)
    marts = project / "pipelines" / "pipelines_0002.yaml"  # leaves: nothing reads them
    assert "kind: Pipeline" in marts.read_text(encoding="utf-8")
    word = _word("stg_orders_0")
    renamed = {p.name for p in project.rglob("*.yaml") if word.search(p.read_text("utf-8"))}
    edits: list[tuple[str, Callable[[], None]]] = [
        (
            "sql",
            lambda: _edit(
                project / "sql" / "build_stg_orders_0.sql", "status <> '", "status <> 'x"
            ),
        ),
        ("delete", marts.unlink),
        ("rename", lambda: _rename(project, "stg_orders_0", "stg_orders_zero")),
        ("no compile.json", lambda: (project / ".alur" / "cache" / "compile.json").unlink()),
    ]
    for label, change in edits:
        change()
        rendered.clear()
        analysed.clear()
        parsed.clear()
        incremental = _outcome(project)
        if label == "sql":  # no YAML file changed
            assert rendered == ["build_stg_orders_0"] and parsed == [], label
        elif label == "rename":  # the table's writer and readers, not every job
            assert set(parsed) == renamed, label  # only the files the rename changed
            assert "build_stg_orders_0" in rendered and len(rendered) < _jobs(project), label
        elif label == "no compile.json":  # every file from the caches
            assert rendered == [] and analysed == [] and parsed == [], label
        cold = _cold(project)
        assert "error[" not in incremental[1], label
        assert incremental[1] == cold[1], label
        assert incremental[0].keys() == cold[0].keys(), label
        for rel, data in cold[0].items():
            assert incremental[0][rel] == data, (label, rel)


def test_a_corrupt_or_foreign_memo_is_ignored(
    tmp_path: Path, analysed: list[str], rendered: list[str]
) -> None:
    project = _project(tmp_path)
    cold = _outcome(project)
    jobs = len(rendered)
    memo_file = project / MEMO_FILE
    doc = orjson.loads(memo_file.read_bytes())
    foreign = {**doc, "header": {**doc["header"], "tool": "other code"}}
    # valid JSON, the right shape, the old digest: the text no longer matches it
    tampered = {
        **doc,
        "entries": {k: [v[0], v[1].replace("JOB", "J0B")] for k, v in doc["entries"].items()},
    }
    wrong_shape = {**doc, "entries": {k: {"text": v[1]} for k, v in doc["entries"].items()}}
    cases = (
        ("garbage", b"\x00not json{"),
        ("not an object", b"[1, 2, 3]"),
        ("foreign code", orjson.dumps(foreign)),
        ("tampered", orjson.dumps(tampered)),
        ("wrong shape", orjson.dumps(wrong_shape)),
    )
    _each_damage_is_a_miss(project, memo_file, cases, rendered, jobs, cold)


def test_a_corrupt_or_foreign_parse_cache_is_ignored(
    tmp_path: Path, analysed: list[str], parsed: list[str]
) -> None:
    project = _project(tmp_path)
    cold = _outcome(project)
    files = len(parsed)
    folder = project / ".alur" / "cache" / parse_cache.FOLDER
    entries = sorted(folder.glob("*.json"))
    assert len(entries) == files  # every spec file (alur.yaml is not cached)
    good = {path: path.read_bytes() for path in entries}

    def damaged(data: bytes, label: str) -> bytes:
        head, _, rest = data.partition(b"\n")
        answers, _, values = rest.partition(b"\n")
        if label == "garbage":
            return b"\x00not json{"
        if label == "foreign code":
            return head.replace(b'"tool":"', b'"tool":"x') + b"\n" + rest
        if label == "edited values":  # valid JSON, the old header: the checksum fails
            return head + b"\n" + answers + b"\n" + values.replace(b"alur/v1", b"alur/v2")
        if label == "wrong answers":  # a checksum that fits, answers of the wrong shape
            body = orjson.dumps([{"#": "x", "v": [1, 2]} for _ in orjson.loads(answers)])
            body += b"\n" + values
            session = parse_cache._Session(folder, fastpath._tool_hash())
            key = path_key(head)
            return parse_cache._header(session, key, body) + b"\n" + body
        raise AssertionError(label)

    def path_key(head: bytes) -> str:
        return str(orjson.loads(head)["key"])

    for label in ("garbage", "foreign code", "edited values", "wrong answers"):
        shutil.rmtree(project / "build")
        (project / ".alur" / "cache" / "compile.json").unlink()
        for path, data in good.items():
            path.write_bytes(damaged(data, label))
        parsed.clear()
        assert _outcome(project) == cold, label
        if label != "wrong answers":
            assert len(parsed) == files, label  # nothing trusted: every file parsed again
    shutil.rmtree(project / "build")
    (project / ".alur" / "cache" / "compile.json").unlink()
    parsed.clear()
    assert _outcome(project) == cold
    assert parsed == []  # the cache rewritten by the last compile answers every file


def _each_damage_is_a_miss(
    project: Path,
    cache_file: Path,
    cases: tuple[tuple[str, bytes], ...],
    calls: list[Any],
    all_calls: int,
    cold: Any,
) -> None:
    """Each damaged content of `cache_file` gives the cold output and trusts nothing
    (`all_calls` computations recorded in `calls`); the cache the last compile wrote
    back then answers everything."""
    for label, data in cases:
        shutil.rmtree(project / "build")
        (project / ".alur" / "cache" / "compile.json").unlink()
        cache_file.write_bytes(data)
        calls.clear()
        assert _outcome(project) == cold, label
        assert len(calls) == all_calls, label
    shutil.rmtree(project / "build")
    (project / ".alur" / "cache" / "compile.json").unlink()
    calls.clear()
    assert _outcome(project) == cold
    assert calls == []
