"""specs/cost.md shows `alurc cost` on its own example: the page's text block is what the
command prints for that example (its figures are worked out by hand on the page)."""

from __future__ import annotations

import re
from pathlib import Path

from test_spec_examples import parse_page, write_project
from typer.testing import CliRunner

from alur_compiler.cli import app

PAGE = Path(__file__).resolve().parents[2] / "specs" / "cost.md"


def test_the_page_shows_what_alurc_cost_prints_for_its_example(tmp_path: Path) -> None:
    write_project(parse_page(PAGE), tmp_path)
    args = ["cost", "--env", "dev", "--offline", "--from", "2027-01-15T00:00", str(tmp_path)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    shown = re.search(r"^```text\n(.*?)^```", PAGE.read_text(encoding="utf-8"), re.M | re.S)
    assert shown is not None
    assert result.output == shown.group(1)
    assert result.output.splitlines()[-1].split()[-2:] == ["333.00", "146.52"]
