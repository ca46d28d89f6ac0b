"""`alurc show` / `alurc query` over the local warehouse, by the contracts' names.

What a name means (specs/local.md): `orders` or `silver.orders` is the table; a silver or
gold table's `orders_quarantine` and, for a merge target, `orders__alur_tombstones` are the
Iceberg tables beside it; a bronze table's `orders_raw_quarantine` is the union of the
ingestion's quarantined rows and check failures (`lake/quarantine/<table>/{rows,checks}`).
Silver and gold live in the Iceberg catalog `glue_catalog` (namespaces
`<project>_local_<layer>`, files under `<warehouse>/iceberg/`); bronze is Parquet under
`<warehouse>/lake/bronze/<table>/`. A query is parsed with sqlglot (Spark dialect), must be
ONE SELECT (or WITH ... SELECT, or a set operation), and every table it reads is replaced by
a temporary view of that relation, so nothing it can say writes to the warehouse.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alur_compiler.diagnostics.suggest import UnknownName
from alur_compiler.ir import Layer, Project, WriteMode
from alur_compiler.ir.layout import ICEBERG_CATALOG, quarantine_table
from alur_compiler.ir.quoting import quote_path
from alur_runtime.spark_paths import literal

TOMBSTONES = "__alur_tombstones"  # alur_runtime/merge.py TOMBSTONE_SUFFIX
ONE_SELECT = "write one SELECT (or WITH ... SELECT); show and query never write"


class QueryError(Exception):
    """A query alurc refuses, or a relation not written yet; `message` and `hint`."""

    def __init__(self, message: str, hint: str, usage: bool = True, missing: bool = False):
        self.message = message
        self.hint = hint
        self.usage = usage  # True: the user's input (exit 2); False: the warehouse (exit 1)
        self.missing = missing  # the relation was never written
        super().__init__(message)


@dataclass(frozen=True)
class Relation:
    name: str  # as the user writes it: orders, orders_quarantine, ...
    table: str  # the contract it belongs to
    layer: Layer
    iceberg: str | None = None  # glue_catalog.<db>.<name>
    parquet: tuple[Path, ...] = ()  # bronze (and its quarantine) folders
    ddl: str | None = None  # bronze reader schema
    order_by: tuple[str, ...] = ()  # the primary key, for stable output

    @property
    def view(self) -> str:
        return f"__alur_{self.layer}_{self.name}"


#: char(n) / varchar(n): Spark stores both as string and refuses them in a reader schema
#: (UNSUPPORTED_CHAR_OR_VARCHAR_AS_STRING); the runtime's bronze reader does the same
#: (alur_runtime.conform.reader_ddl)
_CHAR = re.compile(r"\b(?:var)?char\s*\(\s*\d+\s*\)", re.IGNORECASE)


def _ddl(columns: Any) -> str:
    """A bronze table's reader schema."""
    return ", ".join(
        f"`{c.name.replace('`', '``')}` {_CHAR.sub('string', c.type)}" for c in columns
    )


def relations(project: Project, args: Mapping[str, str]) -> dict[str, Relation]:
    """Every name a query may read -> its relation (plain and layer-qualified names)."""
    out: dict[str, Relation] = {}
    merged = {p.target for p in project.pipelines if p.mode is WriteMode.MERGE}
    lake = Path(args["alur_lake"])
    for t in project.tables:
        layer = t.layer
        found: list[Relation] = []
        if layer is Layer.BRONZE:
            found.append(
                Relation(t.name, t.name, layer, None, (lake / "bronze" / t.name,), _ddl(t.columns))
            )
            q = lake / "quarantine" / t.name
            found.append(
                Relation(quarantine_table(t.name), t.name, layer, None, (q / "rows", q / "checks"))
            )
        else:
            db = args[f"alur_db_{layer}"]
            names = [t.name, quarantine_table(t.name)]
            names += [t.name + TOMBSTONES] if t.name in merged else []
            for name in names:
                iceberg = ICEBERG_CATALOG + "." + quote_path(db, name)
                found.append(Relation(name, t.name, layer, iceberg))
        for rel in found:
            if rel.name == t.name:
                rel = Relation(**{**rel.__dict__, "order_by": t.primary_key})
            out.setdefault(rel.name, rel)
            out[f"{layer}.{rel.name}"] = rel
    return out


