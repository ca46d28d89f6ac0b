"""Random contracts and pipeline SELECTs over them, for the Spark analyzer oracle.

A case is a few contract tables (random column types and nullability) and one query that
is valid Spark SQL over them, built from the shapes pipelines use: CTEs (one may shadow a
contract table's name), aliased tables, derived tables, joins, a subquery in WHERE,
aggregates with GROUP BY, arithmetic, casts, coalesce, CASE and literals. Every column a
query names is visible in its scope and unambiguous, so Spark must accept it; what is
compared is each output's name, type and nullability.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from hypothesis import strategies as st

INTEGRAL = ["tinyint", "smallint", "int", "bigint"]
FRACTIONAL = ["float", "double"]
OTHER = ["string", "boolean", "date", "timestamp"]
DECIMALS = ["decimal(10,2)", "decimal(5,0)", "decimal(18,4)", "decimal(38,10)", "decimal(3,3)"]
NUMERIC = INTEGRAL + FRACTIONAL + DECIMALS
TYPES = NUMERIC + OTHER
CASTS = ["int", "bigint", "double", "decimal(12,2)", "decimal(20,0)", "string", "smallint"]
LITERALS = ["1", "100", "2.5", "0.01", "1e3", "CAST(1 AS BIGINT)", "1L", "1.00BD"]


@dataclass
class Col:
    name: str
    type: str
    nullable: bool


@dataclass
class Rel:
    """A relation in scope: its alias and its columns."""

    alias: str
    cols: list[Col]


@dataclass
class Case:
    tables: dict[str, list[Col]]
    sql: str
    notes: list[str] = field(default_factory=list)
    #: the same query with each column a WHERE requires IS NOT NULL read, in that SELECT's
    #: list and GROUP BY, as `coalesce(x, <literal of its type>)`: equal on every row the
    #: filter passes, and NOT NULL to Spark's analyzer (the nullability oracle for the rule)
    filtered_sql: str = ""


def zero(t: str) -> str:
    """A NOT NULL literal of type `t` that widens with `t` to `t` itself."""
    fixed = {"tinyint": "0Y", "smallint": "0S", "int": "0", "bigint": "0L", "double": "0D"}
    fixed |= {"float": "CAST(0 AS FLOAT)", "string": "''", "boolean": "FALSE"}
    fixed |= {"date": "DATE'2000-01-01'", "timestamp": "TIMESTAMP'2000-01-01 00:00:00'"}
    if t in fixed:
        return fixed[t]
    scale = int(t.split(",")[1].rstrip(")"))  # decimal(p,s): 0.00BD is decimal(s,s)
    return f"0.{'0' * scale}BD" if scale else "0BD"


def read_as(expr: str, ref: str, bare: bool, text: str) -> str:
    """`expr` with every reference to the column `ref` (`alias.col`) replaced by `text`;
    `bare`: the column's name alone also refers to it (it is unique in the scope)."""
    alias, col = ref.split(".") if "." in ref else ("", ref)
    qualified = rf"{re.escape(alias)}\.{re.escape(col)}" if alias else ""
    options = [q for q in (qualified, re.escape(col) if bare else "") if q]
    return re.sub(rf"(?<![\w.])(?:{'|'.join(options)})(?!\w)", lambda _: text, expr)


def is_numeric(t: str) -> bool:
    return t in INTEGRAL or t in FRACTIONAL or t.startswith("decimal")


def _wanted(c: Col, want: str) -> bool:
    return is_numeric(c.type) if want == "numeric" else c.type != "?"


@st.composite
def columns(draw: st.DrawFn, prefix: str) -> list[Col]:
    n = draw(st.integers(2, 5))
    names = [f"{prefix}{i}" for i in range(n)]
    shared = draw(st.sampled_from(["k", "amount", "id"]))
    names[0] = shared  # a name several tables share: qualification matters
    return [Col(nm, draw(st.sampled_from(TYPES)), draw(st.booleans())) for nm in names]


