"""local/failure.py without Spark: a position in the SQL the job ran maps back to the YAML
(through the view names substituted for the tables), and the rendering of a failure."""

from __future__ import annotations

from pathlib import Path

from alur_compiler import api
from alur_compiler.backends.glue.sql import rewrite_sql
from alur_compiler.ir import Pipeline
from alur_compiler.local.failure import explain, render_failure, sql_location
from alur_compiler.local.runner import JobResult
from alur_runtime.steps import describe

RETAIL = Path(__file__).resolve().parents[2] / "examples" / "retail"


def daily_revenue() -> tuple[Pipeline, api.LoadResult]:
    loaded = api.load(RETAIL)
    assert loaded.project is not None
    (pipe,) = [p for p in loaded.project.pipelines if p.name == "daily_revenue"]
    return pipe, loaded


def test_an_offset_after_a_substituted_table_maps_to_the_yaml() -> None:
    pipe, _ = daily_revenue()
    ran = rewrite_sql(pipe.sql, pipe.sources)
    assert "__alur_src_orders" in ran  # the job's SQL differs from the YAML's
    # `p.product_id` in the JOIN ... ON, after two substituted names: line 14 of the YAML
    # (`  JOIN silver.products AS p ON p.product_id = o.product_id`), column 32
    offset = ran.index("p.product_id")
    span = sql_location(pipe, {"sql_offset": offset, "sql_fragment": "p.product_id"})
    assert span is not None
    assert (Path(span.file).name, span.line, span.col) == ("daily_revenue.yaml", 14, 32)
    assert span.end_col == 32 + len("p.product_id") - 1


def test_a_line_and_column_from_an_analysis_error() -> None:
    pipe, _ = daily_revenue()
    # Spark's `line 3 pos 2` (pos 0-based, so column 3) is `p.category` on the SQL's third
    # line `  p.category,`; in the YAML block (indented by 2) that is line 9, column 5
    span = sql_location(pipe, {"sql_line": 3, "sql_col": 3})
    assert span is not None and (span.line, span.col) == (9, 5)


def test_render_shows_the_line_and_the_trace_only_with_debug() -> None:
    pipe, loaded = daily_revenue()
    assert loaded.project is not None
    ran = rewrite_sql(pipe.sql, pipe.sources)
    report = {
        "status": "failed",
        "report_path": "/w/reports/daily_revenue/r.json",
        "failure": {
            "step": "sql",
            "while": "checks",
            "in_sql": True,
            "error_class": "DIVIDE_BY_ZERO",
            "sql_offset": ran.index("SUM(o.amount)"),
            "sql_fragment": "SUM(o.amount)",
            "traceback": "Traceback (most recent call last):\n  boom\n",
        },
    }
    result = JobResult("daily_revenue", "failed", error="[DIVIDE_BY_ZERO] Division by zero.")
    result.report = report
    failure = explain(loaded.project, result)
    text = render_failure(failure, loaded.files)
    assert text.splitlines()[0] == (
        "error: job daily_revenue failed in step sql (evaluated during checks): "
        "[DIVIDE_BY_ZERO] Division by zero."
    )
    assert "daily_revenue.yaml:12:5  (SQL)" in text
    assert "12 |     SUM(o.amount) AS revenue" in text
    assert "^^^^^^^^^^^^^" in text
    assert "Traceback" not in text and "hint: re-run with --debug" in text
    assert "Traceback (most recent call last)" in render_failure(failure, loaded.files, True)


def test_describe_keeps_the_message_without_the_plan_dump() -> None:
    class Captured(Exception):
        def getErrorClass(self) -> str:
            return "UNRESOLVED_COLUMN.WITH_SUGGESTION"

    exc = Captured(
        "[UNRESOLVED_COLUMN.WITH_SUGGESTION] A column or function parameter with name `y` "
        "cannot be resolved. Did you mean one of the following? [`s`, `x`].; line 2 pos 2;\n"
        "'Project [x#0, 'y]\n+- SubqueryAlias t\n"
    )
    out = describe(exc)
    assert out["error_class"] == "UNRESOLVED_COLUMN.WITH_SUGGESTION"
    assert out["message"].endswith("Did you mean one of the following? [`s`, `x`].")
    assert (out["sql_line"], out["sql_col"]) == (2, 3)
    parse = Exception(
        "\n[PARSE_SYNTAX_ERROR] Syntax error at or near 'AND'.(line 1, pos 28)\n\n== SQL ==\nx"
    )
    assert describe(parse)["message"].startswith("[PARSE_SYNTAX_ERROR] Syntax error")
