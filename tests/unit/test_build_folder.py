"""The build folder belongs to alurc (DESIGN.md §9: it writes only inside its build folder
and deletes only what it wrote; nothing already written is lost or corrupted).

Every hostile state of `--out D` is refused with exit 1, a located message and nothing
written: a snapshot (paths, bytes, link targets, mtimes) of D's parent, D included, is the
same after `compile` and after `compile --check`. The happy paths write, keep and delete
exactly what they should, and a compile killed half-way is finished by the next one.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from alur_compiler import api, console, emit, outputs
from alur_compiler.emit import MANIFEST, sha256

ROOT = Path(__file__).resolve().parents[2]
RETAIL = ROOT / "examples" / "retail"

Snapshot = dict[str, tuple[object, ...]]


def snapshot(top: Path) -> Snapshot:
    """Every entry below `top` (and `top`): kind, bytes or link target, mtime; no link followed."""
    seen: Snapshot = {}

    def entry(path: Path) -> None:
        st = path.lstat()
        rel = path.relative_to(top).as_posix()
        if stat.S_ISLNK(st.st_mode):
            seen[rel] = ("link", os.readlink(path), st.st_mtime_ns)
        elif stat.S_ISDIR(st.st_mode):
            seen[rel] = ("dir", st.st_mtime_ns)
        else:
            seen[rel] = ("file", path.read_bytes(), st.st_mtime_ns, st.st_mode)

    entry(top)
    for folder, dirs, files in os.walk(top, followlinks=False):
        for name in sorted([*dirs, *files]):
            entry(Path(folder) / name)
    return seen


def files_of(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.is_symlink()
    }


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    dst = tmp_path_factory.mktemp("src") / "retail"
    shutil.copytree(RETAIL, dst, ignore=shutil.ignore_patterns("build", ".alur"))
    return dst


@pytest.fixture(scope="module")
def compiled(project: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A clean build folder of the example, copied into each case that needs one."""
    out = tmp_path_factory.mktemp("clean") / "build"
    result = api.compile_project(project, out)
    assert result.ok, [d.message for d in result.diagnostics.errors]
    return out


def _manifest(build: Path) -> dict[str, object]:
    data = json.loads((build / MANIFEST).read_text())
    assert isinstance(data, dict)
    return data


def _edit_manifest(build: Path, change: Callable[[dict[str, object]], None]) -> None:
    doc = _manifest(build)
    change(doc)
    (build / MANIFEST).write_text(json.dumps(doc, indent=2) + "\n")


# --- hostile states: (setup, expected code, expected message part, located file) ------------


def _files(doc: dict[str, object]) -> dict[str, str]:
    files = doc["files"]
    assert isinstance(files, dict)
    return files


def user_file_listed_in_old_manifest(case: Path, build: Path, clean: Path) -> str:
    shutil.copytree(clean, build)
    (build / "notes.txt").write_text("my notes\n")
    _edit_manifest(build, lambda d: _files(d).update({"notes.txt": sha256(b"old\n")}))
    return "notes.txt was changed since alurc wrote it: compiling would delete it"


def user_edited_generated_file(case: Path, build: Path, clean: Path) -> str:
    shutil.copytree(clean, build)
    (build / "glue" / "clean_orders.py").write_text("# my fix\n")
    return "glue/clean_orders.py was changed since alurc wrote it: compiling would overwrite it"


def same_named_user_file_fresh_folder(case: Path, build: Path, clean: Path) -> str:
    build.mkdir()
    (build / "lineage.json").write_text('{"mine": true}\n')
    return "the build folder is not empty and has no manifest.json of alurc (found lineage.json)"


def same_named_user_file_unlisted(case: Path, build: Path, clean: Path) -> str:
    shutil.copytree(clean, build)
    (build / "glue" / "clean_orders.py").write_text("# mine, not alurc's\n")
    _edit_manifest(build, lambda d: _files(d).pop("glue/clean_orders.py"))
    return "glue/clean_orders.py was not written by alurc: compiling would overwrite it"


