"""Run an alurc-emitted GX 1.x suite on a pandas or Spark DataFrame (tests and bench).

Imports great_expectations lazily (~3 s). One fresh ephemeral context per call, since a
duplicate suite name in one context raises.
"""

from __future__ import annotations

import os
from typing import Any

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

#: The expectation type GX runs as SQL (Spark and SQL data sources only, not pandas).
SQL_EXPECTATION_TYPE = "unexpected_rows_expectation"


def load_suite(suite_json: dict[str, Any]) -> tuple[Any, Any]:
    """(context, ExpectationSuite) loaded into a fresh ephemeral GX 1.x context."""
    import great_expectations as gx
    from great_expectations.core.expectation_suite import ExpectationSuite
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    suite = context.suites.add(ExpectationSuite(**suite_json))
    return context, suite


def validate(suite_json: dict[str, Any], df: Any, engine: str) -> list[dict[str, Any]]:
    """Validate `df` (pandas or Spark, per `engine`) and return one summary per expectation.

    Each summary: check (alurc name), type, success, unexpected_count, element_count,
    unexpected_percent, observed_value, exception (message or None). Order = suite order.
    """
    context, suite = load_suite(suite_json)
    if engine == "pandas":
        source = context.data_sources.add_pandas("alurc_pandas")
    else:
        source = context.data_sources.add_spark("alurc_spark")
    asset = source.add_dataframe_asset("batch")
    batch_def = asset.add_batch_definition_whole_dataframe("whole")
    batch = batch_def.get_batch(batch_parameters={"dataframe": df})
    result = batch.validate(suite, result_format="SUMMARY")
    by_check: dict[str, dict[str, Any]] = {}
    for r in result.results:
        cfg = r.expectation_config
        info = r.exception_info or {}
        raised = info.get("raised_exception") if isinstance(info, dict) else False
        res = r.result or {}
        by_check[cfg.meta["alurc"]["check"]] = {
            "check": cfg.meta["alurc"]["check"],
            "type": cfg.type,
            "success": bool(r.success),
            "unexpected_count": res.get("unexpected_count"),
            "element_count": res.get("element_count"),
            "unexpected_percent": res.get("unexpected_percent"),
            "observed_value": res.get("observed_value"),
            "exception": info.get("exception_message") if raised else None,
        }
    names = [e["meta"]["alurc"]["check"] for e in suite_json["expectations"]]
    return [by_check[n] for n in names if n in by_check]
