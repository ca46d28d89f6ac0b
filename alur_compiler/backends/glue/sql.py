"""Rewrite a pipeline's table references to the temp views its job registers at run time.

`orders` or `silver.orders` in the SQL becomes `__alur_src_orders AS orders` (the original
name stays the alias, so `orders.amount` still resolves). CTE names are left alone.
Parsing and printing use sqlglot's spark dialect.
"""

from __future__ import annotations

import sqlglot
from sqlglot import exp

from alur_compiler.ir import SourceTable

VIEW_PREFIX = "__alur_src_"


def view_name(table: str) -> str:
    return VIEW_PREFIX + table


def rewrite_sql(sql: str, sources: tuple[SourceTable, ...]) -> str:
    """The SQL with every source table reference replaced by its view; raises on bad SQL.

    When the front end recorded where each reference stands (`SourceTable.refs`), the
    names are substituted in the text as written (the user's layout and comments stay);
    otherwise the SQL is parsed and printed again.
    """
    refs = sorted((start, end, alias, s.table) for s in sources for start, end, alias in s.refs)
    if refs:
        return _splice(sql, refs)
    tree = sqlglot.parse_one(sql, read="spark")
    by_written = {s.written_as.lower(): s.table for s in sources}
    by_name = {s.table.lower(): s.table for s in sources}
    ctes = {cte.alias_or_name.lower() for cte in tree.find_all(exp.CTE)}
    for node in list(tree.find_all(exp.Table)):
        name, db = node.name, node.db
        if not name or (not db and name.lower() in ctes):
            continue
        written = f"{db}.{name}" if db else name
        table = by_written.get(written.lower()) or by_name.get(name.lower())
        if table is None:
            continue
        alias = node.alias or name
        replacement = exp.to_table(view_name(table))
        replacement.set("alias", exp.TableAlias(this=exp.to_identifier(alias)))
        node.replace(replacement)
    return tree.sql(dialect="spark", pretty=True)


def _splice(sql: str, refs: list[tuple[int, int, bool, str]]) -> str:
    out: list[str] = []
    pos = 0
    for start, end, has_alias, table in refs:
        out.append(sql[pos:start])
        out.append(view_name(table) + ("" if has_alias else f" AS {table}"))
        pos = end
    out.append(sql[pos:])
    return "".join(out)
