"""The normalised Spark type name of an annotated sqlglot node."""

from __future__ import annotations

from sqlglot import exp

from alur_compiler.semantic.sql_parse import SPARK
from alur_compiler.semantic.types import TypeSyntaxError, normalize_type

_T = exp.DataType.Type
#: parameterless types, mapped without running the SQL generator (it dominates otherwise)
_SIMPLE_TYPES = {
    _T.TEXT: "string",
    _T.VARCHAR: "string",
    _T.BOOLEAN: "boolean",
    _T.TINYINT: "tinyint",
    _T.SMALLINT: "smallint",
    _T.INT: "int",
    _T.BIGINT: "bigint",
    _T.FLOAT: "float",
    _T.DOUBLE: "double",
    _T.DATE: "date",
    _T.TIMESTAMP: "timestamp",
    _T.TIMESTAMPTZ: "timestamp",
    _T.TIMESTAMPLTZ: "timestamp",
    _T.TIMESTAMPNTZ: "timestamp_ntz",
    _T.BINARY: "binary",
}


def type_of(node: exp.Expr) -> str | None:
    """The node's Spark type (`int`, `decimal(12,2)`), None when unknown."""
    dtype = node.type
    if dtype is None or dtype.this in (_T.UNKNOWN, _T.NULL):
        return None
    try:
        simple = _SIMPLE_TYPES.get(dtype.this)
        if simple is not None and not dtype.expressions:
            return simple
        decimal = _decimal(dtype)
        return decimal if decimal is not None else normalize_type(dtype.sql(dialect=SPARK))
    except TypeSyntaxError:
        return None


def _decimal(dtype: exp.DataType) -> str | None:
    """`decimal(p,s)` read from the node (the SQL generator costs ~0.2 ms a call), checked by
    `normalize_type` like every other type (TypeSyntaxError for an invalid p or s)."""
    if dtype.this != _T.DECIMAL:
        return None
    params = [p.this for p in dtype.expressions if isinstance(p, exp.DataTypeParam)]
    if len(params) != 2 or not all(isinstance(v, exp.Literal) for v in params):
        return None
    precision, scale = (str(v.this) for v in params)
    if not (precision.isdigit() and scale.isdigit()):
        return None
    return normalize_type(f"decimal({int(precision)},{int(scale)})")
