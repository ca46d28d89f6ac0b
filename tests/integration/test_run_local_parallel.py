"""`ALURC_LOCAL_JOBS=2`: retail run with independent jobs at the same time publishes exactly
the rows of a run one job after the other (tables, quarantines, the summary's order)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from alur_compiler.api_local import RunOptions, run_local

pytestmark = pytest.mark.spark
ROOT = Path(__file__).resolve().parents[2]
TABLES = (
    "retail_local_silver.customers",
    "retail_local_silver.orders",
    "retail_local_silver.products",
    "retail_local_gold.customer_lifetime_value",
    "retail_local_gold.daily_revenue",
)
QUARANTINES = ("retail_local_silver.customers_quarantine", "retail_local_silver.orders_quarantine")
#: quarantine columns that name the run (its time, id and input digest), not the rows
RUN_COLUMNS = {"_quarantined_at", "_run_id", "_input_id"}


def drop_retail_tables(spark: Any) -> None:
    """The catalog is the test session's: earlier retail runs' tables go first."""
    for layer in ("silver", "gold"):
        ns = f"glue_catalog.retail_local_{layer}"
        try:
            tables = spark.sql(f"SHOW TABLES IN {ns}").collect()
        except Exception:  # no such namespace (yet)
            continue
        for row in tables:
            spark.sql(f"DROP TABLE IF EXISTS {ns}.`{row['tableName']}` PURGE")


@pytest.fixture
def clean_catalog(spark: Any) -> Iterator[None]:
    drop_retail_tables(spark)
    yield
    drop_retail_tables(spark)


def run_retail(spark: Any, tmp: Path, jobs: str, monkeypatch: pytest.MonkeyPatch) -> Any:
    project = tmp / f"retail_{jobs}"
    shutil.copytree(
        ROOT / "examples" / "retail", project, ignore=shutil.ignore_patterns(".alur", "build")
    )
    monkeypatch.setenv("ALURC_LOCAL_JOBS", jobs)
    run = run_local(project, RunOptions(preview=0))
    assert run.exit_code == 0, [(r.name, r.status, r.error) for r in run.results]
    rows = {t: sorted(map(tuple, spark.table("glue_catalog." + t).collect())) for t in TABLES}
    for q in QUARANTINES:
        df = spark.table("glue_catalog." + q)
        kept = [c for c in df.columns if c not in RUN_COLUMNS]
        rows[q] = sorted(map(tuple, df.select(*kept).collect()))
    summary = [
        (r.name, r.status, r.rows_read, r.rows_written, r.rows_quarantined) for r in run.results
    ]
    again = run_local(project, RunOptions(preview=0))  # nothing new: no job needs Spark
    assert [r.report.get("settled") for r in again.results] == [True] * len(again.results)
    drop_retail_tables(spark)
    return rows, summary


def test_two_at_a_time_equals_one_at_a_time(
    spark: Any, tmp_path: Path, clean_catalog: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    together, order_together = run_retail(spark, tmp_path, "2", monkeypatch)
    alone, order_alone = run_retail(spark, tmp_path, "1", monkeypatch)
    assert order_together == order_alone  # same jobs, same order, same counts
    for table in (*TABLES, *QUARANTINES):
        assert together[table] == alone[table], table
    assert len(alone["retail_local_silver.orders"]) == 126
