"""Sharded generation: forked shards write the same bytes, and a failing shard writes nothing."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from alur_compiler import api, outputs
from alur_compiler.backends.base import Artifact
from alur_compiler.diagnostics import Diagnostics, Span, codes
from alur_compiler.ir import Project

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(Path(__file__).resolve().parent))

from test_determinism import tree_files  # noqa: E402

RETAIL = ROOT / "examples" / "retail"


@pytest.fixture
def forked(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fork shards even for the small retail example."""
    monkeypatch.setattr(outputs, "PARALLEL_THRESHOLD", 1)
    monkeypatch.delenv("ALURC_NO_PARALLEL", raising=False)


def _project() -> Project:
    loaded = api.load(RETAIL)
    assert loaded.project is not None
    return loaded.project


def test_forked_shards_write_the_same_bytes_as_one_process(
    tmp_path: Path, forked: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = tmp_path / "retail"
    shutil.copytree(RETAIL, project, ignore=shutil.ignore_patterns("build", ".alur"))
    parallel = api.compile_project(project, tmp_path / "parallel")
    assert parallel.ok and parallel.emitted is not None
    monkeypatch.setenv("ALURC_NO_PARALLEL", "1")
    serial = api.compile_project(project, tmp_path / "serial")
    assert serial.ok
    assert tree_files(tmp_path / "parallel") == tree_files(tmp_path / "serial")
    assert len(tree_files(tmp_path / "parallel")) == len(parallel.generated) > 20
    assert sorted(parallel.emitted.written) == parallel.generated


def test_forked_check_lists_stale_and_missing_files(tmp_path: Path, forked: None) -> None:
    project = tmp_path / "retail"
    shutil.copytree(RETAIL, project, ignore=shutil.ignore_patterns("build", ".alur"))
    out = tmp_path / "out"
    assert api.compile_project(project, out).ok
    spec = project / "pipelines" / "clean_customers.yaml"  # clean_products is in it too
    spec.write_text(spec.read_text().replace("WHERE name IS NOT NULL", "WHERE name > ''"))
    (out / "quality" / "orders.json").unlink()
    before = tree_files(out)
    checked = api.compile_project(project, out, check=True)
    assert checked.stale is not None and not checked.ok
    assert checked.stale.changed == [
        "glue/clean_products.py",
        "manifest.json",
        "terraform/contracts.json",  # the pipeline's logic fingerprint (ir/shapes.py)
    ]
    assert checked.stale.missing == ["quality/orders.json"]
    assert tree_files(out) == before


def _accept_all(hashes: dict[str, str]) -> set[str]:
    return set(hashes)


def _failing(project: Project, diags: Diagnostics) -> list[Artifact]:
    diags.report(codes.BACKEND_LIMIT, "cannot lower this", Span("alur.yaml", 1, 1))
    return [Artifact("other/file.txt", b"x\n")]


def _writing(project: Project, diags: Diagnostics) -> list[Artifact]:
    return [Artifact("glue/ok.py", b"print(1)\n")]


def _writing_other(project: Project, diags: Diagnostics) -> list[Artifact]:
    return [Artifact("quality/ok.json", b"{}\n")]


def test_an_error_in_one_shard_writes_no_file_of_any_shard(tmp_path: Path, forked: None) -> None:
    diags = Diagnostics()
    out = tmp_path / "out"
    done = outputs.build_outputs(_project(), [[_writing], [_failing]], diags, out, _accept_all)
    assert done is None
    assert [d.message for d in diags.errors] == ["cannot lower this"]
    assert not out.exists()


def _crashing(project: Project, diags: Diagnostics) -> list[Artifact]:
    raise ZeroDivisionError("a backend bug")


def test_a_crashing_shard_is_an_internal_error_with_its_traceback(
    tmp_path: Path, forked: None
) -> None:
    with pytest.raises(RuntimeError, match="ZeroDivisionError: a backend bug"):
        outputs.build_outputs(
            _project(), [[_writing], [_crashing]], Diagnostics(), tmp_path / "o", _accept_all
        )
    assert not (tmp_path / "o").exists()


def test_an_unwritable_folder_raises_oserror_from_the_shard(tmp_path: Path, forked: None) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder\n")
    with pytest.raises(OSError) as caught:
        outputs.build_outputs(
            _project(),
            [[_writing], [_writing_other]],
            Diagnostics(),
            blocker / "out",
            _accept_all,
        )
    assert caught.value.strerror and blocker.read_text() == "not a folder\n"


def test_no_temp_file_is_left_and_unchanged_files_are_not_rewritten(
    tmp_path: Path, forked: None
) -> None:
    project = tmp_path / "retail"
    shutil.copytree(RETAIL, project, ignore=shutil.ignore_patterns("build", ".alur"))
    out = tmp_path / "out"
    first = api.compile_project(project, out)
    assert first.ok and first.emitted is not None
    assert not [p for p in out.rglob(".*") if p.is_file()]
    script = out / "glue" / "clean_orders.py"
    mtime = script.stat().st_mtime_ns
    assert not (project / ".alur").exists()  # --out outside the project: no cache, full compile
    again = api.compile_project(project, out)
    assert again.emitted is not None and again.emitted.written == []
    assert sorted(again.emitted.unchanged) == sorted(first.emitted.written)
    assert script.stat().st_mtime_ns == mtime


@pytest.mark.parametrize("parallel", [True, False], ids=["forked", "one-process"])
def test_two_shards_writing_one_path_is_an_error_before_any_write(
    tmp_path: Path, parallel: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(outputs, "PARALLEL_THRESHOLD", 1 if parallel else 10**9)
    monkeypatch.delenv("ALURC_NO_PARALLEL", raising=False)
    out = tmp_path / "out"
    with pytest.raises(RuntimeError, match=r"two backends wrote the same file: \['glue/ok.py'\]"):
        outputs.build_outputs(_project(), [[_writing], [_writing]], Diagnostics(), out, _accept_all)
    with pytest.raises(RuntimeError, match=r"the same file: \['glue/ok.py'\]"):
        outputs.build_outputs(_project(), [[_writing, _writing]], Diagnostics(), out, _accept_all)
    assert not out.exists()


class _Refuse(Exception):
    pass


def _refusing(hashes: dict[str, str]) -> set[str]:
    ok = {"glue/ok.py": outputs.sha256(b"print(1)\n"), "quality/ok.json": outputs.sha256(b"{}\n")}
    assert hashes == ok
    raise _Refuse("the build folder is not alurc's")


@pytest.mark.parametrize("parallel", [True, False], ids=["forked", "one-process"])
def test_prepare_sees_every_hash_first_and_a_refusal_writes_nothing(
    tmp_path: Path, parallel: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(outputs, "PARALLEL_THRESHOLD", 1 if parallel else 10**9)
    monkeypatch.delenv("ALURC_NO_PARALLEL", raising=False)
    out = tmp_path / "out"
    groups: list[list[outputs.Generator]] = [[_writing], [_writing_other]]
    with pytest.raises(_Refuse):
        outputs.build_outputs(_project(), groups, Diagnostics(), out, _refusing)
    assert not out.exists()
    done = outputs.build_outputs(
        _project(), groups, Diagnostics(), out, lambda hashes: {"quality/ok.json"}
    )
    assert done is not None and done.emitted.written == ["quality/ok.json"]
    assert tree_files(out) == {"quality/ok.json": b"{}\n"}
