"""dbt habits in a pipeline's SQL: Jinja (`{{ ref('x') }}`, `{% if %}`, `{# #}`).

alurc's SQL is plain Spark SQL: a pipeline names the tables it reads and alurc finds the
dependencies in the SQL itself, so there is no `ref()` or `source()`. Each Jinja tag gets
one diagnostic (AL412) at its exact position with the plain replacement as the hint; the
SQL is then not parsed at all, so no syntax error is reported on top (sql_parse.py).
"""

from __future__ import annotations

import re

from alur_compiler.diagnostics import codes
from alur_compiler.semantic.sql_parse import SqlProblem

#: a Jinja tag, shortest match; an unclosed opener runs to the end of its line
_TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}|\{\{|\{%|\{#", re.DOTALL)
_STR = r"""\s*(?:'([^']*)'|"([^"]*)")\s*"""
_REF = re.compile(r"^\{\{-?\s*ref\s*\((?:" + _STR + r",)?" + _STR + r"\)\s*-?\}\}$")
_SOURCE = re.compile(r"^\{\{-?\s*source\s*\(" + _STR + "," + _STR + r"\)\s*-?\}\}$")
_CALL = re.compile(r"^\{\{-?\s*(\w+)")

_NO_JINJA = "alurc SQL is plain Spark SQL, without Jinja"


def find_jinja(sql: str) -> list[SqlProblem]:
    """One problem per Jinja tag in `sql` (none for plain SQL)."""
    if "{{" not in sql and "{%" not in sql and "{#" not in sql:
        return []
    problems: list[SqlProblem] = []
    for found in _TAG.finditer(_blank_comments(sql)):
        tag = found.group(0)
        length = len(tag.split("\n", 1)[0])
        message, hint = describe(tag)
        problems.append(SqlProblem(codes.SQL_JINJA, message, found.start(), length, hint))
    return problems


def _blank_comments(sql: str) -> str:
    """`sql` with its SQL comments (`-- ...`, `/* ... */`) blanked out, same offsets: a
    tag there is inert. Quoted strings and identifiers are kept (a `--` in them is text)."""
    out = list(sql)
    i, n = 0, len(sql)
    while i < n:
        ch = sql[i]
        if ch in "'\"`":
            end = i + 1
            while end < n and sql[end] != ch:
                end += 2 if sql[end] == "\\" and ch != "`" else 1
            i = end + 1
        elif sql.startswith("--", i) or sql.startswith("/*", i):
            end = sql.find("\n", i) if sql[i] == "-" else sql.find("*/", i + 2)
            end = n if end < 0 else (end if sql[i] == "-" else end + 2)
            out[i:end] = [c if c == "\n" else " " for c in sql[i:end]]
            i = end
        else:
            i += 1
    return "".join(out)


def describe(tag: str) -> tuple[str, str]:
    """(message, hint) for one Jinja tag."""
    shown = " ".join(tag.split())
    shown = shown if len(shown) <= 60 else shown[:57] + "..."
    ref = _REF.match(tag)
    if ref is not None:
        table = ref.group(3) if ref.group(3) is not None else ref.group(4)
        return (
            f"'{shown}' is dbt's ref(): {_NO_JINJA}",
            f"write the table name: {table}",
        )
    source = _SOURCE.match(tag)
    if source is not None:
        table = source.group(3) if source.group(3) is not None else source.group(4)
        return (
            f"'{shown}' is dbt's source(): {_NO_JINJA}",
            f"write the table name: {table} (the bronze table an ingestion loads)",
        )
    if tag.startswith("{#"):
        return (
            f"'{shown}' is a Jinja comment: {_NO_JINJA}",
            "write a SQL comment: -- ... or /* ... */",
        )
    if tag.startswith("{%"):
        return (
            f"'{shown}' is a Jinja statement: {_NO_JINJA}",
            "write the SQL out (CASE WHEN, UNION ALL); incremental reads and write modes "
            "are set in the pipeline's YAML (incremental:, mode:)",
        )
    call = _CALL.match(tag)
    name = call.group(1) if call is not None else ""
    if name == "config":
        return (
            f"'{shown}' is dbt's config(): {_NO_JINJA}",
            "set the write mode and keys in the pipeline's YAML (mode:, merge:)",
        )
    if name == "this":
        return (
            f"'{shown}' is dbt's {{{{ this }}}}: {_NO_JINJA}",
            "a pipeline never reads its own target; name the table you mean",
        )
    return (
        f"'{shown}' is a Jinja expression: {_NO_JINJA}",
        "write the value or the table name itself",
    )
