"""The quality backend: one GX 1.x suite per checked table, `quality/<table>.json`."""

from __future__ import annotations

from alur_compiler.backends.base import Artifact
from alur_compiler.backends.quality.suite import build_suite
from alur_compiler.diagnostics import Diagnostics, codes
from alur_compiler.ir import Check, CheckType, Project
from alur_compiler.ir.fingerprint import pretty_json

_RANGED = (CheckType.BETWEEN, CheckType.LENGTH_BETWEEN, CheckType.ROW_COUNT_BETWEEN)


def suite_json(suite: dict[str, object]) -> bytes:
    """Deterministic bytes: sorted keys, 2-space indent, trailing newline."""
    return pretty_json(suite)


def _range_problem(check: Check) -> str | None:
    """Why GX would reject this range check's bounds, or None.

    min > max (measured on GX 1.24, tests/integration/test_quality_bounds_gx.py):
    row_count_between does not load (pydantic rejects it); between loads but its metric
    raises "min_value cannot be greater than max_value", so it fails whatever the data;
    length_between is evaluated like any other range (every non-NULL value is unexpected),
    as the native evaluator does, so it is not a backend problem. (validate reports all
    three, AL310: such a check can never pass on a non-NULL value.)
    """
    if check.type not in _RANGED:
        return None
    if check.min is None and check.max is None:
        return "has neither min nor max; Great Expectations rejects an unbounded range"
    lo, hi = check.min, check.max
    if isinstance(lo, int | float) and isinstance(hi, int | float) and lo > hi:
        if check.type is CheckType.ROW_COUNT_BETWEEN:
            return f"has min {lo} > max {hi}; Great Expectations rejects it"
        if check.type is CheckType.BETWEEN:
            return (
                f"has min {lo} > max {hi}; Great Expectations fails it with an error "
                "(min_value cannot be greater than max_value), even on an empty table"
            )
    return None


class QualityBackend:
    """Writes a Great Expectations 1.x ExpectationSuite for every table with checks."""

    name = "quality"

    def generate(self, project: Project, diags: Diagnostics) -> list[Artifact]:
        artifacts: list[Artifact] = []
        for table in project.tables:
            checks = project.effective_checks(table.name)
            if not checks:
                continue
            for check in checks:
                problem = _range_problem(check)
                if problem:
                    diags.report(
                        codes.BACKEND_LIMIT,
                        f"check '{check.name}' ({check.type}) {problem}",
                        check.span,
                        hint="set min <= max (at least one of them)",
                    )
            suite = build_suite(project, table.name)
            artifacts.append(Artifact(f"quality/{table.name}.json", suite_json(suite)))
        return artifacts
