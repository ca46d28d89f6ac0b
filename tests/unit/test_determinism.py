"""Output is byte-identical whatever the discovery order, the folder or the working dir."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import pytest

from alur_compiler import api
from alur_compiler.load import discover

ROOT = Path(__file__).resolve().parents[2]
RETAIL = ROOT / "examples" / "retail"


def tree_files(folder: Path) -> dict[str, bytes]:
    """Every file below `folder` by POSIX path (also used by test_outputs)."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _copy(tmp: Path, name: str) -> Path:
    dst = tmp / name
    shutil.copytree(RETAIL, dst, ignore=shutil.ignore_patterns("build", ".alur"))
    return dst


def test_shuffled_discovery_and_other_folder_give_same_bytes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = _copy(tmp_path, "a")
    api.compile_project(first, tmp_path / "out1")
    original = discover.spec_files

    def shuffled(root: Path, paths: list[str]) -> list[Path]:
        files = original(root, paths)
        random.Random(7).shuffle(files)
        return list(reversed(files))

    monkeypatch.setattr(discover, "spec_files", shuffled)
    _copy(tmp_path, "deeper/b")
    monkeypatch.chdir(tmp_path / "deeper")
    api.compile_project(Path("b"), tmp_path / "out2")
    one, two = tree_files(tmp_path / "out1"), tree_files(tmp_path / "out2")
    assert one.keys() == two.keys()
    assert [k for k in one if one[k] != two[k]] == []


def test_recompile_writes_nothing_and_check_passes(tmp_path: Path) -> None:
    project = _copy(tmp_path, "p")
    first = api.compile_project(project)
    assert first.emitted is not None and first.emitted.written
    stamp = {p: p.stat().st_mtime_ns for p in (project / "build").rglob("*") if p.is_file()}
    second = api.compile_project(project)
    assert second.emitted is not None and second.emitted.written == []
    assert {p: p.stat().st_mtime_ns for p in stamp} == stamp
    check = api.compile_project(project, check=True)
    assert check.stale is not None and not check.stale.stale


def test_check_lists_stale_missing_and_extra(tmp_path: Path) -> None:
    project = _copy(tmp_path, "p")
    api.compile_project(project)
    build = project / "build"
    pipeline = project / "pipelines" / "clean_customers.yaml"  # also holds clean_products
    text = pipeline.read_text()
    pipeline.write_text(text.replace("WHERE name IS NOT NULL", "WHERE name IS NOT NULL AND 1 = 1"))
    (build / "quality" / "orders.json").unlink()
    (project / "pipelines" / "daily_revenue.yaml").unlink()
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in build.rglob("*") if p.is_file()}
    check = api.compile_project(project, check=True)
    assert check.stale is not None and check.stale.stale
    assert "glue/clean_products.py" in check.stale.changed
    assert "manifest.json" in check.stale.changed
    assert check.stale.missing == ["quality/orders.json"]
    assert "glue/daily_revenue.py" in check.stale.extra
    # nothing was written by --check
    assert {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in before} == before
    assert sorted(p for p in build.rglob("*") if p.is_file()) == sorted(before)


def test_check_reports_an_edited_generated_file_as_compile_would(tmp_path: Path) -> None:
    project = _copy(tmp_path, "p")
    api.compile_project(project)
    build = project / "build"
    (build / "lineage.json").write_text("{}\n")
    for check in (True, False):
        result = api.compile_project(project, check=check)
        errors = result.diagnostics.errors
        assert [d.code.code for d in errors] == ["AL121"]
        assert "lineage.json was changed since alurc wrote it" in errors[0].message
        assert result.stale is None and result.emitted is None
    assert (build / "lineage.json").read_text() == "{}\n"
