"""The result types of numeric SQL exactly as Spark 3.5's analyzer computes them.

sqlglot's type annotator is right about most types but not about Spark's decimals (it
says DECIMAL(10,2) for SUM of a DECIMAL(10,2), where Spark says DECIMAL(20,2)), nor about
literals (`2.5` is DECIMAL(2,1) in Spark, DOUBLE in sqlglot). `retype` re-derives, bottom
up, the type of every node of the kinds below from its children's types, with Spark's rules
(`spark.sql.decimalOperations.allowPrecisionLoss` true and
`spark.sql.legacy.literal.pickMinimumPrecision` true, the defaults, as on Glue 5.0):

- literals: an integer is INT, else BIGINT, else DECIMAL(digits,0); `2.5` is DECIMAL(2,1)
  (precision and scale as written); `1e3` DOUBLE; `1L`/`1S`/`1Y`/`1D`/`1F`/`1.0BD` their
  suffix's type;
- `+ - * / %` and `div`: integral and floating operands widen (tinyint < smallint < int <
  bigint < float < double); `/` of non-decimals is DOUBLE; a decimal with a float or double
  is DOUBLE; a decimal with an integral becomes decimal with the integral as DECIMAL(3,0),
  (5,0), (10,0), (20,0), or, for an integer literal, the digits it needs; then, for
  DECIMAL(p1,s1) op DECIMAL(p2,s2):
  `+ -`: scale max(s1,s2), precision max(p1-s1, p2-s2) + scale + 1;
  `*`: (p1+p2+1, s1+s2); `/`: scale max(6, s1+p2+1), precision p1-s1+s2 + scale;
  `%`: scale max(s1,s2), precision min(p1-s1, p2-s2) + scale;
  a precision above 38 becomes 38 and the scale max(38 - integer digits, min(scale, 6));
- SUM: integral -> BIGINT, floating -> DOUBLE, DECIMAL(p,s) -> DECIMAL(min(38,p+10), s);
  AVG: DOUBLE, DECIMAL(p,s) -> DECIMAL(min(38,p+4), min(38,s+4)); MIN/MAX keep the type;
  COUNT is BIGINT;
- COALESCE, CASE, IF, NVL, GREATEST, LEAST: the wider type of their values (two decimals:
  scale max(s1,s2), integer digits max(p1-s1, p2-s2), capped at 38).

Where a rule's input is not a number or not known, the node keeps sqlglot's type, except
that a decimal derived from a node this module does not model becomes unknown: alurc would
rather say nothing about a type than check against a wrong one.
tests/integration/test_sql_analyzer_oracle.py compares the results with Spark's analyzer.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from functools import cache

from sqlglot import exp
from sqlglot.optimizer.scope import Scope, traverse_scope

_T = exp.DataType.Type
#: a Spark numeric type: a name, or ("decimal", precision, scale)
Num = str | tuple[str, int, int]

_RANK = {"tinyint": 0, "smallint": 1, "int": 2, "bigint": 3, "float": 4, "double": 5}
_INTEGRAL_DIGITS = {"tinyint": 3, "smallint": 5, "int": 10, "bigint": 20}
_NAMES = {
    _T.TINYINT: "tinyint",
    _T.SMALLINT: "smallint",
    _T.INT: "int",
    _T.BIGINT: "bigint",
    _T.FLOAT: "float",
    _T.DOUBLE: "double",
}
MAX = 38
_MIN_ADJUSTED_SCALE = 6


def adjust(precision: int, scale: int) -> Num:
    """Spark's DecimalType.adjustPrecisionScale (precision loss allowed)."""
    if precision <= MAX:
        return ("decimal", precision, scale)
    digits = precision - scale
    return ("decimal", MAX, max(MAX - digits, min(scale, _MIN_ADJUSTED_SCALE)))


def bounded(precision: int, scale: int) -> Num:
    return ("decimal", min(precision, MAX), min(scale, MAX))


def num_of(dtype: exp.DataType | None) -> Num | None:
    if dtype is None:
        return None
    name = _NAMES.get(dtype.this)
    if name is not None:
        return name
    if dtype.this == _T.DECIMAL:
        params = [p.this for p in dtype.expressions if isinstance(p, exp.DataTypeParam)]
        if not params:
            return ("decimal", 10, 0)
        values = [str(v.this) for v in params if isinstance(v, exp.Literal)]
        if len(values) == len(params) and all(v.isdigit() for v in values):
            p = int(values[0])
            return ("decimal", p, int(values[1]) if len(values) > 1 else 0)
    return None


@cache
def dtype_of(num: Num) -> exp.DataType:
    text = num if isinstance(num, str) else f"decimal({num[1]},{num[2]})"
    return exp.DataType.build(text, dialect="spark")


