"""The recompile cache: an unchanged project is answered at once; any change recompiles."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from alur_compiler import api, fastpath

ROOT = Path(__file__).resolve().parents[2]
RETAIL = ROOT / "examples" / "retail"


def _project(tmp: Path) -> Path:
    project = tmp / "retail"
    shutil.copytree(RETAIL, project, ignore=shutil.ignore_patterns("build", ".alur"))
    return project


def test_unchanged_project_is_up_to_date_and_every_change_invalidates(tmp_path: Path) -> None:
    project = _project(tmp_path)
    out = project / "build"
    assert not fastpath.up_to_date(project, out)
    first = api.compile_project(project)
    assert first.ok and not first.up_to_date and (project / fastpath.CACHE).is_file()
    assert fastpath.up_to_date(project, out)
    assert api.compile_project(project).up_to_date

    contract = project / "contracts" / "silver" / "orders.yaml"
    contract.write_text(contract.read_text() + "\n# a comment changes the bytes\n")
    assert not fastpath.up_to_date(project, out)
    assert not api.compile_project(project).up_to_date
    assert fastpath.up_to_date(project, out)

    sql = next((project / "sql").glob("*.sql"))
    sql.write_text(sql.read_text() + "\n")
    assert not fastpath.up_to_date(project, out)
    api.compile_project(project)

    (out / "lineage.json").unlink()
    assert not fastpath.up_to_date(project, out)


def test_the_cache_records_the_bytes_the_compile_read(tmp_path: Path) -> None:
    """A file edited while alurc compiled must not count as compiled (next run rebuilds)."""
    project = _project(tmp_path)
    out = project / "build"
    result = api.compile_project(project)
    assert result.ok
    rel = "contracts/silver/orders.yaml"
    read_then = {rel: "00" * 32}  # what the compile saw differs from the file now on disk
    fastpath.remember(project, out, [], result.generated, read_then)
    assert not fastpath.up_to_date(project, out)
    fastpath.remember(project, out, [], result.generated, {})
    assert fastpath.up_to_date(project, out)


def _tree(root: Path) -> dict[str, str]:
    """Every file and folder below `root` with the sha256 of its bytes ('' for a folder)."""
    return {
        p.relative_to(root).as_posix(): ""
        if p.is_dir()
        else hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
    }


def _alurc(*args: str) -> subprocess.CompletedProcess[str]:
    exe = Path(sys.executable).with_name("alurc")
    return subprocess.run(
        [str(exe), *args],
        capture_output=True,
        text=True,
        env={"NO_COLOR": "1", "PATH": "/usr/bin:/bin"},
        timeout=120,
    )


def test_compile_out_elsewhere_leaves_the_project_untouched(tmp_path: Path) -> None:
    """With --out outside the project nothing is written into it, no cache either."""
    project = _project(tmp_path)
    out = tmp_path / "elsewhere" / "build"
    before = _tree(project)
    first = _alurc("compile", str(project), "--out", str(out))  # the entry point's fast lane
    assert first.returncode == 0 and " written, 0 unchanged" in first.stdout, first.stdout
    again = _alurc("compile", str(project), "--out", str(out), "--format", "text")  # Typer
    assert again.returncode == 0 and "0 written" in again.stdout, again.stdout
    check = _alurc("compile", str(project), "--out", str(out), "--check")
    assert check.returncode == 0 and f"up to date: {out}" in check.stdout, check.stdout
    assert api.compile_project(project, out).ok
    assert not fastpath.up_to_date(project, out)  # never cached: always a full compile
    assert _tree(project) == before
    assert (out / "manifest.json").is_file() and not (out / ".alur").exists()


def test_a_hostile_alur_yaml_after_a_cached_compile_is_a_diagnostic(tmp_path: Path) -> None:
    """The shortcut reads alur.yaml before the guarded loader: it must not crash (deep
    nesting: RecursionError) or expand aliases (billion laughs); the full compile reports."""
    project = tmp_path / "p"
    shutil.copytree(
        ROOT / "examples" / "retail", project, ignore=shutil.ignore_patterns("build", ".alur")
    )
    assert api.compile_project(project).ok
    base = (project / "alur.yaml").read_text(encoding="utf-8")
    laughs = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{c}: &{c} [{', '.join([f'*{p}'] * 9)}]\n"
        for p, c in zip("abcdefgh", "bcdefghi", strict=True)
    )
    for tail, code in (("x: " + "[" * 3000 + "]" * 3000 + "\n", "AL110"), (laughs, "AL111")):
        (project / "alur.yaml").write_text(base + "\n" + tail, encoding="utf-8")
        result = api.compile_project(project)
        assert [d.code.code for d in result.diagnostics.errors] == [code]


def test_an_edited_runtime_makes_the_build_stale(tmp_path: Path, monkeypatch: Any) -> None:
    """The runtime is packed into build/runtime/: a change to it is a change to alurc."""
    from alur_compiler.ir import runtime

    assert runtime.runtime_dir() == fastpath.RUNTIME  # the folder the wheel is packed from
    copy = tmp_path / "alur_runtime"
    shutil.copytree(runtime.runtime_dir(), copy)
    monkeypatch.setattr(fastpath, "RUNTIME", copy)
    before = fastpath._tool_hash()
    (copy / "common.py").write_text("# edited\n", encoding="utf-8")
    assert fastpath._tool_hash() != before


def _inputs(project: Path) -> dict[str, Any]:
    import orjson

    (entry,) = orjson.loads((project / fastpath.CACHE).read_bytes()).values()
    trusted: dict[str, Any] = entry["inputs"]
    return trusted


def _same_stat_edit(path: Path, swap: tuple[str, str]) -> None:
    """Change the bytes, keep the size, and put the mtime (and atime) back."""
    st = path.stat()
    text = path.read_text()
    assert swap[0] in text
    path.write_text(text.replace(swap[0], swap[1], 1))
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert (path.stat().st_size, path.stat().st_mtime_ns) == (st.st_size, st.st_mtime_ns)


def test_an_input_is_trusted_by_its_stat_only_while_no_byte_can_have_changed(
    tmp_path: Path, monkeypatch: Any
) -> None:
    """Oracle: the bytes themselves. Every edit that keeps the size and the mtime (put back
    with utime, or a same-size file renamed over it) must still make the build stale."""
    monkeypatch.setattr(fastpath, "RACY_NS", 200_000_000)
    project = _project(tmp_path)
    out = project / "build"
    time.sleep(0.3)  # every copied file is now older than the racy window
    assert api.compile_project(project).ok
    trusted = _inputs(project)
    assert "alur.yaml" in trusted and "contracts/silver/orders.yaml" in trusted
    assert all(len(v) == 6 for v in trusted.values())  # stat + sha256
    assert fastpath.up_to_date(project, out)

    contract = project / "contracts" / "silver" / "orders.yaml"
    _same_stat_edit(contract, ("orders", "ordres"))
    assert not fastpath.up_to_date(project, out)  # its ctime moved
    _same_stat_edit(contract, ("ordres", "orders"))  # the same bytes again
    assert fastpath.up_to_date(project, out)  # rehashed: identical, so nothing to do

    sql = next((project / "sql").glob("*.sql"))
    st = sql.stat()
    other = sql.with_suffix(".tmp")
    text = sql.read_text()
    other.write_text(text[:-1] + ("x" if text[-1] != "x" else "y"))
    os.utime(other, ns=(st.st_atime_ns, st.st_mtime_ns))
    os.replace(other, sql)  # another inode, the same size and mtime
    assert not fastpath.up_to_date(project, out)


def _compile_editing(project: Path, path: Path, monkeypatch: Any) -> None:
    """Compile, appending a line to `path` after the compile read it (before it writes)."""
    write = api._write_outputs

    def edit_meanwhile(*args: Any, **kwargs: Any) -> Any:
        path.write_text(path.read_text() + "\n")
        return write(*args, **kwargs)

    monkeypatch.setattr(api, "_write_outputs", edit_meanwhile)
    assert api.compile_project(project).ok


def test_a_file_edited_while_the_compile_runs_is_never_trusted(
    tmp_path: Path, monkeypatch: Any
) -> None:
    monkeypatch.setattr(fastpath, "RACY_NS", 200_000_000)
    project = _project(tmp_path)
    out = project / "build"
    time.sleep(0.3)
    _compile_editing(project, project / "contracts" / "silver" / "orders.yaml", monkeypatch)
    assert "contracts/silver/orders.yaml" not in _inputs(project)
    assert "alur.yaml" in _inputs(project)
    assert not fastpath.up_to_date(project, out)  # the build holds the bytes before


def test_only_files_older_than_the_racy_window_are_recorded(tmp_path: Path) -> None:
    project = _project(tmp_path)
    out = project / "build"
    result = api.compile_project(project)
    ctime = (project / "alur.yaml").stat().st_ctime_ns
    fastpath.remember(project, out, [], result.generated, {}, began=ctime + 1)
    assert "alur.yaml" not in _inputs(project)
    fastpath.remember(project, out, [], result.generated, {}, began=ctime + fastpath.RACY_NS + 1)
    assert "alur.yaml" in _inputs(project)
    fastpath.remember(project, out, [], result.generated, {}, began=None)
    assert _inputs(project) == {}


def test_an_up_to_date_check_records_the_inputs_it_had_to_read(
    tmp_path: Path, monkeypatch: Any
) -> None:
    """Files compiled right after they were written are read by the next check; once they
    are older than the racy window, that check records them, under the same rule."""
    monkeypatch.setattr(fastpath, "RACY_NS", 200_000_000)
    project = _project(tmp_path)
    out = project / "build"
    assert api.compile_project(project).ok  # right after the copy: nothing trusted
    assert _inputs(project) == {}
    time.sleep(0.3)
    assert fastpath.up_to_date(project, out)
    assert "contracts/silver/orders.yaml" in _inputs(project)
    _same_stat_edit(project / "contracts" / "silver" / "orders.yaml", ("orders", "ordres"))
    assert not fastpath.up_to_date(project, out)


def test_a_sql_file_edited_while_the_compile_runs_makes_the_next_check_compile(
    tmp_path: Path, monkeypatch: Any
) -> None:
    """The SQL files are hashed when the compile is recorded, after it read them: one
    edited in between must not be recorded as compiled."""
    project = _project(tmp_path)
    out = project / "build"
    _compile_editing(project, next((project / "sql").glob("*.sql")), monkeypatch)
    assert not fastpath.up_to_date(project, out)  # the build holds the SQL before the edit


def test_a_damaged_stat_record_is_a_miss_never_a_crash(tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.setattr(fastpath, "RACY_NS", 200_000_000)
    project = _project(tmp_path)
    out = project / "build"
    time.sleep(0.3)
    assert api.compile_project(project).ok
    cache_file = project / fastpath.CACHE
    good = cache_file.read_bytes()
    stat = _inputs(project)["alur.yaml"][:5]
    for damaged in ([*stat], [*stat, "zz" * 32], [*stat, 7], [*stat, "ab" * 32, "extra"], "x"):
        cache = json.loads(good)
        (entry,) = cache.values()
        entry["inputs"]["alur.yaml"] = damaged
        cache_file.write_text(json.dumps(cache))
        assert fastpath.up_to_date(project, out), damaged  # alur.yaml is read and hashed
    cache = json.loads(good)
    (entry,) = cache.values()
    entry["inputs"]["alur.yaml"] = [*stat, "ab" * 32]  # a well-formed but wrong hash
    cache_file.write_text(json.dumps(cache))
    assert not fastpath.up_to_date(project, out)  # trusted as recorded: a different input


def test_the_check_lists_inputs_by_the_recorded_paths_and_still_sees_an_edited_alur_yaml(
    tmp_path: Path,
) -> None:
    """The check does not parse alur.yaml (nor import the YAML library): it lists the spec
    files by the `paths` recorded with the hash, which is safe because alur.yaml is itself
    an input. A new spec folder named in alur.yaml makes the build stale at once, and a
    cache from an older alurc (no `paths`) is checked by parsing alur.yaml."""
    import orjson

    project = _project(tmp_path)
    out = project / "build"
    assert api.compile_project(project).ok
    (entry,) = orjson.loads((project / fastpath.CACHE).read_bytes()).values()
    assert entry["paths"] == fastpath.spec_folders(project)
    # `alurc compile` itself (its console entry point), not only the check function
    code = (
        "import sys; from alur_compiler import entry; "
        f"sys.argv = ['alurc', 'compile', {str(project)!r}]\n"
        "try:\n    entry.main()\nexcept SystemExit as e:\n"
        "    heavy = [m for m in ('yaml', 'alur_compiler.load.discover', 'alur_compiler.ir',"
        " 'typer') if m in sys.modules]\n"
        "    print(e.code, heavy)"
    )
    checked = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert checked.stdout.split() == ["0", "[]"], checked.stdout + checked.stderr
    assert "up to date" in checked.stderr

    extra = project / "more"
    extra.mkdir()
    shutil.copy(project / "contracts" / "silver" / "orders.yaml", extra / "x.yaml")
    alur = project / "alur.yaml"
    alur.write_text(alur.read_text().replace("paths: [", "paths: [more, ", 1))
    assert "more" in fastpath.spec_folders(project)
    assert not fastpath.up_to_date(project, out)

    alur.write_text(alur.read_text().replace("paths: [more, ", "paths: [", 1))
    assert api.compile_project(project).ok
    cache = orjson.loads((project / fastpath.CACHE).read_bytes())
    for value in cache.values():
        del value["paths"]  # as an older alurc wrote it
    (project / fastpath.CACHE).write_bytes(orjson.dumps(cache))
    assert fastpath.up_to_date(project, out)
    (extra / "x.yaml").write_text((extra / "x.yaml").read_text() + "\n")
    assert fastpath.up_to_date(project, out)  # not a configured folder: not an input


@pytest.mark.parametrize("how", ["parent path", "symbolic link"])
def test_a_spec_folder_outside_the_project_is_an_input_like_any_other(
    tmp_path: Path, how: str
) -> None:
    """`paths: [../shared/contracts]` or a `contracts` link to a folder elsewhere: the
    compile used to end in an internal error (AL901) when it recorded its inputs, since a
    file outside the project has no path relative to it. Its files are inputs named
    `../shared/...`, an unchanged build is up to date, and an edit there is seen."""
    project = _project(tmp_path)
    shared = tmp_path / "shared"
    shared.mkdir()
    shutil.move(project / "contracts", shared / "contracts")
    alur = project / "alur.yaml"
    if how == "symbolic link":
        (project / "contracts").symlink_to(shared / "contracts", target_is_directory=True)
    else:
        alur.write_text(alur.read_text().replace("[contracts,", "[../shared/contracts,", 1))
    out = project / "build"
    first = api.compile_project(project)
    assert first.ok, [d.message for d in first.diagnostics.items]
    inputs = json.loads((out / "manifest.json").read_text())["inputs"]
    assert "../shared/contracts/silver/orders.yaml" in inputs
    assert fastpath.up_to_date(project, out)
    assert api.compile_project(project).up_to_date

    contract = shared / "contracts" / "silver" / "orders.yaml"
    contract.write_text(contract.read_text() + "\n# edited outside the project\n")
    assert not fastpath.up_to_date(project, out)
    again = api.compile_project(project)
    assert again.ok and not again.up_to_date
    digest = hashlib.sha256(contract.read_bytes()).hexdigest()
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["inputs"]["../shared/contracts/silver/orders.yaml"] == digest
