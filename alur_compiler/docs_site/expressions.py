"""The SQL expression that computes each output column of a pipeline's SELECT.

The outermost SELECT (the first branch of a set operation) is read: each projection,
without its alias, printed back as Spark SQL. A column the query only passes through
(`o.order_id`) shows as that reference. SQL the parser rejects yields no expressions (the
compiler reported it already).
"""

from __future__ import annotations

import sqlglot
from sqlglot import exp
from sqlglot.dialects.dialect import Dialect

_SPARK = Dialect.get_or_raise("spark")


def column_expressions(sql: str) -> dict[str, str]:
    """output column name -> the expression computing it, as Spark SQL text."""
    try:
        tree = sqlglot.parse_one(sql, read=_SPARK)
    except Exception:
        return {}
    if not isinstance(tree, exp.Query):
        return {}
    out: dict[str, str] = {}
    generator = _SPARK.generator()
    for projection in tree.selects:
        name = projection.alias_or_name
        if not name or name in out:
            continue
        body = projection.this if isinstance(projection, exp.Alias) else projection
        try:
            out[name] = generator.generate(body, copy=False)  # the tree is not reused
        except Exception:  # a node sqlglot cannot print back: leave it out
            continue
    return out
