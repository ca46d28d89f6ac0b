"""What the schema expects at a place of a document, said in words and as a YAML example.

The messages of schema/messages.py read the schema at the instance path of an error (not
only the failing keyword's sub-schema), so that a missing key of a `unique` check is
described by the check's own `columns` property, with its type and an example.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from alur_compiler.schema.registry import KIND_SCHEMAS, registry

_TYPE_WORDS = {
    "array": "a list",
    "object": "a mapping",
    "string": "a string",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "`true` or `false`",
    "null": "empty",
}
_TYPE_EXAMPLES = {
    "array": "[...]",
    "object": "{...}",
    "integer": "1",
    "number": "1",
    "boolean": "true",
}


def deref(schema: Any, resolver: Any) -> tuple[Any, Any]:
    """Follow `$ref`s; keywords beside a `$ref` (its description) win over the target's."""
    while isinstance(schema, dict) and "$ref" in schema:
        found = resolver.lookup(schema["$ref"])
        siblings = {k: v for k, v in schema.items() if k != "$ref"}
        schema, resolver = {**found.contents, **siblings}, found.resolver
    return schema, resolver


def _applies(condition: Any, instance: Any) -> bool:
    from jsonschema import Draft202012Validator

    reg, _ = registry()
    return bool(Draft202012Validator(condition, registry=reg).is_valid(instance))


def _property(schema: dict[str, Any], key: str, instance: Any) -> Any:
    """The schema of `key` in an object schema; an applicable `if/then` refines it."""
    found = schema.get("properties", {}).get(key)
    for branch in schema.get("allOf", []):
        then = branch.get("then", {}) if isinstance(branch, dict) else {}
        refined = then.get("properties", {}).get(key)
        if refined is not None and _applies(branch.get("if", True), instance):
            found = {**(found or {}), **refined}
    if found is None and isinstance(schema.get("additionalProperties"), dict):
        found = schema["additionalProperties"]
    return found


def schema_at(kind: str, data: Any, parts: Sequence[str | int]) -> tuple[Any, Any]:
    """(schema, resolver) describing the value at instance path `parts`; schema may be None."""
    reg, schemas = registry()
    name = KIND_SCHEMAS[kind]
    resolver = reg.resolver(base_uri=name)
    schema, resolver = deref(schemas[name], resolver)
    node = data
    for part in parts:
        if not isinstance(schema, dict):
            return None, resolver
        if isinstance(part, int):
            schema = schema.get("items")
            node = node[part] if isinstance(node, list) and part < len(node) else None
        else:
            schema = _property(schema, part, node)
            node = node.get(part) if isinstance(node, dict) else None
        schema, resolver = deref(schema, resolver)
    return schema, resolver


def property_schema(kind: str, data: Any, parts: Sequence[str | int], key: str) -> Any:
    """The schema of `key` inside the mapping at `parts` (None when it has none)."""
    return schema_at(kind, data, (*parts, key))[0]


def _types(schema: Any) -> list[str]:
    if not isinstance(schema, dict):
        return []
    kind = schema.get("type")
    if isinstance(kind, str):
        return [kind]
    if isinstance(kind, list):
        return [str(k) for k in kind]
    for combinator in ("anyOf", "oneOf"):
        branches = schema.get(combinator)
        if isinstance(branches, list):
            merged = [t for b in branches for t in _types(b)]
            return list(dict.fromkeys(merged))
    return []


def form(schema: Any) -> str | None:
    """The expected value in words: 'a list', 'one of: bronze, silver, gold', '`true`'."""
    if not isinstance(schema, dict):
        return None
    if "const" in schema:
        return code_value(schema["const"])
    if isinstance(schema.get("enum"), list):
        return "one of: " + ", ".join(str(v) for v in schema["enum"][:12])
    words = [_TYPE_WORDS.get(t, t) for t in _types(schema)]
    return " or ".join(words) if words else None


_SPECIAL = ":#{}[],&*!|>'\"%@`"


#: characters that make a YAML plain scalar mean something else
_SPECIAL = ":#{}[],&*!|>'\"%@`"
#: plain scalars YAML reads as something other than a string
_NOT_A_STRING = re.compile(
    r"^(true|false|yes|no|on|off|null|~|[-+]?(\d[\d_]*)?\.?\d+([eE][-+]?\d+)?)$", re.IGNORECASE
)


def code_value(value: Any) -> str:
    """A value as YAML flow text, in backticks: `true`, `[order_id]`, `24h`."""
    return f"`{flow(value)}`"


def flow(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, list):
        return "[" + ", ".join(flow(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, str):
        plain = (
            value
            and value.strip() == value
            and not any(c in value for c in _SPECIAL)
            and not _NOT_A_STRING.match(value)
        )
        return value if plain else f'"{value}"'
    return str(value)


def example(key: str, schema: Any, value: Any = None) -> str:
    """`key: value` as the user would write it; `value` (if given) fitted to the schema."""
    types = _types(schema)
    if value is not None:
        if "array" in types and not isinstance(value, list):
            value = [value]
        return f"`{key}: {flow(value)}`"
    if isinstance(schema, dict):
        for sample in schema.get("examples", []):
            return f"`{key}: {flow(sample)}`"
        if isinstance(schema.get("enum"), list) and schema["enum"]:
            return f"`{key}: {flow(schema['enum'][0])}`"
        if "const" in schema:
            return f"`{key}: {flow(schema['const'])}`"
    shown = next((_TYPE_EXAMPLES[t] for t in types if t in _TYPE_EXAMPLES), "...")
    return f"`{key}: {shown}`"


def describe_text(schema: Any) -> str | None:
    """The first line of the schema's description, shortened."""
    if isinstance(schema, dict) and isinstance(schema.get("description"), str):
        text: str = schema["description"].split("\n")[0]
        return text if len(text) < 160 else text[:157] + "..."
    return None
