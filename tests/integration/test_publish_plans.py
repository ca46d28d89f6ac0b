"""How a job's rows reach the write, judged by Spark itself: a MERGE whose source is a
checkpoint broadcasts the source to find the files to rewrite when its match columns fit
Spark's threshold (merge.sized; EXPLAIN shows the join Spark planned), with the same
result; a quality gate without checks counts the rows without caching them unless the
query is nondeterministic.

Real Spark + Iceberg (local hadoop catalog).
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from alur_runtime.merge import sized

pytestmark = pytest.mark.spark

TABLE = "glue_catalog.sizetest.t"


def _source(spark: Any) -> Any:
    """Changed rows of keys 0..9 and new keys 1000..1009, drawn from a checkpoint of a join
    (as merge.py and scd2.py draw theirs): Spark's size estimate for it is the join's."""
    left = spark.range(0, 2000).selectExpr("id", "concat('new-', id) AS v")
    right = spark.table(TABLE).select("id")
    joined = left.join(right, "id", "left").where("id < 10 OR id BETWEEN 1000 AND 1009")
    return joined.localCheckpoint(eager=True)


def _merge_sql(view: str) -> str:
    return (
        f"MERGE INTO {TABLE} AS t USING {view} AS s ON t.id = s.id "
        "WHEN MATCHED THEN UPDATE SET t.v = s.v "
        "WHEN NOT MATCHED THEN INSERT (id, v) VALUES (s.id, s.v)"
    )


def _semi_join(spark: Any, view: str) -> str:
    plan = spark.sql("EXPLAIN " + _merge_sql(view)).collect()[0][0]
    found = re.findall(r"(\w+Join) \[[^\]]*\], \[[^\]]*\], LeftSemi", plan)
    assert found, plan
    return str(found[0])


@pytest.fixture()
def table(spark: Any) -> Any:
    spark.sql("CREATE NAMESPACE IF NOT EXISTS glue_catalog.sizetest")
    spark.sql(f"DROP TABLE IF EXISTS {TABLE}")
    spark.sql(f"CREATE TABLE {TABLE} (id bigint, v string) USING iceberg")
    spark.range(0, 1000).selectExpr("id", "concat('old-', id) AS v").writeTo(TABLE).append()
    yield spark
    spark.sql(f"DROP TABLE IF EXISTS {TABLE}")


def test_a_small_counted_source_is_broadcast_a_large_one_is_not(table: Any) -> None:
    spark = table
    src = _source(spark)
    src.createOrReplaceTempView("plain_src")
    assert _semi_join(spark, "plain_src") == "SortMergeJoin"  # what sized() is for
    sized(spark, src, ["id"], 20).createOrReplaceTempView("sized_src")
    assert _semi_join(spark, "sized_src") == "BroadcastHashJoin"
    limit = int(spark.conf.get("spark.sql.autoBroadcastJoinThreshold").rstrip("b"))
    sized(spark, src, ["id"], limit).createOrReplaceTempView("big_src")  # >= 1 byte a row
    assert _semi_join(spark, "big_src") == "SortMergeJoin"
    spark.sql(_merge_sql("sized_src"))
    rows = {(r["id"], r["v"]) for r in spark.table(TABLE).collect()}
    expected = {(i, f"old-{i}") for i in range(1000)}
    expected = {(i, f"new-{i}" if i < 10 else v) for i, v in expected}
    expected |= {(i, f"new-{i}") for i in range(1000, 1010)}
    assert rows == expected


def _pipeline_job(mode: str) -> Any:
    return {"kind": "pipeline", "mode": mode, "merge": None, "checks": [], "lookups": {}}


def test_a_gate_without_checks_counts_without_caching_unless_the_query_is_random(
    spark: Any,
) -> None:
    """No check: the rows are read once more by the write, so the gate counts them
    uncached; a query Spark calls nondeterministic is cached, so the count is what is
    written. (Spark fixes rand()'s seed when it analyses the plan, so two executions of
    this small one agree even uncached: the storage level is what tells the cases apart;
    the counts are checked against the rows the passed frame holds.)"""
    from alur_runtime.gate import quality_gate

    plain = spark.range(0, 500).selectExpr("id", "id * 2 AS v")
    random = spark.range(0, 500).selectExpr("id", "rand() AS v").where("v < 0.5")
    for df, cached in ((plain, False), (random, True)):
        report: dict[str, Any] = {"rows_read": 0}
        gate = quality_gate(spark, _pipeline_job("append"), df, report, {})
        try:
            assert gate["passed"].storageLevel.useMemory == cached
            assert gate["rows_passed"] == gate["rows_read"] == len(gate["passed"].collect())
        finally:
            gate["release"]()
