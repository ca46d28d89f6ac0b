"""The job runtime ships once, as a byte-deterministic wheel the scripts type-check against."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from alur_compiler import api
from alur_compiler.backends.runtime.wheel import build_wheel
from alur_compiler.ir.runtime import runtime_dir, wheel_path

ROOT = Path(__file__).resolve().parents[2]
MYPY = Path(sys.executable).parent / "mypy"


def _copy_runtime(dest: Path) -> Path:
    folder = dest / "alur_runtime"
    shutil.copytree(runtime_dir(), folder, ignore=shutil.ignore_patterns("__pycache__"))
    return folder


def test_wheel_bytes_do_not_depend_on_folder_or_mtime(tmp_path: Path) -> None:
    first = _copy_runtime(tmp_path / "a")
    second = _copy_runtime(tmp_path / "b" / "deeper")
    for path in second.rglob("*.py"):
        path.touch()  # other mtimes, other folder: the same bytes
    name_a, data_a = build_wheel(first)
    name_b, data_b = build_wheel(second)
    assert (name_a, data_a) == (name_b, data_b)
    (second / "common.py").write_text("# changed\n", encoding="utf-8")
    assert build_wheel(second)[1] != data_a  # a change is seen (no stale cache)


def test_wheel_is_what_pip_installs(tmp_path: Path) -> None:
    """pip (not alurc) judges the wheel: it installs it and checks RECORD's hashes."""
    name, data = build_wheel()
    wheel = tmp_path / name
    wheel.write_bytes(data)
    target = tmp_path / "site"
    pip = [sys.executable, "-m", "pip", "install", "--no-deps", "--no-index", "-q"]
    proc = subprocess.run(
        [*pip, "--target", str(target), str(wheel)], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    installed = {p.name for p in (target / "alur_runtime").iterdir() if p.name != "__pycache__"}
    shipped = {p.name for p in runtime_dir().iterdir() if p.suffix == ".py" or p.name == "py.typed"}
    assert installed == shipped
    for file in shipped:
        assert (target / "alur_runtime" / file).read_bytes() == (runtime_dir() / file).read_bytes()
    with zipfile.ZipFile(wheel) as archive:
        assert {i.date_time for i in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        assert archive.namelist()[-1].endswith(".dist-info/RECORD")


def test_compile_writes_the_wheel_once_with_its_hash_in_the_manifest(tmp_path: Path) -> None:
    result = api.compile_project(ROOT / "examples" / "retail", tmp_path / "out")
    assert result.ok
    wheel = tmp_path / "out" / wheel_path()
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["files"][wheel_path()] == hashlib.sha256(wheel.read_bytes()).hexdigest()
    assert wheel.read_bytes() == build_wheel()[1]
    assert sorted(p.name for p in (tmp_path / "out" / "runtime").iterdir()) == [wheel.name]


@pytest.mark.slow
def test_generated_scripts_pass_mypy_against_the_shipped_runtime(tmp_path: Path) -> None:
    """mypy checks every JOB literal against alur_runtime.config, read from the wheel."""
    out = tmp_path / "out"
    assert api.compile_project(ROOT / "examples" / "retail", out).ok
    shipped = tmp_path / "shipped"
    with zipfile.ZipFile(out / wheel_path()) as archive:
        archive.extractall(shipped)
    scripts = sorted(str(p) for p in (out / "glue").glob("*.py"))
    broken = out / "glue" / "clean_orders.py"
    text = broken.read_text(encoding="utf-8")
    renamed = text.replace("'overwrite_scope'", "'overwrite_scop'")
    (tmp_path / "renamed.py").write_text(renamed, encoding="utf-8")
    cmd = [str(MYPY), "--strict", "--ignore-missing-imports", "--no-warn-unused-ignores"]
    cmd += ["--no-incremental"]
    env = {"MYPYPATH": str(shipped), "PATH": "/usr/bin:/bin"}
    ok = subprocess.run([*cmd, *scripts], capture_output=True, text=True, env=env, check=False)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    bad = subprocess.run(
        [*cmd, str(tmp_path / "renamed.py")], capture_output=True, text=True, env=env, check=False
    )
    assert bad.returncode == 1 and 'Missing key "overwrite_scope"' in bad.stdout, bad.stdout
