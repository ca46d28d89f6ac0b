"""Where things are in a pipeline's SQL text: projections, column references, the SELECT.

Offsets are 0-based character indexes into the SQL as the user wrote it (inline `sql:` or
the `sql_file`); `SqlLocator` maps them to file:line:col. Only sqlglot's token metadata is
read (identifiers, literals, stars and function names carry `start`/`end`), so the positions
are the parser's, never a search for a name in the text.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlglot import TokenType, exp
from sqlglot.errors import TokenError

from alur_compiler.semantic.sql_parse import SPARK


@dataclass(frozen=True)
class Where:
    """A range of the SQL text: `offset` (0-based) and `length` (at least 1)."""

    offset: int
    length: int = 1


def extent(node: exp.Expr) -> Where | None:
    """From the first to the last token of `node` that carries a position."""
    first: int | None = None
    last: int | None = None
    for sub in node.walk():
        start, end = sub.meta.get("start"), sub.meta.get("end")
        if isinstance(start, int) and (first is None or start < first):
            first = start
        if isinstance(end, int) and (last is None or end > last):
            last = end
    if first is None:
        return None
    return Where(first, max((last if last is not None else first) - first + 1, 1))


def column_ref(col: exp.Column) -> Where | None:
    """A column reference as written: `ord.amount`, `amount`."""
    return extent(col)


@dataclass(frozen=True)
class Projection:
    """One item of the outermost SELECT list, before `*` is expanded."""

    where: Where
    star: bool = False
    star_table: str = ""  # `t` of `t.*`


def projection(proj: exp.Expr) -> Projection:
    """Where a diagnostic about this output column points: its alias when it has one
    (`sum(x) AS total` -> `total`), else the column name, else the whole expression."""
    star = proj.is_star if isinstance(proj, exp.Column) else isinstance(proj, exp.Star)
    table = proj.table if isinstance(proj, exp.Column) and star else ""
    node: exp.Expr | None = proj
    if isinstance(proj, exp.Alias):
        node = proj.args.get("alias")
    elif isinstance(proj, exp.Column) and not star:
        node = proj.this if isinstance(proj.this, exp.Expr) else proj
    where = (extent(node) if node is not None else None) or extent(proj) or Where(0)
    return Projection(extent(proj) or where if star else where, star, table)


def projections(tree: exp.Expr) -> list[Projection]:
    return [projection(p) for p in tree.selects] if isinstance(tree, exp.Query) else []


def assign(projs: list[Projection], outputs: list[exp.Expr]) -> list[Where]:
    """The position of each output column of the analysed (star-expanded) SELECT.

    Expansion keeps the order of the list: a non-star item gives one output, a `*` gives
    the columns of every source, `t.*` those of `t` (qualified with `t`).
    """
    if len(projs) == len(outputs) and not any(p.star for p in projs):
        return [p.where for p in projs]
    out: list[Where] = []
    j = 0
    for i, p in enumerate(projs):
        later = sum(1 for q in projs[i + 1 :] if not q.star)
        if not p.star:
            out.append(p.where)
            j += 1
            continue
        while j < len(outputs) - later and _expanded_from(outputs[j], p):
            out.append(p.where)
            j += 1
    fallback = projs[0].where if projs else Where(0)
    return out + [fallback] * (len(outputs) - len(out))


def _expanded_from(output: exp.Expr, star: Projection) -> bool:
    if not isinstance(output, exp.Column):
        return True  # an alias sqlglot put on an expanded column
    return not star.star_table or output.table == star.star_table


def select_keyword(text: str, before: int) -> Where:
    """The last SELECT keyword before `before`: where "the SQL does not return X" points."""
    try:
        tokens = SPARK.tokenize(text)
    except TokenError:
        return Where(0)
    found = [t for t in tokens if t.token_type is TokenType.SELECT and t.start < max(before, 1)]
    if not found:
        found = [t for t in tokens if t.token_type is TokenType.SELECT][:1]
    if not found:
        return Where(0)
    return Where(found[-1].start, found[-1].end - found[-1].start + 1)
