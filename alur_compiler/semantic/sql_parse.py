"""Parse a pipeline's SQL (spark dialect) and resolve the tables it reads to contracts."""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlglot
from sqlglot import exp
from sqlglot.dialects.dialect import Dialect
from sqlglot.errors import ParseError, TokenError

from alur_compiler.diagnostics import codes
from alur_compiler.diagnostics.codes import ErrorCode
from alur_compiler.diagnostics.suggest import suggestion_suffix

#: one Spark dialect instance for every parse/qualify/annotate (constructing one is costly)
SPARK = Dialect.get_or_raise("spark")


@dataclass(frozen=True)
class SqlProblem:
    """A diagnostic inside the SQL text: `offset` is a 0-based character index."""

    code: ErrorCode
    message: str
    offset: int
    length: int = 1
    hint: str | None = None


@dataclass
class ParsedSql:
    tree: exp.Expr | None
    tables: dict[str, str] = field(default_factory=dict)  # table name -> as written
    #: table name -> (start, end exclusive, has alias) of each reference in the SQL text
    refs: dict[str, list[tuple[int, int, bool]]] = field(default_factory=dict)
    problems: list[SqlProblem] = field(default_factory=list)
    sql: str = ""  # the text parsed


def offset_of(node: exp.Expr) -> int:
    """Smallest source offset among the node's identifiers (0 when unknown)."""
    best: int | None = None
    for sub in node.walk():
        start = sub.meta.get("start") if isinstance(sub, exp.Expr) else None
        if isinstance(start, int) and (best is None or start < best):
            best = start
    return best or 0


def line_col(text: str, offset: int) -> tuple[int, int]:
    """0-based offset -> 1-based (line, column)."""
    offset = max(0, min(offset, len(text)))
    line = text.count("\n", 0, offset) + 1
    col = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, col


def _offset_from_line_col(text: str, line: int, col: int) -> int:
    lines = text.split("\n")
    line = max(1, min(line, len(lines)))
    return sum(len(x) + 1 for x in lines[: line - 1]) + max(col - 1, 0)


def parse_select(sql: str) -> ParsedSql:
    """Parse exactly one SELECT (or set operation of SELECTs)."""
    from alur_compiler.semantic.sql_jinja import find_jinja  # dbt habits: one AL412 each

    if jinja := find_jinja(sql):
        return ParsedSql(None, problems=jinja)
    try:
        statements = [s for s in sqlglot.parse(sql, read=SPARK) if s is not None]
    except ParseError as exc:
        err = exc.errors[0] if exc.errors else {}
        line, col = int(err.get("line") or 1), int(err.get("col") or 1)
        highlight = str(err.get("highlight") or "")
        start = max(col - len(highlight) + 1, 1) if highlight else col
        desc = str(err.get("description") or exc).split(". Line")[0]
        if desc.startswith("Required keyword"):
            desc = "incomplete expression"
        msg = f"SQL syntax error: {desc}" + (f" near '{highlight}'" if highlight else "")
        return ParsedSql(
            None,
            problems=[
                SqlProblem(
                    codes.SQL_SYNTAX,
                    msg,
                    _offset_from_line_col(sql, line, start),
                    max(len(highlight), 1),
                )
            ],
        )
    except TokenError as exc:
        return ParsedSql(
            None, problems=[SqlProblem(codes.SQL_SYNTAX, f"SQL syntax error: {exc}", 0)]
        )
    if len(statements) != 1:
        where = offset_of(statements[1]) if len(statements) > 1 else 0
        return ParsedSql(
            None,
            problems=[
                SqlProblem(
                    codes.SQL_NOT_SELECT,
                    f"a pipeline's SQL must be one SELECT, found {len(statements)} statements",
                    where,
                    hint="remove the extra statements (and trailing ';')",
                )
            ],
        )
    tree = statements[0]
    if not isinstance(tree, exp.Query):
        return ParsedSql(
            None,
            problems=[
                SqlProblem(
                    codes.SQL_NOT_SELECT,
                    f"a pipeline's SQL must be a SELECT, found {tree.key.upper()}",
                    offset_of(tree),
                    hint="alurc writes the target itself; give only the SELECT",
                )
            ],
        )
    return ParsedSql(tree, sql=sql)


def resolve_tables(parsed: ParsedSql, layers: dict[str, str], target: str) -> None:
    """Map each table reference to a contract; rewrite it as `<layer>.<name>`.

    `layers` maps table name -> layer. Unknown tables, wrong layers and reading the
    pipeline's own target are reported as problems.
    """
    assert parsed.tree is not None
    ctes = {cte.alias_or_name for cte in parsed.tree.find_all(exp.CTE)}
    for table in list(parsed.tree.find_all(exp.Table)):
        name, db = table.name, table.db
        if not name or (not db and name in ctes):
            continue
        written = f"{db}.{name}" if db else name
        at = offset_of(table)
        if name not in layers:
            parsed.problems.append(
                SqlProblem(
                    codes.SQL_UNKNOWN_TABLE,
                    f"unknown table '{written}'{suggestion_suffix(name, layers)}",
                    at,
                    len(written),
                    hint="tables are read by contract name, e.g. `orders` or `silver.orders`",
                )
            )
            continue
        if db and db != layers[name]:
            parsed.problems.append(
                SqlProblem(
                    codes.SQL_UNKNOWN_TABLE,
                    f"'{name}' is a {layers[name]} table, not {db}",
                    at,
                    len(written),
                    hint=f"write `{layers[name]}.{name}` or just `{name}`",
                )
            )
            continue
        if table.catalog:
            parsed.problems.append(
                SqlProblem(
                    codes.SQL_UNKNOWN_TABLE,
                    f"'{table.sql()}': catalogs are not written in pipeline SQL",
                    at,
                    len(written),
                    hint="alurc maps tables to catalogs per environment",
                )
            )
            continue
        if name == target:
            parsed.problems.append(
                SqlProblem(
                    codes.SQL_SELF_REFERENCE,
                    f"the pipeline reads its own target '{name}'",
                    at,
                    len(written),
                    hint="write the change as a merge; to read the previous state use "
                    "an upstream table",
                )
            )
            continue
        parsed.tables.setdefault(name, written)
        first = table.args["db"] if db else table.this
        start, end = first.meta.get("start"), table.this.meta.get("end")
        if isinstance(start, int) and isinstance(end, int):
            parsed.refs.setdefault(name, []).append((start, end + 1, bool(table.alias)))
        table.set("db", exp.to_identifier(layers[name]))