def malformed_json_manifest(case: Path, build: Path, clean: Path) -> str:
    shutil.copytree(clean, build)
    (build / MANIFEST).write_text('{\n  "alurc": "0.1.0",\n  "files": {,\n}\n')
    return "manifest.json is not valid JSON (Expecting property name enclosed in double quotes)"


def foreign_manifest(case: Path, build: Path, clean: Path) -> str:
    build.mkdir()
    (build / MANIFEST).write_text('{"name": "webpack", "files": {"main.js": "x"}}\n')
    (build / "main.js").write_text("console.log(1)\n")
    return "manifest.json was not written by alurc: it has no `alurc` version"


def manifest_is_a_list(case: Path, build: Path, clean: Path) -> str:
    build.mkdir()
    (build / MANIFEST).write_text("[1, 2]\n")
    return "manifest.json was not written by alurc: it has no `alurc` version"


def manifest_lists_dotdot_etc_passwd(case: Path, build: Path, clean: Path) -> str:
    shutil.copytree(clean, build)
    digest = sha256(Path("/etc/passwd").read_bytes())
    _edit_manifest(build, lambda d: _files(d).update({"../../etc/passwd": digest}))
    return "manifest.json lists '../../etc/passwd', a path outside the build folder"


def manifest_lists_parent_file_with_its_hash(case: Path, build: Path, clean: Path) -> str:
    """The dangerous one: a stale entry whose hash matches a file next to the build folder."""
    shutil.copytree(clean, build)
    (case / "victim.txt").write_text("precious\n")
    digest = sha256(b"precious\n")
    _edit_manifest(build, lambda d: _files(d).update({"../victim.txt": digest}))
    return "manifest.json lists '../victim.txt', a path outside the build folder"


def manifest_lists_absolute_etc_passwd(case: Path, build: Path, clean: Path) -> str:
    shutil.copytree(clean, build)
    digest = sha256(Path("/etc/passwd").read_bytes())
    _edit_manifest(build, lambda d: _files(d).update({"/etc/passwd": digest}))
    return "manifest.json lists '/etc/passwd', a path outside the build folder"


def manifest_lists_file_through_symlink(case: Path, build: Path, clean: Path) -> str:
    shutil.copytree(clean, build)
    (case / "outside").mkdir()
    (case / "outside" / "secret.txt").write_text("secret\n")
    (build / "link").symlink_to(case / "outside")
    _edit_manifest(build, lambda d: _files(d).update({"link/secret.txt": sha256(b"secret\n")}))
    return f"link is a symbolic link (to {case / 'outside'}): alurc does not write or delete"


def manifest_lists_a_symlink_to_outside(case: Path, build: Path, clean: Path) -> str:
    shutil.copytree(clean, build)
    (build / "passwd").symlink_to("/etc/passwd")
    digest = sha256(Path("/etc/passwd").read_bytes())
    _edit_manifest(build, lambda d: _files(d).update({"passwd": digest}))
    return "passwd is a symbolic link (to /etc/passwd): alurc never writes one, and would delete"


def generated_folder_is_a_symlink_to_outside(case: Path, build: Path, clean: Path) -> str:
    shutil.copytree(clean, build)
    shutil.copytree(build / "quality", case / "outside")
    shutil.rmtree(build / "quality")
    (build / "quality").symlink_to(case / "outside")
    return "quality is a symbolic link"


def generated_file_is_a_symlink(case: Path, build: Path, clean: Path) -> str:
    shutil.copytree(clean, build)
    (case / "target.py").write_bytes((build / "glue" / "clean_orders.py").read_bytes())
    (build / "glue" / "clean_orders.py").unlink()
    (build / "glue" / "clean_orders.py").symlink_to(case / "target.py")
    return "glue/clean_orders.py is a symbolic link"


def generated_folder_replaced_by_a_file(case: Path, build: Path, clean: Path) -> str:
    shutil.copytree(clean, build)
    shutil.rmtree(build / "quality")
    (build / "quality").write_text("my quality notes\n")
    return "quality is a file where alurc writes a folder"