def _as_decimal(num: Num, literal: exp.Expr | None) -> tuple[int, int] | None:
    if not isinstance(num, str):
        return num[1], num[2]
    if num not in _INTEGRAL_DIGITS:
        return None
    if literal is not None:
        value = _integer_literal(literal)
        if value is not None:
            return max(len(str(abs(value))), 1), 0
    return _INTEGRAL_DIGITS[num], 0


def _integer_literal(node: exp.Expr) -> int | None:
    """The value of an integer literal (`-1`, `100`, `5L`), as Spark's parser sees one."""
    inner = node.this if isinstance(node, exp.Neg | exp.TryCast) else node
    if isinstance(node, exp.TryCast) and (
        not isinstance(inner, exp.Literal) or "safe" in node.args  # CAST(1 AS BIGINT)
    ):
        return None
    if isinstance(inner, exp.Literal) and not inner.is_string and str(inner.this).isdigit():
        return int(str(inner.this))
    return None


def literal(node: exp.Literal) -> Num | None:
    """A numeric literal's Spark type."""
    text = str(node.this)
    if node.is_string:
        return None
    if text.isdigit():
        value = int(text)
        if value < 2**31:
            return "int"
        return "bigint" if value < 2**63 else bounded(len(text), 0)
    if "e" in text.lower():
        return "double"
    try:
        _sign, digits, exponent = Decimal(text).as_tuple()
    except InvalidOperation:
        return None
    if not isinstance(exponent, int):
        return None
    scale = max(-exponent, 0)
    precision = max(len(digits) if any(digits) else 1, scale)
    return ("decimal", precision, scale) if precision <= MAX else "double"


def arithmetic(
    op: type[exp.Expr], left: Num, right: Num, lnode: exp.Expr, rnode: exp.Expr
) -> Num | None:
    if op is exp.IntDiv:
        return "bigint"
    if isinstance(left, str) and isinstance(right, str):
        if left not in _RANK or right not in _RANK:
            return None
        if op is exp.Div:
            return "double"
        return left if _RANK[left] >= _RANK[right] else right
    if left in ("float", "double") or right in ("float", "double"):
        return "double"
    a = _as_decimal(left, lnode)
    b = _as_decimal(right, rnode)
    if a is None or b is None:
        return None
    (p1, s1), (p2, s2) = a, b
    if op in (exp.Add, exp.Sub):
        scale = max(s1, s2)
        return adjust(max(p1 - s1, p2 - s2) + scale + 1, scale)
    if op is exp.Mul:
        return adjust(p1 + p2 + 1, s1 + s2)
    if op is exp.Div:
        scale = max(_MIN_ADJUSTED_SCALE, s1 + p2 + 1)
        return adjust(p1 - s1 + s2 + scale, scale)
    if op is exp.Mod:
        scale = max(s1, s2)
        return adjust(min(p1 - s1, p2 - s2) + scale, scale)
    return None


def wider(a: Num, b: Num) -> Num | None:
    """Spark's findWiderTypeForTwo on numbers."""
    if a == b:
        return a
    if isinstance(a, str) and isinstance(b, str):
        if a in _RANK and b in _RANK:
            return a if _RANK[a] >= _RANK[b] else b
        return None
    if a in ("float", "double") or b in ("float", "double"):
        return "double"
    x, y = _as_decimal(a, None), _as_decimal(b, None)
    if x is None or y is None:
        return None
    scale = max(x[1], y[1])
    return bounded(max(x[0] - x[1], y[0] - y[1]) + scale, scale)


def aggregate(node: exp.Expr, arg: Num) -> Num | None:
    if isinstance(node, exp.Sum):
        if isinstance(arg, str):
            return "bigint" if arg in _INTEGRAL_DIGITS else "double" if arg in _RANK else None
        return ("decimal", min(MAX, arg[1] + 10), arg[2])
    if isinstance(node, exp.Avg):
        if isinstance(arg, str):
            return "double" if arg in _RANK else None
        return bounded(arg[1] + 4, arg[2] + 4)
    return arg  # min, max


_BINARY = (exp.Add, exp.Sub, exp.Mul, exp.Div, exp.Mod, exp.IntDiv)
_AGGREGATES = (exp.Sum, exp.Avg, exp.Min, exp.Max)
_CHOICES = (exp.Coalesce, exp.Case, exp.If, exp.Greatest, exp.Least)
_PASS = (exp.Paren, exp.Alias, exp.Window)
_UNKNOWN = exp.DataType.build("unknown")
_KEEP = "keep"  # the node's sqlglot type stands


#: the node classes `_rule` has a rule for; any other node keeps its type (`_KEEP`)
_RULED = (exp.Literal, exp.Cast, exp.Neg, *_PASS, *_BINARY, exp.Count, *_AGGREGATES, *_CHOICES)


