"""Validate documents against their kind's schema; every error becomes a located diagnostic."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jsonschema.exceptions import ValidationError

from alur_compiler.diagnostics import Diagnostics, codes
from alur_compiler.diagnostics.suggest import did_you_mean, suggestion_suffix
from alur_compiler.load.source import SourceDoc, pointer
from alur_compiler.schema.registry import (
    API_VERSION,
    KIND_SCHEMAS,
    fast_validator_for,
    validator_for,
)

_JSON_TYPES = {
    dict: "a mapping",
    list: "a list",
    str: "a string",
    bool: "a boolean",
    int: "an integer",
    float: "a number",
    type(None): "empty (null)",
}
_NAME_HINT = "names are lower_snake_case: a letter, then letters, digits or underscores"


def _what(value: Any) -> str:
    return _JSON_TYPES.get(type(value), type(value).__name__)


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def check_kind(doc: SourceDoc, diags: Diagnostics) -> str | None:
    """The document's kind if it is a known alur/v1 kind; otherwise report AL201."""
    if not isinstance(doc.data, dict):
        diags.report(
            codes.UNKNOWN_KIND,
            f"a spec document must be a mapping, found {_what(doc.data)}",
            doc.span,
            hint="start the document with `apiVersion: alur/v1` and `kind: Table` (or "
            "Project, Pipeline, Ingestion)",
        )
        return None
    api = doc.data.get("apiVersion")
    if api != API_VERSION:
        span = doc.span_of("/apiVersion") if "apiVersion" in doc.data else doc.span
        found = "missing" if api is None else f"'{api}'"
        diags.report(
            codes.UNKNOWN_KIND,
            f"apiVersion is {found}; expected '{API_VERSION}'",
            span,
            hint=f"add `apiVersion: {API_VERSION}` as the first line of the document",
        )
    kind = doc.data.get("kind")
    if isinstance(kind, str) and kind in KIND_SCHEMAS:
        return str(kind)
    if kind is None:
        diags.report(
            codes.UNKNOWN_KIND,
            "document has no `kind`",
            doc.span,
            hint="add `kind:` with one of: " + ", ".join(sorted(KIND_SCHEMAS)),
        )
    else:
        shown = kind if isinstance(kind, str) else _short(kind)
        diags.report(
            codes.UNKNOWN_KIND,
            f"unknown kind '{shown}'{suggestion_suffix(str(shown), KIND_SCHEMAS)}",
            doc.span_of("/kind"),
            hint="kind is one of: " + ", ".join(sorted(KIND_SCHEMAS)),
        )
    return None


def _leaves(error: ValidationError) -> Iterator[ValidationError]:
    """For anyOf/oneOf, descend into the most relevant branch errors."""
    if error.validator in ("anyOf", "oneOf") and error.context:
        # prefer the branch whose errors go deepest (the branch the user meant)
        best = max(error.context, key=lambda e: (len(e.absolute_path), e.validator == "enum"))
        yield from _leaves(best)
    else:
        yield error


def _report_additional(doc: SourceDoc, error: ValidationError, diags: Diagnostics) -> None:
    parts = tuple(error.absolute_path)
    schema = error.schema if isinstance(error.schema, dict) else {}
    props = sorted(schema.get("properties", {}))
    pattern = schema.get("patternProperties", {})
    assert isinstance(error.instance, dict)
    for key in sorted(error.instance):
        if key in props or any(re.search(p, key) for p in pattern):
            continue
        ptr = pointer((*parts, key))
        best = did_you_mean(key, props)
        where = f" in '{parts[-1]}'" if parts and isinstance(parts[-1], str) else ""
        hint = (
            f"did you mean '{best}'?"
            if best
            else ("allowed keys: " + ", ".join(props) if props else None)
        )
        msg = f"unknown key '{key}'{where}" + (f" (did you mean '{best}'?)" if best else "")
        diags.report(codes.UNKNOWN_KEY, msg, doc.span_of(ptr, key=True), hint=hint)


