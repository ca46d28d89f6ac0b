"""`alurc run --local examples/retail` end to end in the shared session, asserting data."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from alur_compiler.cli import app

pytestmark = pytest.mark.spark
ROOT = Path(__file__).resolve().parents[2]


def first_export(order_id: str, root: Path) -> dict[str, str]:
    with (root / "data/landing/orders/orders_2026-11-01.csv").open() as fh:
        return next(r for r in csv.DictReader(fh) if r["order_id"] == order_id)


def test_run_local_retail_twice(spark: Any, tmp_path: Path) -> None:
    project = tmp_path / "retail"
    shutil.copytree(
        ROOT / "examples" / "retail", project, ignore=shutil.ignore_patterns(".alur", "build")
    )
    runner = CliRunner()
    result = runner.invoke(app, ["run", "--local", str(project)])
    assert result.exit_code == 0, result.output
    assert "gold.daily_revenue" in result.output
    assert "gold.customer_lifetime_value" in result.output
    for job in ("ingest_orders", "clean_orders", "daily_revenue"):
        assert job in result.output

    orders = {
        r["order_id"]: r for r in spark.table("glue_catalog.retail_local_silver.orders").collect()
    }
    assert "O00007" not in orders  # deleted by the second export
    assert orders["O00003"]["status"] == "delivered"  # newer update wins
    assert orders["O00006"]["status"] == first_export("O00006", project)["status"]  # stale loses
    assert "O00130" not in orders  # bad row ('three') quarantined in bronze
    assert len(orders) == 126  # 129 keys - 1 dropped - 1 quarantined - O00007 deleted
    gold = "glue_catalog.retail_local_gold.daily_revenue"
    before = sorted(tuple(r) for r in spark.table(gold).collect())

    again = runner.invoke(app, ["run", "--local", str(project), "+daily_revenue"])
    assert again.exit_code == 0, again.output
    # only daily_revenue and its upstreams (specs/selection.md)
    assert "not selected (1 job): customer_lifetime_value" in again.output
    # nothing new for any of them: answered from their recorded keys (specs/README.md)
    assert "Spark was not started" in again.output
    assert again.output.count("nothing changed since its last successful run") == 7
    assert sorted(tuple(r) for r in spark.table(gold).collect()) == before
    count = spark.table("glue_catalog.retail_local_silver.orders").count()
    assert count == 126  # nothing re-ingested


def test_run_local_unknown_job_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["run", "--local", str(ROOT / "examples" / "retail"), "nope"])
    assert result.exit_code == 2
    assert "unknown name 'nope'" in result.output


def test_run_needs_local_or_env() -> None:
    result = CliRunner().invoke(app, ["run", str(ROOT / "examples" / "retail")])
    assert result.exit_code == 2
    assert "--local or --env" in result.output


def test_run_env_takes_exactly_one_job() -> None:
    retail = str(ROOT / "examples" / "retail")
    result = CliRunner().invoke(app, ["run", retail, "a", "b", "--env", "dev"])
    assert result.exit_code == 2
    assert "--env runs exactly one job" in result.output


def test_failed_job_skips_its_dependants(spark: Any, tmp_path: Path) -> None:
    from test_glue_support import HEADER, Harness, check, project, write_csv

    from alur_compiler.ir import Action, CheckType
    from alur_compiler.local.runner import run_jobs

    cap = check("cap", CheckType.BETWEEN, Action.FAIL, columns=("amount",), max=1)
    h = Harness(spark, tmp_path, project(tmp_path, silver_checks=(cap,)))
    write_csv(h.landing, "1.csv", HEADER, ["O1,C1,1,10.00,placed,2026-11-01 10:00:00"])
    results = run_jobs(h.project, h.scripts, spark, h.args)
    assert [(r.name, r.status) for r in results] == [
        ("ingest_orders", "succeeded"),
        ("clean_orders", "failed"),
        ("daily_orders", "skipped"),
    ]
    assert results[1].error == "fail check(s) unsuccessful: cap"
    assert (results[0].rows_read, results[0].rows_written) == (1, 1)


def test_two_local_runs_at_once_the_second_says_who_holds_the_warehouse(
    spark: Any, tmp_path: Path
) -> None:
    """Issue 12 concurrency: a second `alurc run --local` of the same project, started (as
    a real separate process) while the first runs, stops before Spark with the holder's
    pid; the first run ingests every landing file exactly once."""
    import os
    import subprocess
    import sys
    import time

    from alur_compiler.api_local import LocalHooks, RunOptions, run_local

    project = tmp_path / "retail"
    shutil.copytree(
        ROOT / "examples" / "retail", project, ignore=shutil.ignore_patterns(".alur", "build")
    )
    alurc = Path(sys.executable).parent / "alurc"
    loser: dict[str, Any] = {}

    def start_second_run(job: str) -> None:
        if loser:
            return
        t0 = time.monotonic()
        proc = subprocess.run(
            [str(alurc), "run", "--local", str(project)],
            capture_output=True,
            text=True,
            timeout=300,
        )
        loser.update(proc=proc, seconds=time.monotonic() - t0, during=job)

    hooks = LocalHooks(job_started=start_second_run)
    first = run_local(project, RunOptions(preview=0), hooks=hooks)
    assert first.exit_code == 0, [(r.name, r.status, r.error) for r in first.results]
    proc = loser["proc"]
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert f"another alurc run (pid {os.getpid()} on" in proc.stderr
    assert "nothing was run" in proc.stderr
    assert loser["seconds"] < 60  # it compiled, then stopped: no Spark session started
    # Every landing row of every order file is in bronze or its quarantine exactly once
    # (plain csv counts as the oracle), and each file was loaded by exactly one batch.
    from pyspark.sql import functions as F

    lake = project / ".alur" / "warehouse" / "lake"
    loaded: dict[str, int] = {}
    for sub in ("bronze/orders_raw", "quarantine/orders_raw/rows", "quarantine/orders_raw/checks"):
        if (lake / sub).exists():
            for row in (
                spark.read.parquet(str(lake / sub)).groupBy("_source_file").count().collect()
            ):
                name = Path(row["_source_file"].replace("file:", "")).name
                loaded[name] = loaded.get(name, 0) + row["count"]
    expected = {}
    for path in sorted((project / "data" / "landing" / "orders").glob("*.csv")):
        with path.open(newline="") as fh:
            expected[path.name] = sum(1 for _ in csv.DictReader(fh))
    assert loaded == expected
    for table in ("orders_raw", "customers_raw", "products_raw"):
        bronze = spark.read.parquet(str(lake / "bronze" / table))
        batches = bronze.groupBy("_source_file").agg(F.countDistinct("_batch_id").alias("n"))
        assert {r["n"] for r in batches.collect()} == {1}, table
    # Once the first run is over, the warehouse is free again.
    again = subprocess.run(
        [str(alurc), "run", "--local", str(project), "ingest_orders"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert again.returncode == 0, again.stdout + again.stderr
