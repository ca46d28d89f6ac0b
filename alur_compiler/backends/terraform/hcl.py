"""Terraform JSON values, with literal text escaped by construction.

Terraform reads every JSON string of an expression position (attribute values and the
keys of object values) as a template: `${...}` interpolates, `%{...}` runs a directive,
and `$${` / `%%{` are the literal spellings. So the stack is built from typed values:

- a plain `str` is always literal text; `to_json` escapes it with `escape`, the one
  function that turns text into a template;
- `Expr` is an HCL expression alurc writes itself (`ref("aws_s3_bucket.x.id")`,
  `call("filemd5", ...)`), rendered `${...}`;
- `Template` mixes both (`template("arn:aws:glue:", ref(...), ":catalog")`);
- `Address` is a resource address in `depends_on` (a reference, never a template).

A new field therefore cannot forget the escaping: whatever text it carries is literal
unless alurc wraps it in `Expr`. Two places are not templates and take text as is
(`literal_json`): the `terraform` block (backend settings allow no expressions) and
`"//"` comment properties of a block, which Terraform ignores.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeAlias

_TEMPLATE_START = re.compile(r"([$%])\{")
_TRAVERSAL = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*(\.[A-Za-z_][A-Za-z0-9_-]*)*$")
_FUNCTION = re.compile(r"^[a-z][a-z0-9_]*$")
_HCL_STRING_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def escape(text: str) -> str:
    """Literal text as a Terraform template: `${` -> `$${`, `%{` -> `%%{`."""
    if "{" not in text:  # nothing the pattern could match (most text): skip the regex
        return text
    return _TEMPLATE_START.sub(r"\1\1{", text)


@dataclass(frozen=True)
class Expr:
    """An HCL expression alurc writes itself; rendered `${code}`. Build with ref/call."""

    code: str

    def __str__(self) -> str:
        return "${" + self.code + "}"


@dataclass(frozen=True)
class Address:
    """A resource address in `depends_on`: Terraform parses it as a reference."""

    address: str

    def __post_init__(self) -> None:
        if not _TRAVERSAL.match(self.address):
            raise ValueError(f"not a Terraform address: {self.address!r}")


Part: TypeAlias = str | Expr


@dataclass(frozen=True)
class Template:
    """Literal text and expressions, in order; adjacent literals are merged."""

    parts: tuple[Part, ...]

    def __add__(self, other: str | Expr | Template) -> Template:
        return template(self, other)

    def __radd__(self, other: str | Expr) -> Template:
        return template(other, self)

    @property
    def sort_key(self) -> str:
        return "".join(p if isinstance(p, str) else str(p) for p in self.parts)

    def __lt__(self, other: Template) -> bool:
        return self.sort_key < other.sort_key

    def render(self) -> str:
        """The JSON string value: literals escaped, expressions interpolated."""
        return _render_parts(self.parts, escape, _interpolation)


#: Sequence and Mapping (not list, dict) so that `list[dict[str, str]]` is a Value too
Value: TypeAlias = (
    str
    | int
    | float
    | bool
    | Expr
    | Template
    | Address
    | Sequence["Value"]
    | Mapping[str, "Value"]
    | None
)


def ref(traversal: str) -> Expr:
    """A reference such as `aws_iam_role.x.arn` or `path.module`."""
    if not _TRAVERSAL.match(traversal):
        raise ValueError(f"not a Terraform reference: {traversal!r}")
    return Expr(traversal)


def call(function: str, *args: str | Expr | Template) -> Expr:
    """A function call; `str` arguments become quoted (escaped) HCL string literals."""
    if not _FUNCTION.match(function):
        raise ValueError(f"not a Terraform function name: {function!r}")
    return Expr(f"{function}({', '.join(_hcl_argument(a) for a in args)})")


def template(*pieces: str | Expr | Template) -> Template:
    parts: list[Part] = []
    for piece in pieces:
        for part in piece.parts if isinstance(piece, Template) else (piece,):
            if isinstance(part, str) and parts and isinstance(parts[-1], str):
                parts[-1] += part
            elif part != "":
                parts.append(part)
    return Template(tuple(parts))


def _hcl_argument(arg: str | Expr | Template) -> str:
    if isinstance(arg, Expr):
        return arg.code
    parts = arg.parts if isinstance(arg, Template) else (arg,)
    return '"' + _render_parts(parts, _hcl_string_text, _interpolation) + '"'


def _hcl_string_text(text: str) -> str:
    """Text inside a quoted HCL string: backslash escapes, then template escapes."""
    return escape("".join(_hcl_char(ch) for ch in text))


def _hcl_char(ch: str) -> str:
    if ch in _HCL_STRING_ESCAPES:
        return _HCL_STRING_ESCAPES[ch]
    if ch.isprintable():
        return ch
    return f"\\u{ord(ch):04x}" if ord(ch) <= 0xFFFF else f"\\U{ord(ch):08x}"


def _interpolation(expr: Expr) -> str:
    return "${" + expr.code + "}"


def _render_parts(parts: tuple[Part, ...], literal: Any, interp: Any) -> str:
    out: list[str] = []
    for i, part in enumerate(parts):
        if isinstance(part, Expr):
            out.append(interp(part))
            continue
        text = part
        # a literal `$` right before `${` would turn it into the escape `$${`: spell the
        # trailing dollars as an interpolated string instead
        if i + 1 < len(parts) and text.endswith("$"):
            dollars = len(text) - len(text.rstrip("$"))
            out.append(literal(text[:-dollars]) + '${"' + "$" * dollars + '"}')
        else:
            out.append(literal(text))
    return "".join(out)


def to_json(value: Value) -> Any:
    """A value in an expression position: every literal (keys too) escaped."""
    # exact types first (most values, one check each), then the general rules below
    if type(value) is str:
        return escape(value)
    if type(value) is dict:
        return {escape(k): escape(v) if type(v) is str else to_json(v) for k, v in value.items()}
    if type(value) is list:
        return [escape(v) if type(v) is str else to_json(v) for v in value]
    if isinstance(value, str):
        return escape(value)
    if isinstance(value, Expr):
        return str(value)
    if isinstance(value, Template):
        return value.render()
    if isinstance(value, Address):
        return value.address
    if isinstance(value, list | tuple):
        return [to_json(v) for v in value]
    if isinstance(value, Mapping):
        return {escape(k): to_json(v) for k, v in value.items()}
    if value is None or isinstance(value, bool | int | float):
        return value
    raise TypeError(f"not a Terraform value: {type(value).__name__}")


def literal_json(value: Value) -> Any:
    """A value where Terraform takes text as is (the `terraform` block, comments)."""
    if isinstance(value, Expr | Template | Address):
        raise TypeError(f"no expressions allowed here: {value!r}")
    if isinstance(value, list | tuple):
        return [literal_json(v) for v in value]
    if isinstance(value, Mapping):
        return {k: literal_json(v) for k, v in value.items()}
    return value


def json_document(value: Value) -> Template:
    """`json.dumps(value, sort_keys=True)` as a template, for JSON-in-a-string attributes
    (IAM policies). Expressions inside must yield JSON-safe text (an account id).

    Fast: the expressions are swapped for numbered placeholders, the standard library's C
    encoder writes the document, and the placeholders are swapped back. A document with a
    NUL or a backslash in any string (where a placeholder could be spelt by the data) or a
    value of another type takes the reference path, `_json_parts`, which gives the same
    parts (tests/unit/test_hcl_json_document.py).
    """
    holes: list[Expr | Template] = []
    try:
        plain = _with_holes(value, holes)
    except _Unplain:
        return template(*_json_parts(value))
    text = json.dumps(plain, sort_keys=True)
    pieces: list[str | Expr] = []
    pos = 0
    for match in _HOLE.finditer(text):
        hole = holes[int(match.group(1))]
        pieces += [text[pos : match.start()], '"']
        for part in hole.parts if isinstance(hole, Template) else (hole,):
            pieces.append(json.dumps(part)[1:-1] if isinstance(part, str) else part)
        pieces.append('"')
        pos = match.end()
    pieces.append(text[pos:])
    return template(*pieces)


_HOLE = re.compile(r'"\\u0000(\d+)\\u0000"')


class _Unplain(Exception):
    """A value the fast path of json_document does not take."""


def _plain_text(text: object) -> str:
    if not isinstance(text, str) or "\x00" in text or "\\" in text:
        raise _Unplain
    return text


def _with_holes(value: Value, holes: list[Expr | Template]) -> object:
    """`value` as plain JSON data, each Expr/Template replaced by a placeholder string."""
    if type(value) is str:  # exact types first (most values), then the general rules
        if "\x00" in value or "\\" in value:
            raise _Unplain
        return value
    if type(value) is dict:
        return {_plain_text(k): _with_holes(v, holes) for k, v in value.items()}
    if type(value) is list:
        return [_with_holes(v, holes) for v in value]
    if isinstance(value, str):
        return _plain_text(value)
    if isinstance(value, Expr | Template):
        holes.append(value)
        return f"\x00{len(holes) - 1}\x00"
    if isinstance(value, Mapping):
        return {_plain_text(k): _with_holes(v, holes) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_with_holes(v, holes) for v in value]
    if value is None or isinstance(value, bool | int | float):
        return value
    raise _Unplain  # an Address or a foreign type: the reference path reports it


def _json_parts(value: Value) -> Iterator[str | Expr]:
    if isinstance(value, Mapping):
        yield "{"
        for i, key in enumerate(sorted(value)):
            yield (", " if i else "") + json.dumps(key) + ": "
            yield from _json_parts(value[key])
        yield "}"
    elif isinstance(value, list | tuple):
        yield "["
        for i, item in enumerate(value):
            yield ", " if i else ""
            yield from _json_parts(item)
        yield "]"
    elif isinstance(value, Expr | Template):
        parts = value.parts if isinstance(value, Template) else (value,)
        yield '"'
        for part in parts:
            yield json.dumps(part)[1:-1] if isinstance(part, str) else part
        yield '"'
    elif isinstance(value, Address):
        raise TypeError("an address has no place in a JSON document")
    else:
        yield json.dumps(value)
