"""A failing job explains itself (issue 15, part F): job, step, Spark error class and the
YAML position, on the console of `alurc run --local`; the JSON report keeps everything.

Real embedded Spark; the expected positions are read off the YAML written below.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from alur_compiler.cli import app

pytestmark = pytest.mark.spark

PROJECT = """\
apiVersion: alur/v1
kind: Project
name: failing
paths: [contracts, ingestions, pipelines]
local:
  landing: landing
  warehouse: .alur/warehouse
environments:
  dev:
    region: eu-west-1
    account: "111122223333"
    buckets: {lake: f-lake, artifacts: f-artifacts, landing: f-landing}
    state: {backend: s3, bucket: f-tfstate, lock_table: f-tflock}
"""
BRONZE = """\
apiVersion: alur/v1
kind: Table
name: codes_raw
layer: bronze
columns:
  - {name: code, type: string, nullable: false}
  - {name: label, type: string}
---
apiVersion: alur/v1
kind: Table
name: refs_raw
layer: bronze
columns:
  - {name: code, type: string, nullable: false}
"""
SILVER = """\
apiVersion: alur/v1
kind: Table
name: codes
layer: silver
primary_key: [code]
columns:
  - {name: code, type: string, nullable: false}
  - {name: value, type: int}
checks:
  - type: relationship
    column: code
    to: refs_raw.code
    action: {action}
"""
INGESTIONS = """\
apiVersion: alur/v1
kind: Ingestion
name: ingest_codes
target: codes_raw
source_system: test
sources:
  - {path: codes/, format: csv, pattern: "*.csv"}
---
apiVersion: alur/v1
kind: Ingestion
name: ingest_refs
target: refs_raw
source_system: test
sources:
  - {path: refs/, format: csv, pattern: "*.csv"}
"""
PIPELINE = """\
apiVersion: alur/v1
kind: Pipeline
name: clean_codes
target: codes
mode: merge
sql: |
  SELECT
    code,
    CAST(label AS INT) AS value
  FROM codes_raw
"""


def write_project(root: Path, action: str) -> Path:
    files = {
        "alur.yaml": PROJECT,
        "contracts/bronze.yaml": BRONZE,
        "contracts/silver.yaml": SILVER.replace("{action}", action),
        "ingestions/ingest.yaml": INGESTIONS,
        "pipelines/clean_codes.yaml": PIPELINE,
        "landing/codes/codes.csv": "code,label\na,1\nb,two\n",
    }
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    return root


def failed_report(root: Path, job: str) -> dict[str, Any]:
    reports = sorted((root / ".alur/warehouse/reports" / job).glob("*.json"))
    assert reports, f"no report written for {job}"
    return dict(json.loads(reports[-1].read_text()))


def test_sql_error_at_run_time_names_the_sql_line(spark: Any, tmp_path: Path) -> None:
    root = write_project(tmp_path / "p", "warn")
    spark.conf.set("spark.sql.ansi.enabled", "true")  # CAST('two' AS INT) raises
    try:
        result = CliRunner().invoke(app, ["run", "--local", str(root)])
    finally:
        spark.conf.set("spark.sql.ansi.enabled", "false")
    assert result.exit_code == 1, result.output
    out = result.output
    assert "error: job clean_codes failed in step sql" in out
    assert "[CAST_INVALID_INPUT]" in out
    assert "'two'" in out
    # `CAST(label AS INT)` is line 3 of the SQL, i.e. line 9 of the YAML, column 5
    assert "clean_codes.yaml:9:5  (SQL)" in out
    assert "9 |     CAST(label AS INT) AS value" in out
    assert "Traceback" not in out
    assert "hint: re-run with --debug" in out
    report = failed_report(root, "clean_codes")
    assert report["status"] == "failed"
    failure = report["failure"]
    assert failure["step"] == "sql"
    assert failure["error_class"] == "CAST_INVALID_INPUT"
    assert failure["in_sql"] is True
    assert "Traceback" in failure["traceback"]


def test_failed_relationship_check_names_the_check_and_the_cause(
    spark: Any, tmp_path: Path
) -> None:
    # refs_raw was never written (no files): it reads as empty, as the pipeline's own read
    # of a bronze table does, so both codes of the CSV are unexpected
    root = write_project(tmp_path / "p", "fail")
    result = CliRunner().invoke(app, ["run", "--local", str(root)])
    assert result.exit_code == 1, result.output
    out = result.output
    assert "error: job clean_codes failed in step checks" in out
    assert "relationship_code" in out  # the check's name
    assert "observed None" not in out
    assert "check relationship_code (fail): 2 of 2 row(s) unexpected" in out
    # the check is the first item of `checks:` in contracts/silver.yaml (line 10)
    assert "contracts/silver.yaml:10:" in out
    report = failed_report(root, "clean_codes")
    assert report["status"] == "failed"
    assert report["failure"]["step"] == "checks"
    assert report["failure"]["failed_checks"] == [report["failure"]["check"]]


def failed_run(root: Path, job: str, step: str) -> str:
    """`alurc run --local` of `root`, which must fail in `job` at `step`; its output."""
    result = CliRunner().invoke(app, ["run", "--local", str(root)])
    assert result.exit_code == 1, result.output
    assert f"error: job {job} failed in step {step}" in result.output
    return result.output


def test_a_contract_change_the_tables_cannot_follow_is_shown_at_the_column(
    spark: Any, tmp_path: Path
) -> None:
    """Both kinds of refusal (alur_runtime/bronze_types.py for bronze Parquet files,
    evolve.py for Iceberg tables) are rendered at the contract column they name."""
    root = write_project(tmp_path / "p", "warn")
    first = CliRunner().invoke(app, ["run", "--local", str(root)])
    assert first.exit_code == 0, first.output
    bronze = root / "contracts/bronze.yaml"
    bronze.write_text(BRONZE.replace("{name: label, type: string}", "{name: label, type: int}"))
    (root / "landing/codes/more.csv").write_text("code,label\nc,3\n")
    out = failed_run(root, "ingest_codes", "plan")
    assert "its Parquet files store string, the contract says int" in out
    assert "contracts/bronze.yaml:7:5  (column 'label' of codes_raw)" in out
    assert "7 |   - {name: label, type: int}" in out

    bronze.write_text(BRONZE)  # back; now the silver column changes type
    silver = root / "contracts/silver.yaml"
    silver.write_text(
        SILVER.replace("{action}", "warn").replace(
            "{name: value, type: int}", "{name: value, type: string}"
        )
    )
    (root / "pipelines/clean_codes.yaml").write_text(PIPELINE.replace("AS INT", "AS STRING"))
    out = failed_run(root, "clean_codes", "plan")
    assert "the table stores int, the contract says string" in out
    assert "contracts/silver.yaml:8:5  (column 'value' of codes)" in out