def generated_file_replaced_by_a_folder(case: Path, build: Path, clean: Path) -> str:
    shutil.copytree(clean, build)
    (build / "lineage.json").unlink()
    (build / "lineage.json").mkdir()
    (build / "lineage.json" / "mine.txt").write_text("mine\n")
    return "lineage.json is a folder: alurc would overwrite it"


def non_empty_folder_without_marker(case: Path, build: Path, clean: Path) -> str:
    build.mkdir()
    (build / "thesis").mkdir()
    (build / "thesis" / "chapter1.tex").write_text("\\section{One}\n")
    (build / "notes.txt").write_text("notes\n")
    return (
        "the build folder is not empty and has no manifest.json of alurc (found notes.txt, thesis/)"
    )


def build_folder_is_a_symlink(case: Path, build: Path, clean: Path) -> str:
    (case / "real").mkdir()  # empty: compiling into it directly would be fine
    build.symlink_to(case / "real")
    return f"the build folder is a symbolic link (to {case / 'real'})"


def build_folder_is_a_file(case: Path, build: Path, clean: Path) -> str:
    build.write_text("not a folder\n")
    return "the build folder is a file, not a folder"


HOSTILE: dict[str, tuple[Callable[[Path, Path, Path], str], str, str]] = {
    f.__name__: (f, code, located)
    for f, code, located in [
        (user_file_listed_in_old_manifest, "AL121", "notes.txt"),
        (user_edited_generated_file, "AL121", "glue/clean_orders.py"),
        (same_named_user_file_fresh_folder, "AL120", ""),
        (same_named_user_file_unlisted, "AL121", "glue/clean_orders.py"),
        (malformed_json_manifest, "AL120", "manifest.json:3:13"),
        (foreign_manifest, "AL120", "manifest.json"),
        (manifest_is_a_list, "AL120", "manifest.json"),
        (manifest_lists_dotdot_etc_passwd, "AL120", "manifest.json"),
        (manifest_lists_parent_file_with_its_hash, "AL120", "manifest.json"),
        (manifest_lists_absolute_etc_passwd, "AL120", "manifest.json"),
        (manifest_lists_file_through_symlink, "AL120", "link"),
        (manifest_lists_a_symlink_to_outside, "AL120", "passwd"),
        (generated_folder_is_a_symlink_to_outside, "AL120", "quality"),
        (generated_file_is_a_symlink, "AL120", "glue/clean_orders.py"),
        (generated_folder_replaced_by_a_file, "AL121", "quality"),
        (generated_file_replaced_by_a_folder, "AL121", "lineage.json"),
        (non_empty_folder_without_marker, "AL120", ""),
        (build_folder_is_a_symlink, "AL120", ""),
        (build_folder_is_a_file, "AL120", ""),
    ]
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
@pytest.mark.parametrize("check", [False, True], ids=["compile", "check"])
@pytest.mark.parametrize("forked", [False, True], ids=["one-process", "forked"])
def test_hostile_build_folder_is_refused_and_nothing_is_written(
    name: str,
    check: bool,
    forked: bool,
    project: Path,
    compiled: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if forked:  # the sharded writer: shards generate in forked processes, write when told
        monkeypatch.setattr(outputs, "PARALLEL_THRESHOLD", 1)
        monkeypatch.delenv("ALURC_NO_PARALLEL", raising=False)
    setup, code, located = HOSTILE[name]
    case = tmp_path / "case"
    case.mkdir()
    build = case / "build"
    message = setup(case, build, compiled)
    before = snapshot(case)
    exit_code = console.compile_and_report(project, build, check, "text")
    err = capsys.readouterr().err
    assert exit_code == 1, err
    where = f"{build / located}" if located else f"{build}"
    head = next((line for line in err.splitlines() if f"error[{code}]" in line), "")
    assert head.startswith(where + ":"), err
    assert message in head, err
    assert "  hint: " in err and "Traceback" not in err and "AL901" not in err
    assert snapshot(case) == before
    assert not (project / ".alur").exists()


def test_every_problem_is_reported_at_once(
    project: Path, compiled: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    build = tmp_path / "build"
    shutil.copytree(compiled, build)
    (build / "glue" / "clean_orders.py").write_text("# mine\n")
    (build / "lineage.json").write_text("{}\n")
    before = snapshot(tmp_path)
    assert console.compile_and_report(project, build, False, "text") == 1
    err = capsys.readouterr().err
    assert "error[AL121]: glue/clean_orders.py was changed" in err
    assert "error[AL121]: lineage.json was changed" in err
    assert snapshot(tmp_path) == before


def test_many_user_files_are_summarised(project: Path, compiled: Path, tmp_path: Path) -> None:
    build = tmp_path / "build"
    shutil.copytree(compiled, build)
    edited = sorted(p for p in build.rglob("*.py"))
    edited += sorted(build.rglob("quality/*.json"))
    for path in edited:
        path.write_text("# edited\n")
    assert len(edited) > emit.MAX_REPORTED
    result = api.compile_project(project, build)
    messages = [d.message for d in result.diagnostics.errors]
    assert len(messages) == emit.MAX_REPORTED + 1
    assert messages[-1] == (
        f"... and {len(edited) - emit.MAX_REPORTED} more files in the build folder that alurc "
        "did not write"
    )


def test_cli_malformed_manifest_is_exit_1_not_an_internal_error(
    project: Path, compiled: Path, tmp_path: Path
) -> None:
    """Before: AL901 (exit 3) after the generated files were already written."""
    build = tmp_path / "build"
    shutil.copytree(compiled, build)
    (build / MANIFEST).write_text("[]\n")
    (build / "glue" / "clean_orders.py").unlink()
    before = snapshot(tmp_path)
    exe = Path(sys.executable).with_name("alurc")
    for extra in ([], ["--check"], ["--format", "text"]):
        res = subprocess.run(
            [str(exe), "compile", str(project), "--out", str(build), *extra],
            capture_output=True,
            text=True,
            env={"NO_COLOR": "1", "PATH": "/usr/bin:/bin"},
            timeout=120,
        )
        assert res.returncode == 1, res.stderr
        assert f"{build / MANIFEST}:1:1: error[AL120]: manifest.json was not written by alurc" in (
            res.stderr
        )
        assert "Traceback" not in res.stderr
    assert snapshot(tmp_path) == before


# --- happy paths ---------------------------------------------------------------------------


def test_fresh_and_empty_folders_get_exactly_the_generated_files(
    project: Path, compiled: Path, tmp_path: Path
) -> None:
    (tmp_path / "empty").mkdir()
    for name in ("new/deeper", "empty"):
        out = tmp_path / name
        result = api.compile_project(project, out)
        assert result.ok and result.emitted is not None
        assert files_of(out) == files_of(compiled)
        assert sorted(result.emitted.written) == result.generated == sorted(files_of(out))
        assert "pending" not in _manifest(out)
        assert set(_files(_manifest(out))) == set(result.generated) - {MANIFEST}


def test_recompile_keeps_every_file_and_a_users_unrelated_files(
    project: Path, compiled: Path, tmp_path: Path
) -> None:
    build = tmp_path / "build"
    shutil.copytree(compiled, build)
    (build / ".gitignore").write_text("*\n")
    (build / "glue" / "README.md").write_text("my notes\n")
    before = snapshot(tmp_path)
    for check in (False, True):
        result = api.compile_project(project, build, check=check)
        assert result.ok, [d.message for d in result.diagnostics.errors]
    assert result.stale is not None and not result.stale.stale
    assert snapshot(tmp_path) == before


def test_recompile_after_a_job_was_removed_deletes_exactly_the_stale_files(
    project: Path, compiled: Path, tmp_path: Path
) -> None:
    smaller = tmp_path / "smaller"
    shutil.copytree(project, smaller)
    (smaller / "pipelines" / "daily_revenue.yaml").unlink()
    build = tmp_path / "build"
    shutil.copytree(compiled, build)
    (build / "notes.txt").write_text("kept\n")
    notes = (build / "notes.txt").stat().st_mtime_ns
    expected = tmp_path / "expected"
    assert api.compile_project(smaller, expected).ok
    stale = sorted(set(files_of(compiled)) - set(files_of(expected)))
    assert "glue/daily_revenue.py" in stale

    checked = api.compile_project(smaller, build, check=True)
    assert checked.stale is not None and checked.stale.extra == stale
    result = api.compile_project(smaller, build)
    assert result.ok and result.emitted is not None
    assert result.emitted.removed == stale
    assert files_of(build) == {**files_of(expected), "notes.txt": b"kept\n"}
    assert (build / "notes.txt").stat().st_mtime_ns == notes


def test_a_file_identical_to_the_generated_one_is_adopted(
    project: Path, compiled: Path, tmp_path: Path
) -> None:
    """Bytes equal to what alurc generates are alurc's: nothing is lost by keeping them."""
    build = tmp_path / "build"
    shutil.copytree(compiled, build)
    _edit_manifest(build, lambda d: _files(d).pop("lineage.json"))
    result = api.compile_project(project, build)
    assert result.ok and result.emitted is not None
    assert "lineage.json" in result.emitted.unchanged
    assert "lineage.json" in _files(_manifest(build))


class _Killed(BaseException):
    pass


@pytest.mark.parametrize("after", [0, 2, -1], ids=["journal", "2-files", "all-files"])
@pytest.mark.parametrize("start", ["fresh", "recompile"])
def test_a_compile_killed_half_way_is_finished_by_the_next(
    start: str,
    after: int,
    project: Path,
    compiled: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The journal (manifest with `pending`) is written before the first file: the files a
    killed compile wrote are still provably alurc's, so the next compile overwrites them
    (killed after the journal, after 2 files, after every file and the deletions)."""
    changed = tmp_path / "changed"
    shutil.copytree(project, changed)
    spec = changed / "pipelines" / "clean_customers.yaml"
    spec.write_text(spec.read_text().replace("WHERE name IS NOT NULL", "WHERE name > ''"))
    spec = changed / "pipelines" / "daily_revenue.yaml"
    spec.write_text(spec.read_text() + "\n")
    (changed / "pipelines" / "customer_lifetime_value.yaml").unlink()
    expected = tmp_path / "expected"
    assert api.compile_project(changed, expected).ok
    build = tmp_path / "build"
    if start == "recompile":
        shutil.copytree(compiled, build)

    real = emit._write_atomic
    calls = []

    def dying(path: Path, content: bytes) -> None:
        calls.append(path)
        last = after < 0 and len(calls) > 1 and path.name == MANIFEST  # before the final one
        if last or len(calls) == after + 2 > 1:  # the journal, then `after` files
            raise _Killed
        real(path, content)

    monkeypatch.setenv("ALURC_NO_PARALLEL", "1")
    monkeypatch.setattr(emit, "_write_atomic", dying)
    with pytest.raises(_Killed):
        api.compile_project(changed, build)
    assert calls[0] == build / MANIFEST and "pending" in _manifest(build)
    monkeypatch.setattr(emit, "_write_atomic", real)
    result = api.compile_project(changed, build)
    assert result.ok, [d.message for d in result.diagnostics.errors]
    assert files_of(build) == files_of(expected)


def test_a_leftover_temp_file_with_this_pid_does_not_block_the_compile(tmp_path: Path) -> None:
    """A killed compile leaves `.<name>.<pid>.tmp`; a later process may get the same pid."""
    project = tmp_path / "p"
    shutil.copytree(
        Path(__file__).resolve().parents[2] / "examples" / "retail",
        project,
        ignore=shutil.ignore_patterns("build", ".alur"),
    )
    out = tmp_path / "out"
    out.mkdir()
    leftover = out / f".{MANIFEST}.{os.getpid()}.tmp"
    leftover.write_bytes(b"half a manifest")
    result = api.compile_project(project, out)
    assert result.ok, [d.message for d in result.diagnostics.items]
    assert json.loads((out / MANIFEST).read_text(encoding="utf-8"))["files"]
    assert leftover.read_bytes() == b"half a manifest"  # not ours to delete: left alone
