"""CTE definitions Spark's parser rejects before any analysis."""

from __future__ import annotations

from sqlglot import exp

from alur_compiler.diagnostics import codes
from alur_compiler.semantic.sql_parse import SqlProblem, offset_of


def duplicate_ctes(tree: exp.Expr, sql: str) -> list[SqlProblem]:
    """A name defined twice in one WITH: Spark says "CTE definition can't have duplicate
    names" (exact spelling: `a` and `A` are two names to Spark 3.5's parser). One problem
    at each later definition's name."""
    problems = []
    for with_ in tree.find_all(exp.With):
        first: dict[str, exp.CTE] = {}
        for cte in with_.expressions:
            alias = cte.args.get("alias")
            ident = alias.this if isinstance(alias, exp.TableAlias) else None
            if not isinstance(ident, exp.Identifier) or not isinstance(ident.this, str):
                continue
            name = ident.this
            if name not in first:
                first[name] = cte
                continue
            start = ident.meta.get("start")
            at = start if isinstance(start, int) else offset_of(cte)
            length = (ident.meta.get("end", at) - at + 1) if isinstance(start, int) else 1
            line = sql.count("\n", 0, offset_of(first[name])) + 1
            problems.append(
                SqlProblem(
                    codes.SQL_SYNTAX,
                    f"CTE '{name}' is defined twice in one WITH (first on line {line} of "
                    "the SQL): Spark rejects duplicate CTE names",
                    at,
                    max(length, 1),
                    hint=f"rename one of the two definitions of '{name}' (and the reads of it)",
                )
            )
    return problems