def lookup(known: Mapping[str, Relation], name: str) -> Relation:
    if name in known:
        return known[name]
    hint = "tables, their _quarantine and (merge targets) __alur_tombstones, e.g. silver.orders"
    qualified = "." in name  # suggest silver.orders for silver.ordrs, orders for ordrs
    raise UnknownName("table", name, (n for n in known if ("." in n) == qualified), hint)


def rewrite(sql: str, known: Mapping[str, Relation]) -> tuple[str, list[Relation]]:
    """The query with every table replaced by the view of its relation, and the relations
    it reads. QueryError unless it is one read-only query; UnknownName for a bad table."""
    import sqlglot
    from sqlglot import exp
    from sqlglot.errors import ParseError

    try:
        trees = [t for t in sqlglot.parse(sql, read="spark") if t is not None]
    except ParseError as exc:
        first = str(exc).splitlines()[0] if str(exc) else "syntax error"
        raise QueryError(f"the query does not parse: {first}", ONE_SELECT) from None
    if len(trees) != 1:
        raise QueryError(f"expected one statement, got {len(trees)}", ONE_SELECT)
    tree = trees[0]
    if not isinstance(tree, exp.Query):
        raise QueryError(f"only a SELECT can run here, not {tree.key.upper()}", ONE_SELECT)
    ctes = {cte.alias_or_name.lower() for cte in tree.find_all(exp.CTE)}
    used: dict[str, Relation] = {}
    for table in list(tree.find_all(exp.Table)):
        if not isinstance(table.this, exp.Identifier):
            continue  # a table-valued function such as range(10)
        if table.catalog or (not table.db and table.name.lower() in ctes):
            if table.catalog:
                raise QueryError(
                    f"'{table.sql(dialect='spark')}' names a catalog",
                    "write the contract's name (orders, silver.orders), not a catalog path",
                )
            continue
        written = f"{table.db}.{table.name}" if table.db else table.name
        rel = lookup(known, written.lower())
        used[rel.view] = rel
        alias = table.alias or table.name  # `orders.id` and `silver.orders` keep working
        table.replace(exp.alias_(exp.to_table(rel.view), alias, table=True))
    return tree.sql(dialect="spark"), list(used.values())


def register(spark: Any, rel: Relation) -> None:
    """A temporary view of the relation; QueryError (exit 1) if it was never written."""
    if rel.iceberg is not None:
        try:
            df = spark.table(rel.iceberg)
        except Exception:
            raise _not_written(rel) from None
    else:
        frames = [_parquet(spark, p, rel.ddl) for p in rel.parquet if p.exists()]
        if not frames:
            raise _not_written(rel)
        df = frames[0]
        for other in frames[1:]:
            df = df.unionByName(other, allowMissingColumns=True)
    df.createOrReplaceTempView(rel.view)


def _parquet(spark: Any, path: Path, ddl: str | None) -> Any:
    reader = spark.read.schema(ddl) if ddl else spark.read
    return reader.parquet(literal(str(path)))


def _not_written(rel: Relation) -> QueryError:
    if rel.name.endswith(TOMBSTONES):
        return QueryError(
            f"{rel.layer}.{rel.name} does not exist: no key of {rel.table} was deleted yet",
            f"it is created by the first delete that a merge into {rel.table} applies",
            usage=False,
            missing=True,
        )
    return QueryError(
        f"{rel.layer}.{rel.name} is not in the local warehouse yet",
        f"`alurc run --local +{rel.table}` builds it and what it reads",
        usage=False,
        missing=True,
    )


def show_sql(project: Project, name: str, options: Any) -> str:
    """The query of `alurc show NAME`: the chosen columns, the filter, primary key order."""
    from alur_compiler.ir.quoting import quote_ident

    known = relations(project, {"alur_lake": "", **_dbs(project)})
    rel = lookup(known, name)
    if options.columns and rel.name == rel.table:
        table = project.table(rel.table)
        missing = [c for c in options.columns if c not in table.column_names]
        if missing:
            raise UnknownName("column", missing, table.column_names, f"columns of {rel.table}")
    cols = ", ".join(quote_ident(c) for c in options.columns) or "*"
    sql = f"SELECT {cols} FROM {name}"
    if options.where:
        sql += f" WHERE {options.where}"
    if rel.order_by:
        sql += " ORDER BY " + ", ".join(quote_ident(c) for c in rel.order_by)
    return sql


def _dbs(project: Project) -> dict[str, str]:
    from alur_compiler.ir.layout import LOCAL_ENV, database

    return {f"alur_db_{layer}": database(project.name, LOCAL_ENV, str(layer)) for layer in Layer}