class Builder:
    def __init__(self, draw: st.DrawFn, tables: dict[str, list[Col]]) -> None:
        self.draw = draw
        self.tables = tables
        self.n = 0

    def fresh(self, stem: str) -> str:
        self.n += 1
        return f"{stem}{self.n}"

    def ref(self, rels: list[Rel], want: str = "any") -> tuple[str, Col] | None:
        """`alias.col` (or a bare name when it is unique among `rels`) of a wanted kind:
        "any", "numeric" or "typed" (a known type)."""
        pool = [(r, c) for r in rels for c in r.cols if want == "any" or _wanted(c, want)]
        if not pool:
            return None
        rel, col = self.draw(st.sampled_from(pool))
        owners = sum(1 for r in rels for c in r.cols if c.name == col.name)
        bare = owners == 1 and self.draw(st.booleans())
        return (col.name if bare else f"{rel.alias}.{col.name}"), col

    def scalar(self, rels: list[Rel], key: bool = False) -> str:
        kinds = ["col", "col", "arith", "cast", "coalesce", "case", "lit"]
        kind = self.draw(st.sampled_from(kinds))
        if key and kind == "lit":
            kind = "col"  # GROUP BY <integer literal> is an ordinal in Spark
        num = self.ref(rels, "numeric")
        anyc = self.ref(rels)
        assert anyc is not None
        if kind == "arith" and num is not None:
            op = self.draw(st.sampled_from(["+", "-", "*", "/", "%"]))
            other = self.ref(rels, "numeric")
            rhs = self.draw(st.sampled_from(LITERALS)) if other is None else other[0]
            if self.draw(st.booleans()):
                rhs = self.draw(st.sampled_from(LITERALS))
            return f"({num[0]} {op} {rhs})"
        if kind == "cast":
            return f"CAST({anyc[0]} AS {self.draw(st.sampled_from(CASTS))})"
        if kind == "coalesce" and num is not None:
            return f"coalesce({num[0]}, {self.draw(st.sampled_from(LITERALS))})"
        if kind == "case" and num is not None:
            other = self.ref(rels, "numeric")
            alt = self.draw(st.sampled_from(LITERALS)) if other is None else other[0]
            return f"CASE WHEN {anyc[0]} IS NULL THEN {num[0]} ELSE {alt} END"
        if kind == "lit":
            return self.draw(st.sampled_from([*LITERALS, "'x'", "TRUE", "DATE'2024-01-01'"]))
        return anyc[0]

    def aggregate(self, rels: list[Rel]) -> str:
        num = self.ref(rels, "numeric")
        anyc = self.ref(rels)
        assert anyc is not None
        fn = self.draw(st.sampled_from(["sum", "avg", "count", "countstar", "min", "max"]))
        if fn == "countstar":
            return "count(*)"
        if fn in ("sum", "avg"):
            if num is None:
                return "count(*)"
            inner = num[0]
            if self.draw(st.integers(0, 3)) == 0:
                inner = f"{inner} * {self.draw(st.sampled_from(LITERALS))}"
            return f"{fn}({inner})"
        return f"{fn}({anyc[0]})"

    def select(
        self, rels: list[Rel], from_sql: str, width: int, in_query: str = "", from_alt: str = ""
    ) -> tuple[str, str, list[Col]]:
        """A SELECT over `rels` (already in FROM); returns the SQL, its `filtered_sql`
        form (over `from_alt`, the FROM in that form) and the output columns."""
        grouped = self.draw(st.booleans())
        items: list[str] = []
        outs: list[Col] = []
        keys: list[str] = []
        for i in range(width):
            name = f"c{i}"
            if grouped and i > 0:
                expr = self.aggregate(rels)
            else:
                expr = self.scalar(rels, key=grouped)
                if grouped:
                    keys.append(expr)
            items.append(f"{expr} AS {name}")
            typed = {r.alias + "." + c.name: c.type for r in rels for c in r.cols}
            typed.update({c.name: c.type for r in rels for c in r.cols})
            outs.append(Col(name, typed.get(expr, "?"), True))
        sql = f"SELECT {', '.join(items)} FROM {from_sql}"
        alt_items, alt_keys = list(items), list(keys)
        conds: list[str] = []
        cond = self.ref(rels, "typed") if self.draw(st.integers(0, 3)) == 0 else None
        if cond is not None:
            conds.append(f"{cond[0]} IS NOT NULL")
            text, col = cond
            owners = [r.alias for r in rels if any(c.name == col.name for c in r.cols)]
            ref = text if "." in text else f"{owners[0]}.{text}"
            sub = f"coalesce({text}, {zero(col.type)})"
            alt_items = [
                read_as(i.rsplit(" AS ", 1)[0], ref, len(owners) == 1, sub)
                + " AS "
                + i.rsplit(" AS ", 1)[1]
                for i in items
            ]
            alt_keys = [read_as(k, ref, len(owners) == 1, sub) for k in keys]
        alt = f"SELECT {', '.join(alt_items)} FROM {from_alt or from_sql}"
        if in_query:
            outer = self.ref(rels)
            assert outer is not None
            conds.append(f"CAST({outer[0]} AS STRING) IN ({in_query})")
        if conds:
            sql += " WHERE " + " AND ".join(conds)
            alt += " WHERE " + " AND ".join(conds)
        if grouped and keys:
            sql += " GROUP BY " + ", ".join(keys)
            alt += " GROUP BY " + ", ".join(alt_keys)
        return sql, alt, outs

    def from_clause(self, visible: dict[str, list[Col]]) -> tuple[str, str, list[Rel]]:
        """FROM one relation, maybe a JOIN to a second, maybe a derived table; also in its
        `filtered_sql` form."""
        names = sorted(visible)
        first = self.draw(st.sampled_from(names))
        rels: list[Rel] = []
        parts: list[str] = []
        alts: list[str] = []
        for i, name in enumerate([first, *([self.draw(st.sampled_from(names))] * 1)]):
            if i == 1 and not self.draw(st.booleans()):
                break
            alias = self.fresh("r")
            if self.draw(st.integers(0, 3)) == 0:  # a derived table over it
                inner_rel = Rel(name, visible[name])
                sub, alt, outs = self.select([inner_rel], name, self.draw(st.integers(1, 3)))
                rel = Rel(alias, outs)
                text = f"({sub}) AS {alias}"
                alt_text = f"({alt}) AS {alias}"
            else:
                rel = Rel(alias, visible[name])
                text = f"{name} AS {alias}" if self.draw(st.integers(0, 4)) else name
                if not text.endswith(alias):
                    rel = Rel(name, visible[name])
                alt_text = text
            if i == 0:
                parts.append(text)
                alts.append(alt_text)
            else:
                if any(r.alias == rel.alias for r in rels):
                    break
                left = self.ref(rels)
                right = self.ref([rel])
                assert left is not None and right is not None
                side = self.draw(st.sampled_from(["JOIN", "LEFT JOIN", "RIGHT JOIN", "FULL JOIN"]))
                l_ref = left[0] if "." in left[0] else f"{rels[0].alias}.{left[0]}"
                r_ref = right[0] if "." in right[0] else f"{rel.alias}.{right[0]}"
                on = f"ON CAST({l_ref} AS STRING) = CAST({r_ref} AS STRING)"
                parts.append(f"{side} {text} {on}")
                alts.append(f"{side} {alt_text} {on}")
            rels.append(rel)
        return " ".join(parts), " ".join(alts), rels


