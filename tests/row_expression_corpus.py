"""Row expressions (a check's `sql:`, a merge's `delete_when:`) with validate's verdict.

Shared by tests/unit/test_row_expressions.py (the verdicts, pure) and
tests/integration/test_row_expression_oracle.py (Spark's parser and analyzer agree).
`None` means validate accepts the text; otherwise the code it reports.
"""

from __future__ import annotations

#: the columns (name -> normalised type) every corpus expression is judged against
COLUMNS = {
    "x": "int",
    "y": "double",
    "s": "string",
    "flag": "boolean",
    "d": "date",
    "ts": "timestamp",
    "odd_col": "string",
}
#: one row of those columns, as Spark SQL for `FROM VALUES ... AS t(...)`
VALUES_ROW = (
    "(1, CAST(2.5 AS DOUBLE), 'a''b', TRUE, DATE'2024-01-01', TIMESTAMP'2024-01-01 00:00:00', 'z')"
)

CORPUS: list[tuple[str, str | None]] = [
    # accepted: one boolean expression, comments dropped when rendered
    ("x >= 0", None),
    ("x >= 0 AND s <> 'void'", None),
    ("x >= 0 -- must be positive", None),
    ("x >= 0 /* block */ AND y < 10", None),
    ("-- leading comment\nx > 0", None),
    ("x --c\n >= 0", None),
    ("(x > 0)", None),
    ("NOT (x < 0 OR y IS NULL)", None),
    ("flag", None),
    ("flag IS TRUE", None),
    ("s LIKE 'a%'", None),
    ("s RLIKE '^[a-z]+$'", None),
    ("s = 'it\\'s'", None),
    ("s <> '--not a comment'", None),
    ("s <> ';'", None),
    ("x IN (1, 2, 3)", None),
    ("x BETWEEN 0 AND 10", None),
    ("coalesce(x, 0) > -1", None),
    ("CASE WHEN x > 0 THEN TRUE ELSE FALSE END", None),
    ("d <= current_date()", None),
    ("ts < TIMESTAMP'2100-01-01 00:00:00'", None),
    ("length(s) < 100", None),
    ("`odd_col` IS NOT NULL", None),
    ("x <=> 1", None),
    ("CAST(x AS BOOLEAN)", None),
    # rejected: not one statement
    ("x > 0;\n", "AL411"),
    ("x >= 0; DROP TABLE t", "AL411"),
    ("x >= 0;", "AL411"),
    ("x > 0; SELECT 1", "AL411"),
    ("", "AL206"),  # the schema: sql is a non-empty string
    ("-- only a comment", "AL411"),
    # rejected: a query or a subquery
    ("SELECT 1", "AL409"),
    ("x IN (SELECT 1)", "AL409"),
    ("EXISTS (SELECT 1)", "AL409"),
    # rejected: not evaluable on one row
    ("count(x) > 1", "AL411"),
    ("sum(y) OVER () > 0", "AL411"),
    ("explode(array(1, 2)) > 0", "AL411"),
    # rejected: decidably not boolean
    ("x + 1", "AL411"),
    ("'yes'", "AL411"),
    ("42", "AL411"),
    ("s", "AL411"),
    ("x > 0 AS ok", "AL411"),
    ("CAST(x AS STRING)", "AL411"),
    ("s || 'x'", "AL411"),
    # rejected: does not parse, or names an unknown column
    ("x >", "AL401"),
    ("x >= 0)", "AL401"),
    ("nope > 0", "AL403"),
]

#: rejected although Spark evaluates them: a subquery reads tables outside the row (the
#: job resolves no table names inside a check), so validate keeps row tests to one row
STRICTER_THAN_SPARK = frozenset({"x IN (SELECT 1)", "EXISTS (SELECT 1)"})
