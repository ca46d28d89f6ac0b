"""Renderers of the value rules: pattern, bounds, sizes, repeated items, exclusions."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from alur_compiler.diagnostics import codes
from alur_compiler.diagnostics.words import count
from alur_compiler.schema.entities import code
from alur_compiler.schema.problem import Context, Problem
from alur_compiler.schema.problem import shown as _value

_NAME_PATTERN = "^[a-z][a-z0-9_]*$"
_NAME_HINT = "names are lower_snake_case: a letter, then letters, digits or underscores"


def key_name_or_pattern(c: Context) -> Iterator[Problem]:
    if "propertyNames" in c.error.schema_path:
        yield from _key_name(c)
        return
    instance = c.instance
    if str(c.rule).startswith(_NAME_PATTERN):
        message = f"{c.subject} is {_value(instance)}, not a valid name"
        fixed = _snake(instance) if isinstance(instance, str) else ""
        hint = _NAME_HINT + (f", for example `{fixed}`" if fixed else "")
    else:
        message = f"{c.subject} is {_value(instance)}, which does not have the expected form"
        hint = c.hint_here() or f"it must match the regular expression {c.rule}"
    yield Problem(codes.SCHEMA_OTHER, message, c.path, hint=hint)


def _snake(text: str) -> str:
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", text.strip())
    snake = re.sub(r"[^a-z0-9]+", "_", spaced.lower()).strip("_")
    if not snake:
        return ""
    return snake if snake[:1].isalpha() else f"c_{snake}"


def _key_name(c: Context) -> Iterator[Problem]:
    key = str(c.instance)
    schema = c.schema_here()
    names = schema.get("propertyNames", {}) if isinstance(schema, dict) else {}
    parent = c.path[-1] if c.path else None
    singular = {"environments": "environment name", "tags": "tag key"}.get(str(parent), "key")
    rule = names.get("pattern", c.rule)
    yield Problem(
        codes.SCHEMA_OTHER,
        f"{singular} {code(key)} in {c.subject} is not allowed",
        (*c.path, key),
        hint=f"{singular}s match {rule}" + _lower_hint(key),
        at_key=True,
    )


def _lower_hint(key: str) -> str:
    return f" (for example `{key.lower()}`)" if key.lower() != key else ""


def bounds(c: Context) -> Iterator[Problem]:
    words = {
        "minimum": "at least",
        "maximum": "at most",
        "exclusiveMinimum": "more than",
        "exclusiveMaximum": "less than",
    }
    limit = words[str(c.error.validator)]
    yield Problem(
        codes.SCHEMA_OTHER,
        f"{c.subject} is {_value(c.instance)}; it must be {limit} {c.rule}",
        c.path,
        hint=c.hint_here(),
    )


def sizes(c: Context) -> Iterator[Problem]:
    v, limit, instance = str(c.error.validator), c.rule, c.instance
    noun = {"minProperties": "entry", "minItems": "item", "maxItems": "item"}.get(v, "character")
    size = count(len(instance), noun)
    if v in ("minItems", "minLength", "minProperties") and limit == 1:
        message = f"{c.subject} is empty"
    elif v.startswith("min"):
        message = f"{c.subject} has {size}; it needs at least {limit}"
    else:
        message = f"{c.subject} has {size}; at most {limit} are allowed"
    yield Problem(codes.SCHEMA_OTHER, message, c.path, hint=c.hint_here())


def repeated(c: Context) -> Iterator[Problem]:
    repeated = _first_repeat(c.instance if isinstance(c.instance, list) else [])
    yield Problem(
        codes.SCHEMA_OTHER,
        f"{c.subject} lists {_value(repeated)} more than once",
        c.path,
        hint="each entry is listed once: remove the repetition",
    )


def _first_repeat(items: list[Any]) -> Any:
    seen: list[Any] = []
    for item in items:
        if item in seen:
            return item
        seen.append(item)
    return None


def not_together(c: Context) -> Iterator[Problem]:
    keys = c.rule.get("required", []) if isinstance(c.rule, dict) else []
    together = " and ".join(code(k) for k in keys) or "these keys"
    yield Problem(
        codes.SCHEMA_OTHER,
        f"{c.subject} cannot have {together} together",
        c.path,
        hint="keep only one of them",
    )
