"""Every JSON-Schema error kind rendered one way: the entity named, the fix suggested.

`problems_of(kind, data, error)` turns one jsonschema error into `Problem`s whose message
names the entity (schema/entities.py) instead of pointer segments, and whose hint says the
fix: a did-you-mean for a misspelt key or value, the expected form with an example. For
`anyOf`/`oneOf` it speaks for the branch the user evidently meant (`pick_branch`), or, when
the branches only differ in which key is present, names the keys ("needs `min`, `max` or
both").
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from alur_compiler.diagnostics import codes
from alur_compiler.diagnostics.codes import ErrorCode
from alur_compiler.diagnostics.suggest import did_you_mean
from alur_compiler.diagnostics.words import count
from alur_compiler.schema import forms
from alur_compiler.schema.entities import Subject, code, describe

if TYPE_CHECKING:
    from jsonschema.exceptions import ValidationError

_NAME_PATTERN = "^[a-z][a-z0-9_]*$"
_NAME_HINT = "names are lower_snake_case: a letter, then letters, digits or underscores"
_FOUND = {
    dict: "a mapping",
    list: "a list",
    str: "a string",
    bool: "a boolean",
    int: "a number",
    float: "a number",
    type(None): "nothing (null)",
}


@dataclass(frozen=True)
class Problem:
    code: ErrorCode
    message: str
    path: tuple[str | int, ...]  # instance path the diagnostic points at
    hint: str | None = None
    at_key: bool = False  # point at the key of `path`, not its value
    missing: str | None = None  # required key that is absent
    suggests: str | None = None  # the known key an unknown key probably meant


def found(value: Any) -> str:
    text = forms.flow(value)
    shown = text if len(text) <= 50 else text[:47] + "..."
    what = _FOUND.get(type(value), type(value).__name__)
    return what if isinstance(value, (dict, type(None))) else f"{what} `{shown}`"


def _value(value: Any) -> str:
    text = forms.flow(value)
    return f"`{text if len(text) <= 50 else text[:47] + '...'}`"


@dataclass(frozen=True)
class Context:
    kind: str
    data: Any
    error: ValidationError

    @property
    def instance(self) -> Any:
        return self.error.instance

    @property
    def rule(self) -> Any:
        """The failing keyword's value (the list of a `required`, the bound of a `minimum`)."""
        return self.error.validator_value

    @property
    def path(self) -> tuple[str | int, ...]:
        return tuple(self.error.absolute_path)

    @property
    def subject(self) -> Subject:
        return describe(self.kind, self.data, self.path)

    def schema_here(self) -> Any:
        schema = forms.schema_at(self.kind, self.data, self.path)[0]
        return schema if schema is not None else self.error.schema

    def key_schema(self, key: str) -> Any:
        return forms.property_schema(self.kind, self.data, self.path, key)

    def hint_here(self) -> str | None:
        """The description (and examples) of what belongs here; for a list item or a map
        entry without its own, the description of the list or map."""
        schema = self.schema_here()
        text = forms.describe_text(schema)
        if text is None and self.path:
            parent = forms.schema_at(self.kind, self.data, self.path[:-1])[0]
            text = forms.describe_text(parent)
        if text is None:
            shape = forms.form(schema)
            text = f"this takes {shape}" if shape else None
        examples = schema.get("examples") if isinstance(schema, dict) else None
        if isinstance(examples, list) and examples:
            sample = ", ".join(_value(e) for e in examples[:3])
            return f"{text} For example: {sample}" if text else f"for example: {sample}"
        return text


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


def _pattern(c: Context) -> Iterator[Problem]:
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


def _bounds(c: Context) -> Iterator[Problem]:
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


def _sizes(c: Context) -> Iterator[Problem]:
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


def _unique(c: Context) -> Iterator[Problem]:
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


def _not(c: Context) -> Iterator[Problem]:
    keys = c.rule.get("required", []) if isinstance(c.rule, dict) else []
    together = " and ".join(code(k) for k in keys) or "these keys"
    yield Problem(
        codes.SCHEMA_OTHER,
        f"{c.subject} cannot have {together} together",
        c.path,
        hint="keep only one of them",
    )


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
    "pattern": _pattern,
    "minimum": _bounds,
    "maximum": _bounds,
    "exclusiveMinimum": _bounds,
    "exclusiveMaximum": _bounds,
    "minItems": _sizes,
    "maxItems": _sizes,
    "minLength": _sizes,
    "maxLength": _sizes,
    "minProperties": _sizes,
    "uniqueItems": _unique,
    "not": _not,
}


def problems_of(kind: str, data: Any, error: ValidationError) -> Iterator[Problem]:
    """The problems one jsonschema error stands for, in the user's words."""
    from alur_compiler.schema.branches import branch_problems

    if error.validator in ("anyOf", "oneOf"):
        yield from branch_problems(kind, data, error)
        return
    context = Context(kind, data, error)
    yield from HANDLERS.get(str(error.validator), _other)(context)
