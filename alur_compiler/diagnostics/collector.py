"""Diagnostics: what every phase reports into. Phases never print."""

from __future__ import annotations

from dataclasses import dataclass, field

from alur_compiler.diagnostics.codes import ErrorCode, Severity
from alur_compiler.diagnostics.span import Span


@dataclass(frozen=True)
class Diagnostic:
    code: ErrorCode
    message: str
    span: Span
    hint: str | None = None
    notes: tuple[tuple[str, Span], ...] = ()  # related locations ("first defined here")

    @property
    def severity(self) -> Severity:
        return self.code.severity

    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.span.file, self.span.line, self.span.col, self.code.code, self.message)


@dataclass
class Diagnostics:
    """Collects diagnostics from all phases; de-duplicates identical reports."""

    items: list[Diagnostic] = field(default_factory=list)
    _seen: set[tuple[str, str, Span]] = field(default_factory=set, repr=False)

    def report(
        self,
        code: ErrorCode,
        message: str,
        span: Span,
        hint: str | None = None,
        notes: tuple[tuple[str, Span], ...] = (),
    ) -> None:
        key = (code.code, message, span)
        if key in self._seen:
            return
        self._seen.add(key)
        self.items.append(Diagnostic(code, message, span, hint, notes))

    def extend(self, other: Diagnostics) -> None:
        for d in other.items:
            self.report(d.code, d.message, d.span, d.hint, d.notes)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity is Severity.WARNING]

    @property
    def has_errors(self) -> bool:
        return any(d.severity is Severity.ERROR for d in self.items)

    def sorted(self) -> list[Diagnostic]:
        return sorted(self.items, key=Diagnostic.sort_key)

    def __len__(self) -> int:
        return len(self.items)
