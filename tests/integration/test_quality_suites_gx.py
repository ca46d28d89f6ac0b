"""Every emitted suite loads into a real GX 1.x ephemeral context with nothing dropped."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from alur_compiler.backends.quality import QualityBackend
from alur_compiler.diagnostics import Diagnostics

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks" / "quality"))
import gxrun  # noqa: E402
import qsample  # noqa: E402


def _suites_of(project: object) -> dict[str, dict[str, object]]:
    diags = Diagnostics()
    arts = QualityBackend().generate(project, diags)  # type: ignore[arg-type]
    assert not diags.items, [str(d.message) for d in diags.items]
    return {a.path: json.loads(a.content) for a in arts}


def _assert_loads(suites: dict[str, dict[str, object]]) -> None:
    for path, suite in suites.items():
        _, loaded = gxrun.load_suite(suite)
        written = suite["expectations"]
        assert isinstance(written, list)
        assert len(loaded.expectations) == len(written), path  # GX drops unknown types silently
        assert loaded.name == suite["name"]
        types = sorted(e.expectation_type for e in loaded.expectations)
        assert types == sorted(str(e["type"]) for e in written), path


def test_all_check_types_suite_loads() -> None:
    suites = _suites_of(qsample.project())
    assert list(suites) == ["quality/orders.json"]
    _assert_loads(suites)


def test_retail_example_suites_load() -> None:
    api = pytest.importorskip("alur_compiler.api")
    project, diags = api.load_project(ROOT / "examples" / "retail")
    assert project is not None, [d.message for d in diags.errors]
    suites = _suites_of(project)
    checked = sorted(t.name for t in project.tables if project.effective_checks(t.name))
    assert sorted(suites) == [f"quality/{t}.json" for t in checked]
    assert "quality/orders.json" in suites
    _assert_loads(suites)
