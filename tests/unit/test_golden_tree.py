"""Golden trees: the whole generated build folder of each case, file by file.

Missing or extra files fail, like openapi-python-client's golden record. Regenerate with
`pytest --update-goldens` (or `make goldens`) and review the diff before committing.
"""

from __future__ import annotations

import difflib
import json
import shutil
from pathlib import Path

import pytest

from alur_compiler import api

ROOT = Path(__file__).resolve().parents[2]
CASES = {"retail": ROOT / "examples" / "retail"}


def tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def compile_copy(project: Path, tmp: Path) -> dict[str, bytes]:
    """Compile a copy of the project (so the checkout's build/ is never touched)."""
    copy = tmp / "project"
    shutil.copytree(project, copy, ignore=shutil.ignore_patterns("build", ".alur"))
    result = api.compile_project(copy, tmp / "out")
    assert not result.diagnostics.has_errors, [str(d.message) for d in result.diagnostics.errors]
    return tree(tmp / "out")


@pytest.mark.parametrize("case", sorted(CASES))
def test_golden_tree(case: str, tmp_path: Path, update_goldens: bool) -> None:
    actual = compile_copy(CASES[case], tmp_path)
    expected_dir = ROOT / "tests" / "cases" / case / "expected"
    if update_goldens:
        shutil.rmtree(expected_dir, ignore_errors=True)
        for rel, content in actual.items():
            (expected_dir / rel).parent.mkdir(parents=True, exist_ok=True)
            (expected_dir / rel).write_bytes(content)
        pytest.skip("goldens updated")
    expected = tree(expected_dir)
    missing = sorted(set(expected) - set(actual))
    extra = sorted(set(actual) - set(expected))
    assert not missing, f"no longer generated: {missing} (run make goldens if intended)"
    assert not extra, f"newly generated: {extra} (run make goldens if intended)"
    for rel in sorted(expected):
        if expected[rel] != actual[rel]:
            diff = difflib.unified_diff(
                expected[rel].decode("utf-8", "replace").splitlines(),
                actual[rel].decode("utf-8", "replace").splitlines(),
                f"expected/{rel}",
                f"actual/{rel}",
                lineterm="",
                n=2,
            )
            pytest.fail(
                "golden mismatch (run make goldens if intended):\n" + "\n".join(list(diff)[:60])
            )


def test_golden_ir(tmp_path: Path, update_goldens: bool) -> None:
    """The IR of examples/retail (defaults applied, references resolved), location-free."""
    from alur_compiler.ir.fingerprint import to_jsonable

    copy = tmp_path / "retail"
    shutil.copytree(CASES["retail"], copy, ignore=shutil.ignore_patterns("build", ".alur"))
    project, diags = api.load_project(copy)
    assert project is not None, [d.message for d in diags.errors]
    actual = json.dumps(to_jsonable(project), indent=2, sort_keys=True) + "\n"
    golden = ROOT / "tests" / "cases" / "retail" / "ir.json"
    if update_goldens:
        golden.write_text(actual, encoding="utf-8")
        pytest.skip("golden IR updated")
    assert actual == golden.read_text(encoding="utf-8"), "IR changed (make goldens if intended)"
