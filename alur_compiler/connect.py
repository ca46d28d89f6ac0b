"""`alurc validate --connect`: each jdbc source's live columns against its bronze contract.

For every ingestion with a jdbc source, the credentials are taken as a local run takes
them (alur_runtime/secrets.py: ALURC_SECRET_<NAME>_* or the local secrets file, never
printed); the source (`table`, or the `query` as a sub-select) is asked for its columns
with `SELECT * FROM (...) WHERE false`, and each contract column is compared (AL320 at the
column in the contract, file:line:col):

- a column the source lacks (matched as the job matches it: `source_name` exactly, else
  the name ignoring case);
- a source type whose values the contract type cannot hold, so rows would be bad:
  text into a number, a timestamp into a date, an array into a scalar, a bigger integer
  into a smaller one, a numeric of more integer digits.

PostgreSQL only (psycopg, `pip install 'alur-compiler[connect]'`); a MySQL source is
reported as not checked. A source that cannot be reached is one AL320 at the source.
"""

from __future__ import annotations

import re
from typing import Any

from alur_compiler.diagnostics import Diagnostics, Span, codes
from alur_compiler.ir import Ingestion, Project, Table
from alur_compiler.ir.jdbc import JdbcSource

#: PostgreSQL type (format_type, without modifiers) -> the Spark type family it reads as
_PG_FAMILY = {
    "smallint": "smallint",
    "integer": "int",
    "bigint": "bigint",
    "real": "float",
    "double precision": "double",
    "numeric": "decimal",
    "boolean": "boolean",
    "date": "date",
    "timestamp without time zone": "timestamp",
    "timestamp with time zone": "timestamp",
}
_INTEGERS = ("tinyint", "smallint", "int", "bigint")
#: contract type family -> source families whose every value it holds
_HOLDS = {
    "tinyint": {"tinyint"},
    "smallint": {"tinyint", "smallint"},
    "int": {"tinyint", "smallint", "int"},
    "bigint": {"tinyint", "smallint", "int", "bigint"},
    "float": {"float", "tinyint", "smallint"},
    "double": {"float", "double", "tinyint", "smallint", "int"},
    "decimal": {"decimal", "tinyint", "smallint", "int", "bigint"},
    "boolean": {"boolean"},
    "date": {"date"},
    "timestamp": {"timestamp", "date"},
}


def family(contract_type: str) -> str:
    return re.split(r"[(<]", contract_type, maxsplit=1)[0].strip()


def source_family(pg_type: str) -> str:
    """`integer[]` -> `array<int>`; unknown types (text, uuid, json, ...) -> `string`."""
    if pg_type.endswith("[]"):
        return f"array<{source_family(pg_type[:-2])}>"
    base = re.sub(r"\(.*\)", "", pg_type).strip()
    return _PG_FAMILY.get(base, "string")


def fits(contract_type: str, pg_type: str) -> bool:
    """Whether every value of the source type casts to the contract type."""
    src = source_family(pg_type)
    if contract_type.startswith("array<"):
        inner = contract_type[len("array<") : -1]
        return src.startswith("array<") and fits(inner, pg_type[:-2])
    if src.startswith("array<") or contract_type.startswith(("map<", "struct<")):
        return contract_type == "string" and not src.startswith("array<")
    want = family(contract_type)
    if want == "string":
        return True
    if want == "decimal" and src == "decimal":
        return _numeric_fits(contract_type, pg_type)
    return src in _HOLDS.get(want, set())


def _numeric_fits(contract_type: str, pg_type: str) -> bool:
    want = re.findall(r"\d+", contract_type)
    have = re.findall(r"\d+", pg_type)
    if len(want) != 2 or len(have) != 2:
        return len(have) != 0 or len(want) == 0  # an unbounded numeric fits nowhere smaller
    (p, s), (hp, hs) = map(int, want), map(int, have)
    return p - s >= hp - hs and s >= hs


def check_live_sources(project: Project, diags: Diagnostics) -> None:
    for ingestion in project.ingestions:
        if ingestion.jdbc is not None:
            _check(project, ingestion, ingestion.jdbc, diags)


