"""A CTE name defined twice in one WITH: AL401 at the second definition's name."""

from __future__ import annotations

from alur_compiler.semantic.sql_batch import Catalog, analyze_one

CATALOG = Catalog(
    layers={"t": "silver", "out": "gold"},
    columns={"t": {"x": "int"}, "out": {"x": "int"}},
    not_null=frozenset(),
)


def test_second_definition_is_reported_at_its_name() -> None:
    sql = "WITH a AS (SELECT x FROM t),\n     a AS (SELECT x FROM t)\nSELECT x FROM a"
    (problem,) = analyze_one(sql, "out", CATALOG).problems
    assert problem.code.code == "AL401"
    assert (problem.offset, problem.length) == (sql.index("a AS", 10), 1)
    assert "defined twice" in problem.message and "line 1" in problem.message
    assert problem.hint and "rename" in problem.hint


def test_distinct_and_nested_names_are_accepted() -> None:
    for sql in (
        "WITH a AS (SELECT x FROM t), b AS (SELECT x FROM a) SELECT x FROM b",
        "WITH a AS (SELECT x FROM t) SELECT x FROM (WITH a AS (SELECT x FROM t) SELECT x FROM a) s",
    ):
        assert analyze_one(sql, "out", CATALOG).problems == [], sql
