"""alurc's inferred output columns against Spark's own analyzer, on random queries.

hypothesis builds contracts and SELECTs over them (tests/sql_query_gen.py: CTEs, one
maybe shadowing a table, aliases, derived tables, joins of every side, IN subqueries,
aggregates, arithmetic on every numeric type, casts, coalesce, CASE). Each query runs
through alurc's SQL analysis and through `spark.sql(q)` on empty temp views with the
contracts' types and nullability. Names and types must equal the analyzer's schema, and
alurc must accept every query Spark accepts.

Nullability (alur_compiler/semantic/sql_nulls.py) answers "can this column be NULL in the
written rows". The oracle is Spark's analyzer, on the query as the job writes it: a column
a SELECT's WHERE requires `IS NOT NULL` cannot be NULL in the rows that SELECT passes on, but
Spark's analyzer keeps it nullable (its analyzed, optimized and physical plans' schemas all
do; the optimizer records `isnotnull(x)` only as a plan constraint). So nullability is read
from `Case.filtered_sql`: the same query with each such column read as
`coalesce(x, <a literal of its type>)` in that SELECT's list and GROUP BY, which is equal on
every row the filter passes and which the analyzer calls NOT NULL. Both directions count:

- alurc NOT NULL where Spark says nullable: the dangerous one (a NOT NULL contract would
  pass while the job writes NULLs);
- alurc nullable where Spark says NOT NULL: a false AL408 warning.

`make test` runs ALURC_ORACLE_EXAMPLES (default 60) cases; with ALURC_FUZZ_EXAMPLES set
(`make fuzz`), a tenth of that. The AL407 rule is compared with Spark's `Cast.canUpCast`
on every pair of FIT_TYPES.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from sql_query_gen import Case, cases

from alur_compiler.semantic.sql_batch import Catalog, analyze_one

pytestmark = pytest.mark.spark

EXAMPLES = int(
    os.environ.get("ALURC_ORACLE_EXAMPLES")
    or max(60, int(os.environ.get("ALURC_FUZZ_EXAMPLES", "0")) // 10)
)
TARGET = "pipeline_out"


@dataclass
class Tally:
    cases: int = 0
    disagreements: dict[str, list[str]] = field(default_factory=dict)

    def add(self, kind: str, text: str) -> None:
        self.disagreements.setdefault(kind, []).append(text)


def catalog(case: Case) -> Catalog:
    return Catalog(
        layers={name: "silver" for name in case.tables} | {TARGET: "gold"},
        columns={n: {c.name: c.type for c in cols} for n, cols in case.tables.items()}
        | {TARGET: {"x": "int"}},
        not_null=frozenset(
            f"{n}.{c.name}" for n, cols in case.tables.items() for c in cols if not c.nullable
        ),
    )


def spark_schema(spark: Any, case: Case) -> tuple[list[tuple[str, str, bool]], list[bool]]:
    """(name, type, nullable) of every output column, and each one's nullability on
    `case.filtered_sql`."""
    from pyspark.sql.types import StructField, StructType, _parse_datatype_string

    for name in ("t0", "t1", "t2"):
        spark.catalog.dropTempView(name)
    for name, cols in case.tables.items():
        schema = StructType(
            [StructField(c.name, _parse_datatype_string(c.type), c.nullable) for c in cols]
        )
        spark.createDataFrame([], schema).createOrReplaceTempView(name)
    fields = spark.sql(case.sql).schema.fields
    filtered = [f.nullable for f in spark.sql(case.filtered_sql).schema.fields]
    return [(f.name, f.dataType.simpleString(), f.nullable) for f in fields], filtered


DANGEROUS = "nullable: alurc NOT NULL, spark nullable"
CAUTIOUS = "nullable: alurc nullable, spark NOT NULL"
#: counted, not failed: NOT NULL only because of a WHERE filter (the analyzer alone says
#: nullable on the query as written)
FILTERED = "info: NOT NULL by a WHERE x IS NOT NULL"


def compare(spark: Any, case: Case, tally: Tally) -> None:
    tally.cases += 1
    expected, filtered = spark_schema(spark, case)
    result = analyze_one(case.sql, TARGET, catalog(case))
    if result.columns is None:
        tally.add("rejected", f"{case.sql}\n  {[p.message for p in result.problems]}")
        return
    got = [(c.name, c.type, c.nullable) for c in result.columns]
    if [g[0] for g in got] != [e[0] for e in expected]:
        tally.add("names", f"{case.sql}\n  spark {expected}\n  alurc {got}")
        return
    for (name, typ, null), (_, s_typ, s_null), f_null in zip(got, expected, filtered, strict=True):
        if typ != s_typ:
            tally.add("type", f"{name}: alurc {typ}, spark {s_typ} in {case.sql}")
        if null != f_null:
            tally.add(CAUTIOUS if null else DANGEROUS, f"{name}: in {case.sql}")
        elif s_null and not null:
            tally.add(FILTERED, f"{name}: in {case.sql}")


def _run(spark: Any) -> Tally:
    tally = Tally()

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        database=None,
    )
    @given(cases())
    def run(case: Case) -> None:
        compare(spark, case, tally)

    run()
    dump = os.environ.get("ALURC_ORACLE_DUMP")
    if dump:
        Path(dump).write_text(json.dumps(tally.disagreements, indent=1), encoding="utf-8")
    print(f"\nSpark analyzer oracle: {tally.cases} queries")
    for kind, items in sorted(tally.disagreements.items()):
        print(f"  {kind}: {len(items)}, e.g. {items[0]}")
    assert tally.cases >= EXAMPLES // 2
    return tally


_RUNS: dict[str, Tally] = {}


def _tally(spark: Any) -> Tally:
    if "run" not in _RUNS:
        _RUNS["run"] = _run(spark)
    return _RUNS["run"]


def test_inferred_names_and_types_match_spark(spark: Any) -> None:
    found = {k: v[:3] for k, v in _tally(spark).disagreements.items() if k.startswith("names")}
    found |= {k: v[:3] for k, v in _tally(spark).disagreements.items() if k in ("type", "rejected")}
    assert not found, found


def test_inferred_nullability_matches_spark(spark: Any) -> None:
    found = {k: v[:3] for k, v in _tally(spark).disagreements.items() if k.startswith("nullable")}
    assert not found, found


FIT_TYPES = [
    *("tinyint", "smallint", "int", "bigint", "float", "double", "string", "boolean"),
    *("date", "timestamp", "timestamp_ntz", "binary"),
    *("decimal(3,0)", "decimal(5,0)", "decimal(10,0)", "decimal(10,2)", "decimal(12,2)"),
    *("decimal(14,6)", "decimal(20,0)", "decimal(20,2)", "decimal(38,10)", "decimal(38,0)"),
]
#: pairs Spark up-casts and alurc still reports, each with the reason
STRICTER_THAN_SPARK = {
    ("bigint", "timestamp"): "Spark reads a bigint as seconds since the epoch: a number is "
    "not a point in time by accident",
    ("timestamp", "bigint"): "the reverse: a timestamp becomes seconds, silently",
}


def test_type_fit_is_sparks_up_cast_rule(spark: Any) -> None:
    """alurc's AL407 rule (`narrowing`) against Spark's own `Cast.canUpCast` on every pair."""
    from alur_compiler.semantic.types import narrowing

    jvm = spark.sparkContext._jvm
    cast = jvm.org.apache.spark.sql.catalyst.expressions.Cast
    parse = jvm.org.apache.spark.sql.types.DataType.fromDDL
    wrong = []
    for src in FIT_TYPES:
        for dst in FIT_TYPES:
            spark_fits = bool(cast.canUpCast(parse(src), parse(dst)))
            ours = narrowing(src, dst) is None
            if ours != spark_fits and (src, dst) not in STRICTER_THAN_SPARK:
                wrong.append(f"{src} -> {dst}: spark {spark_fits}, alurc {ours}")
    assert not wrong, "\n".join(wrong)
    for src, dst in STRICTER_THAN_SPARK:  # the list is not stale: Spark does take them
        assert cast.canUpCast(parse(src), parse(dst)), (src, dst)


def test_cast_nullability_is_sparks(spark: Any) -> None:
    """`types.cast_may_be_null` against the analyzer's nullability of a CAST of a NOT NULL
    column, for every pair of FIT_TYPES Spark can cast."""
    from pyspark.sql.types import StructField, StructType, _parse_datatype_string

    from alur_compiler.semantic.types import cast_may_be_null

    fields = [
        StructField(f"c{i}", _parse_datatype_string(t), False) for i, t in enumerate(FIT_TYPES)
    ]
    spark.createDataFrame([], StructType(fields)).createOrReplaceTempView("casts")
    wrong, checked = [], 0
    for i, src in enumerate(FIT_TYPES):
        for dst in FIT_TYPES:
            try:
                field = spark.sql(f"SELECT CAST(c{i} AS {dst}) AS x FROM casts").schema.fields[0]
            except Exception:  # a cast Spark does not allow
                continue
            checked += 1
            if field.nullable != cast_may_be_null(src, dst):
                wrong.append(f"{src} -> {dst}: spark nullable {field.nullable}")
    assert checked > 300
    assert not wrong, "\n".join(wrong)
