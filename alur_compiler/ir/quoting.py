"""Identifier quoting for the Spark SQL the compiler writes: the one place it is spelled.

Every column or table name that comes from YAML and ends up in generated SQL goes through
`quote_ident`, so a back-quote in a name cannot end the identifier early.
"""

from __future__ import annotations


def quote_ident(name: str) -> str:
    """A name as a back-quoted Spark identifier (back-quotes inside doubled)."""
    return "`" + name.replace("`", "``") + "`"


def quote_path(*parts: str) -> str:
    """A dotted, quoted name: `quote_path("glue_catalog", "db", "t")` -> `glue_catalog`.`db`.`t`."""
    return ".".join(quote_ident(p) for p in parts)
