"""Diagnostics: spans, registered codes, the collector and renderers."""

from alur_compiler.diagnostics import codes
from alur_compiler.diagnostics.collector import Diagnostic, Diagnostics
from alur_compiler.diagnostics.span import Span

__all__ = ["Diagnostic", "Diagnostics", "Span", "codes"]
