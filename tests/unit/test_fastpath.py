"""The recompile cache: an unchanged project is answered at once; any change recompiles."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

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

    copy = tmp_path / "alur_runtime"
    shutil.copytree(runtime.runtime_dir(), copy)
    monkeypatch.setattr(runtime, "runtime_dir", lambda: copy)
    before = fastpath._tool_hash()
    (copy / "common.py").write_text("# edited\n", encoding="utf-8")
    assert fastpath._tool_hash() != before
