"""Row expressions against the real oracle: Spark's parser and analyzer in the test session.

For every corpus expression validate accepts, the lowered predicate (what
`alur_runtime.quality` runs: `count_if(coalesce((fail_expr), FALSE))`) analyzes and runs, is
boolean, and gives the same value as the text as written on every row. For every expression
validate rejects, Spark does not take the text as one boolean row expression either: the
runtime's query fails, or the value is not a boolean. The only exceptions are listed, with
their reason, in STRICTER_THAN_SPARK (and Spark must really take them, or the list is stale).
"""

from __future__ import annotations

from typing import Any

import pytest
from row_expression_corpus import COLUMNS, CORPUS, STRICTER_THAN_SPARK, VALUES_ROW

from alur_compiler.ir.check_sql import row_expression
from alur_compiler.ir.quoting import quote_ident

pytestmark = pytest.mark.spark

NULL_ROW = "(" + ", ".join(f"CAST(NULL AS {t})" for t in COLUMNS.values()) + ")"
FROM = (
    f" FROM VALUES {VALUES_ROW}, {NULL_ROW}, (-3, CAST(-1 AS DOUBLE), 'void', FALSE,"
    " DATE'2200-01-01', TIMESTAMP'2200-01-01 00:00:00', NULL) AS t("
    + ", ".join(quote_ident(c) for c in COLUMNS)
    + ")"
)


def runtime_query(sql: str) -> str:
    """The runtime's aggregate over the check (newlines end a trailing `--` comment)."""
    return f"SELECT count_if(NOT coalesce((\n{sql}\n), FALSE)) AS u" + FROM


def values(spark: Any, sql: str) -> tuple[str, list[Any]]:
    df = spark.sql(f"SELECT (\n{sql}\n) AS v" + FROM)
    return df.schema["v"].dataType.simpleString(), [r.v for r in df.collect()]


def spark_takes(spark: Any, sql: str) -> tuple[bool, str]:
    try:
        spark.sql(runtime_query(sql)).collect()
        kind, _ = values(spark, sql)
    except Exception as exc:
        return False, type(exc).__name__ + ": " + str(exc).splitlines()[0][:200]
    return kind in ("boolean", "void"), kind


ACCEPTED = [s for s, verdict in CORPUS if verdict is None]
REJECTED = [s for s, verdict in CORPUS if verdict is not None]


@pytest.mark.parametrize("sql", ACCEPTED, ids=repr)
def test_what_validate_accepts_spark_runs(spark: Any, sql: str) -> None:
    rendered = row_expression(sql)
    ok, why = spark_takes(spark, rendered)
    assert ok, why
    assert values(spark, rendered) == values(spark, sql)


@pytest.mark.parametrize("sql", REJECTED, ids=repr)
def test_what_validate_rejects_is_no_boolean_row_expression_for_spark(spark: Any, sql: str) -> None:
    ok, why = spark_takes(spark, sql)
    assert ok is (sql in STRICTER_THAN_SPARK), why