@st.composite
def cases(draw: st.DrawFn) -> Case:
    tables = {f"t{i}": draw(columns(f"t{i}_")) for i in range(draw(st.integers(1, 3)))}
    b = Builder(draw, tables)
    visible: dict[str, list[Col]] = dict(tables)
    ctes: list[str] = []
    alt_ctes: list[str] = []
    notes: list[str] = []
    for _ in range(draw(st.integers(0, 2))):
        free = sorted(set(tables) - {c.split(" ")[0] for c in ctes})
        shadow = bool(free) and draw(st.booleans())
        name = draw(st.sampled_from(free)) if shadow else b.fresh("cte")
        from_sql, from_alt, rels = b.from_clause(visible)
        sql, alt, outs = b.select(rels, from_sql, draw(st.integers(1, 3)), from_alt=from_alt)
        ctes.append(f"{name} AS ({sql})")
        alt_ctes.append(f"{name} AS ({alt})")
        visible[name] = outs  # a CTE named like a table shadows it from here on
        if shadow:
            notes.append(f"CTE {name} shadows table {name}")
    in_query = ""
    if draw(st.integers(0, 4)) == 0:  # an IN subquery, maybe naming a shadowing CTE
        name = draw(st.sampled_from(sorted(tables)))
        in_query = f"SELECT CAST({visible[name][0].name} AS STRING) FROM {name}"
    from_sql, from_alt, rels = b.from_clause(visible)
    sql, alt, _ = b.select(rels, from_sql, draw(st.integers(1, 5)), in_query, from_alt)
    if ctes:
        sql = "WITH " + ", ".join(ctes) + " " + sql
        alt = "WITH " + ", ".join(alt_ctes) + " " + alt
    return Case(tables, sql, notes, alt)
