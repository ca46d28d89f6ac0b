"""Source locations: every value loaded from YAML keeps one."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, order=True)
class Span:
    """A 1-based line/column range in a source file (end is inclusive of the last char)."""

    file: str
    line: int
    col: int
    end_line: int = 0
    end_col: int = 0
    #: the text of the file when no loaded spec holds it (a pipeline's `sql_file`), so a
    #: renderer can show the line; not part of the span's identity
    source: str | None = field(default=None, compare=False, repr=False)

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"

    @staticmethod
    def unknown(file: str = "<unknown>") -> Span:
        return Span(file, 1, 1, 1, 1)
