"""Every JSON-Schema error kind rendered one way: the entity named, the fix suggested.

`problems_of(kind, data, error)` turns one jsonschema error into `Problem`s whose message
names the entity (schema/entities.py) instead of pointer segments, and whose hint says the
fix: a did-you-mean for a misspelt key or value, the expected form with an example. For
`anyOf`/`oneOf` it speaks for the branch the user evidently meant (schema/branches.py), or when
the branches only differ in which key is present, names the keys ("needs `min`, `max` or
both").
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from alur_compiler.diagnostics import codes
from alur_compiler.diagnostics.suggest import did_you_mean
from alur_compiler.schema import forms
from alur_compiler.schema.dependent import needs_other_key
from alur_compiler.schema.entities import code
from alur_compiler.schema.problem import Context, Problem, found
from alur_compiler.schema.problem import shown as _value
from alur_compiler.schema.value_rules import (
    bounds,
    key_name_or_pattern,
    not_together,
    repeated,
    sizes,
)

if TYPE_CHECKING:
    from jsonschema.exceptions import ValidationError


def _required(c: Context) -> Iterator[Problem]:
    instance = c.instance if isinstance(c.instance, dict) else {}
    for key in c.rule:
        if key in instance:
            continue
        schema = c.key_schema(key)
        shape = forms.form(schema)
        message = f"{c.subject} needs {code(key)}" + (f", {shape}" if shape else "")
        near = did_you_mean(key, [k for k in instance if isinstance(k, str) and k != key])
        if near is not None:
            fix = forms.example(key, schema, instance[near])
            yield Problem(
                codes.MISSING_KEY,
                f"{message} (did you mean {fix}?)",
                c.path,
                hint=f"`{near}` is not what this takes: write {fix} instead of `{near}: ...`",
                missing=key,
            )
            continue
        text = forms.describe_text(schema)
        hint = f"add {forms.example(key, schema)}" + (f": {text}" if text else "")
        yield Problem(codes.MISSING_KEY, message, c.path, hint=hint, missing=key)


def _allowed_keys(schema: Any) -> list[str]:
    return sorted(schema.get("properties", {})) if isinstance(schema, dict) else []


def _additional(c: Context) -> Iterator[Problem]:
    schema = c.error.schema if isinstance(c.error.schema, dict) else {}
    allowed = sorted(set(_allowed_keys(schema)) | set(_allowed_keys(c.schema_here())))
    patterns = schema.get("patternProperties", {})
    instance = c.instance if isinstance(c.instance, dict) else {}
    for key in sorted(instance, key=str):
        if key in allowed or any(re.search(p, str(key)) for p in patterns):
            continue
        best = did_you_mean(str(key), allowed)
        where = c.subject
        message = f"unknown key {code(key)} in {where}"
        if best is not None:
            hint = f"rename it to {code(best)}"
            if best not in instance and c.key_schema(best) is not None:
                shape = forms.form(c.key_schema(best))
                hint += f" ({shape})" if shape else ""
            yield Problem(
                codes.UNKNOWN_KEY,
                f"{message} (did you mean {code(best)}?)",
                (*c.path, key),
                hint=hint,
                at_key=True,
                suggests=best,
            )
        else:
            hint = f"{where} takes: " + ", ".join(allowed) if allowed else "remove it"
            yield Problem(codes.UNKNOWN_KEY, message, (*c.path, key), hint=hint, at_key=True)


def _type(c: Context) -> Iterator[Problem]:
    expected = forms.form({"type": c.rule}) or str(c.rule)
    yield Problem(
        codes.WRONG_TYPE,
        f"{c.subject} must be {expected}, not {found(c.instance)}",
        c.path,
        hint=c.hint_here(),
    )


def _enum(c: Context) -> Iterator[Problem]:
    value = c.rule
    allowed = [v for v in (value if c.error.validator == "enum" else [value])]
    names = [str(v) for v in allowed]
    best = did_you_mean(str(c.instance), names) if isinstance(c.instance, str) else None
    message = f"{c.subject} is {_value(c.instance)}"
    if len(allowed) == 1:
        message += f"; it can only be {_value(allowed[0])}"
    else:
        message += ", not one of its values"
    if best is not None:
        message += f" (did you mean {code(best)}?)"
    hint = "allowed: " + ", ".join(names[:20])
    yield Problem(codes.BAD_VALUE, message, c.path, hint=hint)


def _other(c: Context) -> Iterator[Problem]:
    yield Problem(
        codes.SCHEMA_OTHER,
        f"{c.subject} breaks the `{c.error.validator}` rule of the schema",
        c.path,
        hint=c.hint_here(),
    )


Handler = Callable[[Context], Iterator[Problem]]

HANDLERS: dict[str, Handler] = {
    "required": _required,
    "additionalProperties": _additional,
    "type": _type,
    "enum": _enum,
    "const": _enum,
    "pattern": key_name_or_pattern,
    "minimum": bounds,
    "maximum": bounds,
    "exclusiveMinimum": bounds,
    "exclusiveMaximum": bounds,
    "minItems": sizes,
    "maxItems": sizes,
    "minLength": sizes,
    "maxLength": sizes,
    "minProperties": sizes,
    "uniqueItems": repeated,
    "not": not_together,
    "dependentRequired": needs_other_key,
}


def problems_of(kind: str, data: Any, error: ValidationError) -> Iterator[Problem]:
    """The problems one jsonschema error stands for, in the user's words."""
    from alur_compiler.schema.branches import branch_problems

    if error.validator in ("anyOf", "oneOf"):
        yield from branch_problems(kind, data, error)
        return
    context = Context(kind, data, error)
    yield from HANDLERS.get(str(error.validator), _other)(context)
