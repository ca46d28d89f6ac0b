"""Render diagnostics as text (with source line and caret), JSON, or GitHub annotations.

Messages, hints, notes, file names and source lines carry user text (YAML strings, file
names), so every renderer passes them through `escape_control`: a terminal escape sequence,
a carriage return, a bidi override or a line separator from a spec is shown, never obeyed.
JSON keeps the exact text, with those characters as \\uXXXX escapes.
"""

from __future__ import annotations

import json
import re

from alur_compiler.diagnostics.collector import Diagnostic
from alur_compiler.diagnostics.span import Span

_COLORS = {"error": "\033[1;31m", "warning": "\033[1;33m", "note": "\033[1;36m"}
_BOLD, _DIM, _RESET = "\033[1m", "\033[2m", "\033[0m"


_YAML_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")
_NOT_YAML_BREAKS = ("\x0b", "\x0c", "\x1c", "\x1d", "\x1e")


def source_lines(text: str) -> list[str]:
    """The lines of `text` as YAML numbers them (str.splitlines also splits at \\f, \\v, ...)."""
    if not any(ch in text for ch in _NOT_YAML_BREAKS):
        return text.splitlines()  # the same split, much faster
    lines = _YAML_BREAK.split(text)
    return lines[:-1] if lines and lines[-1] == "" else lines


#: DEL, C1 controls, bidi marks/overrides/isolates, zero-width and invisible format
#: characters, line and paragraph separators, the BOM
_INVISIBLE = (
    "\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f"
    "\ufeff\ufff9-\ufffb"
)
_UNSAFE = re.compile(f"[\x00-\x08\x0a-\x1f{_INVISIBLE}]")  # and C0 controls but tab
#: json.dumps escapes C0 in strings itself, and its own "\\n" between items is structure
_UNSAFE_JSON = re.compile(f"[{_INVISIBLE}]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\x1b": "\\x1b"}


def _escape_char(ch: str) -> str:
    named = _NAMED.get(ch)
    if named is not None:
        return named
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def escape_control(text: str) -> str:
    """`text` with every control and invisible formatting character written as an escape."""
    if _UNSAFE.search(text) is None:
        return text
    return _UNSAFE.sub(lambda m: _escape_char(m.group(0)), text)


def _span_text(span: Span) -> str:
    return escape_control(str(span))


def _source_line(files: dict[str, str], span: Span) -> str | None:
    text = files.get(span.file, span.source)
    if text is None:
        return None
    lines = source_lines(text)
    return lines[span.line - 1] if 0 < span.line <= len(lines) else None


def _caret(line: str, span: Span) -> str:
    """Carets under the span of `line` as `escape_control(line)` prints it."""
    width = 1
    if span.end_line == span.line and span.end_col >= span.col:
        width = span.end_col - span.col + 1
    width = max(1, min(width, max(len(line) - span.col + 1, 1)))
    prefix = "".join(
        ch if ch == "\t" else " " * len(escape_control(ch)) for ch in line[: span.col - 1]
    )
    under = escape_control(line[span.col - 1 : span.col - 1 + width])
    return prefix + "^" * max(len(under), 1)


def render_text(diags: list[Diagnostic], files: dict[str, str], color: bool = False) -> str:
    out: list[str] = []
    for d in diags:
        sev = d.severity.value
        where, message = _span_text(d.span), escape_control(d.message)
        head = f"{where}: {sev}[{d.code.code}]: {message}"
        if color:
            head = (
                f"{_BOLD}{where}:{_RESET} {_COLORS[sev]}{sev}[{d.code.code}]{_RESET}: "
                f"{_BOLD}{message}{_RESET}"
            )
        out.append(head)
        line = _source_line(files, d.span)
        if line is not None:
            gutter = f"{d.span.line:>4} | "
            out.append(gutter + escape_control(line))
            caret = " " * (len(gutter) - 2) + "| " + _caret(line, d.span)
            out.append(f"{_COLORS[sev]}{caret}{_RESET}" if color else caret)
        for note, span in d.notes:
            out.append(f"  note: {escape_control(note)} at {_span_text(span)}")
        if d.hint:
            out.append(f"  hint: {escape_control(d.hint)}")
    return "\n".join(out)


def summary(diags: list[Diagnostic]) -> str:
    errors = sum(1 for d in diags if d.severity.value == "error")
    warnings = len(diags) - errors
    return f"{_plural(errors, 'error')}, {_plural(warnings, 'warning')}"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def render_json(diags: list[Diagnostic]) -> str:
    items = [
        {
            "code": d.code.code,
            "name": d.code.name,
            "severity": d.severity.value,
            "message": d.message,
            "file": d.span.file,
            "line": d.span.line,
            "column": d.span.col,
            "end_line": d.span.end_line or d.span.line,
            "end_column": d.span.end_col or d.span.col,
            "hint": d.hint,
            "notes": [
                {"message": m, "file": s.file, "line": s.line, "column": s.col} for m, s in d.notes
            ],
        }
        for d in diags
    ]
    text = json.dumps({"diagnostics": items}, indent=2, ensure_ascii=False)
    # json.dumps escapes C0 controls only; the others are legal JSON but not inert on a
    # terminal. They only occur inside strings, where \\uXXXX decodes to the same text.
    return _UNSAFE_JSON.sub(lambda m: f"\\u{ord(m.group(0)):04x}", text)


def _gh_escape(text: str, prop: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text


def render_github(diags: list[Diagnostic]) -> str:
    """GitHub Actions workflow commands: annotations on the PR diff."""
    out = []
    for d in diags:
        level = "error" if d.severity.value == "error" else "warning"
        msg = escape_control(d.message)
        if d.hint:
            msg += f"\n hint: {escape_control(d.hint)}"  # the one newline GitHub shows
        out.append(
            f"::{level} file={_gh_escape(escape_control(d.span.file), True)},line={d.span.line},"
            f"col={d.span.col},title={d.code.code}::{_gh_escape(msg)}"
        )
    return "\n".join(out)