def _check(project: Project, ing: Ingestion, source: JdbcSource, diags: Diagnostics) -> None:
    table = project.table(ing.target)
    if source.engine != "postgresql":
        diags.report(
            codes.SOURCE_NOT_CHECKED,
            f"{source.engine} source of '{ing.name}' not checked: --connect reads PostgreSQL only",
            source.span,
            hint="its columns are checked when the job runs",
        )
        return
    try:
        columns = live_columns(project, source)
    except Exception as exc:  # any driver or credential failure is reported
        diags.report(
            codes.SOURCE_DRIFT,
            f"cannot read the columns of {source.identity}: {_clean(exc)}",
            source.span,
            hint="check the host, the database and the secret's credentials "
            f"(ALURC_SECRET_{source.secret.upper()}_USERNAME / _PASSWORD)",
        )
        return
    compare(table, source, columns, diags)


def compare(table: Table, source: JdbcSource, live: dict[str, str], diags: Diagnostics) -> None:
    """Report each contract column the live `name -> type` columns lack or cannot fill."""
    folded = {name.strip().lower(): name for name in live}
    for col in table.columns:
        if col.name.startswith("_"):
            continue
        name = col.source_name if col.source_name is not None else folded.get(col.name)
        if name is None or name not in live:
            diags.report(
                codes.SOURCE_DRIFT,
                f"column '{col.name}' is not in {source.identity}; it has "
                + ", ".join(sorted(live)),
                _at(col.span, table),
                hint="rename it (or set source_name), or drop it from the contract"
                + ("" if col.nullable else ": as NOT NULL it makes the whole extraction bad"),
            )
        elif not fits(col.type, live[name]):
            diags.report(
                codes.SOURCE_DRIFT,
                f"column '{col.name}' is {col.type} but {source.identity} has {name!r} as "
                f"{live[name]}: values that do not fit become bad rows",
                _at(col.span, table),
                hint=f"declare a type that holds {live[name]}, e.g. {_suggest(live[name])}",
            )


def _suggest(pg_type: str) -> str:
    fam = source_family(pg_type)
    if fam == "decimal":
        digits = re.findall(r"\d+", pg_type)
        return f"decimal({digits[0]},{digits[1]})" if len(digits) == 2 else "decimal(38,18)"
    return fam


def _at(span: Span, table: Table) -> Span:
    return span if span.file != "<unknown>" else table.span


def _clean(exc: Exception) -> str:
    return " ".join(str(exc).split())[:300]


def live_columns(project: Project, source: JdbcSource) -> dict[str, str]:
    """The source's columns, name -> PostgreSQL type (format_type), in order."""
    import psycopg

    from alur_runtime.secrets import resolve

    creds = resolve(source.secret, {"alur_mode": "local", "alur_project_root": project.root})
    relation = source.table if source.table else f"({source.query}) alur_query"
    with psycopg.connect(
        host=creds.get("host", source.host),
        port=int(creds.get("port", source.port)),
        dbname=creds.get("database", source.database),
        user=creds["username"],
        password=creds["password"],
        connect_timeout=10,
    ) as conn:
        cur = conn.execute(f"SELECT * FROM {relation} WHERE false")  # validated: one SELECT
        described: list[Any] = list(cur.description or [])
        oids = sorted({d.type_code for d in described})
        names: dict[int, str] = dict(
            conn.execute(
                "SELECT oid::int, format_type(oid, NULL) FROM pg_type WHERE oid = ANY(%s)",
                (oids,),
            ).fetchall()
        )
        out: dict[str, str] = {}
        for d in described:
            out[d.name] = _with_modifier(names.get(d.type_code, "text"), d)
        return out


def _with_modifier(type_name: str, d: Any) -> str:
    """numeric(p,s) when the column declares them (psycopg's precision/scale)."""
    if type_name == "numeric" and d.precision is not None:
        return f"numeric({d.precision},{d.scale or 0})"
    return type_name
