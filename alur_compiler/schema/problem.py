"""What a schema error becomes (`Problem`) and what its renderers read (`Context`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from alur_compiler.diagnostics.codes import ErrorCode
from alur_compiler.schema import forms
from alur_compiler.schema.entities import Subject, describe

if TYPE_CHECKING:
    from jsonschema.exceptions import ValidationError

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


def shown(value: Any) -> str:
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
            sample = ", ".join(shown(e) for e in examples[:3])
            return f"{text} For example: {sample}" if text else f"for example: {sample}"
        return text
