"""User text in diagnostics is shown, never obeyed: every renderer escapes control characters.

One character class (render.escape_control) for message, hint, notes, file names and the
source line; JSON keeps the exact text with those characters as \\uXXXX escapes.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from alur_compiler import api
from alur_compiler.diagnostics import codes
from alur_compiler.diagnostics.collector import Diagnostic
from alur_compiler.diagnostics.render import (
    _UNSAFE,
    escape_control,
    render_github,
    render_json,
    render_text,
)
from alur_compiler.diagnostics.span import Span

HOSTILE = {
    "ESC": "\x1b[2J\x1b]0;owned\x07",
    "BEL": "\x07",
    "CR": "\rsafe.yaml:1:1: ok",
    "NUL": "\x00",
    "RLO": "\u202e",
    "LS": "\u2028",
    "LF": "\nfake.yaml:1:1: error[AL000]: injected",
    "DEL+C1": "\x7f\x9b31m",
}


def _diag(bad: str) -> tuple[Diagnostic, dict[str, str]]:
    file = f"contracts/a{bad}.yaml"
    line = f"name: x{bad}y  # {bad}"
    span = Span(file, 1, 7, 1, 7 + len(bad) + 1)  # `x{bad}y`
    note = (f"first defined {bad} here", Span(file, 1, 1))
    d = Diagnostic(codes.UNKNOWN_TABLE, f"unknown table 'x{bad}y'", span, f"hint {bad}", (note,))
    return d, {file: line + "\n"}


def _clean(text: str, separators: str = "\n") -> None:
    """No unsafe character except the renderer's own line separators."""
    for part in text.split(separators):
        found = _UNSAFE.findall(part)
        assert not found, (found, part)


@pytest.mark.parametrize("name", sorted(HOSTILE))
@pytest.mark.parametrize("color", [False, True])
def test_text_renderer_escapes_every_part(name: str, color: bool) -> None:
    bad = HOSTILE[name]
    d, files = _diag(bad)
    text = render_text([d], files, color=color)
    plain = text.replace("\x1b[1;31m", "").replace("\x1b[1m", "").replace("\x1b[0m", "")
    _clean(plain)
    lines = plain.split("\n")
    assert len(lines) == 5  # head, source, caret, note, hint: nothing injected a line
    assert escape_control(bad) in lines[0] and escape_control(bad) in lines[4]
    if any(brk in bad for brk in "\r\n\u2028"):
        assert lines[1] == "   1 | name: x"  # YAML breaks the line there, and so does the excerpt
        return
    source, caret = lines[1], lines[2]
    assert escape_control(bad) in source
    # the caret sits under the escaped text of the span (`x`, then the escaped `bad`, `y`)
    start = caret.index("^")
    assert source[start:].startswith("x" + escape_control(bad) + "y")
    assert caret.count("^") == len("x" + escape_control(bad) + "y")


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_json_keeps_the_text_and_escapes_it(name: str) -> None:
    bad = HOSTILE[name]
    d, _ = _diag(bad)
    out = render_json([d])
    _clean(out)
    (item,) = json.loads(out)["diagnostics"]
    assert item["message"] == d.message and item["hint"] == d.hint and item["file"] == d.span.file
    assert item["notes"][0]["message"] == d.notes[0][0]


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_github_annotation_is_one_line_with_escaped_text(name: str) -> None:
    bad = HOSTILE[name]
    d, _ = _diag(bad)
    out = render_github([d])
    assert "\n" not in out and "\r" not in out
    _clean(out)
    assert out.startswith("::error file=contracts/a")
    assert "%0A hint: hint " in out  # the renderer's own newline, encoded for GitHub


def test_plain_text_is_unchanged() -> None:
    text = "unknown table 'ünï©ødé✓😀' \t(did you mean 'x'?)"
    assert escape_control(text) == text


def test_escape_sequences_from_yaml_reach_the_terminal_escaped(tmp_path: Path) -> None:
    """End to end: an ESC in a YAML string is printed as \\x1b by `alurc validate`."""
    (tmp_path / "alur.yaml").write_text(
        "apiVersion: alur/v1\nkind: Project\nname: p\nenvironments:\n  dev:\n"
        "    region: eu-west-1\n    buckets: {lake: p-lake, artifacts: p-art, landing: p-land}\n"
        "---\napiVersion: alur/v1\nkind: Ingestion\nname: load\n"
        'target: "t\\e[31m\\u202e"\nsource_system: s\nsources: [{path: raw/, format: csv}]\n',
        encoding="utf-8",
    )
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        result = api.load(Path("."))
    finally:
        os.chdir(cwd)
    text = render_text(result.diagnostics.sorted(), result.files)
    assert "\x1b" not in text and "\u202e" not in text
    assert "\\x1b[31m\\u202e" in text
