"""The native evaluator on real Spark: actions, counts, one counting job, literals."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from alur_compiler.ir import Action, Check, CheckType
from alur_compiler.ir.check_sql import lower_check, string_literal
from alur_runtime.quality import evaluate_checks

pytestmark = pytest.mark.spark
T = CheckType
SCHEMA = "id int, status string, qty int, ts timestamp"
NOW = dt.datetime(2026, 1, 2, 0, 0, 0)
ROWS = [
    (1, "placed", 5, dt.datetime(2026, 1, 1, 23, 0)),
    (2, "bogus", 5, None),  # quarantined by status
    (3, "placed", 0, None),  # dropped by qty
    (3, "bogus", 0, None),  # both: quarantined, reasons listed
    (None, None, None, None),  # nulls: ignored by column checks
]


def _checks(*checks: Check) -> list[dict[str, Any]]:
    return [lower_check(c) for c in checks]


def _by_name(outcome: Any) -> dict[str, dict[str, Any]]:
    return {r["name"]: r for r in outcome.results}


def test_actions_split_rows_and_report(spark: Any) -> None:
    df = spark.createDataFrame(ROWS, SCHEMA)
    checks = _checks(
        Check("status_ok", T.ACCEPTED_VALUES, Action.QUARANTINE, ("status",), values=("placed",)),
        Check("qty_pos", T.BETWEEN, Action.DROP, ("qty",), min=1),
        Check("id_unique", T.UNIQUE, Action.WARN, ("id",)),
        Check("id_nn", T.NOT_NULL, Action.FAIL, ("id",), mostly=0.8),
    )
    out = evaluate_checks(df, checks)
    passed = sorted((r.id or 0, r.status or "") for r in out.passed_df.collect())
    assert passed == [(0, ""), (1, "placed")]
    assert out.passed_df.columns == ["id", "status", "qty", "ts"]
    quarantined = sorted((r.id, r.status, r._failed_checks) for r in out.quarantine_df.collect())
    assert quarantined == [
        (2, "bogus", ["status_ok"]),
        (3, "bogus", ["status_ok", "qty_pos", "id_unique"]),
    ]
    res = _by_name(out)
    assert (res["status_ok"]["unexpected_count"], res["status_ok"]["considered_count"]) == (2, 4)
    assert res["qty_pos"]["unexpected_count"] == 2
    assert res["id_unique"]["unexpected_count"] == 2
    assert res["id_nn"] == {
        "action": "fail",
        "considered_count": 5,
        "element_count": 5,
        "level": "row",
        "name": "id_nn",
        "success": True,  # 4/5 = 0.8 >= mostly
        "type": "not_null",
        "unexpected_count": 1,
        "unexpected_percent": 20.0,
    }
    assert not out.failed
    assert out.warnings == ["status_ok", "qty_pos", "id_unique"]
    report = out.report()
    assert (report["row_count"], report["rows_passed"]) == (5, 2)
    assert (report["rows_dropped"], report["rows_quarantined"]) == (1, 2)
    out.unpersist()


def test_fail_check_sets_failed_and_keeps_rows(spark: Any) -> None:
    df = spark.createDataFrame(ROWS, SCHEMA)
    out = evaluate_checks(df, _checks(Check("id_nn", T.NOT_NULL, Action.FAIL, ("id",))))
    assert out.failed
    assert out.passed_df.count() == 5
    assert out.quarantine_df is None


def test_table_level_checks(spark: Any) -> None:
    df = spark.createDataFrame(ROWS, SCHEMA)
    ref = spark.createDataFrame([(1,), (2,), (None,)], "k int")
    checks = _checks(
        Check("rows", T.ROW_COUNT_BETWEEN, Action.FAIL, min=1, max=5, strict_max=True),
        Check("fresh", T.FRESHNESS, Action.WARN, ("ts",), max_age_seconds=3600),
        Check("stale", T.FRESHNESS, Action.WARN, ("ts",), max_age_seconds=3599),
        Check("rel", T.RELATIONSHIP, Action.WARN, ("id",), ref_table="r", ref_column="k"),
    )
    out = evaluate_checks(df, checks, lookup={"r": ref}.__getitem__, now=NOW)
    res = _by_name(out)
    assert (res["rows"]["observed_value"], res["rows"]["success"]) == (5, False)
    assert (res["fresh"]["observed_value"], res["fresh"]["success"]) == (3600.0, True)
    assert res["stale"]["success"] is False
    assert (res["rel"]["unexpected_count"], res["rel"]["considered_count"]) == (2, 4)
    assert out.failed  # the row count is a fail check


def test_relationship_without_lookup_is_an_unsuccessful_check(spark: Any) -> None:
    df = spark.createDataFrame(ROWS, SCHEMA)
    check = Check("rel", T.RELATIONSHIP, Action.WARN, ("id",), ref_table="r", ref_column="k")
    res = evaluate_checks(df, _checks(check)).results[0]
    assert res["success"] is False
    assert "needs lookup('r')" in res["error"]


def test_empty_table_is_vacuously_fine_except_freshness(spark: Any) -> None:
    df = spark.createDataFrame([], SCHEMA)
    checks = _checks(
        Check("nn", T.NOT_NULL, Action.FAIL, ("id",)),
        Check("ex", T.EXPRESSION, Action.FAIL, sql="qty > 0"),
        Check("fresh", T.FRESHNESS, Action.WARN, ("ts",), max_age_seconds=60),
    )
    out = evaluate_checks(df, checks, now=NOW)
    assert [r["success"] for r in out.results] == [True, True, False]
    assert out.results[0]["unexpected_percent"] is None
    assert not out.failed


def test_every_count_in_one_spark_job(spark: Any) -> None:
    df = spark.createDataFrame(ROWS, SCHEMA)
    checks = _checks(
        Check("a", T.NOT_NULL, Action.WARN, ("id",)),
        Check("b", T.UNIQUE, Action.WARN, ("id",)),
        Check("b2", T.UNIQUE, Action.WARN, ("id",), mostly=0.5),  # same key set as b
        Check("c", T.UNIQUE, Action.WARN, ("status", "qty")),
        Check("c2", T.UNIQUE, Action.WARN, ("qty", "status")),  # the same set, reordered
        Check("d", T.REGEX, Action.DROP, ("status",), pattern="^p"),
        Check("e", T.ROW_COUNT_BETWEEN, Action.WARN, min=1),
        Check("f", T.FRESHNESS, Action.WARN, ("ts",), max_age_seconds=1),
    )
    sc = spark.sparkContext
    # Without AQE a query (and its shuffle stages) is exactly one Spark job.
    spark.conf.set("spark.sql.adaptive.enabled", "false")
    sc.setJobGroup("alurc-quality-one-pass", "one pass")
    try:
        out = evaluate_checks(df, checks, now=NOW)
    finally:
        sc.setLocalProperty("spark.jobGroup.id", None)
        spark.conf.unset("spark.sql.adaptive.enabled")
    jobs = sc.statusTracker().getJobIdsForGroup("alurc-quality-one-pass")
    assert len(jobs) == 1  # the row pass and the group-by of both key sets, in one union
    assert [r["unexpected_count"] for r in out.results[:5]] == [1, 2, 2, 0, 0]
    out.unpersist()


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.text(max_size=12))
def test_string_literal_round_trips_through_spark(spark: Any, value: str) -> None:
    got = spark.sql(f"SELECT {string_literal(value)} AS v").collect()[0].v
    assert got == value


def test_unpersist_leaves_the_callers_cache_alone(spark: Any) -> None:
    df = spark.createDataFrame(ROWS, SCHEMA).cache()
    df.count()
    rows = Check("rows", T.ROW_COUNT_BETWEEN, Action.WARN, min=1)
    evaluate_checks(df, _checks(rows)).unpersist()
    assert df.storageLevel.useMemory
    df.unpersist()


def _relationship_results(spark: Any, ref: Any) -> dict[str, dict[str, Any]]:
    df = spark.createDataFrame([(1,), (2,), (2,), (3,), (None,), (4,)], "id int")
    checks = _checks(
        Check("rel", T.RELATIONSHIP, Action.WARN, ("id",), ref_table="r", ref_column="k"),
        Check("nn", T.NOT_NULL, Action.WARN, ("id",)),
    )
    out = evaluate_checks(df, checks, lookup={"r": ref}.__getitem__)
    out.unpersist()
    return _by_name(out)


def test_relationship_with_duplicate_and_null_target_keys(spark: Any) -> None:
    ref = spark.createDataFrame([(1,), (1,), (2,), (None,), (None,)], "k int")
    # NULL ids are not orphans; duplicate target keys match once; 3 and 4 are orphans
    for threshold in ("10485760", "-1"):  # a broadcast target, then a shuffled one
        spark.conf.set("spark.sql.autoBroadcastJoinThreshold", threshold)
        try:
            res = _relationship_results(spark, ref)
        finally:
            spark.conf.set("spark.sql.autoBroadcastJoinThreshold", "10485760")
        rel = res["rel"]
        assert (rel["unexpected_count"], rel["considered_count"], rel["success"]) == (2, 5, False)
        assert res["nn"]["unexpected_count"] == 1


def test_relationship_target_is_shuffled_when_broadcast_is_off(spark: Any) -> None:
    from alur_runtime import quality_count

    df = spark.createDataFrame([(1,), (3,)], "id int")
    ref = spark.createDataFrame([(1,)], "k int").selectExpr("k AS __alur_r")
    check = _checks(
        Check("rel", T.RELATIONSHIP, Action.WARN, ("id",), ref_table="r", ref_column="k")
    )[0]
    spark.conf.set("spark.sql.autoBroadcastJoinThreshold", "-1")
    try:
        branch = quality_count._orphan_branch(df, check, 0, ref)
        plan = branch._jdf.queryExecution().executedPlan().toString()
        assert "Broadcast" not in plan
        assert branch.collect()[0][0] == {"x0": 1}
    finally:
        spark.conf.set("spark.sql.autoBroadcastJoinThreshold", "10485760")


def test_target_failing_while_counting_fails_only_its_check(spark: Any) -> None:
    df = spark.createDataFrame(ROWS, SCHEMA)
    # Analysis succeeds; reading the rows fails, inside the one counting job.
    broken = spark.range(3).selectExpr(
        "CAST(IF(id >= 0, raise_error('unreadable'), id) AS INT) AS k"
    )
    good = spark.createDataFrame([(1,), (2,)], "k int")
    checks = _checks(
        Check("nn", T.NOT_NULL, Action.WARN, ("id",)),
        Check("u", T.UNIQUE, Action.DROP, ("id",)),
        Check("bad", T.RELATIONSHIP, Action.WARN, ("id",), ref_table="broken", ref_column="k"),
        Check("ok", T.RELATIONSHIP, Action.WARN, ("id",), ref_table="good", ref_column="k"),
    )
    out = evaluate_checks(df, checks, lookup={"broken": broken, "good": good}.__getitem__)
    res = _by_name(out)
    assert res["bad"]["success"] is False
    assert "unreadable" in res["bad"]["error"]
    assert res["ok"]["unexpected_count"] == 2  # the two rows with id 3
    assert (res["nn"]["unexpected_count"], res["u"]["unexpected_count"]) == (1, 2)
    assert out.counts["rows_dropped"] == 2
    out.unpersist()


def test_relationship_to_a_bronze_table_with_no_files_reads_no_rows(
    spark: Any, tmp_path: Any
) -> None:
    """A bronze table no file was ever published into is empty, not an error (as its Glue
    catalog table over an empty prefix reads): every non-null key is then unexpected."""
    from alur_runtime.gate import table_reader

    args = {"alur_lake": str(tmp_path / "lake")}
    lookup = table_reader(
        spark,
        args,
        {"r": {"layer": "bronze", "columns": [{"name": "k", "type": "int", "nullable": True}]}},
    )
    df = spark.createDataFrame(ROWS, SCHEMA)
    check = Check("rel", T.RELATIONSHIP, Action.WARN, ("id",), ref_table="r", ref_column="k")
    res = evaluate_checks(df, _checks(check), lookup=lookup).results[0]
    assert "error" not in res
    # ROWS: ids 1, 2, 3, 3 and one NULL; the NULL is not considered
    assert (res["unexpected_count"], res["considered_count"]) == (4, 4)
    assert res["success"] is False
