"""The README's quick tour names only commands and options alurc has: every `alurc ...`
line of its shell blocks is checked against the CLI's own command and option lists."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import typer.main

from alur_compiler.cli import app

ROOT = Path(__file__).resolve().parents[2]


def _tour_lines() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"^```sh\n(.*?)^```$", text, re.MULTILINE | re.DOTALL)
    lines = []
    for block in blocks:
        for line in block.splitlines():
            for part in line.split("&&"):
                code = part.split("#", 1)[0].strip()
                if code.startswith("alurc "):
                    lines.append(code)
    return lines


def test_every_tour_line_is_a_real_command_with_real_options() -> None:
    group = typer.main.get_group(app)
    lines = _tour_lines()
    assert len(lines) >= 15, lines  # the tour is there
    for line in lines:
        words = shlex.split(line)[1:]
        command = group.commands.get(words[0])
        assert command is not None, f"README: unknown command in {line!r}"
        options = {o for p in command.params for o in (*p.opts, *p.secondary_opts)}
        for word in words[1:]:
            if word.startswith("--"):
                name = word.split("=", 1)[0]
                assert name in options, f"README: {words[0]} has no option {name} ({line!r})"
