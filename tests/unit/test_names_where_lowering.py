"""`source_name` and `where` from the YAML through the IR into the jobs and the GX suites.

(What these lowered forms *mean* is proven on real Spark and GX by
tests/integration/test_quality_equivalence.py and test_conform_source_names.py; here: that
the YAML reaches them, inert, and that nothing else changes when neither key is used.)
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from alur_compiler import api
from alur_compiler.backends.quality.suite import build_suite, expectation_kwargs
from alur_compiler.ir import Check, CheckType
from alur_compiler.ir.check_sql import lower_check

sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_glue_generate import job_literal

T = CheckType
PROJECT = """\
apiVersion: alur/v1
kind: Project
name: names
environments:
  dev:
    region: eu-west-1
    buckets: {lake: names-dev-lake, artifacts: names-dev-artifacts, landing: names-dev-landing}
---
apiVersion: alur/v1
kind: Table
name: sales_raw
layer: bronze
columns:
  - {name: order_id, type: string, nullable: false, source_name: "Order ID"}
  - {name: note, type: string, source_name: "it's a \\"note\\" {x}"}
  - {name: amount, type: double}
checks:
  - type: not_null
    column: note
    where: "amount > 0 -- big ones {only}"
  - type: row_count_between
    min: 1
    where: note LIKE '{%'
---
apiVersion: alur/v1
kind: Ingestion
name: ingest_sales
target: sales_raw
source_system: shop
sources: [{path: sales/, format: csv}]
"""


def _compile(tmp_path: Path) -> Path:
    src = tmp_path / "p"
    src.mkdir()
    (src / "alur.yaml").write_text(PROJECT, encoding="utf-8")
    result = api.compile_project(src, tmp_path / "out")
    assert result.ok, [str(d.message) for d in result.diagnostics.items]
    return tmp_path / "out"


def test_source_name_reaches_the_ingestion_job(tmp_path: Path) -> None:
    out = _compile(tmp_path)
    job = job_literal((out / "glue" / "ingest_sales.py").read_text("utf-8"))
    assert job["file_columns"] == [
        {"name": "order_id", "type": "string", "nullable": False, "source_name": "Order ID"},
        {"name": "note", "type": "string", "nullable": True, "source_name": 'it\'s a "note" {x}'},
        {"name": "amount", "type": "double", "nullable": True},
    ]
    assert "source_name" not in str(job["target"])  # the table keeps its contract names


def test_where_reaches_the_job_and_the_suite(tmp_path: Path) -> None:
    out = _compile(tmp_path)
    job = job_literal((out / "glue" / "ingest_sales.py").read_text("utf-8"))
    nn, rc = job["checks"]
    assert nn["where"] == "coalesce((amount > 0), FALSE)"  # re-rendered: no comment
    assert nn["considered_expr"] == "coalesce((amount > 0), FALSE)"
    assert nn["fail_expr"] == "(coalesce((amount > 0), FALSE) AND `note` IS NULL)"
    assert rc["where"] == "coalesce((note LIKE '{%'), FALSE)"
    suite = json.loads((out / "quality" / "sales_raw.json").read_text("utf-8"))
    kwargs = [e["kwargs"] for e in suite["expectations"]]
    assert kwargs[0]["row_condition"] == "amount > 0"
    assert kwargs[1]["row_condition"] == "note LIKE '{%'"  # not str.format-ed by GX
    assert {k["condition_parser"] for k in kwargs} == {"spark"}
    assert suite["expectations"][0]["meta"]["alurc"]["where"] == "amount > 0 -- big ones {only}"


def test_sql_checks_read_filtered_rows_with_braces_doubled() -> None:
    where = "s = '{batch}'"
    for check in (
        Check("e", T.EXPRESSION, sql="n > 0", where=where),
        Check("e", T.EXPRESSION, sql="n > 0", where=where, mostly=0.5),
        Check("r", T.RELATIONSHIP, columns=("k",), ref_table="c", ref_column="k", where=where),
        Check(
            "r",
            T.RELATIONSHIP,
            columns=("k",),
            ref_table="c",
            ref_column="k",
            where=where,
            mostly=0.5,
        ),
        Check("f", T.FRESHNESS, columns=("ts",), max_age_seconds=60, where=where),
    ):
        type_, kwargs = expectation_kwargs(check)
        assert type_ == "unexpected_rows_expectation"
        assert "row_condition" not in kwargs  # GX's SQL expectation takes none
        query = kwargs["unexpected_rows_query"]
        assert "(SELECT * FROM {batch} WHERE coalesce((s = '{{batch}}'), FALSE))" in query
        assert query.format(batch="B").count("'{batch}'") == 1


def test_unique_with_where_counts_duplicates_among_filtered_rows() -> None:
    lowered = lower_check(Check("u", T.UNIQUE, columns=("k",), where="n > 0"))
    assert lowered["considered_expr"] == "(coalesce((n > 0), FALSE) AND `k` IS NOT NULL)"
    assert (
        "count(CASE WHEN coalesce((n > 0), FALSE) THEN 1 END) OVER (PARTITION BY `k`)"
        in (lowered["fail_expr"])
    )


def test_without_where_nothing_changes() -> None:
    """No `where`: the lowered dicts and kwargs have no new key (existing outputs stay)."""
    for check in (
        Check("n", T.NOT_NULL, columns=("k",)),
        Check("u", T.UNIQUE, columns=("k", "k2")),
        Check("e", T.EXPRESSION, sql="n > 0"),
        Check("r", T.ROW_COUNT_BETWEEN, min=1),
    ):
        assert "where" not in lower_check(check)
        kwargs: dict[str, Any] = expectation_kwargs(check)[1]
        assert "row_condition" not in kwargs and "condition_parser" not in kwargs
    assert build_suite  # the suite builder is the same function the backend calls