def _report_one(doc: SourceDoc, error: ValidationError, diags: Diagnostics) -> None:
    ptr = pointer(tuple(error.absolute_path))
    span = doc.span_of(ptr)
    v = error.validator
    where = f"'{ptr.rsplit('/', 1)[-1]}'" if ptr else "document"
    if v == "additionalProperties":
        _report_additional(doc, error, diags)
    elif v == "required":
        missing = error.message.split("'")[1] if "'" in error.message else error.message
        diags.report(
            codes.MISSING_KEY,
            f"missing required key '{missing}'" + (f" in {where}" if ptr else ""),
            span,
            hint=_describe_key(error.schema, missing),
        )
    elif v == "type":
        expected = error.validator_value
        exp = " or ".join(expected) if isinstance(expected, list) else str(expected)
        diags.report(
            codes.WRONG_TYPE,
            f"{where} must be {_article(exp)}, found {_what(error.instance)} "
            f"{_short(error.instance)}",
            span,
            hint=_describe(error.schema),
        )
    elif v in ("enum", "const"):
        value: Any = error.validator_value
        names = [str(a) for a in (value if v == "enum" else [value])]
        sugg = suggestion_suffix(str(error.instance), names)
        diags.report(
            codes.BAD_VALUE,
            f"{where} is {_short(error.instance)}{sugg}",
            span,
            hint="allowed: " + ", ".join(names[:20]),
        )
    else:
        _report_other(doc, error, ptr, where, diags)


def _report_other(
    doc: SourceDoc, error: ValidationError, ptr: str, where: str, diags: Diagnostics
) -> None:
    span = doc.span_of(ptr)
    v = error.validator
    if v == "pattern" and str(error.validator_value).startswith("^[a-z][a-z0-9_]*$"):
        msg, hint = f"{where} {_short(error.instance)} is not a valid name", _NAME_HINT
    elif v == "pattern":
        msg = f"{where} {_short(error.instance)} does not have the expected form"
        hint = _describe(error.schema) or f"expected to match {error.validator_value}"
    elif v == "not" and isinstance(error.validator_value, dict):
        msg = f"{where}: these keys cannot be used together: " + ", ".join(
            error.validator_value.get("required", [])
        )
        hint = None
    elif v in ("oneOf", "anyOf") and isinstance(error.instance, dict):
        msg = f"{where} does not fit any allowed form"
        hint = _describe(error.schema)
    else:
        msg, hint = f"{where}: {error.message}", _describe(error.schema)
    diags.report(codes.SCHEMA_OTHER, msg, span, hint=hint)


def _article(word: str) -> str:
    names = {"object": "a mapping", "array": "a list", "integer": "an integer"}
    return names.get(word, f"a {word}" if word[:1] not in "aeiou" else f"an {word}")


def _describe(schema: Any) -> str | None:
    if isinstance(schema, dict) and isinstance(schema.get("description"), str):
        text: str = schema["description"].split("\n")[0]
        return text if len(text) < 160 else text[:157] + "..."
    return None


def _describe_key(schema: Any, key: str) -> str | None:
    if isinstance(schema, dict):
        prop = schema.get("properties", {}).get(key)
        return _describe(prop)
    return None


def validate_document(doc: SourceDoc, diags: Diagnostics) -> bool:
    """Check kind/apiVersion and the kind's schema. True when the document is valid."""
    before = len(diags.errors)
    kind = check_kind(doc, diags)
    if kind is None:
        return False
    fast = fast_validator_for(kind)
    if fast is not None and fast.is_valid(doc.data) and len(diags.errors) == before:
        return True
    validator = validator_for(kind)
    if fast is None and validator.is_valid(doc.data) and len(diags.errors) == before:
        return True
    errors = sorted(validator.iter_errors(doc.data), key=lambda e: list(map(str, e.path)))
    for error in errors:
        if list(error.absolute_path) == ["apiVersion"]:
            continue  # already reported by check_kind, with a better message
        for leaf in _leaves(error):
            _report_one(doc, leaf, diags)
    return len(diags.errors) == before
