"""What of a document with schema errors the rest of the project may still read.

One root cause is reported once: a table whose second check lacks a key is still a table
with its columns for every pipeline that reads it, so those pipelines get no "unknown
table". A document whose every schema error lies inside a removable part (today: one
entry of `checks`, which nothing outside the document depends on) is used without those
parts; the errors themselves are reported as usual and the build still fails on them.
Any other error (a column, a key, the layer) leaves the document unusable, as before.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from alur_compiler.load.source import SourceDoc

if TYPE_CHECKING:
    from jsonschema.exceptions import ValidationError

#: top-level lists whose entries can be left out without changing the rest of the document
REMOVABLE_ITEMS = ("checks",)


def removable_part(error: ValidationError) -> tuple[str | int, ...] | None:
    """The removable part of the document that contains the error, if any."""
    path = tuple(error.absolute_path)
    if len(path) >= 2 and path[0] in REMOVABLE_ITEMS and isinstance(path[1], int):
        return path[:2]
    return None


def salvage(doc: SourceDoc, validator: Any, errors: list[ValidationError]) -> SourceDoc | None:
    """`doc` without the removable parts holding `errors`; None when that is not valid."""
    parts = [removable_part(e) for e in errors]
    if not parts or any(p is None for p in parts):
        return None
    kept = doc.without(sorted({p for p in parts if p is not None}, key=str))
    return kept if validator.is_valid(kept.data) else None