def _kind(cls: type) -> int:
    """What `retype` does with a node of class `cls` (sqlglot's classes have the plain
    metaclass, so `isinstance(node, C)` is `issubclass(type(node), C)`): 0 skip it
    (typed elsewhere), 1 skip unless it is the root (a query), 2 apply `_rule`, 3 `_KEEP`
    (what `_rule` returns for it)."""
    if issubclass(cls, exp.DataType | exp.Column):
        return 0
    if issubclass(cls, exp.Query):
        return 1
    return 2 if issubclass(cls, _RULED) else 3


_KINDS: dict[type, int] = {}


def retype(root: exp.Expr) -> None:
    """Give every node of `root` (children first) its Spark type; the columns' types must
    be set already. Nested queries and type names are not entered."""
    nodes = list(root.walk(prune=lambda n: isinstance(n, exp.Query | exp.DataType)))
    for node in reversed(nodes):
        cls = type(node)
        kind = _KINDS.get(cls)
        if kind is None:
            kind = _KINDS[cls] = _kind(cls)
        if kind == 0 or (kind == 1 and node is not root):
            continue
        num = _rule(node) if kind != 3 else _KEEP
        if num == _KEEP:
            kept = num_of(node.type)
            if kept is not None and not isinstance(kept, str):
                node.type = _UNKNOWN  # a decimal from a function this module does not model
            continue
        node.type = dtype_of(num) if num is not None else _UNKNOWN


def _num(node: exp.Expr | None) -> Num | None:
    return num_of(node.type) if node is not None else None


def _rule(node: exp.Expr) -> Num | str | None:
    """Spark's type of `node` from its children's, `_KEEP`, or None (unknown)."""
    if isinstance(node, exp.Literal):
        return _KEEP if node.is_string else (literal(node) or _KEEP)
    if isinstance(node, exp.Cast):  # CAST, TRY_CAST and suffixed literals: the target type
        return num_of(node.to) or _KEEP
    if isinstance(node, exp.Neg):
        value = _integer_literal(node)
        if value is not None and isinstance(node.this, exp.Literal):
            return "int" if value <= 2**31 else "bigint" if value <= 2**63 else _KEEP
        return _num(node.this) or _KEEP
    if isinstance(node, _PASS):
        return _num(node.this) or _KEEP
    if isinstance(node, _BINARY):
        left, right = _num(node.left), _num(node.right)
        if left is None or right is None:
            return _KEEP
        return arithmetic(type(node), left, right, node.left, node.right)
    if isinstance(node, exp.Count):
        return "bigint"
    if isinstance(node, _AGGREGATES):
        arg = _num(node.this)
        return aggregate(node, arg) if arg is not None else _KEEP
    if isinstance(node, _CHOICES):
        return _choice(node)
    return _KEEP


def _choice(node: exp.Expr) -> Num | str | None:
    if isinstance(node, exp.Case):
        values = [i.args.get("true") for i in node.args.get("ifs") or []]
        values.append(node.args.get("default"))
    elif isinstance(node, exp.If):
        values = [node.args.get("true"), node.args.get("false")]
    else:
        values = [node.this, *node.expressions]
    result: Num | None = None
    for value in values:
        if value is None or isinstance(value, exp.Null):
            continue
        num = _num(value)
        if num is None:
            return _KEEP
        result = num if result is None else wider(result, num)
        if result is None:
            return None
    return result if result is not None else _KEEP


def retype_query(tree: exp.Expr) -> None:
    """`retype` every scope of a qualified, annotated query, inner scopes first, with each
    column referring to a CTE or derived table typed by that relation's retyped output."""
    outputs: dict[int, dict[str, exp.DataType | None]] = {}
    for scope in traverse_scope(tree):
        if scope.set_operation_scopes:
            outputs[id(scope)] = _set_outputs(scope, outputs)
            continue
        for node in scope.walk():
            if isinstance(node, exp.Column) and node.table:
                source = scope.sources.get(node.table)
                if isinstance(source, Scope) and id(source) in outputs:
                    node.type = outputs[id(source)].get(node.name) or _UNKNOWN
        query = scope.expression
        if isinstance(query, exp.Select):
            for proj in query.selects:
                retype(proj)
            outputs[id(scope)] = {p.alias_or_name: p.type for p in query.selects}


def _set_outputs(
    scope: Scope, outputs: dict[int, dict[str, exp.DataType | None]]
) -> dict[str, exp.DataType | None]:
    """A UNION's columns: by position, the wider type of its branches'."""
    branches = [list(outputs.get(id(s), {}).items()) for s in scope.set_operation_scopes]
    if not branches or not branches[0]:
        return {}
    result: dict[str, exp.DataType | None] = {}
    for i, (name, first) in enumerate(branches[0]):
        num = num_of(first)
        for other in branches[1:]:
            theirs = num_of(other[i][1]) if i < len(other) else None
            num = wider(num, theirs) if num is not None and theirs is not None else None
        result[name] = dtype_of(num) if num is not None else first
    return result
