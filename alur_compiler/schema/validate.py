"""Validate documents against their kind's schema; every error becomes a located diagnostic."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jsonschema.exceptions import ValidationError

from alur_compiler.diagnostics import Diagnostics, codes
from alur_compiler.diagnostics.suggest import suggestion_suffix
from alur_compiler.load.source import SourceDoc, pointer
from alur_compiler.schema.comma_cut import merge_cuts
from alur_compiler.schema.messages import problems_of
from alur_compiler.schema.problem import Problem
from alur_compiler.schema.registry import (
    API_VERSION,
    KIND_SCHEMAS,
    fast_validator_for,
    validator_for,
)
from alur_compiler.schema.salvage import salvage

_JSON_TYPES = {
    dict: "a mapping",
    list: "a list",
    str: "a string",
    bool: "a boolean",
    int: "an integer",
    float: "a number",
    type(None): "empty (null)",
}


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


def _problems(kind: str, doc: SourceDoc, errors: list[ValidationError]) -> list[Problem]:
    """Every error in the user's words; a missing key that an unknown key misspells is
    reported once, as the misspelling; a value cut at a comma once, at the value."""
    found = [p for e in errors for p in problems_of(kind, doc.data, e)]
    meant = {(p.path[:-1], p.suggests) for p in found if p.suggests is not None}
    found = [p for p in found if p.missing is None or (p.path, p.missing) not in meant]
    return merge_cuts(kind, doc.data, found)


def _report(doc: SourceDoc, problem: Problem, diags: Diagnostics) -> None:
    span = doc.span_of(pointer(problem.path), key=problem.at_key)
    diags.report(problem.code, problem.message, span, hint=problem.hint)


def validate_document(doc: SourceDoc, diags: Diagnostics) -> bool:
    """Check kind/apiVersion and the kind's schema. True when the document is valid."""
    return check_document(doc, diags)[0]


def check_document(doc: SourceDoc, diags: Diagnostics) -> tuple[bool, SourceDoc | None]:
    """(valid, usable): `usable` is the document itself when valid; when its errors are all
    inside removable parts (schema/salvage.py), a copy without them, so that what the rest
    of the project reads of it still exists; else None. Every error is reported."""
    before = len(diags.errors)
    kind = check_kind(doc, diags)
    if kind is None:
        return False, None
    fast = fast_validator_for(kind)
    if fast is not None and fast.is_valid(doc.data) and len(diags.errors) == before:
        return True, doc
    validator = validator_for(kind)
    if fast is None and validator.is_valid(doc.data) and len(diags.errors) == before:
        return True, doc
    errors = sorted(validator.iter_errors(doc.data), key=lambda e: list(map(str, e.path)))
    # apiVersion is reported by check_kind, with a better message
    errors = [e for e in errors if list(e.absolute_path) != ["apiVersion"]]
    for problem in _problems(kind, doc, errors):
        _report(doc, problem, diags)
    return False, salvage(doc, validator, errors) if errors else None
