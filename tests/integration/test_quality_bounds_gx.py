"""min > max, with Great Expectations 1.24 as the oracle, for each of the three range checks.

Measured behaviour (the assertions below are the measurement):

- row_count_between: GX does not build the expectation (pydantic: "min_value (5) must be
  less than or equal to max_value (1)"): the suite fails to load.
- between: the suite loads; the metric raises "min_value cannot be greater than max_value",
  so the expectation is unsuccessful whatever the data (no counts).
- length_between: evaluated like any range: every non-NULL value is unexpected.

alurc's validate rejects min > max for all three (AL310, tests/errors/names_bounds.yaml):
such a check can never pass on a non-NULL value. For IR built in code, the native evaluator
gives GX's verdict on every data set where GX gives one from the data (length_between on
any data, between on data with a non-NULL value) and the quality backend reports AL501 for
the two GX cannot run.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

from alur_compiler.backends.quality import QualityBackend
from alur_compiler.backends.quality.suite import build_suite
from alur_compiler.diagnostics import Diagnostics
from alur_compiler.ir import Action, Check, CheckType, Column, Layer, Project, Table
from alur_compiler.ir.check_sql import native_checks
from alur_runtime.quality import evaluate_checks

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks" / "quality"))
import gxrun

pytestmark = pytest.mark.spark
T = CheckType
DATA = {
    "mixed": [(1, "a"), (3, "abcd"), (None, None), (2, "ab")],
    "all_null": [(None, None), (None, None)],
    "empty": [],
}


def _project(*checks: Check) -> Project:
    table = Table("t", Layer.SILVER, (Column("n", "int"), Column("s", "string")), checks=checks)
    return Project("b", "/nonexistent", (table,), (), (), ())


def _run(spark: Any, rows: list[tuple[Any, ...]], check: Check) -> tuple[Any, Any]:
    project = _project(check)
    df = spark.createDataFrame(rows, "n int, s string")
    native = evaluate_checks(df, native_checks(project, "t")).results[0]
    (gx,) = gxrun.validate(build_suite(project, "t"), df, "spark")
    return native, gx


@pytest.mark.parametrize("data", sorted(DATA))
@pytest.mark.parametrize("strict", [False, True])
def test_length_between_min_above_max_equals_gx(spark: Any, data: str, strict: bool) -> None:
    check = Check("ln", T.LENGTH_BETWEEN, Action.WARN, ("s",), min=3, max=1, strict_min=strict)
    native, gx = _run(spark, DATA[data], check)
    assert gx["exception"] is None
    assert native["success"] == gx["success"]
    gx_count = 0 if gx["unexpected_count"] is None and not DATA[data] else gx["unexpected_count"]
    assert native["unexpected_count"] == gx_count
    if data == "mixed":
        assert gx["success"] is False and gx["unexpected_count"] == 3  # every non-NULL value


def test_between_min_above_max_gx_fails_native_agrees_on_values(spark: Any) -> None:
    check = Check("bt", T.BETWEEN, Action.WARN, ("n",), min=5, max=1)
    for data, rows in DATA.items():
        native, gx = _run(spark, rows, check)
        assert gx["success"] is False, data  # GX's metric raises: unsuccessful on any data
        assert gx["unexpected_count"] is None, data
        if data == "mixed":
            assert native["success"] is False and native["unexpected_count"] == 3
    diags = Diagnostics()
    QualityBackend().generate(_project(check), diags)
    assert [d.code.code for d in diags.items] == ["AL501"]


def test_row_count_min_above_max_does_not_load_in_gx() -> None:
    check = Check("rc", T.ROW_COUNT_BETWEEN, Action.FAIL, min=5, max=1)
    suite = build_suite(_project(check), "t")
    with pytest.raises(Exception, match="must be less than or equal to max_value"):
        gxrun.load_suite(suite)
    diags = Diagnostics()
    QualityBackend().generate(_project(check), diags)
    assert [d.code.code for d in diags.items] == ["AL501"]


def test_length_between_min_above_max_is_no_backend_problem() -> None:
    check = Check("ln", T.LENGTH_BETWEEN, Action.WARN, ("s",), min=3, max=1)
    diags = Diagnostics()
    QualityBackend().generate(_project(check), diags)
    assert diags.items == []
