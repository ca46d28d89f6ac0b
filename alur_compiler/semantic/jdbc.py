"""Rules of an Ingestion's `kind: jdbc` source (AL318, AL413) and of the environments its
job runs in (AL319): one function per rule, listed in JDBC_RULES.

What is checked at compile time, against the declared contract: the incremental and
partition columns exist and have a type a range can be taken on; a `query` is one SELECT
(no second statement, no `SELECT ... INTO`, no data-changing CTE) in the engine's dialect,
and when it names its columns, it returns every NOT NULL contract column. The live
database is compared with the contract by `alurc validate --connect` (not at compile time).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Sequence
from typing import Any, Protocol

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError, TokenError

from alur_compiler.diagnostics import Diagnostics, codes
from alur_compiler.diagnostics.suggest import suggestion_suffix
from alur_compiler.diagnostics.words import count, noun
from alur_compiler.load.source import SourceDoc
from alur_compiler.semantic.sql_expr import SqlLocator
from alur_compiler.semantic.sql_output import ColumnView as _Column

#: sqlglot's dialect of each engine
DIALECTS = {"postgresql": "postgres", "mysql": "mysql"}
#: contract types an incremental high-water mark or a partition range can be taken on
_INTEGRAL = frozenset({"tinyint", "smallint", "int", "bigint"})
_TEMPORAL = frozenset({"date", "timestamp", "timestamp_ntz"})
_DECIMAL0 = re.compile(r"^decimal\(\d+,\s*0\)$")


class _Verdict(Protocol):
    @property
    def doc(self) -> SourceDoc: ...
    @property
    def target(self) -> Any: ...


def jdbc_sources(doc: SourceDoc) -> list[tuple[int, dict[str, Any]]]:
    """(index, spec) of each `kind: jdbc` source of an Ingestion document."""
    sources = doc.data.get("sources")
    if not isinstance(sources, list):
        return []
    return [(i, s) for i, s in enumerate(sources) if isinstance(s, dict) and "kind" in s]


def _contract(j: _Verdict) -> dict[str, _Column]:
    if j.target is None:
        return {}
    return {c.name: c for c in j.target.columns if not c.name.startswith("_")}


def _rangeable(type_: str) -> bool:
    return type_ in _INTEGRAL or type_ in _TEMPORAL or bool(_DECIMAL0.match(type_))


def jdbc_source_alone(j: _Verdict, diags: Diagnostics) -> None:
    sources = j.doc.data.get("sources") or []
    for i, _s in jdbc_sources(j.doc):
        if len(sources) > 1:
            diags.report(
                codes.JDBC_SOURCE,
                "a jdbc source is the only source of its ingestion; this one has "
                + count(len(sources), "source"),
                j.doc.span_of(f"/sources/{i}/kind"),
                hint="write one Ingestion per database table or query, and another for files",
            )


def _column_rule(j: _Verdict, diags: Diagnostics, i: int, key: str, name: object) -> bool:
    """A range column (`incremental`/`partition`) is a contract column of a rangeable type."""
    columns = _contract(j)
    if not isinstance(name, str) or j.target is None:
        return False
    ptr = f"/sources/{i}/{key}/column"
    col = columns.get(name)
    if col is None:
        diags.report(
            codes.JDBC_SOURCE,
            f"{key} column '{name}' is not a column of '{j.target.name}'"
            + suggestion_suffix(name, columns),
            j.doc.span_of(ptr),
            hint="name a column of the bronze contract (the database column is matched to "
            "it by name, or by its source_name)",
        )
        return False
    if not _rangeable(col.type):
        diags.report(
            codes.JDBC_SOURCE,
            f"{key} column '{name}' is {col.type}: a range needs an integer, date or timestamp",
            j.doc.span_of(ptr),
            hint="use an increasing id or an update timestamp",
        )
        return False
    return True


def incremental_column_fits(j: _Verdict, diags: Diagnostics) -> None:
    for i, s in jdbc_sources(j.doc):
        inc = s.get("incremental")
        if isinstance(inc, dict):
            _column_rule(j, diags, i, "incremental", inc.get("column"))


def _bound(value: object, type_: str) -> int | datetime.datetime | None:
    if type_ in _TEMPORAL:
        try:
            return datetime.datetime.fromisoformat(str(value))
        except ValueError:
            return None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def partition_fits(j: _Verdict, diags: Diagnostics) -> None:
    for i, s in jdbc_sources(j.doc):
        part = s.get("partition")
        if not isinstance(part, dict) or not _column_rule(j, diags, i, "partition", part["column"]):
            continue
        type_ = _contract(j)[str(part["column"])].type
        lower, upper = _bound(part.get("lower"), type_), _bound(part.get("upper"), type_)
        for key, value in (("lower", lower), ("upper", upper)):
            if value is None:
                want = "an ISO date or timestamp string" if type_ in _TEMPORAL else "an integer"
                diags.report(
                    codes.JDBC_SOURCE,
                    f"partition {key} {part.get(key)!r} does not fit column "
                    f"'{part['column']}' ({type_})",
                    j.doc.span_of(f"/sources/{i}/partition/{key}"),
                    hint=f"write {want}",
                )
        if lower is not None and upper is not None and not lower < upper:  # type: ignore[operator]
            diags.report(
                codes.JDBC_SOURCE,
                f"partition lower {part['lower']!r} is not below upper {part['upper']!r}",
                j.doc.span_of(f"/sources/{i}/partition/upper"),
                hint="the range [lower, upper] is split into `count` reads",
            )


def _statements(sql: str, dialect: str) -> list[exp.Expr] | str:
    try:
        return [t for t in sqlglot.parse(sql, read=dialect) if t is not None]
    except (ParseError, TokenError) as exc:
        return str(exc).splitlines()[0][:200]


def _not_select(tree: exp.Expr) -> str | None:
    """Why a parsed statement is not a plain read, or None."""
    if not isinstance(tree, exp.Query):
        return f"it is {tree.key.upper()}, not a SELECT"
    if tree.find(exp.Into) is not None:
        return "SELECT ... INTO creates a table"
    for node in tree.find_all(exp.Insert, exp.Update, exp.Delete, exp.Merge, exp.Create):
        return f"it contains {node.key.upper()}"
    if tree.find(exp.Lock) is not None:
        return "FOR UPDATE/FOR SHARE locks the source's rows"
    return None


def query_is_one_select(j: _Verdict, diags: Diagnostics) -> None:
    for i, s in jdbc_sources(j.doc):
        query, dialect = s.get("query"), DIALECTS.get(str(s.get("engine")))
        if not isinstance(query, str) or dialect is None:
            continue
        loc = SqlLocator(j.doc, f"/sources/{i}/query")
        trees = _statements(query, dialect)
        why = trees if isinstance(trees, str) else None
        if isinstance(trees, list):
            many = f"it has {count(len(trees), 'statement')}"
            why = many if len(trees) != 1 else _not_select(trees[0])
        if why is not None:
            diags.report(
                codes.JDBC_QUERY_NOT_SELECT,
                f"the query of a jdbc source must be one SELECT: {why}",
                loc.at(0, max(1, len(query.split("\n", 1)[0]))),
                hint="write one SELECT (WITH ... SELECT, UNION are fine), without ';' "
                "and a second statement",
            )
        elif isinstance(trees, list):
            _query_columns(j, diags, i, trees[0], loc)


def _query_columns(
    j: _Verdict, diags: Diagnostics, i: int, tree: exp.Expr, loc: SqlLocator
) -> None:
    """A query naming all its columns returns every NOT NULL contract column."""
    selects = tree.selects if isinstance(tree, exp.Query) else []
    if not selects or any(isinstance(e, exp.Star) or e.find(exp.Star) for e in selects):
        return
    names = {e.alias_or_name.strip().lower() for e in selects}
    source_names = _source_names(j)
    missing = [
        c.name
        for c in _contract(j).values()
        if not c.nullable and source_names.get(c.name, c.name).strip().lower() not in names
    ]
    if missing:
        diags.report(
            codes.JDBC_SOURCE,
            f"the query does not return the NOT NULL {noun(len(missing), 'column')} "
            + ", ".join(missing),
            loc.at(0, 6),
            hint="select them (by the contract's name or its source_name), or every row "
            "extracted is bad",
        )


def _source_names(j: _Verdict) -> dict[str, str]:
    out: dict[str, str] = {}
    for c in j.target.columns if j.target is not None else ():
        source = getattr(c, "source_name", None)
        if source:
            out[c.name] = str(source)
    return out


JDBC_RULES: tuple[Callable[[Any, Diagnostics], None], ...] = (
    jdbc_source_alone,
    incremental_column_fits,
    partition_fits,
    query_is_one_select,
)


def check_jdbc_source(j: _Verdict, diags: Diagnostics) -> None:
    """The JDBC_RULES (an INGESTION_RULES rule)."""
    if not jdbc_sources(j.doc):
        return
    for rule in JDBC_RULES:
        rule(j, diags)


class JdbcEnvironmentView(Protocol):
    @property
    def name(self) -> str: ...
    @property
    def secrets(self) -> tuple[tuple[str, str], ...]: ...
    @property
    def network(self) -> object | None: ...


def check_jdbc_environments(
    docs: Sequence[SourceDoc], envs: Sequence[JdbcEnvironmentView], diags: Diagnostics
) -> None:
    """AL319: every environment maps each jdbc source's secret to an ARN and has a network."""
    for doc in docs:
        for i, s in jdbc_sources(doc):
            secret = s.get("secret")
            if not isinstance(secret, str):
                continue
            for env in envs:
                declared = dict(env.secrets)
                if secret not in declared:
                    diags.report(
                        codes.MISSING_SECRET,
                        f"secret '{secret}' is not declared in environment {env.name}"
                        + suggestion_suffix(secret, declared),
                        doc.span_of(f"/sources/{i}/secret"),
                        hint=f"add `secrets: {{{secret}: arn:aws:secretsmanager:...}}` to "
                        f"environments.{env.name} in alur.yaml",
                    )
                if env.network is None:
                    diags.report(
                        codes.MISSING_SECRET,
                        f"environment {env.name} has no `network`: this jdbc source's job "
                        "needs a subnet and security groups to reach the database",
                        doc.span_of(f"/sources/{i}/kind"),
                        hint=f"add `network: {{subnet: subnet-..., security_groups: [sg-...], "
                        f"availability_zone: ...}}` to environments.{env.name} in alur.yaml",
                    )
