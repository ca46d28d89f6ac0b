"""A loaded YAML document: plain values plus where each value came from."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from alur_compiler.diagnostics.span import Span


@dataclass(frozen=True)
class ScalarLoc:
    """Where a string scalar's text starts, to map offsets inside it (SQL) back to the file.

    For block scalars (`|`, `>`) `line` is the first content line and `col` its indentation
    column (1-based); for plain and quoted scalars the position of the first character.
    """

    line: int
    col: int
    block: bool


def pointer(parts: tuple[str | int, ...]) -> str:
    """RFC 6901 JSON pointer for a path of keys/indices."""
    if not parts:
        return ""
    return "/" + "/".join(str(p).replace("~", "~0").replace("/", "~1") for p in parts)


@dataclass
class SourceDoc:
    """One YAML document of a spec file."""

    path: str  # as shown in diagnostics (relative to the project root when possible)
    abspath: str
    index: int  # position of the document in its file (0-based)
    data: Any
    #: json pointer -> (line, col, end_line, end_col), 1-based; Spans are made on demand
    value_spans: dict[str, tuple[int, int, int, int]] = field(default_factory=dict)
    key_spans: dict[str, tuple[int, int, int, int]] = field(default_factory=dict)
    scalars: dict[str, ScalarLoc] = field(default_factory=dict)

    @property
    def kind(self) -> str | None:
        if isinstance(self.data, dict):
            kind = self.data.get("kind")
            return kind if isinstance(kind, str) else None
        return None

    @property
    def name(self) -> str | None:
        if isinstance(self.data, dict):
            name = self.data.get("name")
            return name if isinstance(name, str) else None
        return None

    @property
    def span(self) -> Span:
        pos = self.value_spans.get("")
        return Span(self.path, *pos) if pos else Span(self.path, 1, 1, 1, 1)

    def span_of(self, ptr: str, key: bool = False) -> Span:
        """Span of the value (or of its key) at `ptr`; falls back to the nearest parent."""
        table = self.key_spans if key else self.value_spans
        if ptr in table:
            return Span(self.path, *table[ptr])
        while ptr:
            ptr = ptr.rsplit("/", 1)[0]
            if ptr in self.value_spans:
                return Span(self.path, *self.value_spans[ptr])
        return self.span

    def span_in_scalar(self, ptr: str, line: int, col: int, length: int = 1) -> Span:
        """Span of the 1-based (line, col) position inside the string value at `ptr`."""
        loc = self.scalars.get(ptr)
        if loc is None:
            return self.span_of(ptr)
        if line <= 1:
            start_col = loc.col + col - 1
            return Span(self.path, loc.line, start_col, loc.line, start_col + length - 1)
        file_line = loc.line + line - 1
        file_col = (loc.col + col - 1) if loc.block else col
        return Span(self.path, file_line, file_col, file_line, file_col + length - 1)
