"""dbt habits in SQL (semantic/sql_jinja.py): one AL412 per Jinja tag, exact offsets,
the plain replacement as the hint, nothing for plain SQL or tags inside SQL comments."""

from __future__ import annotations

import pytest

from alur_compiler.semantic.sql_jinja import find_jinja
from alur_compiler.semantic.sql_parse import parse_select


@pytest.mark.parametrize(
    ("sql", "offset", "length", "hint"),
    [
        ("SELECT * FROM {{ ref('stg_orders') }}", 14, 23, "write the table name: stg_orders"),
        ('SELECT * FROM {{ref("stg_orders")}}', 14, 21, "write the table name: stg_orders"),
        ("SELECT * FROM {{ ref('pkg', 'stg_orders') }}", 14, 30, "write the table name: stg_"),
        (
            "SELECT * FROM {{ source('shop', 'orders_raw') }}",
            14,
            34,
            "write the table name: orders_raw (the bronze table an ingestion loads)",
        ),
        ("{# note #}\nSELECT 1 AS x", 0, 10, "write a SQL comment: -- ... or /* ... */"),
        ("{{ config(materialized='table') }}\nSELECT 1 AS x", 0, 34, "set the write mode"),
    ],
)
def test_each_tag_gets_one_problem_with_its_hint(
    sql: str, offset: int, length: int, hint: str
) -> None:
    problems = find_jinja(sql)
    assert len(problems) == 1
    (problem,) = problems
    assert problem.code.code == "AL412"
    assert (problem.offset, problem.length) == (offset, length)
    assert problem.hint is not None and problem.hint.startswith(hint)


def test_a_for_loop_is_two_statements() -> None:
    sql = "SELECT\n{% for c in cols %}\n  {{ c }},\n{% endfor %}\n  1 AS x"
    problems = find_jinja(sql)
    assert [p.offset for p in problems] == [7, 29, 38]
    assert "Jinja statement" in problems[0].message
    assert "Jinja expression" in problems[1].message


def test_plain_sql_and_commented_tags_are_fine() -> None:
    assert find_jinja("SELECT '{' AS a, map('k', 1) AS m FROM t -- {{ ref('x') }}") == []
    assert find_jinja("SELECT 1 AS x /* {% if %} */") == []


def test_jinja_is_reported_instead_of_a_syntax_error() -> None:
    parsed = parse_select("SELECT order_id FROM {{ ref('orders_raw') }}")
    assert parsed.tree is None
    assert [p.code.code for p in parsed.problems] == ["AL412"]
