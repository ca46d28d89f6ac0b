"""The quality benchmark's floor query computes the same counts as the native evaluator.

`benchmarks/quality/qfloor.py` is the lower bound the benchmark quotes; if it drifted from
what the evaluator computes, that bound would mean nothing. Real Spark, the benchmark's
own data generator at a small size, every check type (compound unique included).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks" / "quality"))
import qfloor
import qsample

from alur_compiler.ir.check_sql import native_checks
from alur_runtime.quality import evaluate_checks

pytestmark = pytest.mark.spark

ORDERS = """
SELECT CASE WHEN id % 500 = 1 THEN NULL WHEN id % 100 = 0 THEN 'o1' ELSE concat('o', id) END
         AS order_id,
       concat('c', id % 120) AS customer_id,
       element_at(array('placed', 'bogus', 'it\\'s {odd}'), CAST(id % 3 AS INT) + 1) AS status,
       CAST(id % 1200 AS INT) AS quantity,
       CAST(id % 100 AS DOUBLE) - 1.0 AS amount,
       CASE WHEN id % 20 = 0 THEN 'bad' ELSE concat('u', id, '@x.com') END AS email,
       CASE WHEN id % 7 = 0 THEN 'DEU' WHEN id % 11 = 0 THEN NULL ELSE 'DE' END AS country,
       timestamp_seconds(1700000000 - id) AS order_ts
FROM range(3000)
"""


def test_floor_counts_equal_the_evaluators(spark: Any) -> None:
    df = spark.sql(ORDERS)
    spark.sql("SELECT concat('c', id) AS customer_id FROM range(100)").createOrReplaceTempView(
        "customers"
    )
    lowered = native_checks(qsample.project(), "orders")
    outcome = evaluate_checks(df, lowered, lookup=spark.table)
    counts = qfloor.run_floor(spark, df, qfloor.floor_sql(lowered))
    try:
        assert qfloor.mismatches(lowered, counts, outcome) == []
        # the data does exercise the counts the floor must match
        by_name = {r["name"]: r for r in outcome.results}
        assert by_name["order_id_unique"]["unexpected_count"] == 30
        assert by_name["customer_exists"]["unexpected_count"] > 0
        # and a wrong count is caught
        i = [c["name"] for c in lowered].index("email_format")
        counts[f"u{i}"] += 1
        wrong = qfloor.mismatches(lowered, counts, outcome)
        assert len(wrong) == 1
        assert wrong[0].startswith("email_format: floor ")
    finally:
        outcome.unpersist()
        spark.catalog.dropTempView("customers")


def test_floor_leaves_the_callers_cache_alone(spark: Any) -> None:
    """Dropping a temp view uncaches its plan: the floor must not do that to the bench's df."""
    df = spark.sql("SELECT id, concat('o', id % 7) AS order_id FROM range(50)").cache()
    df.count()
    checks = [c for c in native_checks(qsample.project(), "orders") if c["type"] == "unique"]
    checks = [c for c in checks if c["columns"] == ["order_id"]]
    try:
        qfloor.run_floor(spark, df, qfloor.floor_sql(checks))
        assert df.storageLevel.useMemory
        assert spark.catalog.isCached(qfloor.VIEW)
    finally:
        df.unpersist()
